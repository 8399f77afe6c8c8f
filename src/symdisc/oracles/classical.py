"""Smooth classical invariants: norms, metrics, the squeeze product.

Each function returns an :class:`~symdisc.oracles.base.Oracle`. For a point of
``c`` copies the label is the invariant of each copy (``m = c`` outputs), so a
generator must preserve all of them at once.
"""

from __future__ import annotations

import jax.numpy as jnp

from symdisc.errors import bad_input
from symdisc.oracles.base import Oracle


def _positive(name: str, value: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise bad_input(name, "a positive integer", value)
    return value


def euclidean_norm(n: int, copies: int = 1) -> Oracle:
    """Squared Euclidean norm ``φ(x) = Σ_j x_j²``, preserved by O(n)."""
    _positive("n", n)
    _positive("copies", copies)

    def fn(x):
        return jnp.sum(x**2, axis=-1)

    return Oracle(
        name=f"norm{n}",
        fn=fn,
        n=n,
        copies=copies,
        outputs=copies,
        description=f"|x|^2 on R^{n}",
        parameters={"kind": "norm", "n": n},
    )


def quadratic_form(p: int, q: int, copies: int = 1) -> Oracle:
    """Quadratic form of signature ``(p, q)``, preserved by O(p, q).

    ``φ(x) = x_1² + … + x_p² − x_{p+1}² − … − x_{p+q}²``; Lorentz is (1, 3).
    """
    if not isinstance(p, int) or not isinstance(q, int) or p < 0 or q < 0 or p + q < 1:
        raise bad_input(
            "signature", "two non-negative integers (p, q) with p + q >= 1", (p, q)
        )
    signs = jnp.concatenate([jnp.ones(p), -jnp.ones(q)])

    def fn(x):
        return jnp.sum(signs * x**2, axis=-1)

    return Oracle(
        name=f"metric{p}{q}",
        fn=fn,
        n=p + q,
        copies=copies,
        outputs=copies,
        description=f"quadratic form of signature ({p}, {q})",
        parameters={"kind": "metric", "p": p, "q": q},
    )


def squeeze() -> Oracle:
    """The product ``φ(x) = x_1 x_2`` on R², preserved by the squeeze map."""

    def fn(x):
        return x[:, 0] * x[:, 1]

    return Oracle(
        name="squeeze",
        fn=fn,
        n=2,
        description="x1 * x2",
        parameters={"kind": "squeeze"},
    )


def hermitian_norm(n: int, copies: int = 1) -> Oracle:
    """Squared Hermitian norm ``φ(x) = Σ_j |x_j|²`` on C^n, preserved by U(n)."""
    _positive("n", n)

    def fn(x):
        return jnp.sum(jnp.abs(x) ** 2, axis=-1)

    return Oracle(
        name=f"hermitian{n}",
        fn=fn,
        n=n,
        copies=copies,
        outputs=copies,
        field="complex",
        description=f"|x|^2 on C^{n}",
        parameters={"kind": "hermitian", "n": n},
    )
