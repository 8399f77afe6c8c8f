"""The weighted training objective, assembled from :mod:`symdisc.losses`."""

from __future__ import annotations

import functools
from collections.abc import Callable

import jax
import jax.numpy as jnp

from symdisc import losses
from symdisc.config import TrainingConfig
from symdisc.oracles.base import Oracle


def invariance_form(oracle: Oracle, config: TrainingConfig) -> str:
    """``exact`` or ``finite``: ``auto`` picks exact for smooth oracles."""
    if config.invariance != "auto":
        return config.invariance
    return "exact" if oracle.smooth else "finite"


def make_objective(
    oracle: Oracle,
    model,
    config: TrainingConfig,
    X: jax.Array,
    frozen: jax.Array | None = None,
) -> Callable:
    """Build ``loss(params) -> (total, parts)`` for one restart.

    ``total = h_inv L_inv + h_norm L_norm + h_orth L_orth + h_clos L_clos
    + h_sparse L_sparse``, every term summed over generators. ``frozen``
    generators (greedy training) add ``Σ_αβ |⟨G_α, F_β⟩|²`` to the
    orthogonality term and are not trained.
    """
    form = invariance_form(oracle, config)
    with_closure = config.closure != "none" and model.n_generators > 1

    def objective(params):
        G = model.generators(params)
        A = model.actions(params)
        if form == "exact":
            inv = losses.invariance_exact(oracle.fn, A, X)
        else:
            inv = losses.invariance_finite(oracle.fn, A, X, config.epsilon)
        orth = losses.orthogonality(G)
        if frozen is not None and frozen.shape[0]:
            V = G.reshape(G.shape[0], -1)
            F = frozen.reshape(frozen.shape[0], -1)
            orth = orth + jnp.sum(jnp.abs(V.conj() @ F.T) ** 2)
        parts = {
            "invariance": jnp.sum(inv),
            "normalisation": jnp.sum(losses.normalisation(G)),
            "orthogonality": orth,
            "closure": jnp.zeros(()),
            "sparsity": jnp.zeros(()),
        }
        if with_closure:
            if config.closure == "learned":
                parts["closure"] = losses.closure_learned(A, params["a"])
            else:
                parts["closure"] = losses.closure_projection(A)
        if config.h_sparsity > 0:
            parts["sparsity"] = jnp.sum(losses.sparsity(G))
        total = (
            config.h_invariance * parts["invariance"]
            + config.h_normalisation * parts["normalisation"]
            + config.h_orthogonality * parts["orthogonality"]
            + config.h_closure * parts["closure"]
            + config.h_sparsity * parts["sparsity"]
        )
        return total, parts

    return objective


def loss_settings(config: TrainingConfig) -> TrainingConfig:
    """Only the fields :func:`make_objective` reads (a key for reusing it)."""
    return TrainingConfig(
        n_generators=config.n_generators,
        invariance=config.invariance,
        epsilon=config.epsilon,
        closure=config.closure,
        h_invariance=config.h_invariance,
        h_normalisation=config.h_normalisation,
        h_orthogonality=config.h_orthogonality,
        h_closure=config.h_closure,
        h_sparsity=config.h_sparsity,
    )


def reusable_objective(oracle: Oracle, model, config: TrainingConfig) -> Callable:
    """``loss(params, X)``: :func:`make_objective` with the points as an argument.

    The same oracle, model and loss settings give the same function, so that
    :func:`symdisc.training.engine.optimise` compiles it once per shape for
    every seed of a sweep.
    """
    return _reusable(oracle, model, loss_settings(config))


@functools.lru_cache(maxsize=16)
def _reusable(oracle: Oracle, model, config: TrainingConfig) -> Callable:
    def objective(params, X):
        return make_objective(oracle, model, config, X)(params)

    return objective
