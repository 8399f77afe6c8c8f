"""Result folders of nonlinear field runs, and figures redrawn from any folder.

A field folder holds ``result.json`` (kind ``fields``), ``model.json`` (the
architecture), ``weights.npz`` (parameter leaves by pytree path; no pickles),
``history.npz``, ``report.md`` and ``figures/``. A comparison model (the
linear field trained alongside) sits in ``linear/`` with the same two files.
:func:`replot` redraws the figures of a field folder or of a linear
discovery folder (from ``generators.npy`` and ``history.npz``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from symdisc.errors import InputError
from symdisc.fieldflow import FlowCheck, flow_check
from symdisc.io import result_folder, write_atomic
from symdisc.models.fields import FieldModel, named_leaves, params_from_leaves
from symdisc.report import header
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
    if not plane:
        return figs
    deep = [
        (
            f"depth {model.depth} × {model.width}: field {i + 1}",
            _batch(model, params, i),
        )
        for i in range(model.n_fields)
    ]
    figs["field.png"] = field_comparison(oracle, deep)
    if linear is not None:
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


def _fmt(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


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
        f"Model: {md.n_fields} MLP field(s) f: R^{md.n} → R^{md.n}, depth "
        f"{md.depth}, width {md.width}, {md.activation}; x ↦ x + ε f(x).",
        f"Normalisation: mean over the data of |f(x)|² = {fc['step_target']:g}.",
        "",
        f"**Status: {result.status}.**",
    ]
    lines += [f"- {r}" for r in result.reasons]
    lines += [
        "",
        "## Checks on fresh points",
        "",
        "Relative invariance error r(x) = |φ(x + εf) − φ(x)| / (ε |∇φ| |f|) "
        f"({m.get('invariance_check', '')}), averaged over the "
        f"{m.get('n_kept_points')} of {m.get('n_check_points')} fresh points "
        f"farther than {fc['margin']:g} from where φ is not smooth.",
        "",
        "| check | value | tolerance |",
        "|---|---|---|",
        f"| relative invariance error (mean, worst field) | "
        f"{_fmt(m.get('invariance_error'))} | {fc['tol_invariance']:g} |",
        f"| normalisation error |mean|f|²/s − 1| | "
        f"{_fmt(m.get('normalisation_error'))} | {fc['tol_normalisation']:g} |",
    ]
    if md.n_fields > 1:
        lines.append(
            f"| largest |cos| between fields | "
            f"{_fmt(m.get('orthogonality_error'))} | "
            f"{fc['tol_orthogonality']:g} |"
        )
    if comparison is not None:
        cm = comparison.metrics
        lines += [
            "",
            "## The linear field next to it",
            "",
            f"A depth-0 field x ↦ Gx trained alike: **{comparison.status}**, "
            f"relative invariance error {_fmt(cm.get('invariance_error'))}.",
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

    Field folders (``model.json`` + ``weights.npz``) and linear discovery
    folders (``generators.npy`` + ``history.npz``) are understood.
    """
    folder = Path(folder)
    result_path = folder / "result.json"
    if not result_path.is_file():
        raise InputError(
            f"{folder}: no result.json; give a folder written by `symdisc run`."
        )
    record = json.loads(result_path.read_text(encoding="utf-8"))
    oracle = _oracle_of(record)
    history = {}
    if (folder / "history.npz").is_file():
        with np.load(folder / "history.npz", allow_pickle=False) as data:
            history = {k: data[k] for k in data.files}
    if record.get("kind") == "fields":
        figs = _replot_fields(folder, record, oracle, history)
    elif (folder / "generators.npy").is_file():
        figs = _replot_linear(folder, oracle, history)
    else:
        raise InputError(
            f"{folder}: neither model.json/weights.npz nor "
            "generators.npy; nothing to draw."
        )
    for name, fig in figs.items():
        path = folder / "figures" / name
        write_atomic(path, lambda tmp, fig=fig: fig.savefig(tmp, dpi=120, format="png"))
    return sorted(figs)


def _replot_fields(folder: Path, record: dict, oracle, history: dict) -> dict:
    model, params = load_fields(folder)
    linear = load_fields(folder, "linear/") if (folder / "linear").is_dir() else None
    flows = None
    drawn = record.get("extra", {}).get("flow_lines")
    if oracle is not None and drawn and oracle.n == 2:
        flows = flow_check(
            oracle, model.field(params, 0), plane_starts(), float(drawn["t_max"]), 50
        )
    return field_figures(oracle, model, params, history, linear, flows)


def _replot_linear(folder: Path, oracle, history: dict) -> dict:
    from symdisc.plots import (
        angle_history,
        generator_heatmaps,
        loss_history,
        vector_field_2d,
    )

    G = np.load(folder / "generators.npy", allow_pickle=False)
    figs = {"generators.png": generator_heatmaps(G)}
    angles = history.pop("angles", None)
    if history:
        figs["loss.png"] = loss_history(history)
    if angles is not None and np.ndim(angles) == 3 and angles.shape[1] > 1:
        figs["angles.png"] = angle_history(angles)
    if (
        oracle is not None
        and oracle.n == 2
        and oracle.copies == 1
        and oracle.field == "real"
    ):
        figs["vector_field.png"] = vector_field_2d(oracle, G)
    return figs
