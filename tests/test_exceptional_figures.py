"""Complements, containment and echelon bases behind the exceptional figures."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import symdisc  # noqa: F401  (float64)
from symdisc.algebra.linalg import span_distance
from symdisc.errors import InputError
from symdisc.exceptional_figures import (
    complement_basis,
    containment,
    e6_outside_f4_figure,
    echelon_basis,
    g2_figure,
)


def rotations(n: int, size: int | None = None) -> np.ndarray:
    """``E_ab − E_ba`` for ``a < b < size`` inside ``n × n`` matrices."""
    size = n if size is None else size
    out = []
    for a in range(size):
        for b in range(a + 1, size):
            E = np.zeros((n, n))
            E[a, b], E[b, a] = 1.0, -1.0
            out.append(E)
    return np.array(out)


def mixed(basis: np.ndarray, seed: int) -> np.ndarray:
    """An orthogonal mixture of ``basis``: same span, dense matrices."""
    Q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(len(basis),) * 2))
    return np.einsum("ab,bij->aij", Q, basis)


def test_so4_outside_so3_has_three_generators():
    so4, so3 = mixed(rotations(4), 0), mixed(rotations(4, 3), 1)
    assert containment(so3, so4) < 1e-12, containment(so3, so4)
    P = complement_basis(so4, so3)
    assert P.shape == (3, 4, 4), P.shape
    overlap = np.max(np.abs(np.einsum("aij,bij->ab", P, so3)))
    assert overlap < 1e-12, f"complement not orthogonal to so(3): {overlap:.2e}"
    assert span_distance(P, so4) < 1e-12
    norms = np.einsum("aij,aij->a", P, P)
    assert np.allclose(norms, 2.0, rtol=1e-12), norms


def test_containment_sees_a_direction_outside():
    so3 = rotations(3)
    sym = np.diag([1.0, -1.0, 0.0])[None]
    assert containment(sym, so3) > 0.99


def test_echelon_basis_recovers_canonical_rotations():
    E = echelon_basis(mixed(rotations(5), 2))
    nonzeros = (np.abs(E) > 1e-9).sum(axis=(1, 2))
    assert E.shape == (10, 5, 5) and np.all(nonzeros == 2), nonzeros
    assert span_distance(E, rotations(5)) < 1e-12


def test_figures_draw():
    g2_like = mixed(rotations(7), 3)[:14]
    assert isinstance(g2_figure(g2_like), Figure)
    with pytest.raises(InputError, match="7 × 7"):
        g2_figure(rotations(4))
    fig = e6_outside_f4_figure(mixed(rotations(4), 4), rotations(4, 3))
    assert isinstance(fig, Figure)
