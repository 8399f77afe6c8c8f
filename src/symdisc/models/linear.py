"""Linear generators: ``k`` real matrices acting as ``x ↦ (I + εG) x``.

A model turns a pytree of real parameters into the generators ``G`` that are
reported and the action matrices ``A`` that move points (``A = G`` here).
Parameters are always real so that every optimiser applies unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp

from symdisc.algebra.linalg import CANONICAL_NORM_SQ


@dataclass(frozen=True)
class LinearModel:
    """``k`` real ``n × n`` generators and learned structure constants.

    Parameters
    ----------
    n : int
        Matrix size.
    n_generators : int
        Number ``k`` of generators.
    """

    n: int
    n_generators: int

    name = "linear"

    def init(self, key: jax.Array) -> dict:
        """Random generators of squared norm about 2; zero structure constants.

        Returns ``{"G": (k, n, n), "a": (k, k, k)}``.
        """
        scale = jnp.sqrt(CANONICAL_NORM_SQ) / self.n
        G = scale * jax.random.normal(key, (self.n_generators, self.n, self.n))
        a = jnp.zeros((self.n_generators,) * 3)
        return {"G": G, "a": a}

    def generators(self, params: dict) -> jax.Array:
        """The reported generators ``G``, shape ``(k, n, n)``."""
        return params["G"]

    def actions(self, params: dict) -> jax.Array:
        """Matrices that move points, ``A = G``."""
        return params["G"]
