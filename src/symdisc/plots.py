"""Figures from results; nothing here trains or computes symmetries.

Every function takes arrays or records (and optionally an ``ax`` or figure to
draw into) and returns a :class:`matplotlib.figure.Figure`. Figures are built
with the object-oriented API, so no display or pyplot state is needed.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

DIVERGING = "RdBu_r"


def _grid(n_panels: int, panel: float = 1.9, max_cols: int = 8):
    cols = min(n_panels, max_cols)
    rows = math.ceil(n_panels / cols)
    fig = Figure(figsize=(panel * cols + 0.8, panel * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax in axes.flat[n_panels:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def _matrix_panel(ax, M, vmax, title):
    im = ax.imshow(M, cmap=DIVERGING, vmin=-vmax, vmax=vmax)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    return im


def generator_heatmaps(
    generators: np.ndarray, title: str = "Generators", labels: list[str] | None = None
) -> Figure:
    """Heat maps of each generator on a symmetric diverging scale.

    Complex generators get two panels each: real and imaginary part.
    """
    G = np.asarray(generators)
    complex_ = np.iscomplexobj(G)
    parts = []
    for i, g in enumerate(G):
        name = labels[i] if labels else f"G{i + 1}"
        if complex_:
            parts += [(g.real, f"Re {name}"), (g.imag, f"Im {name}")]
        else:
            parts.append((g, name))
    fig, axes = _grid(max(len(parts), 1), max_cols=8 if not complex_ else 8)
    vmax = max(float(np.max(np.abs(G))) if G.size else 1.0, 1e-12)
    im = None
    for ax, (M, name) in zip(axes, parts, strict=False):
        im = _matrix_panel(ax, M, vmax, name)
    if im is not None:
        fig.colorbar(im, ax=list(axes)[: len(parts)], shrink=0.6)
    fig.suptitle(title)
    return fig


def structure_constant_heatmap(
    C: np.ndarray, title: str = "Structure constants"
) -> Figure:
    """Structure constants ``C_αβγ`` as heat maps.

    One ``α × β`` panel per ``γ`` (k ≤ 12),
    otherwise the ``(αβ) × γ`` table as one image.
    """
    C = np.asarray(C)
    k = C.shape[0]
    vmax = max(float(np.max(np.abs(C))) if C.size else 1.0, 1e-12)
    if 0 < k <= 12:
        fig, axes = _grid(k, panel=1.7)
        im = None
        for g, ax in enumerate(axes):
            if g < k:
                im = _matrix_panel(ax, C[:, :, g], vmax, f"C[α, β, {g + 1}]")
        fig.colorbar(im, ax=list(axes)[:k], shrink=0.6)
    else:
        fig = Figure(figsize=(6, 6), layout="constrained")
        ax = fig.subplots()
        im = ax.imshow(
            C.reshape(k * k, k) if k else np.zeros((1, 1)),
            cmap=DIVERGING,
            vmin=-vmax,
            vmax=vmax,
            aspect="auto",
            interpolation="nearest",
        )
        ax.set_xlabel("γ")
        ax.set_ylabel("pair (α, β)")
        fig.colorbar(im, ax=ax)
    fig.suptitle(title)
    return fig


def loss_history(history: dict, ax=None, attempts=None) -> Figure:
    """Loss components against training step, log scale.

    Parameters
    ----------
    history : dict of str to ndarray, each shape (t,)
        Loss components per step; ``"total"`` is drawn thick.
    attempts : sequence of (int, bool), optional
        Greedy searches: the step at which each attempt starts and whether it
        was accepted. Attempts are separated by dotted lines and numbered;
        rejected ones are shaded.
    """
    from matplotlib.ticker import MaxNLocator

    fig, ax = _figure_and_ax(ax, (6.5, 4))
    length = last = 0
    for name, values in history.items():
        v = np.abs(np.asarray(values, dtype=float))
        length = max(length, len(v))
        shown = np.isfinite(v) & (v > 0)
        if not np.any(shown):
            continue
        last = max(last, int(np.flatnonzero(shown)[-1]))
        style = {"lw": 2.2, "color": "k"} if name == "total" else {"lw": 1.2}
        if np.count_nonzero(shown) < 2:  # a line through one point is invisible
            style["marker"] = "o"
        ax.semilogy(np.arange(len(v)), np.where(shown, v, np.nan), label=name, **style)
    low, high = ax.get_ylim()
    ax.set_ylim(max(low, 1e-32), high)
    diverged_at = _mark_divergence(ax, history.get("total"))
    right = max(last, diverged_at or 0)  # nothing is drawn past it
    if right >= 20:
        ax.set_xlim(0, right)
    elif right > 0:
        ax.set_xlim(-0.5, right + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if attempts:
        _mark_attempts(ax, attempts, length)
        ax.set_xlabel("step, attempts joined (each: Adam, then L-BFGS)")
    else:
        ax.set_xlabel("step (Adam, then L-BFGS)")
    ax.set_ylabel("loss")
    ax.set_title("Loss components")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def _mark_divergence(ax, total) -> int | None:
    """A red line where the total loss first becomes NaN or infinite; its step."""
    if total is None:
        return None
    bad = np.flatnonzero(~np.isfinite(np.asarray(total, dtype=float)))
    if not len(bad):
        return None
    ax.axvline(
        bad[0], color="tab:red", ls="--", lw=1.2, label=f"NaN/inf from step {bad[0]}"
    )
    return int(bad[0])


def _mark_attempts(ax, attempts, length: int) -> None:
    """Dotted separators, numbers and shading of rejected greedy attempts."""
    starts = [int(start) for start, _ in attempts]
    ends = starts[1:] + [length]
    rejected = [i for i, (_, accepted) in enumerate(attempts) if not accepted]
    label_at = ax.get_xaxis_transform()  # x in steps, y in axes fraction
    for i, (start, end) in enumerate(zip(starts, ends, strict=True)):
        if i:
            ax.axvline(
                start,
                color="0.4",
                ls=":",
                lw=1,
                label="attempt starts" if i == 1 else None,
            )
        if i in rejected:
            label = "rejected attempt" if i == rejected[0] else None
            ax.axvspan(start, end, color="0.9", zorder=0, label=label)
        if len(attempts) <= 30:
            ax.text(
                start + 0.01 * length,
                0.98,
                str(i + 1),
                transform=label_at,
                fontsize=7,
                va="top",
                color="0.3",
            )


def angle_history(
    angles: np.ndarray, steps_per_snapshot: int = 100, max_pairs: int = 45, ax=None
) -> Figure:
    """Angles between pairs of generators during training (degrees)."""
    fig, ax = _figure_and_ax(ax, (6.5, 4))
    A = np.asarray(angles)
    if A.ndim == 3 and A.shape[1] > 1:
        k = A.shape[1]
        a, b = np.triu_indices(k, 1)
        steps = steps_per_snapshot * np.arange(A.shape[0])
        for i, j in list(zip(a, b, strict=True))[:max_pairs]:
            ax.plot(
                steps, A[:, i, j], lw=1, label=f"({i + 1},{j + 1})" if k <= 5 else None
            )
        if k <= 5:
            ax.legend(fontsize=8, ncol=2)
    ax.axhline(90, color="k", ls=":", lw=1)
    ax.set_xlabel("Adam step")
    ax.set_ylabel("angle between generators (°)")
    ax.set_ylim(0, 180)
    ax.set_title("Angles during training")
    return fig


def vector_field_2d(
    oracle, generators: np.ndarray, extent: float = 2.5, resolution: int = 17
) -> Figure:
    """Each field ``x ↦ G x`` as arrows over the oracle's contours (n = 2)."""
    import jax.numpy as jnp

    G = np.real(np.asarray(generators))
    k = max(G.shape[0], 1)
    fig = Figure(figsize=(4.2 * k, 4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, k))
    fine = np.linspace(-extent, extent, 161)
    X1, X2 = np.meshgrid(fine, fine)
    pts = np.stack([X1.ravel(), X2.ravel()], -1)[:, None, :]
    values = np.asarray(oracle(jnp.asarray(pts)))[:, 0].reshape(X1.shape)
    coarse = np.linspace(-extent, extent, resolution)
    C1, C2 = np.meshgrid(coarse, coarse)
    for i, ax in enumerate(axes):
        cs = ax.contourf(X1, X2, values, levels=21, cmap="viridis", alpha=0.85)
        ax.contour(X1, X2, values, levels=21, colors="k", linewidths=0.3)
        if i < G.shape[0]:
            U = G[i, 0, 0] * C1 + G[i, 0, 1] * C2
            V = G[i, 1, 0] * C1 + G[i, 1, 1] * C2
            ax.quiver(C1, C2, U, V, color="white", angles="xy", width=0.004)
            ax.set_title(f"G{i + 1} x over contours of {oracle.name}")
        ax.set_aspect("equal")
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
    fig.colorbar(cs, ax=list(axes), shrink=0.8, label="oracle")
    return fig


def rotation_axes_3d(generators: np.ndarray) -> Figure:
    """Rotation axes of 3 × 3 generators: ``(G₃₂, G₁₃, G₂₁)`` for each."""
    G = np.real(np.asarray(generators))
    fig = Figure(figsize=(5, 5), layout="constrained")
    ax = fig.add_subplot(projection="3d")
    colours = ["tab:red", "tab:green", "tab:blue", "tab:orange", "tab:purple"]
    for i, g in enumerate(G):
        A = 0.5 * (g - g.T)
        axis = np.array([A[2, 1], A[0, 2], A[1, 0]])
        axis = axis / (np.linalg.norm(axis) or 1.0)
        c = colours[i % len(colours)]
        ax.quiver(0, 0, 0, *axis, color=c, lw=2, arrow_length_ratio=0.1)
        ax.text(*(1.1 * axis), f"G{i + 1}", color=c)
    for setter in (ax.set_xlim, ax.set_ylim, ax.set_zlim):
        setter(-1, 1)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_zlabel("z")
    ax.set_title("Rotation axes")
    return fig


def _figure_and_ax(ax, size):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.subplots()


def has_angle_history(angles: np.ndarray) -> bool:
    """Whether ``angles`` (shape ``(t, k, k)``) holds a history worth drawing.

    That needs two or more generators and two or more finite snapshots; a
    greedy search keeps one snapshot (its generators are orthonormal by
    construction) and a diverged run's snapshots are NaN.
    """
    A = np.asarray(angles)
    if A.ndim != 3 or A.shape[1] < 2:
        return False
    return int(np.all(np.isfinite(A), axis=(1, 2)).sum()) >= 2


def attempt_starts(extra: dict, length: int) -> list[tuple[int, bool]] | None:
    """``(first step, accepted)`` of each greedy attempt in a joined history.

    ``extra["attempts"]`` (a greedy result's record) gives each attempt's
    length; None when there are none or they do not add up to ``length``.
    """
    attempts = (extra or {}).get("attempts") or []
    sizes = [a.get("history_steps", a.get("steps", 0)) for a in attempts]
    if not attempts or sum(sizes) != length:
        return None
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return [
        (int(s), bool(a.get("accepted"))) for s, a in zip(starts, attempts, strict=True)
    ]


def result_figures(result, oracle=None) -> dict:
    """The standard figures of a discovery result, by file name.

    ``symdisc run`` writes these and ``symdisc plot`` redraws them. A run whose
    generators are not finite (diverged) gets its loss alone.
    """
    total = result.history.get("total", ())
    attempts = attempt_starts(result.extra, len(total))
    figs = {"loss.png": loss_history(result.history, attempts=attempts)}
    G = np.asarray(result.generators)
    if result.n_generators == 0 or not np.all(np.isfinite(G)):
        return figs
    figs["generators.png"] = generator_heatmaps(G)
    if result.n_generators > 1 and np.size(result.structure_constants):
        figs["structure_constants.png"] = structure_constant_heatmap(
            result.structure_constants
        )
    if has_angle_history(result.angle_history):
        figs["angles.png"] = angle_history(result.angle_history)
    if (
        oracle is not None
        and oracle.n == 2
        and oracle.copies == 1
        and oracle.field == "real"
    ):
        figs["vector_field.png"] = vector_field_2d(oracle, G)
    if (
        oracle is not None
        and oracle.n == 3
        and oracle.field == "real"
        and result.found
        and np.allclose(G, -np.swapaxes(G, 1, 2), atol=1e-6)
    ):
        figs["rotation_axes.png"] = rotation_axes_3d(G)
    return figs
