"""The latent-space symmetry pipeline behind ``symdisc latent NAME``.

Images → autoencoder codes ``z ∈ R^ℓ`` → classifier logits ``s(z)`` (the
oracle) → ``k`` MLP vector fields that preserve every logit → flow lines
from each class mean, decoded and classified → checks, figures and a result
folder.

By default the fields are projected onto the logits' level sets,
``f̃ = (I − J⁺J) f`` with ``J = ∂s/∂z``: every logit is preserved by
construction and training chooses ``k`` mutually orthogonal directions
within the level sets. For comparison the same MLP is trained with the
invariance as a penalty, and so is a linear field ``z ↦ Gz``; both are
reported next to the projected fields.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import jax.numpy as jnp
import numpy as np

from symdisc.config import TrainingConfig
from symdisc.errors import InputError, bad_input
from symdisc.latent.data import load_images
from symdisc.latent.flows import decode_and_classify, flow_line, logit_drift, rotate90
from symdisc.latent.models import AutoencoderConfig, ClassifierConfig
from symdisc.latent.setups import LatentSetup, latent_setup
from symdisc.training.engine import Progress
from symdisc.training.fields import FieldConfig, FieldResult, discover_fields

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LatentPreset:
    """A named latent experiment.

    Attributes
    ----------
    name : str
    description : str
    classes : tuple of int or None
        Digits used (None: all ten).
    latent_dim : int
        ``ℓ``.
    n_fields : int
        ``k`` symmetries sought.
    depth, width : int
        The MLP fields.
    epochs : int
        Adam steps of the field training.
    """

    name: str
    description: str
    classes: tuple | None
    latent_dim: int
    n_fields: int
    depth: int = 2
    width: int = 32
    epochs: int = 2000


LATENT_PRESETS = {
    p.name: p
    for p in (
        LatentPreset(
            "digits-01",
            "digits 0 and 1, latent plane (ℓ = 2), one logit, one symmetry",
            (0, 1),
            2,
            1,
        ),
        LatentPreset(
            "digits",
            "all ten digits, ℓ = 16, ten logits, three symmetries",
            None,
            16,
            3,
        ),
    )
}

#: Relative invariance error a latent field must reach on fresh codes; looser
#: than for closed-form oracles, the decisive test being the drift of the
#: logits along the drawn lines.
TOL_INVARIANCE = 1e-2

#: Largest relative change of the logits allowed along a drawn flow line.
TOL_DRIFT = 0.02


@dataclass(frozen=True)
class LineCheck:
    """One drawn line in latent space and what the classifier says along it.

    Attributes
    ----------
    label : str
    start_class : int
        Digit of the class mean the line starts from.
    drift : float
        :func:`~symdisc.latent.flows.logit_drift` over every point of the line.
    classes : list of int
        Digit predicted for each decoded image shown.
    times : list of float
        Flow times of the shown images.
    """

    label: str
    start_class: int
    drift: float
    classes: list
    times: list

    @property
    def keeps_class(self) -> bool:
        """Whether every decoded image is classified as the starting digit."""
        return all(c == self.start_class for c in self.classes)

    def to_dict(self) -> dict:
        """Plain data for ``result.json``."""
        return {
            "label": self.label,
            "start_class": self.start_class,
            "logit_drift": self.drift,
            "classes": list(self.classes),
            "times": list(self.times),
            "keeps_class": self.keeps_class,
        }


@dataclass(frozen=True)
class LatentRun:
    """Everything ``symdisc latent`` computed.

    Attributes
    ----------
    preset : LatentPreset
    setup : LatentSetup
        Data, models, oracle and their metrics.
    fields : FieldResult
        The MLP fields.
    linear : FieldResult
        The linear field ``z ↦ Gz`` trained alike.
    penalty : FieldResult or None
        The same MLP trained with the invariance as a loss term instead of
        projected (None when the fields themselves are trained so).
    lines : list of LineCheck
        Flow lines of every field from every class mean.
    orthogonal : LineCheck or None
        ``ℓ = 2`` only: the direction perpendicular to the symmetry, which
        should change the class.
    t_max : float
        Flow time each way.
    status : {"found", "not found", "diverged"}
    reasons : list of str
    timings : dict
    tangent : bool
        Whether the fields are projected onto the logits' level sets
        (:class:`~symdisc.models.fields.TangentFieldModel`).
    """

    preset: LatentPreset
    setup: LatentSetup
    fields: FieldResult
    linear: FieldResult
    penalty: FieldResult | None
    lines: list
    orthogonal: LineCheck | None
    t_max: float
    status: str
    reasons: list
    timings: dict = field(default_factory=dict)
    tangent: bool = True


def format_drift(drift: float) -> str:
    """A relative logit drift as a percentage, or in powers of ten when tiny."""
    return f"{drift:.2%}" if drift >= 1e-4 else f"{drift:.1e}"


def get_latent_preset(name: str) -> LatentPreset:
    """Return the latent preset called ``name``."""
    if name not in LATENT_PRESETS:
        raise InputError(
            f"unknown latent preset {name!r}. Known: " + ", ".join(LATENT_PRESETS) + "."
        )
    return LATENT_PRESETS[name]


def flow_spread(setup: LatentSetup) -> float:
    """Median over classes of the RMS distance of a class's codes from its mean."""
    means = setup.class_means()
    spreads = [
        np.sqrt(
            np.mean(
                np.sum(
                    (setup.codes_train[setup.labels_train == c] - means[i]) ** 2, axis=1
                )
            )
        )
        for i, c in enumerate(setup.data.classes)
    ]
    return float(np.median(spreads))


def check_line(
    setup: LatentSetup,
    field_fn,
    start,
    start_class: int,
    t_max: float,
    label: str,
    n_images: int = 11,
    steps_per_image: int = 4,
) -> LineCheck:
    """Follow ``field_fn`` from ``start`` both ways; drift and decoded classes."""
    n_steps = (n_images // 2) * steps_per_image
    points = np.asarray(flow_line(field_fn, start, t_max, n_steps))
    shown = points[::steps_per_image]
    decoded = decode_and_classify(setup.autoencoder, setup.classifier, shown)
    times = t_max * np.arange(-n_steps, n_steps + 1, steps_per_image) / n_steps
    return LineCheck(
        label=label,
        start_class=int(start_class),
        drift=logit_drift(setup.oracle, points),
        classes=[int(c) for c in decoded.classes],
        times=[float(t) for t in times],
    )


def unit_speed(field_fn):
    """``f / |f|``: the same lines as ``f``, followed at unit speed."""

    def unit(z):
        v = field_fn(z)
        return v / (jnp.linalg.norm(v) + 1e-300)

    return unit


def plane_fields(fields: FieldResult):
    """Unit-speed symmetry field and its orthogonal ``−R f / |f|`` (ℓ = 2)."""
    unit = unit_speed(fields.field(0))
    turned = rotate90(unit)
    return unit, lambda z: -turned(z)


def run_latent(
    name: str,
    *,
    seed: int = 0,
    mnist: str | os.PathLike | None = None,
    cache_dir: str | os.PathLike | None = None,
    epochs: int | None = None,
    n_fields: int | None = None,
    n_points: int = 1024,
    polish_steps: int = 200,
    tangent: bool = True,
    autoencoder: AutoencoderConfig | None = None,
    classifier: ClassifierConfig | None = None,
    progress: Progress | None = None,
) -> LatentRun:
    """Run the whole latent pipeline of preset ``name``; see the module docstring.

    Parameters
    ----------
    name : str
        ``digits-01`` or ``digits``.
    seed : int
    mnist : path, optional
        Folder or file prefix of MNIST IDX files; scikit-learn digits otherwise.
    cache_dir : path, optional
        Reuse trained autoencoder and classifier.
    epochs, n_fields : int, optional
        Override the preset's field training.
    n_points : int
        Training codes for the fields.
    autoencoder, classifier : config, optional
        Model settings (the latent dimension must be the preset's).
    tangent : bool
        Project the fields onto the logits' level sets (the default; see the
        module docstring); False learns the invariance as a penalty alone.
    progress : callable, optional
    """
    preset = get_latent_preset(name)
    for option, value in (("epochs", epochs), ("n_fields", n_fields)):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise bad_input(option, "a positive integer", value)
    t0 = time.perf_counter()
    data = load_images(
        mnist if mnist is not None else "digits", seed=seed, classes=preset.classes
    )
    autoencoder = autoencoder or AutoencoderConfig(latent_dim=preset.latent_dim)
    if autoencoder.latent_dim != preset.latent_dim:
        raise bad_input(
            "autoencoder.latent_dim",
            f"{preset.latent_dim} for {name}",
            autoencoder.latent_dim,
        )
    setup = latent_setup(
        data, autoencoder, classifier, seed, cache_dir, name=preset.name
    )
    t_models = time.perf_counter() - t0

    k = preset.n_fields if n_fields is None else n_fields
    config = TrainingConfig(
        n_generators=k,
        epochs=preset.epochs if epochs is None else epochs,
        learning_rate=3e-3,
        n_points=n_points,
        restarts=1,
        polish_steps=polish_steps,
        seed=seed,
    )
    deep_cfg = FieldConfig(
        depth=preset.depth,
        width=preset.width,
        step_target=1.0,
        margin=0.0,
        tol_invariance=TOL_INVARIANCE,
        tangent=tangent,
    )
    t1 = time.perf_counter()
    fields = discover_fields(
        setup.oracle, config=config, field_config=deep_cfg, progress=progress
    )
    penalty = (
        discover_fields(
            setup.oracle, config=config, field_config=deep_cfg.replace(tangent=False)
        )
        if tangent
        else None
    )
    linear = discover_fields(
        setup.oracle,
        config=config.replace(epochs=min(config.epochs, 1000)),
        field_config=deep_cfg.replace(depth=0, tangent=False),
    )
    t_fields = time.perf_counter() - t1

    t2 = time.perf_counter()
    means = setup.class_means()
    plane = setup.latent_dim == 2
    t_max = flow_spread(setup)
    # in the plane the orthogonal line runs at unit speed for the distance
    # between the class means: far enough that it must reach the other class
    t_across = float(np.linalg.norm(means[-1] - means[0]))
    lines, orthogonal = [], None
    if fields.status != "diverged":
        for j in range(k):
            f = plane_fields(fields)[0] if plane else fields.field(j)
            for mean, c in zip(means, setup.data.classes, strict=True):
                lines.append(
                    check_line(setup, f, mean, c, t_max, f"digit {c}, field {j + 1}")
                )
        if plane:
            orthogonal = check_line(
                setup,
                plane_fields(fields)[1],
                means[0],
                setup.data.classes[0],
                t_across,
                f"digit {setup.data.classes[0]}, orthogonal",
            )
    status, reasons = _status(fields, lines, orthogonal)
    timings = {
        "models_s": t_models,
        "fields_s": t_fields,
        "lines_s": time.perf_counter() - t2,
        "total_s": time.perf_counter() - t0,
    }
    return LatentRun(
        preset=preset,
        setup=setup,
        fields=fields,
        linear=linear,
        penalty=penalty,
        lines=lines,
        orthogonal=orthogonal,
        t_max=t_max,
        status=status,
        reasons=reasons,
        timings=timings,
        tangent=tangent,
    )


def _status(fields: FieldResult, lines: list, orthogonal: LineCheck | None):
    if fields.status == "diverged":
        return "diverged", list(fields.reasons)
    reasons = list(fields.reasons)
    for line in lines:
        if not line.drift < TOL_DRIFT:
            reasons.append(
                f"{line.label}: logits drift by {line.drift:.1%} "
                f"(more than {TOL_DRIFT:.0%})"
            )
        if not line.keeps_class:
            reasons.append(
                f"{line.label}: decoded images classified as "
                f"{sorted(set(line.classes))}, not only {line.start_class}"
            )
    if orthogonal is not None and orthogonal.keeps_class:
        reasons.append(
            f"{orthogonal.label}: the class never changes along the "
            "direction orthogonal to the symmetry"
        )
    return ("found" if not reasons else "not found"), reasons


# ---------------------------------------------------------------------------
# Result folder


def latent_json(run: LatentRun) -> dict:
    """Return the content of ``result.json`` of a latent run."""
    from symdisc.report import header

    s = run.setup
    return {
        **header("latent"),
        "status": run.status,
        "preset": run.preset.name,
        "description": run.preset.description,
        "reasons": run.reasons,
        "data": {
            "name": s.data.name,
            "classes": list(s.data.classes),
            "n_train": int(len(s.codes_train)),
            "n_test": int(len(s.codes_test)),
            "image_shape": list(s.data.image_shape),
        },
        "models": {
            "latent_dim": s.latent_dim,
            "status": s.status,
            "accuracy_train": s.metrics.accuracy_train,
            "accuracy_test": s.metrics.accuracy_test,
            "recon_mse_train": s.metrics.recon_mse_train,
            "recon_mse_test": s.metrics.recon_mse_test,
        },
        "fields": {
            "status": run.fields.status,
            "model": run.fields.model.to_dict(),
            "metrics": run.fields.metrics,
            "reasons": run.fields.reasons,
            "config": run.fields.config,
            "field_config": run.fields.field_config,
        },
        "comparisons": {
            label: {
                "status": r.status,
                "metrics": r.metrics,
                "reasons": r.reasons,
            }
            for label, r in comparisons(run)
        },
        "flow_time": run.t_max,
        "lines_follow": "learned fields, projected onto the logits' level sets"
        if run.tangent
        else "learned fields, invariance learned as a penalty",
        "tol_drift": TOL_DRIFT,
        "lines": [line.to_dict() for line in run.lines],
        "orthogonal": run.orthogonal.to_dict() if run.orthogonal else None,
        "max_logit_drift": max((line.drift for line in run.lines), default=None),
        "timings": run.timings,
    }


def comparisons(run: LatentRun) -> list:
    """``(label, FieldResult)`` of the fields trained for comparison."""
    out = [] if run.penalty is None else [("mlp_penalty", run.penalty)]
    return out + [("linear", run.linear)]


def model_rows(run: LatentRun) -> list:
    """``(description, FieldResult)`` of every trained model, the fields first."""
    f = run.fields
    how = "projected onto level sets" if run.tangent else "invariance as a penalty"
    rows = [(f"MLP fields {f.model.depth} × {f.model.width}, {how}", f)]
    if run.penalty is not None:
        rows.append(("same MLP, invariance as a penalty", run.penalty))
    return rows + [("linear field z ↦ Gz, invariance as a penalty", run.linear)]


def latent_figures(run: LatentRun) -> dict:
    """Figures by file name: the latent plane (ℓ = 2) or one grid per field."""
    from symdisc.latent.figures import digits01_figure, digits_flow_grid

    if run.fields.status == "diverged":
        return {}
    if run.setup.latent_dim == 2:
        return {
            "latent_plane.png": digits01_figure(
                run.setup,
                plane_fields(run.fields)[0],
                t_max=run.t_max,
                n_steps=20,
                orthogonal_t_max=run.orthogonal.times[-1] if run.orthogonal else None,
            )
        }
    return {
        f"flow_grid_field{j + 1}.png": digits_flow_grid(
            run.setup, run.fields.field(j), t_max=run.t_max
        )
        for j in range(run.fields.n_fields)
    }


def latent_markdown(run: LatentRun, figures: list[str]) -> str:
    """``report.md`` of a latent run."""
    s = run.setup
    m = s.metrics
    lines = [
        f"# symdisc latent: {run.preset.name} — {run.status}",
        "",
        run.preset.description + ".",
        "",
        f"Data: {s.data.name}, {len(s.codes_train)} training and "
        f"{len(s.codes_test)} test images of shape {s.data.image_shape}.",
        f"Autoencoder to ℓ = {s.latent_dim}: test reconstruction MSE "
        f"{m.recon_mse_test:.4f}; latent classifier test accuracy "
        f"{m.accuracy_test:.1%} (models {s.status}).",
        "",
        f"**Status: {run.status}.**",
    ]
    lines += [f"- {r}" for r in run.reasons]
    lines += [
        "",
        "## Symmetries of the logits",
        "",
        "| model | status | relative invariance error | normalisation error |",
        "|---|---|---|---|",
    ]
    for label, r in model_rows(run):
        rm = r.metrics
        lines.append(
            f"| {label} ({r.n_fields} field(s)) | {r.status} | "
            f"{rm.get('invariance_error', float('nan')):.2e} | "
            f"{rm.get('normalisation_error', float('nan')):.2e} |"
        )
    lines += [
        "",
        f"## Flow lines (t from −{run.t_max:.3g} to {run.t_max:.3g})",
        "",
        "Lines follow the learned fields"
        + (
            ", projected onto the logits' level sets. "
            if run.tangent
            else " (invariance learned as a penalty, --penalty). "
        ),
        f"Logits must stay within {TOL_DRIFT:.0%} of their starting values "
        "and every decoded image must be classified as the starting digit.",
        "",
        "| line | logit drift | classes of the decoded images |",
        "|---|---|---|",
    ]
    shown = run.lines + ([run.orthogonal] if run.orthogonal else [])
    for line in shown:
        lines.append(
            f"| {line.label} | {format_drift(line.drift)} | "
            f"{' '.join(str(c) for c in line.classes)} |"
        )
    t = run.timings
    lines += [
        "",
        "## Timings",
        "",
        f"models {t['models_s']:.1f} s, fields {t['fields_s']:.1f} s, lines "
        f"{t['lines_s']:.1f} s, total {t['total_s']:.1f} s.",
        "",
        "## Files",
        "",
        "- `model.json` + `weights.npz`: the MLP fields; `linear/`: the linear "
        "field"
        + ("; `penalty/`: the MLP trained with the penalty." if run.penalty else "."),
        "- `result.json`: everything above as data.",
        "",
        "## Figures",
        "",
    ]
    lines += [f"![{name}](figures/{name})" for name in figures]
    return "\n".join(lines) + "\n"


def write_latent(run: LatentRun, out: str | os.PathLike) -> Path:
    """Write the result folder of a latent run atomically."""
    from symdisc.io import result_folder
    from symdisc.models.fields import named_leaves

    figures = latent_figures(run)
    with result_folder(out) as w:
        w.json("result.json", latent_json(run))
        saved = [("", run.fields), ("linear/", run.linear)]
        if run.penalty is not None:
            saved.append(("penalty/", run.penalty))
        for prefix, r in saved:
            w.json(f"{prefix}model.json", r.model.to_dict())
            w.npz(f"{prefix}weights.npz", named_leaves(r.params))
        w.npz("history.npz", run.fields.history)
        for name, fig in figures.items():
            w.figure(f"figures/{name}", fig)
        w.text("report.md", latent_markdown(run, sorted(figures)))
    return Path(out)
