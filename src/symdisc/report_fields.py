"""Result folders of nonlinear field runs, and figures redrawn from any folder.

A field folder holds ``result.json`` (kind ``fields``), ``model.json`` (the
architecture), ``weights.npz`` (parameter leaves by pytree path; no pickles),
``history.npz``, ``report.md`` and ``figures/``. A comparison model (the
linear field trained alongside) sits in ``linear/`` with the same two files.
:func:`replot` redraws the figures of any result folder (``symdisc plot``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from symdisc.errors import InputError
from symdisc.fieldflow import FlowCheck, flow_check
from symdisc.io import RESULT_MARKERS, result_folder, write_atomic
from symdisc.models.fields import FieldModel, named_leaves, params_from_leaves
from symdisc.report import MISSING, NOT_MEASURED, header, plural
from symdisc.training.fields import FieldResult

#: Start points of the drawn flow lines (radius 1, away from the axes).
FLOW_ANGLES_DEG = (25.0, 115.0, 205.0, 295.0)
FLOW_TIME = 0.5


def fields_json(
    result: FieldResult,
    comparison: FieldResult | None = None,
    flows: FlowCheck | None = None,
) -> dict:
    """Return the content of ``result.json`` for a field run."""
    extra = dict(result.extra)
    if comparison is not None:
        extra["linear_comparison"] = {
            "status": comparison.status,
            "metrics": comparison.metrics,
            "reasons": comparison.reasons,
        }
    if flows is not None:
        extra["flow_lines"] = {
            "t_max": float(flows.times[-1]),
            "drift": flows.drift.tolist(),
            "max_drift": flows.max_drift,
        }
    return {
        **header("fields"),
        "status": result.status,
        "algorithm": result.algorithm,
        "n_fields": result.n_fields,
        "model": result.model.to_dict(),
        "oracle": result.oracle,
        "config": result.config,
        "field_config": result.field_config,
        "metrics": result.metrics,
        "reasons": result.reasons,
        "timings": result.timings,
        "extra": extra,
    }


def plane_starts(angles_deg=FLOW_ANGLES_DEG) -> np.ndarray:
    """Start points of flow lines on the unit circle, shape ``(s, 2)``."""
    a = np.deg2rad(np.asarray(angles_deg, float))
    return np.stack([np.cos(a), np.sin(a)], -1)


def _batch(model: FieldModel, params, index: int = 0):
    return lambda P: np.asarray(model.values(params, np.asarray(P, np.float64)))[index]


def field_figures(
    oracle,
    model: FieldModel,
    params,
    history: dict | None = None,
    linear: tuple[FieldModel, object] | None = None,
    flows: FlowCheck | None = None,
) -> dict:
    """Draw the figures of a field run, by file name (contours for the plane)."""
    from symdisc.plots import loss_history
    from symdisc.plots_fields import field_comparison, flow_lines_figure

    figs = {}
    if history:
        figs["loss.png"] = loss_history(history)
    plane = oracle is not None and oracle.n == 2 and oracle.copies == 1
    if not plane or not _finite(params):  # a diverged field has no arrows to draw
        return figs
    deep = [
        (
            f"depth {model.depth} × {model.width}: field {i + 1}",
            _batch(model, params, i),
        )
        for i in range(model.n_fields)
    ]
    figs["field.png"] = field_comparison(oracle, deep)
    if linear is not None and _finite(linear[1]):
        shallow = [
            (f"linear (depth 0): field {i + 1}", _batch(*linear, i))
            for i in range(linear[0].n_fields)
        ]
        figs["shallow_vs_deep.png"] = field_comparison(
            oracle, [shallow[0], deep[0]], title=f"{oracle.name}: shallow vs deep"
        )
    if flows is not None:
        figs["flow_lines.png"] = flow_lines_figure(
            oracle,
            flows.lines,
            title=f"{oracle.name}: flow lines of field 1, "
            f"t ∈ [−{flows.times[-1]:g}, {flows.times[-1]:g}]",
            drift=flows.drift,
        )
    return figs


def _finite(params) -> bool:
    """Whether every parameter of a field is a finite number."""
    return all(np.all(np.isfinite(leaf)) for leaf in named_leaves(params).values())


def plane_flows(
    oracle, result: FieldResult, t_max: float = FLOW_TIME, n_steps: int = 50
) -> FlowCheck | None:
    """Flow lines of field 1 from :func:`plane_starts` (plane oracles only)."""
    if oracle.n != 2 or oracle.copies != 1:
        return None
    return flow_check(oracle, result.field(0), plane_starts(), t_max, n_steps)


def _write_model(w, prefix: str, model: FieldModel, params) -> None:
    w.json(f"{prefix}model.json", model.to_dict())
    w.npz(f"{prefix}weights.npz", named_leaves(params))


def write_fields(
    result: FieldResult,
    out: str | Path,
    oracle=None,
    comparison: FieldResult | None = None,
    flows: FlowCheck | None = None,
) -> Path:
    """Write a field run's result folder atomically; returns its path."""
    linear = (comparison.model, comparison.params) if comparison is not None else None
    figures = field_figures(
        oracle, result.model, result.params, result.history, linear, flows
    )
    with result_folder(out) as w:
        w.json("result.json", fields_json(result, comparison, flows))
        _write_model(w, "", result.model, result.params)
        if comparison is not None:
            _write_model(w, "linear/", comparison.model, comparison.params)
        w.npz("history.npz", result.history)
        for name, fig in figures.items():
            w.figure(f"figures/{name}", fig)
        w.text("report.md", fields_markdown(result, sorted(figures), comparison, flows))
    return Path(out)


def _fmt(value, missing: str = MISSING) -> str:
    if value is None:
        return missing
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _missing(result: FieldResult) -> str:
    """What a check without a value shows: why it was not measured."""
    return NOT_MEASURED if result.status == "diverged" else MISSING


def fields_markdown(
    result: FieldResult,
    figures: list[str],
    comparison: FieldResult | None = None,
    flows: FlowCheck | None = None,
) -> str:
    """``report.md`` of a field run."""
    m, o, fc = result.metrics, result.oracle, result.field_config
    md = result.model
    lines = [
        f"# symdisc: {o.get('name')} — nonlinear fields, {result.status}",
        "",
        f"Oracle: `{o.get('description')}` on R^{o.get('n')}.",
        f"Model: {plural(md.n_fields, 'MLP field')} f: R^{md.n} → R^{md.n}, depth "
        f"{md.depth}, width {md.width}, {md.activation}; x ↦ x + ε f(x).",
        f"Normalisation: mean over the data of |f(x)|² = {fc['step_target']:g}.",
        "",
        f"**Status: {result.status}.**",
    ]
    lines += [f"- {r}" for r in result.reasons]
    missing = _missing(result)
    where = (
        f" ({m.get('invariance_check', '')}), averaged over the "
        f"{m['n_kept_points']} of {m['n_check_points']} fresh points "
        f"farther than {fc['margin']:g} from where φ is not smooth"
        if "n_check_points" in m
        else f": {missing}"
    )
    lines += [
        "",
        "## Checks on fresh points",
        "",
        f"Relative invariance error r(x) = |φ(x + εf) − φ(x)| / (ε |∇φ| |f|){where}.",
        "",
        "| check | value | tolerance |",
        "|---|---|---|",
        f"| relative invariance error (mean, worst field) | "
        f"{_fmt(m.get('invariance_error'), missing)} | {fc['tol_invariance']:g} |",
        f"| normalisation error |mean|f|²/s − 1| | "
        f"{_fmt(m.get('normalisation_error'), missing)} | "
        f"{fc['tol_normalisation']:g} |",
    ]
    if md.n_fields > 1:
        lines.append(
            f"| largest |cos| between fields | "
            f"{_fmt(m.get('orthogonality_error'), missing)} | "
            f"{fc['tol_orthogonality']:g} |"
        )
    if comparison is not None:
        cm = comparison.metrics
        lines += [
            "",
            "## The linear field next to it",
            "",
            f"A depth-0 field x ↦ Gx trained alike: **{comparison.status}**, "
            "relative invariance error "
            f"{_fmt(cm.get('invariance_error'), _missing(comparison))}.",
        ]
    if flows is not None:
        lines += [
            "",
            "## Finite transformations",
            "",
            f"Field 1 integrated by RK4 for t ∈ [−{flows.times[-1]:g}, "
            f"{flows.times[-1]:g}] from {len(flows.drift)} points: largest "
            f"relative change of φ along a line {flows.max_drift:.2e}.",
        ]
    lines += [
        "",
        "## Files",
        "",
        "- `model.json` + `weights.npz`: the fields (parameter leaves by "
        "pytree path); `symdisc.report_fields.load_fields(folder)` rebuilds them.",
        "- `history.npz`: loss components per step.",
        "- `result.json`: everything above as data.",
        "- `symdisc plot <folder>` redraws the figures.",
        "",
        "## Figures",
        "",
    ]
    lines += [f"![{f}](figures/{f})" for f in figures]
    return "\n".join(lines) + "\n"


def load_fields(folder: str | Path, prefix: str = "") -> tuple[FieldModel, object]:
    """Load the model and parameters saved in a field result folder."""
    folder = Path(folder)
    model_path, weights_path = (
        folder / f"{prefix}model.json",
        folder / f"{prefix}weights.npz",
    )
    for p in (model_path, weights_path):
        if not p.is_file():
            raise InputError(
                f"{folder}: missing {p.name}; not a field result folder "
                "(run `symdisc run NAME --model mlp`)."
            )
    model = FieldModel.from_dict(json.loads(model_path.read_text(encoding="utf-8")))
    with np.load(weights_path, allow_pickle=False) as data:
        leaves = {k: data[k] for k in data.files}
    return model, params_from_leaves(model, leaves)


def _oracle_of(record: dict):
    """Rebuild the oracle of a result from its summary, or None."""
    from symdisc.presets import PRESETS, build_oracle

    summary = record.get("oracle", {})
    params = dict(summary.get("parameters", {}))
    try:
        if summary.get("name") in PRESETS:
            return build_oracle({"preset": summary["name"]})
        if "kind" in params:
            return build_oracle(params)
    except InputError:
        return None
    return None


def replot(folder: str | Path) -> list[str]:
    """Redraw the figures of a result folder in place; returns their names.

    Every figure the command that wrote the folder draws is drawn again,
    by the same function: discovery runs (:func:`symdisc.plots.result_figures`),
    field runs (:func:`field_figures`), exact solves, scans, subalgebra
    classes and decomposition tables. A ``symdisc latent`` folder does not
    keep the autoencoder and classifier its figures need; it is refused with
    the command that draws them.
    """
    folder = Path(folder)
    figs = _figures_of(folder)
    for name, fig in figs.items():
        path = folder / "figures" / name
        write_atomic(path, lambda tmp, fig=fig: fig.savefig(tmp, dpi=120, format="png"))
    return sorted(figs)


def _figures_of(folder: Path) -> dict:
    """The figures of the folder, by file name, drawn from its files."""
    from symdisc.plots import result_figures
    from symdisc.report import exact_figures, load_discovery
    from symdisc.subalgebra_report import saved_figures

    if not folder.exists():
        raise _no_folder(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: is a file; give a result folder.")
    result_path = folder / "result.json"
    if not result_path.is_file():
        if any((folder / name).is_file() for name in RESULT_MARKERS):
            return saved_figures(folder)
        raise InputError(
            f"{folder}: no result.json (nor {', '.join(RESULT_MARKERS[1:])}); give "
            "a folder written by `symdisc run`, `solve`, `scan` or `subalgebras`."
        )
    record = json.loads(result_path.read_text(encoding="utf-8"))
    kind = record.get("kind")
    if kind == "latent":
        raise InputError(_latent_refusal(folder, record))
    if kind == "fields":
        return _replot_fields(folder, record, _oracle_of(record))
    if kind == "exact":
        basis = np.load(folder / "generators.npy", allow_pickle=False)
        C = np.load(folder / "structure_constants.npy", allow_pickle=False)
        return exact_figures(basis, C)
    return result_figures(load_discovery(folder, record), _oracle_of(record))


def _no_folder(folder: Path) -> InputError:
    """The error for a missing folder, naming result folders of the same stem."""
    parent = folder.parent
    near = []
    if folder.name and parent.is_dir():
        near = sorted(
            str(parent / p.name)
            for p in parent.iterdir()
            if p.name.startswith(folder.name)
            and any((p / name).is_file() for name in RESULT_MARKERS)
        )
    if near:
        return InputError(
            f"{folder}: no such folder; result folders beside it whose name "
            f"starts with {folder.name!r}: {', '.join(near)}."
        )
    return InputError(
        f"{folder}: no such folder; give a folder written by `symdisc run` "
        "(runs/NAME by default)."
    )


def _latent_refusal(folder: Path, record: dict) -> str:
    """Why a latent folder cannot be redrawn, and the command that draws it."""
    from symdisc.latent.pipeline import LATENT_PRESETS

    config = record.get("fields", {}).get("config", {})
    preset = LATENT_PRESETS.get(record.get("preset"))
    command = f"symdisc latent {record.get('preset', 'NAME')}"
    command += f" --seed {config.get('seed', 0)}"
    epochs = config.get("epochs")
    if epochs is not None and (preset is None or epochs != preset.epochs):
        command += f" --epochs {epochs}"
    if str(record.get("data", {}).get("name", "")).startswith("mnist"):
        command += " --mnist DIR"
    if "penalty" in str(record.get("lines_follow", "")):
        command += " --penalty"
    return (
        f"{folder}: a `symdisc latent` folder; its figures decode flow lines with "
        "the autoencoder and classifier, which the folder does not keep. "
        f"`{command} --out {folder}` trains them again and draws the figures."
    )


def _replot_fields(folder: Path, record: dict, oracle) -> dict:
    history = {}
    if (folder / "history.npz").is_file():
        with np.load(folder / "history.npz", allow_pickle=False) as data:
            history = {k: data[k] for k in data.files}
    model, params = load_fields(folder)
    linear = load_fields(folder, "linear/") if (folder / "linear").is_dir() else None
    flows = None
    drawn = record.get("extra", {}).get("flow_lines")
    if oracle is not None and drawn and oracle.n == 2:
        flows = flow_check(
            oracle, model.field(params, 0), plane_starts(), float(drawn["t_max"]), 50
        )
    return field_figures(oracle, model, params, history, linear, flows)
