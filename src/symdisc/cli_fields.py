"""``symdisc run NAME --model mlp``: nonlinear fields end to end."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from symdisc.cli import STATUS_EXIT, _default_out, _progress, out_console
from symdisc.config import TrainingConfig
from symdisc.io import check_writable
from symdisc.models.fields import parse_hidden
from symdisc.report_fields import plane_flows, write_fields
from symdisc.training.fields import FieldConfig, FieldResult, discover_fields

#: Adam steps of the linear field trained next to the MLP for comparison.
LINEAR_EPOCHS = 2000


def _train(
    experiment,
    config: TrainingConfig,
    field_config: FieldConfig,
    quiet: bool,
    label: str,
) -> FieldResult:
    bar, update = _progress(quiet, label)
    if bar is None:
        return discover_fields(
            experiment.oracle, config=config, field_config=field_config
        )
    with bar:
        return discover_fields(
            experiment.oracle, config=config, field_config=field_config, progress=update
        )


def run_fields(
    experiment, config: TrainingConfig, hidden: str, out: Path | None, quiet: bool
) -> int:
    """Train MLP fields (and a linear one to compare), write the folder.

    Returns the exit code of the status.
    """
    depth, width = parse_hidden(hidden)
    field_config = FieldConfig(depth=depth, width=width)
    oracle = experiment.oracle
    out = check_writable(
        out
        if out is not None
        else _default_out(f"{experiment.name}-mlp{depth}x{width}")
    )
    result = _train(
        experiment,
        config,
        field_config,
        quiet,
        f"{experiment.name} fields {depth}x{width}",
    )
    comparison = None
    plane = oracle.n == 2 and oracle.copies == 1
    if plane and depth > 0:
        comparison = _train(
            experiment,
            config.replace(epochs=min(config.epochs, LINEAR_EPOCHS)),
            field_config.replace(depth=0),
            quiet,
            f"{experiment.name} linear field",
        )
    flows = plane_flows(oracle, result) if result.status != "diverged" else None
    write_fields(result, out, oracle, comparison, flows)
    _print(result, comparison, flows, out)
    return STATUS_EXIT[result.status]


def _print(result: FieldResult, comparison, flows, out: Path) -> None:
    from symdisc.report import MISSING, NOT_MEASURED, plural

    colour = {"found": "green", "not found": "yellow"}.get(result.status, "red")
    md = result.model
    out_console.print(
        f"[bold {colour}]{result.status}[/]: {result.oracle['name']}, "
        f"{plural(md.n_fields, 'field')}, MLP depth {md.depth} width {md.width}"
    )
    m, fc = result.metrics, result.field_config
    table = Table(show_header=True, box=None)
    for col in ("check", "value", "tolerance"):
        table.add_column(col, justify="left" if col == "check" else "right")
    rows = [
        ("relative invariance error", "invariance_error", "tol_invariance"),
        ("normalisation error", "normalisation_error", "tol_normalisation"),
    ]
    if md.n_fields > 1:
        rows.append(
            ("largest |cos| between fields", "orthogonality_error", "tol_orthogonality")
        )
    missing = NOT_MEASURED if result.status == "diverged" else MISSING
    for name, key, tol in rows:
        value = m.get(key)
        shown = missing if value is None else f"{value:.2e}"
        table.add_row(name, shown, f"{fc[tol]:.0e}")
    if comparison is not None:
        value = comparison.metrics.get("invariance_error")
        table.add_row(
            f"linear field ({comparison.status})",
            "not measured" if value is None else f"{value:.2e}",
            "",
        )
    if flows is not None:
        table.add_row("flow-line drift of φ (relative)", f"{flows.max_drift:.2e}", "")
    out_console.print(table)
    for reason in result.reasons:
        out_console.print(f"[yellow]{reason}[/]", highlight=False)
    t = result.timings
    out_console.print(
        f"time: compile {t['compile_s']:.2f} s, train {t['train_s']:.2f} s, "
        f"total {t['total_s']:.2f} s"
    )
    out_console.print(
        f"saved: {out}/ (report.md, result.json, model.json, weights.npz, figures/)"
    )


def run_latent_command(
    name: str,
    mnist,
    seed: int,
    epochs: int | None,
    out: Path | None,
    quiet: bool,
    tangent: bool = True,
) -> int:
    """``symdisc latent NAME``: run, write the folder, print a summary."""
    from symdisc.latent.pipeline import (
        format_drift,
        get_latent_preset,
        model_rows,
        run_latent,
        write_latent,
    )

    preset = get_latent_preset(name)
    out = check_writable(out if out is not None else _default_out(f"latent-{name}"))
    bar, update = _progress(quiet, f"latent {name} fields")
    if bar is None:
        run = run_latent(name, seed=seed, mnist=mnist, epochs=epochs, tangent=tangent)
    else:
        with bar:
            run = run_latent(
                name,
                seed=seed,
                mnist=mnist,
                epochs=epochs,
                progress=update,
                tangent=tangent,
            )
    write_latent(run, out)
    colour = {"found": "green", "not found": "yellow"}.get(run.status, "red")
    m = run.setup.metrics
    out_console.print(
        f"[bold {colour}]{run.status}[/]: latent {preset.name} "
        f"(ℓ = {run.setup.latent_dim}, {run.fields.n_fields} field(s))"
    )
    out_console.print(
        f"models: test accuracy {m.accuracy_test:.1%}, test "
        f"reconstruction MSE {m.recon_mse_test:.4f}"
    )
    table = Table(show_header=True, box=None)
    for col in ("model", "status", "invariance error", "tolerance"):
        table.add_column(col)
    for label, r in model_rows(run):
        table.add_row(
            label,
            r.status,
            f"{r.metrics.get('invariance_error', float('nan')):.2e}",
            f"{r.field_config.get('tol_invariance', float('nan')):.0e}",
        )
    out_console.print(table)
    drifts = [line.drift for line in run.lines]
    kept = sum(line.keeps_class for line in run.lines)
    if drifts:
        out_console.print(
            f"flow lines: {kept}/{len(drifts)} keep their digit, "
            f"largest logit drift {format_drift(max(drifts))}"
        )
    if run.orthogonal is not None:
        changed = "changes" if not run.orthogonal.keeps_class else "does not change"
        out_console.print(f"orthogonal direction: the class {changed}")
    for reason in run.reasons[:10]:
        out_console.print(f"[yellow]{reason}[/]", highlight=False)
    out_console.print(f"time: {run.timings['total_s']:.1f} s; saved: {out}/")
    return STATUS_EXIT[run.status]
