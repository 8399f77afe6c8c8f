"""Figure of a sparsity-weight sweep: what too little and too much sparsity do.

Takes the records of :func:`symdisc.training.sparsify.sparsity_sweep`; draws,
nothing trains.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from symdisc.plots import DIVERGING


def sparsity_sweep_figure(points, title: str = "Sparsity weight sweep") -> Figure:
    """One row of generator heat maps per weight, and the checks against weight.

    Parameters
    ----------
    points : list of SweepPoint
        Runs of the sweep, in the order to draw them.
    title : str
    """
    rows = len(points)
    k = max((np.asarray(p.generators).shape[0] for p in points), default=1)
    fig = Figure(figsize=(1.7 * k + 4.6, 1.75 * rows + 0.8), layout="constrained")
    grid = fig.add_gridspec(rows, k + 2, width_ratios=[1] * k + [0.15, 2.6])
    for r, p in enumerate(points):
        G = np.real(np.asarray(p.generators))
        vmax = max(float(np.max(np.abs(G))) if np.all(np.isfinite(G)) else 1.0, 1e-12)
        for a in range(k):
            ax = fig.add_subplot(grid[r, a])
            if a < G.shape[0]:
                ax.imshow(G[a], cmap=DIVERGING, vmin=-vmax, vmax=vmax)
                entries = p.n_entries[a] if a < len(p.n_entries) else "?"
                ax.set_title(f"G{a + 1}: {entries} entries", fontsize=8)
            ax.set_xticks([])
            ax.set_yticks([])
            if a == 0:
                ax.set_ylabel(f"h = {p.weight:g}\n{p.status}", fontsize=9)
    ax = fig.add_subplot(grid[:, k + 1])
    weights = np.array([p.weight for p in points])
    shown = np.where(weights > 0, weights, np.nan)
    floor = np.nanmin(shown) / 10 if np.any(weights > 0) else 1e-6
    x = np.where(weights > 0, weights, floor)
    for name, values, style in (
        ("invariance error", [p.invariance_error for p in points], "o-"),
        ("closure error", [p.closure_error for p in points], "s-"),
        ("orthonormality error", [p.orthonormality_error for p in points], "^-"),
    ):
        v = np.maximum(np.asarray(values, dtype=float), 1e-17)
        ax.loglog(x, v, style, label=name)
    ax.axhline(1e-6, color="k", ls=":", lw=1, label="tolerance")
    ax2 = ax.twinx()
    ax2.semilogx(
        x,
        [np.mean(p.n_entries) if p.n_entries else np.nan for p in points],
        "d--",
        color="tab:purple",
        label="mean entries per generator",
    )
    ax2.set_ylabel("mean entries per generator", color="tab:purple")
    labels = [f"{w:g}" if w > 0 else "0" for w in weights]
    ax.set_xticks(x, labels)
    ax.set_xlabel("sparsity weight h")
    ax.set_ylabel("check on fresh points")
    ax.set_title("Checks and sparsity against h", fontsize=10)
    handles = ax.get_legend_handles_labels()
    handles2 = ax2.get_legend_handles_labels()
    ax.legend(
        handles[0] + handles2[0], handles[1] + handles2[1], fontsize=7, loc="upper left"
    )
    fig.suptitle(title)
    return fig
