"""Figures of subalgebra scans and decomposition tables (no training here)."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
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


def short_sum(factors) -> str:
    """``su(2) ⊕ u(1)^2`` from a list of factor names."""
    if not factors:
        return "?"
    names = [f for f in factors if f != "u(1)"]
    count = len(factors) - len(names)
    if count:
        names.append("u(1)" if count == 1 else f"u(1)^{count}")
    return " ⊕ ".join(names)


def decomposition_grid(
    cells,
    title: str = "Direct-sum decompositions",
    one_block: dict | None = None,
    comparison: list | None = None,
) -> Figure:
    """Found / not found over ``(N_h, r)`` with the factors' names in found cells.

    Green: reached (``→``: by one block of ``N_h`` generators, no block
    training needed); orange: block sizes trained, not reached; grey: ruled
    out by mathematics; white: no block sizes. With ``one_block`` a first
    column shows the algebra one block reached; with ``comparison`` (rows of
    :func:`symdisc.published_tables.compare`) a found algebra missing from
    the published table is marked ``*``.
    """
    totals = sorted({c.total for c in cells})
    rs = sorted({c.n_factors for c in cells})
    offset = 1 if one_block is not None else 0
    Z = np.full((len(totals), len(rs) + offset), np.nan)
    new = {
        (row["total"], row["n_factors"])
        for row in comparison or []
        if row["found"] and not row["published"]
    }
    fig = Figure(
        figsize=(2.3 * (len(rs) + offset) + 1.2, 0.42 * len(totals) + 1.4),
        layout="constrained",
    )
    ax = fig.subplots()
    texts = []
    for c in cells:
        i, j = totals.index(c.total), rs.index(c.n_factors) + offset
        if c.found:
            Z[i, j] = 1.0 if c.source == "blocks" else 0.9
            text = " ⊕ ".join(c.factors)
            if c.source == "one block":
                text = "→ " + text
            if (c.total, c.n_factors) in new:
                text += " *"
            texts.append((j, i, text))
        elif c.patterns:
            Z[i, j] = -1.0 if c.impossible else -0.4
            texts.append((j, i, "—" if c.impossible else "not reached"))
    if one_block is not None:
        for total, rec in one_block.items():
            if total in totals:
                i = totals.index(total)
                found = rec["status"] == "found"
                Z[i, 0] = 0.4 if found else -0.4
                text = short_sum(rec["factors"]) if found else "not reached"
                texts.append((0, i, text))
    colours = ListedColormap(["#bdbdbd", "#fdae61", "#c7e9c0", "#74c476"])
    ax.imshow(
        np.where(np.isnan(Z), np.nan, Z),
        cmap=colours,
        vmin=-1.25,
        vmax=1.25,
        aspect="auto",
    )
    for j, i, text in texts:
        ax.text(j, i, text, ha="center", va="center", fontsize=7)
    labels = (["one block"] if offset else []) + [f"r = {r}" for r in rs]
    ax.set_xticks(range(len(labels)), labels)
    ax.xaxis.tick_top()
    ax.set_yticks(range(len(totals)), [str(t) for t in totals])
    ax.set_ylabel("N_h = dim h")
    ax.set_xticks(np.arange(len(labels) + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(len(totals) + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    note = (
        "green: reached (→ by one block of N_h generators); orange: trained, "
        "not reached; grey —: ruled out by mathematics"
    )
    if new:
        note += "; * not in the published table"
    ax.set_title(f"{title}\n{note}", fontsize=9)
    return fig
