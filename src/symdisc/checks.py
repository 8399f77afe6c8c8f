"""Checks a user can run on any set of generators, on fresh points.

Each returns numbers; thresholds live in the training configuration and in
the tests. Letters as in :mod:`symdisc.losses`: ``A`` the action matrices
``(k, n, n)`` (``A = G`` real, ``A = iJ`` unitary), ``X`` points ``(b, c, n)``.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import scipy.linalg

from symdisc.algebra.linalg import (
    as_stack,
    closure_error,
    orthonormality_error,
    pairwise_angles,
    span_distance,
    structure_constants,
)
from symdisc.exact import InvarianceProbe
from symdisc.oracles.base import Oracle


def invariance_errors(oracle: Oracle, A: np.ndarray, X: jax.Array) -> np.ndarray:
    """Relative, scale-free invariance error per generator, shape ``(k,)``.

    ``e_α² = Σ_{x,j} |Dφ_j(x)[A_α x]|² / Σ_{x,j} ‖∇φ_j(x)‖² ‖A_α x‖²``: the
    root-mean-square cosine between the motion and the label gradients; 0
    for a symmetry, about 1 for a generic direction
    (:class:`symdisc.exact.InvarianceProbe`).
    """
    return InvarianceProbe(oracle, X)(as_stack(np.asarray(A)))


@functools.lru_cache(maxsize=32)
def _labels_of_stack(oracle: Oracle):
    """Compiled labels of a stack of point batches ``(k, b, c, n) -> (k, b, m)``."""
    return jax.jit(jax.vmap(jax.vmap(oracle.fn)))


def finite_invariance_errors(
    oracle: Oracle, A: np.ndarray, X: jax.Array, t: float = 0.5
) -> np.ndarray:
    """Relative label change under the group element ``exp(t A_α)``, ``(k,)``.

    ``‖φ(exp(t A) x) − φ(x)‖ / ‖φ(x) − mean φ‖`` over the points (root mean
    square), with ``A`` scaled to unit Frobenius norm first.
    """
    A = as_stack(np.asarray(A))
    base = np.asarray(_labels_of_stack(oracle)(X[None]))[0]
    spread = np.sqrt(np.mean(np.abs(base - base.mean(0)) ** 2)) or 1.0
    U = np.stack([scipy.linalg.expm(t * a / (np.linalg.norm(a) or 1.0)) for a in A])
    moved = jnp.einsum("kij,bcj->kbci", U, X)
    change = np.asarray(_labels_of_stack(oracle)(moved)) - base[None]
    return np.sqrt(np.mean(np.abs(change) ** 2, axis=(1, 2))) / spread


def evaluate(
    oracle: Oracle, generators: np.ndarray, actions: np.ndarray, X: jax.Array
) -> dict:
    """Every check of a set of generators, as plain numbers.

    Parameters
    ----------
    oracle : Oracle
    generators : ndarray, shape (k, n, n)
        The generators as reported (for orthonormality, angles, constants).
    actions : ndarray, shape (k, n, n)
        The matrices that move points (equal to ``generators`` when real).
    X : jax.Array, shape (b, c, n)
        Fresh points, not the training points.
    """
    G = as_stack(np.asarray(generators))
    A = as_stack(np.asarray(actions))
    inv = invariance_errors(oracle, A, X)
    fin = finite_invariance_errors(oracle, A, X)
    C, residual = structure_constants(A)
    angles = pairwise_angles(G)
    off = angles[~np.eye(len(G), dtype=bool)]
    return {
        "invariance_error": float(inv.max()),
        "invariance_error_per_generator": inv.tolist(),
        "finite_invariance_error": float(fin.max()),
        "closure_error": closure_error(A),
        "structure_constant_residual": residual,
        "orthonormality_error": orthonormality_error(G),
        "min_angle_deg": float(off.min()) if off.size else 90.0,
        "max_angle_deg": float(off.max()) if off.size else 90.0,
        "n_check_points": int(X.shape[0]),
        "_structure_constants": C,
    }


def learned_span_distance(actions: np.ndarray, exact_basis: np.ndarray) -> float:
    """Distance of learned generators from the exact algebra (``span_distance``)."""
    if len(exact_basis) == 0:
        return 1.0
    return span_distance(actions, exact_basis)


def failed_checks(checks) -> list[str]:
    """Sentences for each ``(name, value, tolerance)`` whose value is not below it."""
    return [
        f"{name} {value:.2e} is above the tolerance {tol:.0e}"
        for name, value, tol in checks
        if not value < tol
    ]
