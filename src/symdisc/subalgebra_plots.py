"""Figures of subalgebra scans and decomposition tables (no training here)."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure


def scan_heatmap(cells, title: str = "Subalgebra scan") -> Figure:
    """``log₁₀`` best final loss over ``(n, k)``; found cells marked ``✓``.

    Parameters
    ----------
    cells : list of ScanCell
        Each with ``n``, ``k``, ``log_loss``, ``found``.
    """
    ns = sorted({c.n for c in cells})
    ks = sorted({c.k for c in cells})
    Z = np.full((len(ns), len(ks)), np.nan)
    for c in cells:
        Z[ns.index(c.n), ks.index(c.k)] = c.log_loss
    fig = Figure(
        figsize=(0.45 * len(ks) + 2.5, 0.5 * len(ns) + 1.8), layout="constrained"
    )
    ax = fig.subplots()
    im = ax.imshow(Z, cmap="viridis_r", aspect="auto", origin="lower")
    for c in cells:
        if c.found:
            ax.text(
                ks.index(c.k),
                ns.index(c.n),
                "✓",
                ha="center",
                va="center",
                color="black",
                fontsize=10,
                fontweight="bold",
            )
    ax.set_xticks(range(len(ks)), [str(k) for k in ks])
    ax.set_yticks(range(len(ns)), [str(n) for n in ns])
    ax.set_xlabel("number of generators k")
    ax.set_ylabel("dimension n")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="log10 best final loss")
    return fig


def decomposition_grid(cells, title: str = "Direct-sum decompositions") -> Figure:
    """Found / not found over ``(N_h, r)`` with the factors' names in found cells."""
    totals = sorted({c.total for c in cells})
    rs = sorted({c.n_factors for c in cells})
    Z = np.zeros((len(totals), len(rs)))
    fig = Figure(
        figsize=(2.2 * len(rs) + 1.5, 0.38 * len(totals) + 1.2), layout="constrained"
    )
    ax = fig.subplots()
    for c in cells:
        i, j = totals.index(c.total), rs.index(c.n_factors)
        Z[i, j] = 1.0 if c.found else (0.0 if c.patterns else -1.0)
        if c.found:
            ax.text(j, i, " ⊕ ".join(c.factors), ha="center", va="center", fontsize=7)
    ax.imshow(Z, cmap="RdYlGn", vmin=-1.5, vmax=1.2, aspect="auto")
    ax.set_xticks(range(len(rs)), [f"r = {r}" for r in rs])
    ax.set_yticks(range(len(totals)), [str(t) for t in totals])
    ax.set_ylabel("N_h = dim h")
    ax.set_title(title)
    return fig
