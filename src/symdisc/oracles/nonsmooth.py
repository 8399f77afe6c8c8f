"""Oracles that are not differentiable everywhere and have no linear symmetry."""

from __future__ import annotations

import jax.numpy as jnp

from symdisc.oracles.base import Oracle


def piecewise() -> Oracle:
    """``φ(x) = x_1`` where ``x_1 ≥ 0``, else ``−x_2`` (discontinuous on R²)."""

    def fn(x):
        return jnp.where(x[:, 0] >= 0, x[:, 0], -x[:, 1])

    return Oracle(
        name="piecewise",
        fn=fn,
        n=2,
        smooth=False,
        description="x1 if x1 >= 0 else -x2",
        parameters={"kind": "piecewise"},
        distance_to_singular=lambda x: jnp.abs(x[0, 0]),
    )


def manhattan() -> Oracle:
    """The Manhattan norm ``φ(x) = |x_1| + |x_2|`` on R²."""

    def fn(x):
        return jnp.abs(x[:, 0]) + jnp.abs(x[:, 1])

    return Oracle(
        name="manhattan",
        fn=fn,
        n=2,
        smooth=False,
        description="|x1| + |x2|",
        parameters={"kind": "manhattan"},
        distance_to_singular=lambda x: jnp.min(jnp.abs(x[0, :2])),
    )
