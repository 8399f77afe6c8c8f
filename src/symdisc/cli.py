"""The ``symdisc`` command line.

Exit codes: 0 found, 3 not found (a valid result, saved), 4 diverged (saved,
never reported as success), 2 usage or input error (nothing written), 1
anything unexpected.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from symdisc.errors import InputError

EXIT_FOUND, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_DIVERGED = 0, 1, 2, 3, 4
STATUS_EXIT = {"found": EXIT_FOUND, "not found": EXIT_NOT_FOUND,
               "diverged": EXIT_DIVERGED, "none": EXIT_NOT_FOUND}

app = typer.Typer(
    name="symdisc",
    help="Discover the continuous symmetries of an oracle: learn generators, "
         "check closure, name the algebra, draw it, write a report.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
out_console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print one clear line on stderr and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def guarded(command):
    """Turn input errors into one line and exit 2; surprises into exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except typer.Exit:
            raise
        except InputError as exc:
            raise fail(str(exc)) from None
        except NotImplementedError as exc:
            raise fail(f"not supported: {exc}") from None
        except KeyboardInterrupt:
            raise fail("interrupted; nothing was written", 130) from None
        except Exception as exc:  # report, never a bare traceback by default
            if logging.getLogger().isEnabledFor(logging.DEBUG):
                raise
            raise fail(f"unexpected {type(exc).__name__}: {exc} "
                       "(run with SYMDISC_DEBUG=1 for the traceback)",
                       EXIT_UNEXPECTED) from None

    return wrapper


def _progress(quiet: bool, description: str):
    """A rich progress bar as a ``progress(step, total, loss)`` callback."""
    if quiet:
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                   TextColumn("{task.completed}/{task.total} steps"),
                   TextColumn("loss {task.fields[loss]}"), TimeElapsedColumn(),
                   console=err_console, transient=True)
    task = bar.add_task(description, total=1, loss="…")

    def update(step, total, loss):
        bar.update(task, completed=step, total=total, loss=f"{loss:.3e}")

    return bar, update


def _default_out(name: str) -> Path:
    return Path("runs") / name


@app.command("presets")
@guarded
def presets_command() -> None:
    """List the named examples."""
    from symdisc.presets import PRESETS

    table = Table(title="symdisc presets")
    for col in ("name", "oracle", "expected"):
        table.add_column(col)
    for p in PRESETS.values():
        table.add_row(p.name, p.description, p.expected)
    out_console.print(table)


def _print_discovery(result, out: Path) -> None:
    colour = {"found": "green", "not found": "yellow"}.get(result.status, "red")
    out_console.print(f"[bold {colour}]{result.status}[/]: {result.oracle['name']}, "
                      f"{result.n_generators} generator(s), {result.algorithm}")
    m = result.metrics
    table = Table(show_header=True, box=None)
    table.add_column("check")
    table.add_column("value", justify="right")
    table.add_column("tolerance", justify="right")
    cfg = result.config
    rows = [("invariance error", m.get("invariance_error"), cfg["tol_invariance"]),
            ("closure error", m.get("closure_error"), cfg["tol_closure"]),
            ("orthonormality error", m.get("orthonormality_error"),
             cfg["tol_orthonormality"])]
    if "span_distance" in result.exact:
        rows.append(("distance from exact algebra", result.exact["span_distance"],
                     cfg["tol_span"]))
    for name, value, tol in rows:
        if value is not None:
            table.add_row(name, f"{value:.2e}", f"{tol:.0e}")
    if "min_angle_deg" in m and result.n_generators > 1:
        table.add_row("pairwise angles (°)",
                      f"{m['min_angle_deg']:.4f} … {m['max_angle_deg']:.4f}", "")
    if "dimension" in result.exact:
        table.add_row("exact algebra dimension", str(result.exact["dimension"]), "")
    out_console.print(table)
    if result.identification:
        out_console.print(f"algebra: [bold]{result.identification.get('name')}[/]")
    for reason in result.reasons:
        out_console.print(f"[yellow]{reason}[/]", highlight=False)
    t = result.timings
    out_console.print(f"time: compile {t['compile_s']:.2f} s, train {t['train_s']:.2f} s, "
                      f"total {t['total_s']:.2f} s")
    out_console.print(f"saved: {out}/ (report.md, result.json, generators.npy, figures/)")


@app.command("run")
@guarded
def run_command(
    target: Annotated[str, typer.Argument(help="Preset name or experiment .toml file.")],
    generators: Annotated[int | None, typer.Option(
        "--generators", "-k", help="Number of generators k.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    epochs: Annotated[int | None, typer.Option(help="Adam steps at most.")] = None,
    restarts: Annotated[int | None, typer.Option(
        help="Random restarts trained together; the best is kept.")] = None,
    learning_rate: Annotated[float | None, typer.Option(help="Adam step size.")] = None,
    closure: Annotated[str | None, typer.Option(
        help="Closure term: learned, projection or none.")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Result folder (default runs/NAME).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    sparsify: Annotated[bool, typer.Option(
        "--sparsify", help="Rotate the found basis to its sparsest (canonical) "
        "form before writing; checks are recomputed.")] = False,
    sparsity: Annotated[float | None, typer.Option(
        help="Weight h_sparsity of the sparsity loss during training.")] = None,
) -> None:
    """Learn the symmetry generators of a preset or experiment file."""
    from symdisc.io import check_writable
    from symdisc.presets import resolve
    from symdisc.report import write_discovery
    from symdisc.training.allatonce import discover, validate

    experiment = resolve(target)
    config = experiment.training.replace(
        n_generators=generators, seed=seed, epochs=epochs, restarts=restarts,
        learning_rate=learning_rate, closure=closure, h_sparsity=sparsity)
    validate(experiment.oracle, config)
    name = experiment.name
    if config.n_generators != experiment.training.n_generators:
        name += f"-k{config.n_generators}"
    out = check_writable(out if out is not None else _default_out(name))
    bar, update = _progress(quiet, f"{experiment.name} k={config.n_generators}")
    if bar is not None:
        with bar:
            result = discover(experiment.oracle, config=config, progress=update)
    else:
        result = discover(experiment.oracle, config=config)
    if sparsify:
        from symdisc.training.sparsify import sparsify_result

        result = sparsify_result(result, experiment.oracle)
    write_discovery(result, out, experiment.oracle)
    _print_discovery(result, out)
    raise typer.Exit(STATUS_EXIT[result.status])


@app.command("solve")
@guarded
def solve_command(
    target: Annotated[str, typer.Argument(help="Preset name or experiment .toml file.")],
    seed: Annotated[int, typer.Option(help="Seed of the sample points.")] = 0,
    points: Annotated[int | None, typer.Option(
        help="Sample points (default: 1.5 constraint rows per unknown).")] = None,
    rtol: Annotated[float, typer.Option(
        help="Relative singular value above which nothing counts as zero.")] = 1e-8,
    out: Annotated[Path | None, typer.Option(
        help="Result folder (default runs/NAME-exact).")] = None,
) -> None:
    """The exact linear symmetry algebra (null space of the constraints)."""
    from symdisc.exact import solve
    from symdisc.io import check_writable
    from symdisc.presets import resolve
    from symdisc.report import write_exact

    experiment = resolve(target)
    out = check_writable(out if out is not None else
                         _default_out(f"{experiment.name}-exact"))
    algebra = solve(experiment.oracle, n_points=points, seed=seed, rtol=rtol)
    write_exact(algebra, out)
    colour = "green" if algebra.dimension else "yellow"
    out_console.print(f"[bold {colour}]{algebra.summary()}[/]")
    d = algebra.decision
    out_console.print(f"singular-value gap ratio {d.gap:.3g} "
                      f"({'decisive' if d.decisive else 'not decisive'}); closure error "
                      f"{algebra.closure_error:.2e}; {algebra.timings['total_s']:.3f} s")
    ident = getattr(algebra, "identification", None)
    if ident:
        out_console.print(f"algebra: [bold]{ident.get('name')}[/]")
    for w in algebra.warnings:
        out_console.print(f"[yellow]warning: {w}[/]", highlight=False)
    out_console.print(f"saved: {out}/")
    raise typer.Exit(STATUS_EXIT[algebra.status])


def main() -> None:
    """Entry point of the ``symdisc`` script."""
    import os

    level = logging.DEBUG if os.environ.get("SYMDISC_DEBUG") else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    try:
        app(standalone_mode=True)
    except SystemExit as exc:
        sys.exit(exc.code)


if __name__ == "__main__":
    main()
