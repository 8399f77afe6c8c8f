"""Command-line commands ``scan`` and ``subalgebras`` (registered on the main app)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def _bar(console, quiet: bool, description: str):
    """Return a rich progress bar over trainings and its ``progress(done, total)``.

    None when ``quiet`` or when ``console`` is not a terminal.
    """
    if quiet or not console.is_terminal:
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} groups of trainings"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task(description, total=1)

    def update(done, total):
        bar.update(task, completed=done, total=total)

    return bar, update


def _run(bar, function, **kwargs):
    if bar is None:
        return function(**kwargs)
    with bar:
        return function(**kwargs)


def register(app: typer.Typer, guarded, out_console, err_console) -> None:
    """Add ``scan`` and ``subalgebras`` to ``app``."""

    @app.command("scan")
    @guarded
    def scan_command(
        name: Annotated[
            str,
            typer.Argument(
                help="Family so, u, su, metric:P (signature (P, n−P)) or a preset."
            ),
        ],
        dims: Annotated[
            str | None, typer.Option(help="Range of n, e.g. 2..5 (families only).")
        ] = None,
        generators: Annotated[
            str | None,
            typer.Option("--generators", "-k", help="Range of k (default 1..dim)."),
        ] = None,
        seeds: Annotated[int, typer.Option(help="Seeds per (n, k).")] = 2,
        workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
        scheduler: Annotated[
            str | None,
            typer.Option(
                help="Dask scheduler address (tcp://host:8786); overrides --workers."
            ),
        ] = None,
        epochs: Annotated[int | None, typer.Option(help="Adam steps per run.")] = None,
        out: Annotated[
            Path | None, typer.Option(help="Result folder (default runs/scan-NAME).")
        ] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    ) -> None:
        """Train every (n, k) with several seeds; heat map and table of success."""
        from symdisc.io import check_writable
        from symdisc.scan import scan
        from symdisc.subalgebra_report import write_scan

        out = check_writable(out or Path("runs") / f"scan-{name.replace(':', '')}")
        training = {"epochs": epochs} if epochs else None
        bar, update = _bar(err_console, quiet, f"scan {name}")
        result = _run(
            bar,
            scan,
            name=name,
            dims=dims,
            generators=generators,
            seeds=seeds,
            workers=workers,
            scheduler=scheduler,
            training=training,
            progress=update,
        )
        write_scan(result, out)
        for n, ks in result.found_sizes().items():
            out_console.print(
                f"n = {n}: closed subalgebras at k = "
                f"{', '.join(map(str, ks)) or 'none'}"
            )
        t = result.timings
        out_console.print(
            f"{t['n_tasks']} trainings in {t['wall_s']:.1f} s "
            f"({t['backend']}, {t['workers']} worker(s))"
        )
        out_console.print(f"saved: {out}/ (scan.csv, scan.json, figures/)")

    @app.command("subalgebras")
    @guarded
    def subalgebras_command(
        name: Annotated[str, typer.Argument(help="Preset or family (with --dim).")],
        dim: Annotated[int | None, typer.Option(help="n for a family.")] = None,
        generators: Annotated[
            str | None,
            typer.Option(
                "--generators",
                "-k",
                help="Range of k (or of N_h with --decompositions); default 1..dim.",
            ),
        ] = None,
        seeds: Annotated[
            int | None,
            typer.Option(
                help="Seeds per k (default 10), or per block pattern with "
                "--decompositions (default 1)."
            ),
        ] = None,
        decompositions: Annotated[
            bool, typer.Option(help="Table of direct sums h_1 ⊕ … ⊕ h_r by (N_h, r).")
        ] = False,
        factors: Annotated[int, typer.Option(help="Largest number r of factors.")] = 4,
        factor_sizes: Annotated[
            str,
            typer.Option(
                help="Block sizes tried: simple (1 and compact simple dimensions) "
                "or all."
            ),
        ] = "simple",
        one_block: Annotated[
            bool,
            typer.Option(
                help="With --decompositions: first train one closed block per "
                "N_h and fill the cell of the algebra it reaches."
            ),
        ] = True,
        prune: Annotated[
            bool,
            typer.Option(
                help="With --decompositions: skip block sizes that rank or "
                "representation dimension rule out (compact algebras)."
            ),
        ] = True,
        workers: Annotated[int, typer.Option(help="Local worker processes.")] = 1,
        scheduler: Annotated[
            str | None,
            typer.Option(help="Dask scheduler address; overrides --workers."),
        ] = None,
        epochs: Annotated[int | None, typer.Option(help="Adam steps per run.")] = None,
        out: Annotated[Path | None, typer.Option(help="Result folder.")] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
    ) -> None:
        """Distinct subalgebras reached for each k, or the decomposition table."""
        from symdisc.io import check_writable

        training = {"epochs": epochs} if epochs else None
        suffix = "-decompositions" if decompositions else "-subalgebras"
        out = check_writable(out or Path("runs") / f"{name.replace(':', '')}{suffix}")
        bar, update = _bar(err_console, quiet, f"subalgebras {name}")
        if decompositions:
            from symdisc.subalgebra_report import write_decompositions
            from symdisc.subalgebras import decomposition_table

            table = _run(
                bar,
                decomposition_table,
                name=name,
                totals=generators,
                max_factors=factors,
                seeds=seeds or 1,
                factor_sizes=factor_sizes,
                dims=dim,
                workers=workers,
                scheduler=scheduler,
                training=training,
                one_block=one_block,
                prune=prune,
                progress=update,
            )
            write_decompositions(table, out)
            for total, rs in table.found_cells().items():
                names = [
                    ("→ " if c.source == "one block" else "") + " ⊕ ".join(c.factors)
                    for c in table.cells
                    if c.total == total and c.found
                ]
                out_console.print(
                    f"N_h = {total:2d}: r = {', '.join(map(str, rs)) or '-'}"
                    f"{':' if names else ''} {'; '.join(names)}"
                )
            if table.published:
                from symdisc.published_tables import compare

                rows = compare(table, table.published)
                agree = sum(r["agrees"] for r in rows)
                published = sum(bool(r["published"]) for r in rows)
                extra = [r for r in rows if r["found"] and not r["published"]]
                out_console.print(
                    f"published table: {agree} of {published} algebras reached"
                    + "".join(
                        f"; also N_h = {r['total']}: {' ⊕ '.join(r['found'])}"
                        for r in extra
                    )
                    + " (see report.md)"
                )
            out_console.print(
                f"{table.timings['n_tasks']} trainings in "
                f"{table.timings['wall_s']:.1f} s; saved: {out}/"
            )
            return
        from symdisc.scan import class_text, scan
        from symdisc.subalgebra_report import write_classes

        dims = f"{dim}..{dim}" if dim else None
        result = _run(
            bar,
            scan,
            name=name,
            dims=dims,
            generators=generators,
            seeds=seeds or 10,
            workers=workers,
            scheduler=scheduler,
            training=training,
            progress=update,
        )
        write_classes(result, out)
        from symdisc.published_tables import PUBLISHED_CLASSES

        published = PUBLISHED_CLASSES.get(name, {})
        for cell in result.cells:
            text = "; ".join(class_text(c, seeds=False) for c in cell.classes)
            text = text or "none"
            known = f" (published: {published[cell.k]})" if cell.k in published else ""
            out_console.print(
                f"k = {cell.k:2d}: {len(cell.classes)} class(es){known}: {text}"
            )
        out_console.print(f"saved: {out}/")
