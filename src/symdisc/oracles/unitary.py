r"""Oracles of the unitary groups U(n) and SU(n), from first principles.

U(n) is the group that keeps the Hermitian norm ``|x|² = Σ_j |x_j|²`` of
``x ∈ C^n``. SU(n) is the part of it that also keeps the complex volume
spanned by ``n`` vectors: a point is ``n`` copies ``x_1, …, x_n ∈ C^n``
(shape ``(n, n)``, row ``c`` the copy ``x_c``) that all move with the same
``U``, and the labels are

.. math::

    φ(x) = \bigl(|x_1|², …, |x_n|²,\ \mathrm{Re}\det X / s,\
    \mathrm{Im}\det X / s\bigr), \qquad s = \sqrt{n!},

with ``X`` the ``n × n`` matrix whose rows are the copies. Under ``x_c ↦ U
x_c`` the matrix becomes ``X Uᵀ`` and its determinant ``det X · det U``; the
norms force ``U`` unitary and the determinant forces ``det U = 1``. For the
generator ``A = iJ`` that is ``tr J = 0``: tracelessness is learned from the
labels, never imposed. ``s`` is the root-mean-square size of ``det X`` for
standard complex normal copies, so every label is of order one.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from symdisc.oracles.base import Oracle
from symdisc.oracles.classical import _positive, hermitian_norm


def unitary(n: int) -> Oracle:
    """Build the U(n) oracle: the Hermitian norm ``|x|²`` of one vector of C^n.

    Its linear symmetry algebra is u(n), of real dimension ``n²``.
    """
    _positive("n", n)
    base = hermitian_norm(n)
    return Oracle(
        name=f"u{n}",
        fn=base.fn,
        n=n,
        copies=1,
        outputs=1,
        field="complex",
        description=f"|x|^2 on C^{n}",
        parameters={"kind": "unitary", "n": n},
    )


def special_unitary(n: int) -> Oracle:
    """Build the SU(n) oracle: norms of ``n`` copies and the volume they span.

    A point has shape ``(n, n)`` (``copies = n``); the ``n + 2`` labels are
    the Hermitian norm of each copy and the real and imaginary parts of the
    determinant of the matrix of copies, divided by ``sqrt(n!)``. Its linear
    symmetry algebra is su(n), of real dimension ``n² − 1``.
    """
    _positive("n", n)
    scale = 1.0 / math.sqrt(math.factorial(n))

    def fn(x):
        norms = jnp.sum(jnp.abs(x) ** 2, axis=-1)
        volume = scale * jnp.linalg.det(x)
        return jnp.concatenate([norms, jnp.stack([volume.real, volume.imag])])

    return Oracle(
        name=f"su{n}",
        fn=fn,
        n=n,
        copies=n,
        outputs=n + 2,
        field="complex",
        description=(
            f"|x_c|^2 of {n} copies in C^{n} and Re, Im det[x_1 … x_{n}] / sqrt({n}!)"
        ),
        parameters={"kind": "special_unitary", "n": n},
    )
