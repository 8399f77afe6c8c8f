r"""Oracles whose symmetry algebras are the exceptional Lie algebras g2, f4, e6.

g2 preserves the associative 3-form on the imaginary octonions R^7; f4 and
e6(-26) act on the exceptional Jordan algebra J3(O) = R^27 of 3×3 Hermitian
octonionic matrices, f4 as its automorphisms, e6(-26) as the maps that keep
the cubic (Freudenthal) determinant.

Coordinates on J3(O)
--------------------
A Hermitian octonionic matrix is written

.. math::

    h = \begin{pmatrix} a & z & \bar y \\ \bar z & b & x \\
        y & \bar x & c \end{pmatrix},\qquad a, b, c ∈ R,\ x, y, z ∈ O,

and stored as the vector ``u ∈ R^27``

    ``u = (a, b, c, √2 x_0, …, √2 x_7, √2 y_0, …, √2 y_7, √2 z_0, …, √2 z_7)``

(octonion components in the order of :mod:`symdisc.oracles.octonions`, index 0
real). The factor √2 makes the trace form Euclidean,
``Tr(h²) = a² + b² + c² + 2(|x|² + |y|² + |z|²) = |u|²``, so that f4 consists
of antisymmetric 27×27 matrices and the standard normal distribution of ``u``
(the default sampler) is invariant under F4.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from symdisc.oracles.base import Oracle
from symdisc.oracles.octonions import (
    associative_three_form,
    octonion_conjugate,
    octonion_multiply,
    octonion_norm_squared,
)

#: Real dimension of the exceptional Jordan algebra J3(O).
JORDAN_DIMENSION = 27

_SQRT2 = float(np.sqrt(2.0))


def g2() -> Oracle:
    r"""Build the g2 oracle: the associative 3-form on three imaginary octonions.

    A point is three imaginary octonions ``x, y, z ∈ Im O = R^7`` (shape
    ``(3, 7)``, ``copies=3``, each row ``Σ_i v_i e_i``) and the label is

    .. math:: φ(x, y, z) = \mathrm{Re}(x (y z)) = Σ_{ijk} φ_{ijk} x_i y_j z_k,

    with ``φ_{ijk}`` from :func:`~symdisc.oracles.octonions.associative_three_form`
    (totally antisymmetric). The linear maps ``G`` of R^7 acting on all three
    copies with ``Dφ[Gx, Gy, Gz] = 0`` form the compact Lie algebra g2 of
    dimension 14, inside so(7). Under the default standard normal sampler the
    label has mean 0 and standard deviation ``sqrt(42) ≈ 6.5``.
    """
    phi = associative_three_form()

    def fn(x):
        return jnp.einsum("ijk,i,j,k->", phi, x[0], x[1], x[2])[None]

    return Oracle(
        name="g2",
        fn=fn,
        n=7,
        copies=3,
        outputs=1,
        description="Re(x (y z)) on three imaginary octonions",
        parameters={"kind": "g2"},
    )


def _blocks(h: jnp.ndarray):
    """Split ``(..., 27)`` coordinates into ``a, b, c`` and octonions ``x, y, z``."""
    h = jnp.asarray(h)
    a, b, c = h[..., 0], h[..., 1], h[..., 2]
    x = h[..., 3:11] / _SQRT2
    y = h[..., 11:19] / _SQRT2
    z = h[..., 19:27] / _SQRT2
    return a, b, c, x, y, z


def jordan_matrix(h: jnp.ndarray) -> jnp.ndarray:
    """Return the Hermitian octonionic matrix with coordinates ``h``.

    Parameters
    ----------
    h : array, shape (..., 27)
        Coordinates ``(a, b, c, √2 x, √2 y, √2 z)`` (see the module docstring).

    Returns
    -------
    array, shape (..., 3, 3, 8)
        Entry ``[i, j]`` is the octonion in row ``i``, column ``j`` of
        ``[[a, z, ȳ], [z̄, b, x], [y, x̄, c]]``.
    """
    a, b, c, x, y, z = _blocks(h)

    def real(t):
        return jnp.concatenate([t[..., None], jnp.zeros((*t.shape, 7), t.dtype)], -1)

    rows = [
        [real(a), z, octonion_conjugate(y)],
        [octonion_conjugate(z), real(b), x],
        [y, octonion_conjugate(x), real(c)],
    ]
    return jnp.stack([jnp.stack(row, axis=-2) for row in rows], axis=-3)


def jordan_vector(matrix: jnp.ndarray) -> jnp.ndarray:
    """Return the coordinates ``(..., 27)`` of a matrix ``(..., 3, 3, 8)`` in J3(O).

    Inverse of :func:`jordan_matrix`; reads the diagonal's real parts and the
    entries ``x = [1, 2]``, ``y = [2, 0]``, ``z = [0, 1]`` (Hermiticity is
    assumed, not checked).
    """
    H = jnp.asarray(matrix)
    diagonal = jnp.stack([H[..., 0, 0, 0], H[..., 1, 1, 0], H[..., 2, 2, 0]], -1)
    off = [_SQRT2 * H[..., 1, 2, :], _SQRT2 * H[..., 2, 0, :], _SQRT2 * H[..., 0, 1, :]]
    return jnp.concatenate([diagonal, *off], axis=-1)


def jordan_trace(h: jnp.ndarray) -> jnp.ndarray:
    """``tr h = a + b + c``, shape ``(..., 27) -> (...)``."""
    a, b, c, *_ = _blocks(h)
    return a + b + c


def jordan_trace_of_square(h: jnp.ndarray) -> jnp.ndarray:
    """``Tr(h²) = a² + b² + c² + 2(|x|² + |y|² + |z|²)``, shape ``(..., 27) -> (...)``.

    Positive definite; in the coordinates of this module it is ``|h|²``.
    """
    return jnp.sum(jnp.asarray(h) ** 2, axis=-1)


def jordan_determinant(h: jnp.ndarray) -> jnp.ndarray:
    r"""Freudenthal's cubic determinant of ``h ∈ J3(O)``, shape ``(..., 27) -> (...)``.

    .. math::

        \det h = abc − a|x|² − b|y|² − c|z|² + 2\,\mathrm{Re}(x (y z))

    for ``h = [[a, z, ȳ], [z̄, b, x], [y, x̄, c]]``. The real part of a triple
    product does not depend on the bracketing and is invariant under cyclic
    permutations. With real (or complex) entries this is the ordinary
    determinant of the symmetric (Hermitian) matrix, and ``h`` satisfies
    ``h³ − (tr h) h² + σ(h) h − (det h) 1 = 0`` with
    ``σ(h) = ((tr h)² − Tr(h²)) / 2``. The linear maps that preserve it form
    E6(-26), of dimension 78.
    """
    a, b, c, x, y, z = _blocks(h)
    triple = octonion_multiply(x, octonion_multiply(y, z))[..., 0]
    return (
        a * b * c
        - a * octonion_norm_squared(x)
        - b * octonion_norm_squared(y)
        - c * octonion_norm_squared(z)
        + 2.0 * triple
    )


def f4() -> Oracle:
    r"""Build the f4 oracle: the three invariants of J3(O).

    A point is ``h ∈ J3(O)`` as 27 coordinates (``copies=1``, ``n=27``; order
    and √2 scaling in the module docstring). The labels are

    .. math:: φ(h) = (\mathrm{tr}\,h,\ \mathrm{Tr}(h^2),\ \det h),

    see :func:`jordan_trace`, :func:`jordan_trace_of_square`,
    :func:`jordan_determinant`. The linear maps preserving all three are the
    automorphisms of the Jordan algebra, the compact group F4; its Lie algebra
    f4 (dimension 52) consists of antisymmetric matrices in these coordinates.
    Under the default standard normal sampler the labels have standard
    deviations sqrt(3) ≈ 1.7, sqrt(54) ≈ 7.3 and sqrt(93) ≈ 9.6
    (means 0, 27, 0).
    """

    def fn(h):
        h = h[0]
        return jnp.stack(
            [jordan_trace(h), jordan_trace_of_square(h), jordan_determinant(h)]
        )

    return Oracle(
        name="f4",
        fn=fn,
        n=JORDAN_DIMENSION,
        copies=1,
        outputs=3,
        description="tr h, Tr h^2, det h on 3x3 Hermitian octonionic matrices",
        parameters={"kind": "f4"},
    )


def e6() -> Oracle:
    """Build the e6 oracle: the cubic determinant of J3(O).

    A point is ``h ∈ J3(O)`` as 27 coordinates (``copies=1``, ``n=27``; order
    and √2 scaling in the module docstring); the single label is
    ``det h`` (:func:`jordan_determinant`). The linear maps of R^27 that
    preserve it form the real form e6(-26) of dimension 78, whose maximal
    compact subalgebra is f4 (52 antisymmetric generators) and whose other 26
    directions are symmetric matrices (Jordan multiplication by a traceless
    element, the non-compact "boosts" of J3(O)). Under the
    default standard normal sampler the label has mean 0 and standard
    deviation sqrt(93) ≈ 9.6.
    """

    def fn(h):
        return jordan_determinant(h[0])[None]

    return Oracle(
        name="e6",
        fn=fn,
        n=JORDAN_DIMENSION,
        copies=1,
        outputs=1,
        description="Freudenthal determinant det h on J3(O) = R^27",
        parameters={"kind": "e6"},
    )
