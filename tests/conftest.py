"""Shared helpers: reference bases and relative-error assertions."""

from __future__ import annotations

import itertools

import numpy as np


def rotation_basis(n: int) -> np.ndarray:
    """``E_ab − E_ba`` for a < b: the textbook so(n) basis, squared norm 2."""
    out = []
    for a, b in itertools.combinations(range(n), 2):
        G = np.zeros((n, n))
        G[a, b], G[b, a] = 1.0, -1.0
        out.append(G)
    return np.array(out)


def lorentz_basis() -> np.ndarray:
    """Three rotations and three boosts of the form diag(1, −1, −1, −1)."""
    rotations = [np.pad(G, ((1, 0), (1, 0))) for G in rotation_basis(3)]
    boosts = []
    for i in range(1, 4):
        K = np.zeros((4, 4))
        K[0, i] = K[i, 0] = 1.0
        boosts.append(K)
    return np.array(rotations + boosts)


def levi_civita() -> np.ndarray:
    eps = np.zeros((3, 3, 3))
    for (i, j, k), sign in {
        (0, 1, 2): 1,
        (1, 2, 0): 1,
        (2, 0, 1): 1,
        (0, 2, 1): -1,
        (2, 1, 0): -1,
        (1, 0, 2): -1,
    }.items():
        eps[i, j, k] = sign
    return eps


def assert_small(value: float, tol: float, what: str) -> None:
    assert value < tol, f"{what}: measured {value:.3e}, tolerance {tol:.1e}"
