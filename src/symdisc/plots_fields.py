"""Figures of nonlinear fields in the plane: arrows over contours, flow lines.

Fields are given as functions of a batch of points ``(b, 2) -> (b, 2)``;
nothing here trains. Every function returns a matplotlib ``Figure``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax.numpy as jnp
import numpy as np
from matplotlib.figure import Figure

BatchField = Callable[[np.ndarray], np.ndarray]


def _oracle_grid(oracle, extent: float, resolution: int = 201):
    fine = np.linspace(-extent, extent, resolution)
    X1, X2 = np.meshgrid(fine, fine)
    pts = np.stack([X1.ravel(), X2.ravel()], -1)[:, None, :]
    values = np.asarray(oracle(jnp.asarray(pts)))[:, 0].reshape(X1.shape)
    return X1, X2, values


def _contours(ax, oracle, extent: float):
    X1, X2, values = _oracle_grid(oracle, extent)
    cs = ax.contourf(X1, X2, values, levels=21, cmap="viridis", alpha=0.85)
    ax.contour(X1, X2, values, levels=21, colors="k", linewidths=0.3)
    ax.set_aspect("equal")
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    return cs


def field_panel(
    ax,
    oracle,
    field: BatchField,
    extent: float = 2.5,
    resolution: int = 21,
    title: str = "",
):
    """Draw one field as unit arrows over the oracle's contours into ``ax``.

    Arrows show the direction of ``f``; their colour (white to red) the
    step length ``|f|`` relative to its largest value on the grid.
    """
    cs = _contours(ax, oracle, extent)
    coarse = np.linspace(-extent, extent, resolution)
    C1, C2 = np.meshgrid(coarse, coarse)
    V = np.asarray(field(np.stack([C1.ravel(), C2.ravel()], -1)))
    length = np.linalg.norm(V, axis=-1)
    unit = V / np.where(length > 0, length, 1.0)[:, None]
    ax.quiver(
        C1.ravel(),
        C2.ravel(),
        unit[:, 0],
        unit[:, 1],
        length / (length.max() or 1.0),
        cmap="Reds",
        clim=(-0.3, 1.0),
        angles="xy",
        width=0.004,
        pivot="mid",
    )
    ax.set_title(title, fontsize=9)
    return cs


def field_comparison(
    oracle,
    fields: Sequence[tuple[str, BatchField]],
    extent: float = 2.5,
    title: str | None = None,
) -> Figure:
    """Several fields side by side over the same contours (e.g. shallow vs deep).

    Parameters
    ----------
    oracle : Oracle
        On the plane (``n = 2``, one copy, one label drawn).
    fields : list of (label, field)
        ``field(points (b, 2)) -> (b, 2)``.
    """
    fig = Figure(figsize=(4.3 * len(fields) + 0.8, 4.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(fields)))
    cs = None
    for ax, (label, field) in zip(axes, fields, strict=True):
        cs = field_panel(ax, oracle, field, extent, title=label)
    fig.colorbar(cs, ax=list(axes), shrink=0.8, label=f"φ = {oracle.description}")
    if title:
        fig.suptitle(title)
    return fig


def flow_lines_figure(
    oracle,
    lines: np.ndarray,
    extent: float = 2.5,
    title: str = "",
    drift: np.ndarray | None = None,
) -> Figure:
    """Flow lines ``(s, T, 2)`` over the oracle's contours, starts marked.

    A symmetry's flow lines follow the contours; ``drift`` (per line) is
    printed in the legend when given.
    """
    fig = Figure(figsize=(5.4, 4.6), layout="constrained")
    ax = fig.subplots()
    cs = _contours(ax, oracle, extent)
    L = np.asarray(lines)
    centre = L.shape[1] // 2
    colours = ["white", "tab:orange", "tab:red", "tab:pink", "tab:cyan", "k"]
    for i, line in enumerate(L):
        c = colours[i % len(colours)]
        label = None if drift is None else f"drift {drift[i]:.1e}"
        ax.plot(line[:, 0], line[:, 1], color=c, lw=1.8, label=label)
        ax.plot(line[-1, 0], line[-1, 1], ">", color=c, ms=5)
        ax.plot(line[centre, 0], line[centre, 1], "o", color=c, ms=6, mec="k")
    if drift is not None and len(L) <= 10:
        ax.legend(fontsize=7, loc="lower left", facecolor="0.5", framealpha=0.8)
    ax.set_title(title, fontsize=9)
    fig.colorbar(cs, ax=ax, shrink=0.8, label=f"φ = {oracle.description}")
    return fig
