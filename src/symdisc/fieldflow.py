"""Finite transformations from learned fields, and the oracle along them.

A field ``f`` generates the flow ``Φ_t`` with ``d/dt Φ_t(x) = f(Φ_t(x))``,
integrated by fourth-order Runge–Kutta (:func:`symdisc.latent.flows.flow_line`).
If ``f`` is a symmetry, ``φ(Φ_t(x)) = φ(x)`` for every ``t``: the drift of the
labels along a flow line measures how well the infinitesimal symmetry
integrates to a finite one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from symdisc.errors import bad_input
from symdisc.latent.flows import flow_line, flow_times
from symdisc.oracles.base import Oracle

VectorField = Callable[[jax.Array], jax.Array]


@dataclass(frozen=True)
class FlowCheck:
    """Flow lines from several starting points and the labels along them.

    Attributes
    ----------
    times : ndarray, shape (T,)
        ``t_j`` from ``−t_max`` to ``t_max``; the centre is ``t = 0``.
    lines : ndarray, shape (s, T, N)
        ``Φ_{t_j}(x_i)`` for each start ``x_i``.
    labels : ndarray, shape (s, T, m)
        ``φ`` along each line.
    drift : ndarray, shape (s,)
        ``max_j |φ(Φ_{t_j} x) − φ(x)| / |φ(x)|`` per line.
    """

    times: np.ndarray
    lines: np.ndarray
    labels: np.ndarray
    drift: np.ndarray

    @property
    def max_drift(self) -> float:
        """The largest relative label change over all lines."""
        return float(np.max(self.drift)) if self.drift.size else 0.0


def flow_map(field: VectorField, points, t: float, n_steps: int = 100) -> np.ndarray:
    """Apply the finite transformation ``Φ_t`` to each point, ``(b, N)``.

    Negative ``t`` flows backwards.
    """
    X = np.asarray(points, np.float64)
    if X.ndim != 2:
        raise bad_input("points", "shape (b, N)", f"shape {X.shape}")
    if t == 0:
        return X.copy()
    out = [
        np.asarray(flow_line(field, x, abs(t), n_steps))[-1 if t > 0 else 0] for x in X
    ]
    return np.stack(out)


def flow_check(
    oracle: Oracle, field: VectorField, starts, t_max: float, n_steps: int = 100
) -> FlowCheck:
    """Follow ``field`` from each start for ``t ∈ [−t_max, t_max]``.

    See :class:`FlowCheck`.

    Parameters
    ----------
    oracle : Oracle
    field : callable
        One point ``(N,) -> (N,)``; build it once and reuse it, so that the
        integrator compiles once.
    starts : array of shape (s, N)
    t_max : float
    n_steps : int
        RK4 steps each way.
    """
    S = np.asarray(starts, np.float64)
    N = oracle.n * oracle.copies
    if S.ndim != 2 or S.shape[1] != N:
        raise bad_input("starts", f"shape (s, {N})", f"shape {S.shape}")
    lines = np.stack([np.asarray(flow_line(field, s, t_max, n_steps)) for s in S])
    shaped = jnp.asarray(lines.reshape(-1, *oracle.point_shape))
    labels = np.asarray(oracle(shaped)).reshape(len(S), lines.shape[1], -1)
    base = labels[:, n_steps]
    change = np.max(np.linalg.norm(labels - base[:, None], axis=-1), axis=1)
    scale = np.linalg.norm(base, axis=-1)
    drift = change / np.where(scale > 0, scale, 1.0)
    return FlowCheck(
        times=flow_times(t_max, n_steps), lines=lines, labels=labels, drift=drift
    )
