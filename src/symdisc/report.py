"""Result folders and the human report (``report.md``) of every command.

Layout of a folder: ``result.json`` (versioned schema), ``generators.npy``
(``k × n × n``, complex where complex), ``structure_constants.npy``
(``k × k × k``), ``history.npz`` (loss components per step), ``report.md``
and ``figures/*.png``.
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import json
import platform
from pathlib import Path

import numpy as np

from symdisc.algebra.conventions import physics_structure_constants
from symdisc.errors import InputError
from symdisc.io import result_folder
from symdisc.training.result import SCHEMA_VERSION, DiscoveryResult


def versions() -> dict:
    """Versions of Python and of the libraries that computed a result."""
    out = {"python": platform.python_version()}
    for dist in ("symdisc", "jax", "jaxlib", "optax", "equinox", "numpy", "scipy"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[dist] = None
    return out


def header(kind: str) -> dict:
    """The fields that open every result record: schema, kind, time, versions."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": kind,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "versions": versions(),
    }


def discovery_json(result: DiscoveryResult) -> dict:
    """The content of ``result.json`` for a discovery run."""
    return {
        **header("discovery"),
        "status": result.status,
        "convention": result.extra.get("convention", "real"),
        "algorithm": result.algorithm,
        "n_generators": result.n_generators,
        "oracle": result.oracle,
        "config": result.config,
        "metrics": result.metrics,
        "reasons": result.reasons,
        "exact": result.exact,
        "identification": result.identification,
        "timings": result.timings,
        "extra": result.extra,
    }


#: Shown for a check that has no value: never measured, or not a number.
MISSING = "—"

#: Shown for every check of a diverged run, whose generators are not finite.
NOT_MEASURED = "not measured (diverged)"


def _fmt(value, missing: str = MISSING) -> str:
    if value is None:
        return missing
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def plural(count, singular: str, plural_form: str | None = None) -> str:
    """``1 copy``, ``2 copies``: a count with its noun in the right number."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


def discovery_markdown(result: DiscoveryResult, figures: list[str]) -> str:
    """``report.md``: what was asked, what was found, and how to check it."""
    m, o = result.metrics, result.oracle
    lines = [
        f"# symdisc: {o.get('name')} — {result.status}",
        "",
        f"Oracle: `{o.get('description')}` on {o.get('field')} vectors of dimension "
        f"n = {o.get('n')} ({plural(o.get('copies'), 'copy', 'copies')}, "
        f"{plural(o.get('outputs'), 'label')}).",
        f"Algorithm: {result.algorithm}; {plural(result.n_generators, 'generator')}; "
        f"seed {result.config.get('seed')}.",
        "",
        "## Result",
        "",
        f"**Status: {result.status}.**",
    ]
    lines += [f"- {r}" for r in result.reasons]
    lines += data_markdown(result.extra.get("data"))
    if result.identification:
        ident = result.identification
        lines += ["", f"Identified algebra: **{ident.get('name')}**"]
        if ident.get("confidence") is not None:
            lines.append(f"(confidence {_fmt(ident.get('confidence'))})")
    lines += [
        "",
        "## Checks on fresh points",
        "",
        "| check | value | tolerance |",
        "|---|---|---|",
    ]
    cfg = result.config
    rows = [
        (
            "relative invariance error (max over generators)",
            m.get("invariance_error"),
            cfg.get("tol_invariance"),
        ),
        (
            "finite invariance error under exp(0.5 G)",
            m.get("finite_invariance_error"),
            None,
        ),
        ("closure error", m.get("closure_error"), cfg.get("tol_closure")),
        (
            "orthonormality error",
            m.get("orthonormality_error"),
            cfg.get("tol_orthonormality"),
        ),
    ]
    missing = NOT_MEASURED if result.status == "diverged" else MISSING
    if result.n_generators > 1:
        angles = (m.get("min_angle_deg"), m.get("max_angle_deg"))
        rows.append(
            (
                "smallest / largest pairwise angle (°)",
                " / ".join(map(_fmt, angles)) if None not in angles else None,
                None,
            )
        )
    if result.exact:
        rows += [
            ("exact algebra dimension", result.exact.get("dimension"), None),
            (
                "distance of the learned span from it",
                result.exact.get("span_distance"),
                cfg.get("tol_span"),
            ),
        ]
    for name, value, tol in rows:
        lines.append(
            f"| {name} | {_fmt(value, missing)} | {_fmt(tol) if tol else ''} |"
        )
    t = result.timings
    steps = f" ({t['adam_steps']} Adam steps)" if "adam_steps" in t else ""
    lines += [
        "",
        "## Timings",
        "",
        f"compile {_fmt(t.get('compile_s'))} s, training {_fmt(t.get('train_s'))} s"
        f"{steps}, checks {_fmt(t.get('checks_s'))} s, "
        f"total {_fmt(t.get('total_s'))} s.",
        "",
        "## Files",
        "",
        "- `generators.npy`: the learned generators, shape (k, n, n).",
        "- `structure_constants.npy`: [G_a, G_b] = Σ_c C[a, b, c] G_c "
        "(least squares on the final generators).",
        "- `history.npz`: loss components per step.",
        *unitary_lines(result),
        "- `result.json`: everything above as data.",
        "",
        "Verify: `symdisc identify " + "<this folder>` re-derives the name from "
        "`generators.npy` alone.",
        "",
        "## Figures",
        "",
    ]
    lines += [f"![{f}](figures/{f})" for f in figures]
    return "\n".join(lines) + "\n"


def data_markdown(data: dict | None) -> list[str]:
    """Lines on the user's data: source, surrogate fit, notes and warnings."""
    if not data:
        return []
    source = data.get("source", {})
    origin = source.get("path") or source.get("callable")
    lines = ["", "## Oracle from your data", "", f"Source: `{origin}`."]
    table = data.get("table")
    if table:
        groups = "; ".join(", ".join(g) for g in table["feature_names"])
        lines.append(
            f"{table['rows']} rows; features ({groups}); labels "
            f"{', '.join(table['label_names'])}."
        )
    fit = data.get("surrogate")
    if fit:
        lines += [
            "",
            "The oracle is a smooth network fitted to the labels; its "
            "symmetries are symmetries of the data only as far as it fits:",
            "",
            "| label | held-out R² | training R² |",
            "|---|---|---|",
        ]
        lines += [
            f"| {k} | {v:.4f} | {fit['r2_train'][k]:.4f} |"
            for k, v in fit["r2_heldout"].items()
        ]
        lines += [
            "",
            f"{fit['n_train']} rows fitted, {fit['n_val']} held out, "
            f"{fit['epochs']} steps, {_fmt(fit['fit_seconds'])} s. Checks use "
            "the surrogate tolerances in the table below (see `config`).",
        ]
    lines += [f"\nNote: {note}" for note in data.get("notes", [])]
    lines += [f"\n**Warning: {w}**" for w in data.get("warnings", [])]
    return lines


def unitary_lines(result: DiscoveryResult) -> list[str]:
    """Report lines stating the unitary convention (none for real generators)."""
    if not np.iscomplexobj(result.generators):
        return []
    return [
        "- Convention: the generators J are Hermitian and act as x ↦ (I + iεJ)x; "
        "`structure_constants.npy` holds a with [iJ_a, iJ_b] = Σ_c a[a, b, c] iJ_c.",
        "- `physics_structure_constants.npy`: f = −a, the physics convention "
        "[J_a, J_b] = i Σ_c f[a, b, c] J_c.",
    ]


def write_discovery(result: DiscoveryResult, out: str | Path, oracle=None) -> Path:
    """Write the whole result folder atomically; returns its path."""
    from symdisc.plots import result_figures

    figures = result_figures(result, oracle)
    with result_folder(out) as w:
        w.json("result.json", discovery_json(result))
        w.npy("generators.npy", result.generators)
        w.npy("structure_constants.npy", result.structure_constants)
        if np.iscomplexobj(result.generators):
            w.npy(
                "physics_structure_constants.npy",
                physics_structure_constants(result.structure_constants),
            )
        w.npz("history.npz", {**result.history, "angles": result.angle_history})
        for name, fig in figures.items():
            w.figure(f"figures/{name}", fig)
        w.text("report.md", discovery_markdown(result, sorted(figures)))
    return Path(out)


def load_discovery(folder: str | Path, record: dict | None = None) -> DiscoveryResult:
    """Rebuild a discovery result from its folder, as far as the files keep it.

    ``generators.npy`` is required; ``structure_constants.npy`` and
    ``history.npz`` (whose ``angles`` is the angle history) are read when
    present. The learned constants are not saved and come back empty.
    """
    folder = Path(folder)
    if record is None:
        record = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    generators = _load_array(folder / "generators.npy")
    C = folder / "structure_constants.npy"
    history = {}
    if (folder / "history.npz").is_file():
        with np.load(folder / "history.npz", allow_pickle=False) as data:
            history = {k: data[k] for k in data.files}
    empty = np.zeros((0, 0, 0))
    return DiscoveryResult(
        status=record.get("status", ""),
        generators=generators,
        structure_constants=_load_array(C) if C.is_file() else empty,
        learned_constants=empty,
        history=history,
        angle_history=history.pop("angles", empty),
        metrics=record.get("metrics", {}),
        reasons=record.get("reasons", []),
        timings=record.get("timings", {}),
        config=record.get("config", {}),
        oracle=record.get("oracle", {}),
        exact=record.get("exact") or {},
        identification=record.get("identification"),
        algorithm=record.get("algorithm", "all-at-once"),
        extra=record.get("extra") or {},
    )


def _load_array(path: Path) -> np.ndarray:
    if not path.is_file():
        raise InputError(
            f"{path.parent}: missing {path.name}; the folder is incomplete "
            "(run `symdisc run` again to rewrite it)."
        )
    return np.load(path, allow_pickle=False)


def exact_figures(basis: np.ndarray, structure_constants: np.ndarray) -> dict:
    """The figures of an exact solve, by file name (none past 96 generators)."""
    from symdisc.plots import generator_heatmaps, structure_constant_heatmap

    dimension = len(basis)
    figs = {}
    if 0 < dimension <= 96:
        figs["basis.png"] = generator_heatmaps(basis, title="Exact basis")
    if 1 < dimension <= 96:
        figs["structure_constants.png"] = structure_constant_heatmap(
            structure_constants
        )
    return figs


def exact_json(algebra) -> dict:
    """The content of ``result.json`` for an exact solve."""
    return {
        **header("exact"),
        "status": algebra.status,
        "oracle": algebra.oracle,
        "convention": "real",
        **algebra.to_dict(),
    }


def exact_markdown(algebra) -> str:
    """``report.md`` for an exact solve."""
    d = algebra.decision
    lines = [
        f"# symdisc solve: {algebra.oracle.get('name')}",
        "",
        algebra.summary() + ".",
        "",
        f"Constraint matrix from {algebra.n_points} points; dimension decided by "
        f"the largest singular-value gap (ratio {d.gap:.3g}, "
        f"{'decisive' if d.decisive else 'NOT decisive'}).",
        f"Relative singular values near the cut: "
        f"{', '.join(f'{v:.3g}' for v in d.near)}.",
        f"Closure error of the basis: {algebra.closure_error:.3g}.",
    ]
    ident = getattr(algebra, "identification", None)
    if ident:
        lines += ["", f"Identified algebra: **{ident.get('name')}**"]
    if len(algebra.ignored_directions):
        lines += ["", "Features the oracle does not depend on (directions):", ""]
        lines += [
            f"- {np.round(np.real(v), 6).tolist()}" for v in algebra.ignored_directions
        ]
    for w in algebra.warnings:
        lines += ["", f"Warning: {w}"]
    if 0 < algebra.dimension <= 96:
        lines += ["", "![basis](figures/basis.png)"]
    return "\n".join(lines) + "\n"


def write_exact(algebra, out: str | Path, extra: dict | None = None) -> Path:
    """Write an exact solve's result folder atomically.

    ``extra``: more data for
    ``result.json``, e.g. the user data's record under ``"data"``).
    """
    figures = exact_figures(algebra.basis, algebra.structure_constants)
    with result_folder(out) as w:
        w.json("result.json", {**exact_json(algebra), "extra": dict(extra or {})})
        w.npy("generators.npy", algebra.basis)
        w.npy("structure_constants.npy", algebra.structure_constants)
        w.npy("singular_values.npy", algebra.singular_values)
        for name, fig in figures.items():
            w.figure(f"figures/{name}", fig)
        text = exact_markdown(algebra)
        if extra and extra.get("data"):
            text += "\n".join(data_markdown(extra["data"])) + "\n"
        w.text("report.md", text)
    return Path(out)
