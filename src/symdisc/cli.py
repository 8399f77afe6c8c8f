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
from rich.markup import escape
from rich.table import Table

from symdisc.errors import InputError

EXIT_FOUND, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_NOT_FOUND, EXIT_DIVERGED = 0, 1, 2, 3, 4
STATUS_EXIT = {
    "found": EXIT_FOUND,
    "not found": EXIT_NOT_FOUND,
    "diverged": EXIT_DIVERGED,
    "none": EXIT_NOT_FOUND,
}

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
    err_console.print(
        f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True
    )
    return typer.Exit(code)


#: Library argument names that reach the command line under another flag
#: (an error about ``n_generators`` is about ``--generators`` there).
FLAGS = {
    "n_generators": "--generators",
    "learning_rate": "--learning-rate",
    "h_sparsity": "--sparsity",
}


def _in_flags(message: str) -> str:
    """``message`` with a leading library argument name shown as its flag."""
    key, sep, rest = message.partition(":")
    if sep and key in FLAGS:
        return f"{FLAGS[key]} ({key}):{rest}"
    return message


def guarded(command):
    """Turn input errors into one line and exit 2; surprises into exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from symdisc.io import WRITTEN

        WRITTEN.clear()
        try:
            return command(*args, **kwargs)
        except typer.Exit:
            raise
        except InputError as exc:
            raise fail(_in_flags(str(exc))) from None
        except NotImplementedError as exc:
            raise fail(f"not supported: {exc}") from None
        except KeyboardInterrupt:
            if WRITTEN:
                raise fail(
                    f"interrupted after {WRITTEN[-1]} was written in full", 130
                ) from None
            raise fail("interrupted; nothing was written", 130) from None
        except Exception as exc:  # report, never a bare traceback by default
            if logging.getLogger().isEnabledFor(logging.DEBUG):
                raise
            raise fail(
                f"unexpected {type(exc).__name__}: {exc} "
                "(run with SYMDISC_DEBUG=1 for the traceback)",
                EXIT_UNEXPECTED,
            ) from None

    return wrapper


def _progress(quiet: bool, description: str):
    """A rich progress bar as a ``progress(step, total, loss)`` callback.

    None when ``quiet`` or when stderr is not a terminal (a bar cannot be
    redrawn in a log file, and would leave blank lines there).
    """
    if quiet or not err_console.is_terminal:
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} steps"),
        TextColumn("loss {task.fields[loss]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
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
    out_console.print(
        "latent-space examples (run with `symdisc latent NAME`): digits-01, digits"
    )


def _print_discovery(result, out: Path) -> None:
    from symdisc.report import MISSING, NOT_MEASURED, plural

    colour = {"found": "green", "not found": "yellow"}.get(result.status, "red")
    out_console.print(
        f"[bold {colour}]{result.status}[/]: {result.oracle['name']}, "
        f"{plural(result.n_generators, 'generator')}, {result.algorithm}"
    )
    m = result.metrics
    table = Table(show_header=True, box=None)
    table.add_column("check")
    table.add_column("value", justify="right")
    table.add_column("tolerance", justify="right")
    cfg = result.config
    rows = [
        ("invariance error", m.get("invariance_error"), cfg["tol_invariance"]),
        ("closure error", m.get("closure_error"), cfg["tol_closure"]),
        (
            "orthonormality error",
            m.get("orthonormality_error"),
            cfg["tol_orthonormality"],
        ),
    ]
    if "span_distance" in result.exact:
        rows.append(
            (
                "distance from exact algebra",
                result.exact["span_distance"],
                cfg["tol_span"],
            )
        )
    missing = NOT_MEASURED if result.status == "diverged" else MISSING
    for name, value, tol in rows:
        shown = missing if value is None else f"{value:.2e}"
        table.add_row(name, shown, f"{tol:.0e}")
    if "min_angle_deg" in m and result.n_generators > 1:
        table.add_row(
            "pairwise angles (°)",
            f"{m['min_angle_deg']:.4f} … {m['max_angle_deg']:.4f}",
            "",
        )
    if "dimension" in result.exact:
        table.add_row("exact algebra dimension", str(result.exact["dimension"]), "")
    out_console.print(table)
    if result.identification:
        out_console.print(f"algebra: [bold]{result.identification.get('name')}[/]")
    for reason in result.reasons:
        out_console.print(f"[yellow]{escape(reason)}[/]", highlight=False)
    t = result.timings
    out_console.print(
        f"time: compile {t['compile_s']:.2f} s, train {t['train_s']:.2f} s, "
        f"total {t['total_s']:.2f} s"
    )
    out_console.print(
        f"saved: {out}/ (report.md, result.json, generators.npy, figures/)"
    )


DataFile = Annotated[
    Path | None,
    typer.Option(
        "--data",
        help="A table of your own (CSV/TSV, .npy, .npz, Parquet) instead of "
        "a preset; a surrogate is fitted to its labels.",
    ),
]
Features = Annotated[
    str | None,
    typer.Option(
        help="Feature columns of --data, comma-separated (default: all but labels)."
    ),
]
Labels = Annotated[
    str | None,
    typer.Option(
        help="Label columns of --data, comma-separated (default: the last column)."
    ),
]
Copies = Annotated[
    str | None,
    typer.Option(
        help="Vectors that transform alike: column groups of --data "
        '("E1,px1;E2,px2"), or a number (for --callable).'
    ),
]
CallableSpec = Annotated[
    str | None,
    typer.Option(
        "--callable",
        help="Your own function of one point, module:function or "
        "path/to/file.py:function, instead of a preset.",
    ),
]
Dimension = Annotated[
    int | None,
    typer.Option("--n", help="Dimension of each vector a --callable receives."),
]


def _data_spec(data, features, labels, copies, callable_spec, n):
    """Return the user-data source given by options, or None when there is none."""
    from symdisc.userdata import DataSpec

    if data is None and callable_spec is None:
        given = [
            f"--{name}"
            for name, value in (
                ("features", features),
                ("labels", labels),
                ("copies", copies),
                ("n", n),
            )
            if value is not None
        ]
        if given:
            raise InputError(
                f"{', '.join(given)} describe(s) user data; give the "
                "table with --data FILE or the function with --callable."
            )
        return None
    if callable_spec is not None and copies is not None:
        try:
            copies = int(copies)
        except ValueError:
            raise InputError(
                f"--copies {copies!r}: for --callable, expected the "
                "number of vectors per point (an integer)."
            ) from None
    return DataSpec(
        path=None if data is None else str(data),
        features=features,
        labels=labels,
        copies=copies,
        callable=callable_spec,
        n=n,
    )


def _experiment(target, spec, seed, quiet, *, out=None, vev=None):
    """Resolve a preset, an experiment file or a user-data source.

    A surrogate, when one is fitted, gets a progress bar; a given ``--out`` is
    checked before that fit, and ``--vev`` breaks the symmetry after it.
    """
    from symdisc.io import check_writable

    if spec is not None and out is not None:
        check_writable(out)
    experiment = _resolve_source(target, spec, seed, quiet)
    if vev is not None:
        from symdisc.presets.breaking import with_vev

        experiment = with_vev(experiment, vev)
    return experiment


def _resolve_source(target, spec, seed, quiet):
    """The experiment of a preset, file or user-data source (see ``_experiment``)."""
    from symdisc.presets import resolve
    from symdisc.userdata import data_experiment

    if (target is None) == (spec is None):
        raise InputError(
            "give a preset name or an experiment .toml file, or your "
            "own data with --data FILE (or --callable module:function)"
            + ("; not both." if target is not None else ".")
        )
    fitting = spec is not None or str(target).endswith(".toml")
    bar, update = _progress(quiet or not fitting, "fitting surrogate")
    shown = []

    def progress(step, total, loss):  # the bar appears once a fit has started
        if not shown:
            bar.start()
            shown.append(True)
        update(step, total, loss)

    progress = progress if bar is not None else None
    try:
        if spec is not None:
            experiment = data_experiment(spec, seed=seed or 0, progress=progress)
        else:
            experiment = resolve(target, progress=progress)
    finally:
        if shown:
            bar.stop()
    _print_data(experiment.data)
    return experiment


def _say(text: str) -> None:
    """Print one unwrapped line on standard output."""
    out_console.print(text, highlight=False, soft_wrap=True)


def _print_data(data) -> None:
    """Print what was read and how well the surrogate fits, before training."""
    if data is None:
        return
    if data.table is not None:
        t = data.table
        _say(
            f"data: {t['source']}: {t['rows']} rows, {t['copies']} "
            f"cop{'y' if t['copies'] == 1 else 'ies'} of n = {t['n']}, "
            f"label(s) {', '.join(t['label_names'])}"
        )
    if data.surrogate is not None:
        s = data.surrogate
        r2 = ", ".join(f"{k} {v:.4f}" for k, v in zip(s.label_names, s.r2, strict=True))
        colour = "red" if s.poor_fit else "green"
        _say(
            f"surrogate: held-out R² [{colour}]{r2}[/] ({s.n_train} "
            f"fit / {s.n_val} held-out rows, {s.fit_seconds:.1f} s)"
        )
    for note in data.notes:
        _say(f"note: {note}")
    for warning in data.warnings:
        _say(f"[bold yellow]warning:[/] {warning}")


@app.command("run")
@guarded
def run_command(
    target: Annotated[
        str | None,
        typer.Argument(
            help="Preset name or experiment .toml file (omit with --data/--callable)."
        ),
    ] = None,
    generators: Annotated[
        int | None, typer.Option("--generators", "-k", help="Number of generators k.")
    ] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
    epochs: Annotated[int | None, typer.Option(help="Adam steps at most.")] = None,
    restarts: Annotated[
        int | None,
        typer.Option(help="Random restarts trained together; the best is kept."),
    ] = None,
    learning_rate: Annotated[float | None, typer.Option(help="Adam step size.")] = None,
    closure: Annotated[
        str | None, typer.Option(help="Closure term: learned, projection or none.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Result folder (default runs/NAME).")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar.")
    ] = False,
    data: DataFile = None,
    features: Features = None,
    labels: Labels = None,
    copies: Copies = None,
    callable_spec: CallableSpec = None,
    n: Dimension = None,
    algorithm: Annotated[
        str | None,
        typer.Option(
            help="all (k generators at once), greedy (one at a time until none is "
            "left) or lbt (greedy with the Lie-bracket trick); default: the "
            "preset's."
        ),
    ] = None,
    vev: Annotated[
        str | None,
        typer.Option(help="Break the symmetry by V = diag(VEV), e.g. 2,2,2,-3,-3."),
    ] = None,
    model: Annotated[
        str, typer.Option(help="linear (matrices G) or mlp (nonlinear vector fields).")
    ] = "linear",
    hidden: Annotated[
        str | None,
        typer.Option(
            help="Hidden layers of the mlp fields, DEPTHxWIDTH (0 = linear); "
            "default 3x64."
        ),
    ] = None,
    sparsify: Annotated[
        bool,
        typer.Option(
            "--sparsify",
            help="Rotate the found basis to its sparsest (canonical) "
            "form before writing; checks are recomputed.",
        ),
    ] = False,
    sparsity: Annotated[
        float | None,
        typer.Option(help="Weight h_sparsity of the sparsity loss during training."),
    ] = None,
) -> None:
    """Learn the symmetry generators of a preset, experiment file or your data."""
    from symdisc.io import check_writable
    from symdisc.report import write_discovery
    from symdisc.training.allatonce import discover, validate
    from symdisc.userdata import with_data_record

    spec = _data_spec(data, features, labels, copies, callable_spec, n)
    experiment = _experiment(target, spec, seed, quiet, out=out, vev=vev)
    if model not in ("linear", "mlp"):
        raise fail(f"--model: expected linear or mlp, got {model!r}.")
    if hidden is not None and model != "mlp":
        raise fail(
            f"--hidden {hidden}: shapes the mlp fields only; add --model mlp "
            "or drop --hidden."
        )
    base = experiment.training
    if model == "mlp":
        from symdisc.training.fields import FIELD_TRAINING

        base = base.replace(**FIELD_TRAINING)
    config = base.replace(
        n_generators=generators,
        seed=seed,
        epochs=epochs,
        restarts=restarts,
        learning_rate=learning_rate,
        closure=closure,
        h_sparsity=sparsity,
    )
    if model == "mlp":
        from symdisc.cli_fields import run_fields

        raise typer.Exit(run_fields(experiment, config, hidden or "3x64", out, quiet))
    validate(experiment.oracle, config)
    from symdisc.training.algorithms import algorithm_runner

    chosen, discover = algorithm_runner(algorithm or experiment.algorithm, discover)
    name = experiment.name
    if chosen == "all" and config.n_generators != experiment.training.n_generators:
        name += f"-k{config.n_generators}"
    out = check_writable(out if out is not None else _default_out(name))
    label = f"k={config.n_generators}" if chosen == "all" else chosen
    bar, update = _progress(quiet, f"{experiment.name} {label}")
    if bar is not None:
        with bar:
            result = discover(experiment.oracle, config=config, progress=update)
    else:
        result = discover(experiment.oracle, config=config)
    if sparsify:
        from symdisc.training.sparsify import sparsify_result

        result = sparsify_result(result, experiment.oracle)
    result = with_data_record(result, experiment.data)
    write_discovery(result, out, experiment.oracle)
    _print_discovery(result, out)
    if experiment.data is not None:
        for warning in experiment.data.warnings:
            _say(f"[bold yellow]warning:[/] {warning}")
    raise typer.Exit(STATUS_EXIT[result.status])


@app.command("solve")
@guarded
def solve_command(
    target: Annotated[
        str | None,
        typer.Argument(
            help="Preset name or experiment .toml file (omit with --data/--callable)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the sample points.")] = 0,
    points: Annotated[
        int | None,
        typer.Option(help="Sample points (default: 1.5 constraint rows per unknown)."),
    ] = None,
    rtol: Annotated[
        float | None,
        typer.Option(
            help="Relative singular value above which nothing counts as zero "
            "(default 1e-8; 0.1 for a surrogate fitted to data)."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Result folder (default runs/NAME-exact).")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar.")
    ] = False,
    data: DataFile = None,
    features: Features = None,
    labels: Labels = None,
    copies: Copies = None,
    callable_spec: CallableSpec = None,
    n: Dimension = None,
    vev: Annotated[
        str | None,
        typer.Option(help="Break the symmetry by V = diag(VEV), e.g. 2,2,2,-3,-3."),
    ] = None,
) -> None:
    """The exact linear symmetry algebra (null space of the constraints)."""
    from symdisc.exact import solve
    from symdisc.io import check_writable
    from symdisc.report import write_exact

    spec = _data_spec(data, features, labels, copies, callable_spec, n)
    experiment = _experiment(target, spec, seed, quiet, out=out, vev=vev)
    out = check_writable(
        out if out is not None else _default_out(f"{experiment.name}-exact")
    )
    config = experiment.training
    algebra = solve(
        experiment.oracle,
        n_points=points,
        seed=seed,
        rtol=config.exact_rtol if rtol is None else rtol,
        min_gap=config.exact_min_gap,
    )
    extra = None
    if experiment.data is not None:
        extra = {"data": experiment.data.summary()}
    write_exact(algebra, out, extra=extra)
    colour = "green" if algebra.dimension else "yellow"
    out_console.print(f"[bold {colour}]{algebra.summary()}[/]")
    d = algebra.decision
    gap = (
        f"singular-value gap ratio {d.gap:.3g}"
        if d.gap == d.gap
        else "no singular value near zero"
    )
    out_console.print(
        f"{gap} "
        f"({'decisive' if d.decisive else 'not decisive'}); closure error "
        f"{algebra.closure_error:.2e}; {algebra.timings['total_s']:.3f} s"
    )
    ident = getattr(algebra, "identification", None)
    if ident:
        out_console.print(f"algebra: [bold]{ident.get('name')}[/]")
    out_console.print(f"saved: {out}/")
    raise typer.Exit(STATUS_EXIT[algebra.status])


@app.command("identify")
@guarded
def identify_command(
    path: Annotated[
        Path,
        typer.Argument(
            help="Generators or structure constants: .npy, .npz, .json or "
            "a result folder."
        ),
    ],
    kind: Annotated[
        str, typer.Option(help="auto, generators or structure_constants.")
    ] = "auto",
    hermitian: Annotated[
        bool,
        typer.Option(help="Generators are Hermitian J acting as x -> (I + i eps J) x."),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole record.")
    ] = False,
) -> None:
    """Name the Lie algebra spanned by generator matrices (or given by constants)."""
    import json

    import numpy as np

    from symdisc.algebra.identify import identify
    from symdisc.io import to_jsonable
    from symdisc.loading import load_generators

    if path.name == "result.json":  # a result folder's own record: read the folder
        path = path.parent
    array, found = load_generators(path, kind=kind)
    if found == "structure_constants":
        ident = identify(structure_constants=array)
    else:
        ident = identify(array, hermitian=hermitian)
        looks_hermitian = np.iscomplexobj(array) and np.allclose(
            array, np.conj(np.swapaxes(array, -1, -2)), atol=1e-8
        )
        if not ident.is_lie_algebra and not hermitian and looks_hermitian:
            ident = identify(array, hermitian=True)
            out_console.print(
                "the matrices are Hermitian and their real span does "
                "not close; read as Hermitian J acting as iJ "
                "(--hermitian)",
                highlight=False,
            )
    if as_json:
        out_console.print_json(json.dumps(to_jsonable(ident.to_dict())))
    else:
        colour = "green" if ident.is_lie_algebra else "yellow"
        out_console.print(
            f"[bold {colour}]{escape(ident.summary())}[/]", highlight=False
        )
        for note in getattr(ident, "notes", []) or []:
            out_console.print(f"note: {note}", highlight=False)
    raise typer.Exit(EXIT_FOUND if ident.is_lie_algebra else EXIT_NOT_FOUND)


EXAMPLE_DATA = ("dimuon",)


@app.command("example-data")
@guarded
def example_data_command(
    name: Annotated[str, typer.Argument(help="Which example: dimuon.")],
    out: Annotated[
        Path | None, typer.Option(help="CSV file to write (default NAME.csv).")
    ] = None,
    events: Annotated[int, typer.Option(help="Number of rows (events).")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Write an example table as CSV, to try `symdisc run --data` on."""
    from symdisc.io import write_atomic
    from symdisc.oracles.events import EVENT_COLUMNS, write_events_csv

    if name not in EXAMPLE_DATA:
        raise InputError(
            f"unknown example data {name!r}; known: {', '.join(EXAMPLE_DATA)}."
        )
    if isinstance(events, bool) or events < 1:
        raise InputError(f"--events {events}: expected a positive number of rows.")
    out = Path(out if out is not None else f"{name}.csv")
    if out.is_dir():
        raise InputError(
            f"--out {out}: is a folder; give a file name such as "
            f"{out / (name + '.csv')}."
        )
    try:
        write_atomic(out, lambda tmp: write_events_csv(tmp, events, seed=seed))
    except OSError as exc:
        raise InputError(
            f"--out {out}: cannot write there ({exc.strerror}). "
            "Choose a file in a folder you can write to."
        ) from None
    features = ",".join(EVENT_COLUMNS[:8])
    groups = ",".join(EVENT_COLUMNS[:4]) + ";" + ",".join(EVENT_COLUMNS[4:8])
    _say(
        f"wrote {events} events to {out} (columns "
        f"{','.join(EVENT_COLUMNS)}; m2 = (p1 + p2)²)"
    )
    _say(
        f"try: symdisc run --data {out} --features {features} "
        f'--labels m2 --copies "{groups}" -k 6'
    )


from symdisc.cli_subalgebras import register as _register_subalgebras  # noqa: E402

_register_subalgebras(app, guarded, out_console, err_console)


@app.command("plot")
@guarded
def plot_command(
    folder: Annotated[
        Path,
        typer.Argument(help="A result folder of `symdisc run`, `solve`, `scan`, …"),
    ],
) -> None:
    """Redraw the figures of a result folder (run, solve, scan or subalgebras)."""
    from symdisc.report import plural
    from symdisc.report_fields import replot

    names = replot(folder)
    _say(
        f"redrew {plural(len(names), 'figure')} in {folder}/figures: "
        + ", ".join(names)
    )


@app.command("latent")
@guarded
def latent_command(
    name: Annotated[str, typer.Argument(help="digits-01 or digits.")],
    mnist: Annotated[
        Path | None,
        typer.Option(
            help="MNIST IDX files: their folder, or one of them (its partner is "
            "taken from beside it); scikit-learn digits otherwise."
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    epochs: Annotated[
        int | None, typer.Option(help="Adam steps of the field training.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Result folder (default runs/latent-NAME).")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar.")
    ] = False,
    tangent: Annotated[
        bool,
        typer.Option(
            "--tangent/--penalty",
            help="Project the fields onto the logits' level sets, or learn the "
            "invariance as a penalty alone.",
        ),
    ] = True,
) -> None:
    """Symmetries of a digit classifier in a learned latent space, end to end."""
    from symdisc.cli_fields import run_latent_command

    raise typer.Exit(run_latent_command(name, mnist, seed, epochs, out, quiet, tangent))


def main() -> None:
    """Entry point of the ``symdisc`` script."""
    import os

    level = logging.DEBUG if os.environ.get("SYMDISC_DEBUG") else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s: %(message)s")
    # Its one warning (a callable fitted by a surrogate) is part of the data
    # record, which the commands print themselves.
    logging.getLogger("symdisc.oracles.user").setLevel(max(level, logging.ERROR))
    try:
        app(standalone_mode=True)
    except SystemExit as exc:
        sys.exit(exc.code)


if __name__ == "__main__":
    main()
