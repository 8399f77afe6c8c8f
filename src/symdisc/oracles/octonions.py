r"""The octonions O as arrays of 8 real numbers, multiplied through a constant table.

An octonion ``a = a_0 + Σ_{i=1..7} a_i e_i`` is stored as an array of shape
``(..., 8)`` with index 0 the real part. Everything is jax.numpy, so every
function here can be differentiated, vectorised and compiled.

Convention
----------
The imaginary units satisfy ``e_i² = −1`` and, for each of the seven
oriented lines ``(i, j, k)`` of the Fano plane in :data:`FANO_TRIPLES`,

.. math::

    e_i e_j = e_k,\quad e_j e_k = e_i,\quad e_k e_i = e_j,\qquad
    e_j e_i = −e_k,\ \text{etc.}

The lines are ``(i, i+1, i+3)`` with indices taken in ``1..7`` modulo 7:
(1,2,4), (2,3,5), (3,4,6), (4,5,7), (5,6,1), (6,7,2), (7,1,3). Any two distinct
imaginary units lie on exactly one line, so this fixes the whole product.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from symdisc import _jax  # noqa: F401  (float64)

#: The seven oriented Fano lines ``(i, j, k)`` with ``e_i e_j = e_k``.
FANO_TRIPLES: tuple[tuple[int, int, int], ...] = tuple(
    (i, i % 7 + 1, (i + 2) % 7 + 1) for i in range(1, 8)
)


def _structure_constants() -> np.ndarray:
    C = np.zeros((8, 8, 8))
    C[0, 0, 0] = 1.0
    for i in range(1, 8):
        C[0, i, i] = C[i, 0, i] = 1.0
        C[i, i, 0] = -1.0
    for i, j, k in FANO_TRIPLES:
        for p, q, r in ((i, j, k), (j, k, i), (k, i, j)):
            C[p, q, r] = 1.0
            C[q, p, r] = -1.0
    C.setflags(write=False)
    return C


#: Structure constants ``C[i, j, k]`` with ``e_i e_j = Σ_k C[i, j, k] e_k``,
#: shape ``(8, 8, 8)``, index 0 the real unit. Read-only NumPy array.
OCTONION_STRUCTURE: np.ndarray = _structure_constants()


def octonion_multiply(a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    """Octonion product ``ab``.

    .. math:: (ab)_k = Σ_{ij} a_i b_j C_{ijk}

    with ``C`` = :data:`OCTONION_STRUCTURE`.

    Parameters
    ----------
    a, b : array, shape (..., 8)
        Octonions; leading axes broadcast against each other.

    Returns
    -------
    array, shape (..., 8)
    """
    a, b = jnp.broadcast_arrays(jnp.asarray(a), jnp.asarray(b))
    return jnp.einsum("...i,...j,ijk->...k", a, b, OCTONION_STRUCTURE)


def octonion_conjugate(a: jnp.ndarray) -> jnp.ndarray:
    """Conjugate ``ā = a_0 − Σ_i a_i e_i``, shape ``(..., 8) -> (..., 8)``."""
    a = jnp.asarray(a)
    return jnp.concatenate([a[..., :1], -a[..., 1:]], axis=-1)


def octonion_norm_squared(a: jnp.ndarray) -> jnp.ndarray:
    """``|a|² = a ā = Σ_k a_k²``, shape ``(..., 8) -> (...)``."""
    return jnp.sum(jnp.asarray(a) ** 2, axis=-1)


def octonion_norm(a: jnp.ndarray) -> jnp.ndarray:
    """Euclidean norm ``|a| = sqrt(a ā)``, shape ``(..., 8) -> (...)``.

    Multiplicative: ``|ab| = |a| |b|``. Not differentiable at ``a = 0``; use
    :func:`octonion_norm_squared` inside invariants.
    """
    return jnp.sqrt(octonion_norm_squared(a))


def octonion_associator(a: jnp.ndarray, b: jnp.ndarray, c: jnp.ndarray) -> jnp.ndarray:
    """Associator ``[a, b, c] = (ab)c − a(bc)``, shape ``(..., 8)``.

    It is totally antisymmetric (the octonions are alternative) and vanishes
    whenever two arguments lie in a common quaternion subalgebra.
    """
    return octonion_multiply(octonion_multiply(a, b), c) - octonion_multiply(
        a, octonion_multiply(b, c)
    )


def imaginary_octonion(v: jnp.ndarray) -> jnp.ndarray:
    """Embed ``v ∈ R^7`` as the imaginary octonion ``Σ_i v_i e_i``.

    Parameters
    ----------
    v : array, shape (..., 7)

    Returns
    -------
    array, shape (..., 8)
        Zero real part.
    """
    v = jnp.asarray(v)
    return jnp.concatenate([jnp.zeros_like(v[..., :1]), v], axis=-1)


def associative_three_form() -> np.ndarray:
    r"""Return the 3-form ``φ(x, y, z) = Re(x (y z))`` on imaginary octonions.

    .. math:: φ_{ijk} = \mathrm{Re}(e_i (e_j e_k)),\qquad
              φ(x, y, z) = Σ_{ijk} φ_{ijk} x_i y_j z_k

    For imaginary ``x, y, z`` this equals ``−⟨x, yz⟩``; it is totally
    antisymmetric, and with the lines of :data:`FANO_TRIPLES` it takes the
    value ``φ_{ijk} = −1`` on each line ``(i, j, k)`` in its cyclic orders
    (``+1`` in the others) and 0 off the lines. The group of linear maps of
    R^7 that preserve it is the compact exceptional group G2.

    Returns
    -------
    numpy.ndarray, shape (7, 7, 7)
        Indices ``0..6`` stand for ``e_1..e_7``.
    """
    C = OCTONION_STRUCTURE
    # Re(e_i (e_j e_k)) = Σ_l C[j, k, l] C[i, l, 0].
    phi = np.einsum("jkl,il->ijk", C[1:, 1:, :], C[1:, :, 0])
    phi.setflags(write=False)
    return phi


def octonion_derivation(a: jnp.ndarray, b: jnp.ndarray) -> jnp.ndarray:
    r"""Matrix of the derivation ``D_{a,b}`` of the octonions.

    .. math:: D_{a,b}(x) = [[a, b], x] − 3\,[a, b, x]

    with ``[a, b] = ab − ba`` and ``[a, b, x]`` the associator. In any
    alternative algebra this is a derivation, ``D(xy) = D(x) y + x D(y)``; for
    the octonions the ``D_{e_i, e_j}`` span the derivation algebra g2
    (dimension 14). ``D`` kills the real unit and maps Im O to itself, so the
    lower-right 7×7 block is its action on R^7 = Im O, which preserves the
    3-form of :func:`associative_three_form`. Reference: R. D. Schafer, *An
    Introduction to Nonassociative Algebras* (1966), ch. III.

    Parameters
    ----------
    a, b : array, shape (8,)

    Returns
    -------
    array, shape (8, 8)
        ``D[k, j]`` is component ``k`` of ``D_{a,b}(e_j)``.
    """
    units = jnp.eye(8)
    ab = octonion_multiply(a, b) - octonion_multiply(b, a)
    commutator = octonion_multiply(ab, units) - octonion_multiply(units, ab)
    images = commutator - 3.0 * octonion_associator(a, b, units)
    return images.T
