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


@dataclass(frozen=True)
class HermitianModel:
    """``k`` Hermitian ``n × n`` generators ``J`` acting as ``x ↦ (I + iεJ) x``.

    Parametrised by a real pair ``(W_re, W_im)`` with
    ``J = (W + W†) / 2``, so Hermiticity holds exactly. The action matrices
    are ``A = iJ`` (anti-Hermitian). Closure is learned on ``A`` with real
    constants ``a``: ``[iJ_α, iJ_β] = Σ_γ a_αβγ iJ_γ``, i.e. in the physics
    convention ``[J_α, J_β] = i Σ_γ f_αβγ J_γ`` with ``f = −a``.
    """

    n: int
    n_generators: int

    name = "hermitian"

    def init(self, key: jax.Array) -> dict:
        """Random Hermitian generators of squared norm about 2."""
        k_re, k_im = jax.random.split(key)
        shape = (self.n_generators, self.n, self.n)
        scale = jnp.sqrt(CANONICAL_NORM_SQ) / self.n
        return {
            "W_re": scale * jax.random.normal(k_re, shape),
            "W_im": scale * jax.random.normal(k_im, shape),
            "a": jnp.zeros((self.n_generators,) * 3),
        }

    def generators(self, params: dict) -> jax.Array:
        """Hermitian ``J = (W + W†) / 2``, shape ``(k, n, n)`` complex."""
        W = params["W_re"] + 1j * params["W_im"]
        return 0.5 * (W + jnp.conj(jnp.swapaxes(W, -1, -2)))

    def actions(self, params: dict) -> jax.Array:
        """``A = iJ``."""
        return 1j * self.generators(params)
