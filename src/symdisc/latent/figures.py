"""Figures of latent flows: the latent plane and strips of decoded images.

Each function takes arrays or a :class:`~symdisc.latent.setups.LatentSetup`
and an optional matplotlib ``Axes`` or ``Figure``, draws, and returns the
figure; nothing here trains or saves. Images are shown dark on light (``gray_r``).
An image whose predicted class differs from the start's is framed in red.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from symdisc.errors import bad_input
from symdisc.latent.flows import (
    VectorField,
    decode_and_classify,
    flow_line,
    flow_times,
    logit_drift,
    rotate90,
)

SYMMETRY_COLOUR = "#1a9850"
ORTHOGONAL_COLOUR = "#762a83"
CHANGED_COLOUR = "#d73027"


def _new_figure(size: tuple[float, float]):
    from matplotlib.figure import Figure

    return Figure(figsize=size, layout="constrained")


def _axes(ax, size: tuple[float, float]):
    if ax is not None:
        return ax.figure, ax
    figure = _new_figure(size)
    return figure, figure.add_subplot()


def _mosaic(
    images: np.ndarray,
    image_shape: tuple[int, int],
    n_rows: int,
    n_cols: int,
    gap: int = 1,
) -> np.ndarray:
    """Tile ``(n_rows · n_cols, p)`` images into one array, NaN between tiles."""
    h, w = image_shape
    out = np.full((n_rows * (h + gap) - gap, n_cols * (w + gap) - gap), np.nan)
    for index, image in enumerate(np.asarray(images)):
        r, c = divmod(index, n_cols)
        out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = (
            image.reshape(h, w)
        )
    return out


def _frame_tile(
    ax, row: int, col: int, image_shape, gap: int = 1, colour: str = CHANGED_COLOUR
) -> None:
    from matplotlib.patches import Rectangle

    h, w = image_shape
    inset = 0.15  # keeps the frame inside the tile, visible at the axes' edge
    ax.add_patch(
        Rectangle(
            (col * (w + gap) - 0.5 + inset, row * (h + gap) - 0.5 + inset),
            w - 2 * inset,
            h - 2 * inset,
            fill=False,
            edgecolor=colour,
            linewidth=2.0,
            clip_on=False,
        )
    )


def _show_mosaic(ax, mosaic: np.ndarray) -> None:
    import matplotlib as mpl

    cmap = mpl.colormaps["gray_r"].with_extremes(bad="white")
    ax.imshow(mosaic, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")


def _evenly(n_points: int, n_images: int) -> np.ndarray:
    return np.unique(np.round(np.linspace(0, n_points - 1, n_images)).astype(int))


def plot_image_strip(
    images: np.ndarray,
    image_shape: tuple[int, int],
    classes: np.ndarray | None = None,
    reference_class: int | None = None,
    title: str = "",
    colour: str | None = None,
    ax=None,
):
    """One row of images, each captioned with its predicted class.

    Parameters
    ----------
    images : array of shape (b, p)
    image_shape : (height, width)
    classes : array of shape (b,), optional
        Predicted labels, written under the images.
    reference_class : int, optional
        Images of another class get a red frame and a red caption.
    title : str
    colour : str, optional
        Colour of the axes frame, to tie the strip to a line in another panel.
    ax : matplotlib Axes, optional
    """
    images = np.asarray(images)
    figure, ax = _axes(ax, (1.0 + 0.8 * len(images), 1.6))
    _show_mosaic(ax, _mosaic(images, image_shape, 1, len(images)))
    h, w = image_shape
    ax.set_yticks([])
    if classes is not None:
        ax.set_xticks([(w + 1) * j + (w - 1) / 2 for j in range(len(images))])
        ax.set_xticklabels([str(c) for c in classes])
        for j, (label, tick) in enumerate(
            zip(classes, ax.get_xticklabels(), strict=True)
        ):
            if reference_class is not None and label != reference_class:
                tick.set_color(CHANGED_COLOUR)
                _frame_tile(ax, 0, j, image_shape)
    else:
        ax.set_xticks([])
    ax.tick_params(length=0)
    if colour is not None:
        for spine in ax.spines.values():
            spine.set_edgecolor(colour)
            spine.set_linewidth(2.5)
    if title:
        ax.set_title(title, fontsize="medium", loc="left")
    return figure


def plot_latent_plane(
    logit_fn,
    codes: np.ndarray,
    labels: np.ndarray,
    lines: dict | None = None,
    start=None,
    extent=None,
    resolution: int = 160,
    ax=None,
):
    """Regions of a one-logit classifier on the latent plane, codes and lines.

    Parameters
    ----------
    logit_fn : callable
        ``(b, 2) -> (b,)`` or ``(b, 1)``: the logit ``s(z)`` on a batch.
    codes : array of shape (N, 2)
        Latent codes drawn as small markers, one marker per class.
    labels : array of shape (N,)
    lines : dict, optional
        ``label -> (points (b, 2), colour, marked (k, 2) or None)``; each line
        is drawn with its marked points (where images are decoded).
    start : array of shape (2,), optional
        Drawn as a star.
    extent : (x_min, x_max, y_min, y_max), optional
        Defaults to the codes' range plus a margin.
    resolution : int
        Grid points per axis for the logit contours.
    ax : matplotlib Axes, optional
    """
    codes, labels = np.asarray(codes), np.asarray(labels)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise bad_input(
            "codes",
            "latent codes of shape (N, 2)",
            f"shape {codes.shape}",
            "The plane figure needs a two-dimensional latent space.",
        )
    figure, ax = _axes(ax, (6.0, 5.0))
    if extent is None:
        low, high = codes.min(axis=0), codes.max(axis=0)
        pad = 0.08 * (high - low)
        extent = (low[0] - pad[0], high[0] + pad[0], low[1] - pad[1], high[1] + pad[1])
    u = np.linspace(extent[0], extent[1], resolution)
    v = np.linspace(extent[2], extent[3], resolution)
    U, V = np.meshgrid(u, v)
    grid = np.stack([U.ravel(), V.ravel()], axis=1)
    S = np.asarray(logit_fn(grid)).reshape(U.shape)

    bound = float(np.percentile(np.abs(S), 98)) or 1.0
    levels = np.linspace(-bound, bound, 17)
    filled = ax.contourf(
        U, V, np.clip(S, -bound, bound), levels=levels, cmap="RdBu_r", alpha=0.55
    )
    ax.contour(U, V, S, levels=[0.0], colors="black", linewidths=2.0)
    figure.colorbar(filled, ax=ax, label="logit s(z)", shrink=0.85)

    markers = ["o", "^", "s", "D", "v", "P", "X", "*", "<", ">"]
    for index, c in enumerate(np.unique(labels)):
        mine = codes[labels == c]
        ax.scatter(
            mine[:, 0],
            mine[:, 1],
            s=9,
            marker=markers[index % len(markers)],
            facecolor="none",
            edgecolor="0.25",
            linewidth=0.6,
            alpha=0.6,
            label=f"digit {c}",
        )
    ax.plot([], [], color="black", linewidth=2.0, label="decision boundary s = 0")

    for label, (points, colour, marked) in (lines or {}).items():
        points = np.asarray(points)
        ax.plot(points[:, 0], points[:, 1], color=colour, linewidth=2.5, label=label)
        if marked is not None:
            marked = np.asarray(marked)
            ax.scatter(
                marked[:, 0],
                marked[:, 1],
                s=28,
                color=colour,
                edgecolor="white",
                linewidth=0.8,
                zorder=3,
            )
        ax.annotate(
            "",
            xy=points[-1],
            xytext=points[-2],
            arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2.0},
        )
    if start is not None:
        ax.scatter(
            [start[0]],
            [start[1]],
            s=180,
            marker="*",
            color="gold",
            edgecolor="black",
            zorder=4,
            label="start",
        )

    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel("z₁")
    ax.set_ylabel("z₂")
    ax.legend(loc="best", fontsize="small", framealpha=0.85)
    return figure


def digits01_figure(
    setup,
    field: VectorField,
    start=None,
    t_max: float | None = None,
    n_steps: int = 60,
    n_images: int = 9,
    figure=None,
    orthogonal_t_max: float | None = None,
):
    """Latent plane of digits 0/1 with a symmetry flow, its orthogonal, and images.

    Left: the logit's regions and the decision boundary, the training codes,
    the flow line of ``field`` through ``start`` (both directions) and the
    line of the orthogonal field ``−R f`` (see
    :func:`~symdisc.latent.flows.rotate90`). Right: decoded images at the
    marked points of each line, captioned with the class predicted for the
    image (through the encoder); a class change is framed in red.

    Parameters
    ----------
    setup : LatentSetup
        With ``ℓ = 2`` and one logit (e.g. ``digits01_setup``).
    field : callable
        The symmetry field ``f: (2,) -> (2,)``.
    start : array of shape (2,), optional
        Defaults to the mean code of the first class.
    t_max : float, optional
        Flow time in each direction; defaults to the RMS distance of the codes
        from their mean.
    n_steps : int
        RK4 steps in each direction.
    n_images : int
        Images per strip.
    figure : matplotlib Figure, optional
    orthogonal_t_max : float, optional
        Flow time of the orthogonal line (default ``t_max``).
    """
    if setup.latent_dim != 2 or setup.oracle.outputs != 1:
        raise bad_input(
            "setup",
            "a latent plane with one logit (digits01_setup)",
            f"ℓ = {setup.latent_dim}, {setup.oracle.outputs} logits",
        )
    codes = setup.codes_train
    start = setup.class_means()[0] if start is None else np.asarray(start, float)
    if t_max is None:
        t_max = float(np.sqrt(np.mean(np.sum((codes - codes.mean(0)) ** 2, axis=1))))

    lines = {}
    decoded = {}
    turned = rotate90(field)

    def orthogonal(z):  # −R f: for f = R∇s/|∇s| this is ∇s/|∇s|, uphill in s
        return -turned(z)

    times = {"symmetry flow": t_max, "orthogonal direction": orthogonal_t_max or t_max}
    for label, f, colour in (
        ("symmetry flow", field, SYMMETRY_COLOUR),
        ("orthogonal direction", orthogonal, ORTHOGONAL_COLOUR),
    ):
        points = np.asarray(flow_line(f, start, times[label], n_steps))
        marked = points[_evenly(len(points), n_images)]
        lines[label] = (points, colour, marked)
        decoded[label] = decode_and_classify(
            setup.autoencoder, setup.classifier, marked
        )

    figure = figure if figure is not None else _new_figure((13.0, 5.0))
    grid = figure.add_gridspec(2, 2, width_ratios=[1.0, 1.25])
    plane = figure.add_subplot(grid[:, 0])
    classifier = setup.classifier

    def logit_fn(Z):
        return np.asarray(setup.oracle(jnp.asarray(Z)[:, None, :]))[:, 0]

    plot_latent_plane(logit_fn, codes, setup.labels_train, lines, start, ax=plane)
    plane.set_title(f"{setup.name}: latent plane, classifier regions", loc="left")

    reference = decode_and_classify(setup.autoencoder, classifier, start[None]).classes[
        0
    ]
    for row, (label, result) in enumerate(decoded.items()):
        ax = figure.add_subplot(grid[row, 1])
        colour = lines[label][1]
        changed = int(np.sum(result.classes != reference))
        drift = logit_drift(setup.oracle, lines[label][0])
        title = (
            f"{label}: t from {-times[label]:.3g} to {times[label]:.3g}; "
            f"{changed}/{len(result.classes)} images change class; "
            f"logit drift {drift:.1%}"
        )
        plot_image_strip(
            result.images,
            setup.data.image_shape,
            result.classes,
            reference,
            title=title,
            colour=colour,
            ax=ax,
        )
    return figure


def digits_flow_grid(
    setup,
    field: VectorField,
    t_max: float | None = None,
    n_images: int = 11,
    steps_per_image: int = 4,
    figure=None,
):
    """One row per digit: decoded images along a flow line from the class mean.

    Row ``c`` starts at the mean training code of class ``c`` and follows
    ``dz/dt = f(z)`` for ``t ∈ [−t_max, t_max]``; the centre column is the
    start. Captions give the class predicted for each image (through the
    encoder); a class change is framed in red.

    Parameters
    ----------
    setup : LatentSetup
    field : callable
        ``f: (ℓ,) -> (ℓ,)``.
    t_max : float, optional
        Defaults to the median over classes of the RMS distance of a class's
        codes from its mean.
    n_images : int
        Images per row (odd, so the start is in the middle).
    steps_per_image : int
        RK4 steps between shown images.
    figure : matplotlib Figure, optional
    """
    if not isinstance(n_images, int) or n_images < 3 or n_images % 2 == 0:
        raise bad_input("n_images", "an odd integer >= 3", n_images)
    classes = setup.data.classes
    means = setup.class_means()
    if t_max is None:
        spreads = [
            np.sqrt(
                np.mean(
                    np.sum(
                        (setup.codes_train[setup.labels_train == c] - means[i]) ** 2,
                        axis=1,
                    )
                )
            )
            for i, c in enumerate(classes)
        ]
        t_max = float(np.median(spreads))

    half = n_images // 2
    n_steps = half * steps_per_image
    rows = []
    for mean in means:
        points = np.asarray(flow_line(field, mean, t_max, n_steps))
        rows.append(
            decode_and_classify(
                setup.autoencoder, setup.classifier, points[::steps_per_image]
            )
        )

    h, w = setup.data.image_shape
    size = (1.2 + 0.55 * n_images, 0.9 + 0.55 * len(classes))
    figure = figure if figure is not None else _new_figure(size)
    ax = figure.add_subplot()
    images = np.concatenate([r.images for r in rows])
    _show_mosaic(ax, _mosaic(images, (h, w), len(rows), n_images))
    for i, (c, result) in enumerate(zip(classes, rows, strict=True)):
        for j, label in enumerate(result.classes):
            if label != c:
                _frame_tile(ax, i, j, (h, w))
                ax.text(
                    j * (w + 1) + w - 1,
                    i * (h + 1) + 0.6,
                    str(label),
                    color=CHANGED_COLOUR,
                    fontsize="x-small",
                    ha="right",
                    va="top",
                    fontweight="bold",
                    bbox={
                        "facecolor": "white",
                        "alpha": 0.75,
                        "pad": 0.4,
                        "edgecolor": "none",
                    },
                )
    times = flow_times(t_max, n_steps)[::steps_per_image]
    ax.set_xticks([(w + 1) * j + (w - 1) / 2 for j in range(n_images)])
    ax.set_xticklabels([f"{t:.2g}" for t in times], fontsize="small")
    ax.set_yticks([(h + 1) * i + (h - 1) / 2 for i in range(len(classes))])
    ax.set_yticklabels([str(c) for c in classes])
    ax.tick_params(length=0)
    ax.set_xlabel("flow time t (start at the class mean, t = 0)")
    ax.set_ylabel("digit")
    changed = sum(
        int(np.sum(r.classes != c)) for c, r in zip(classes, rows, strict=True)
    )
    ax.set_title(
        f"{setup.name}: decoded flow lines, {changed} of "
        f"{len(images)} images change class",
        loc="left",
        fontsize="medium",
    )
    return figure
