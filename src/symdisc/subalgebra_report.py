"""Result folders of scans and decomposition tables: CSV, JSON, figures, report."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from symdisc.errors import InputError
from symdisc.io import RESULT_MARKERS, result_folder
from symdisc.report import header
from symdisc.scan import class_text


def _runs_without_arrays(runs: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "generators"} for r in runs]


def _csv(rows: list[dict], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def _class_text(classes: list[dict]) -> str:
    return "; ".join(class_text(c) for c in classes)


def scan_figures(cells, title: str) -> dict:
    """The figures of a scan (or of its classes per ``k``), by file name."""
    from symdisc.subalgebra_plots import scan_heatmap

    return {"scan_heatmap.png": scan_heatmap(cells, title)}


def decomposition_figures(
    cells, name: str, one_block: dict, comparison: list | None
) -> dict:
    """The figures of a decomposition table, by file name."""
    from symdisc.subalgebra_plots import decomposition_grid

    grid = decomposition_grid(
        cells, f"Decompositions: {name}", one_block=one_block, comparison=comparison
    )
    return {"decompositions.png": grid}


def _loss(value) -> float:
    """A loss read back from JSON (where NaN was written as null)."""
    return float("nan") if value is None else float(value)


def saved_figures(folder: str | Path) -> dict:
    """Redraw the figures of a scan, subalgebras or decompositions folder.

    Everything comes from the folder's own record: ``scan.json``,
    ``subalgebras.json`` or ``decompositions.json``.
    """
    from symdisc.scan import ScanCell
    from symdisc.subalgebras import DecompositionCell

    folder = Path(folder)
    names = RESULT_MARKERS[1:]  # all but result.json
    name = next((n for n in names if (folder / n).is_file()), None)
    if name is None:
        raise InputError(f"{folder}: none of {', '.join(names)}; not a scan folder.")
    record = json.loads((folder / name).read_text(encoding="utf-8"))
    if name == "decompositions.json":
        cells = [
            DecompositionCell(**{**c, "best_loss": _loss(c["best_loss"])})
            for c in record["cells"]
        ]
        one_block = {int(k): v for k, v in record.get("one_block", {}).items()}
        return decomposition_figures(
            cells, record["name"], one_block, record.get("comparison")
        )
    cells = [
        ScanCell(
            n=c["n"],
            k=c["k"],
            n_seeds=c["n_seeds"],
            n_found=c["n_found"],
            found=c["found"],
            best_loss=_loss(c["best_final_loss"]),
            classes=c.get("classes", []),
        )
        for c in record["cells"]
    ]
    kind = "Subalgebra scan" if name == "scan.json" else "Subalgebras"
    return scan_figures(cells, f"{kind}: {record['name']}")


def write_scan(result, out: str | Path) -> Path:
    """Write ``scan.csv``/``.json``, ``runs.json``, the heat map and ``report.md``."""
    figures = scan_figures(result.cells, f"Subalgebra scan: {result.name}")
    rows = result.table()
    flat = [{**r, "classes": _class_text(r["classes"])} for r in rows]
    columns = [
        "n",
        "k",
        "n_seeds",
        "n_found",
        "found",
        "best_final_loss",
        "log10_best_loss",
        "classes",
    ]
    with result_folder(out) as w:
        w.text("scan.csv", _csv(flat, columns))
        w.json(
            "scan.json",
            {
                **header("scan"),
                "name": result.name,
                "training": result.training,
                "timings": result.timings,
                "found": result.found_sizes(),
                "cells": rows,
            },
        )
        w.json("runs.json", _runs_without_arrays(result.runs))
        for name, fig in figures.items():
            w.figure(f"figures/{name}", fig)
        w.text("report.md", scan_markdown(result))
    return Path(out)


def scan_markdown(result) -> str:
    """Render the scan as a Markdown table."""
    lines = [
        f"# Subalgebra scan: {result.name}",
        "",
        f"{result.timings['n_tasks']} trainings in {result.timings['wall_s']:.1f} s "
        f"({result.timings['backend']}, {result.timings['workers']} worker(s)).",
        "A cell is found when at least one seed passes every check on fresh points.",
        "",
        "![heat map](figures/scan_heatmap.png)",
        "",
        "| n | k | found | seeds found | log10 best loss | classes |",
        "|---|---|---|---|---|---|",
    ]
    for c in result.cells:
        lines.append(
            f"| {c.n} | {c.k} | {'yes' if c.found else 'no'} | "
            f"{c.n_found}/{c.n_seeds} | {c.log_loss:.1f} | "
            f"{_class_text(c.classes)} |"
        )
    return "\n".join(lines) + "\n"


def _cell_text(cell) -> str:
    """``su(2) ⊕ u(1)``, ``→ …`` (one block reached it), ``—``, ``·`` or empty."""
    if cell.found:
        text = " ⊕ ".join(cell.factors)
        return f"→ {text}" if cell.source == "one block" else text
    if not cell.patterns:
        return ""
    return "—" if cell.impossible else "·"


def _agreement(row: dict) -> str:
    if not row["published"]:
        return "not published"
    return "yes" if row["agrees"] else "no"


def write_decompositions(table, out: str | Path) -> Path:
    """Write ``decompositions.csv``/``.json``, ``runs.json``, grid, ``report.md``."""
    from symdisc.published_tables import compare

    rows = [c.to_dict() for c in table.cells]
    flat = [
        {
            **r,
            "patterns": " ".join("+".join(map(str, p)) for p in r["patterns"]),
            "pattern": "+".join(map(str, r["pattern"])) if r["pattern"] else "",
            "factors": " ⊕ ".join(r["factors"]),
            "ruled_out": "; ".join(
                f"{'+'.join(map(str, o['pattern']))}: {o['reason']}"
                for o in r["ruled_out"]
            ),
        }
        for r in rows
    ]
    columns = [
        "total",
        "n_factors",
        "found",
        "source",
        "pattern",
        "factors",
        "best_loss",
        "patterns",
        "ruled_out",
    ]
    comparison = compare(table, table.published) if table.published else None
    figures = decomposition_figures(
        table.cells, table.name, table.one_block, comparison
    )
    with result_folder(out) as w:
        w.text("decompositions.csv", _csv(flat, columns))
        w.json(
            "decompositions.json",
            {
                **header("decompositions"),
                "name": table.name,
                "ambient": table.ambient,
                "training": table.training,
                "timings": table.timings,
                "found": table.found_cells(),
                "one_block": {str(k): v for k, v in table.one_block.items()},
                "cells": rows,
                "published": table.published,
                "comparison": comparison,
            },
        )
        w.json("runs.json", _runs_without_arrays(table.runs))
        for name, fig in figures.items():
            w.figure(f"figures/{name}", fig)
        w.text("report.md", decomposition_markdown(table, comparison))
    return Path(out)


def decomposition_markdown(table, comparison: list | None = None) -> str:
    """Render the decomposition table: rows ``N_h``, columns ``r``."""
    from symdisc.published_tables import PUBLISHED
    from symdisc.subalgebra_plots import short_sum

    rs = sorted({c.n_factors for c in table.cells})
    t = table.timings
    lines = [
        f"# Direct-sum decompositions: {table.name}",
        "",
        f"Whole algebra: {table.ambient['name']} (dimension "
        f"{table.ambient['dimension']}, rank {table.ambient['rank']}). "
        f"{t['n_tasks']} trainings in {t['wall_s']:.1f} s "
        f"({t['backend']}, {t['workers']} worker(s)).",
        "",
        "![grid](figures/decompositions.png)",
        "",
        "r counts indecomposable factors (each u(1), each simple ideal). "
        "One block: the algebra that N_h generators closed as one block, "
        "with no structure imposed, reached. "
        "`→ …`: the cell holds that one-block algebra (no block training "
        "needed); `·`: block sizes trained, not reached; `—`: every block-size "
        "pattern is ruled out by mathematics (below); empty: no block sizes "
        "of indecomposable factors add up to N_h with r factors.",
        "",
        "| N_h | one block | " + " | ".join(f"r = {r}" for r in rs) + " |",
        "|---|---|" + "---|" * len(rs),
    ]
    by = {(c.total, c.n_factors): c for c in table.cells}
    for total in sorted({c.total for c in table.cells}):
        one = table.one_block.get(total)
        one_text = ""
        if one:
            one_text = short_sum(one["factors"]) if one["name"] else "not reached"
        cols = [_cell_text(by[(total, r)]) for r in rs]
        lines.append(f"| {total} | {one_text} | " + " | ".join(cols) + " |")
    out = [(c.total, c.n_factors, o) for c in table.cells for o in c.ruled_out]
    if out:
        lines += ["", "## Block sizes ruled out without training", ""]
        lines += [
            f"- N_h = {total}, r = {r}, blocks {'+'.join(map(str, o['pattern']))}: "
            f"{o['reason']}"
            for total, r, o in out
        ]
    if comparison is not None:
        _entries, _notes, empty = PUBLISHED[table.published]
        agree = sum(row["agrees"] for row in comparison)
        published = sum(bool(row["published"]) for row in comparison)
        lines += [
            "",
            "## Comparison with the published table",
            "",
            f"{agree} of the {published} algebras of the published table are "
            "reached here, each in its cell (N_h, r = number of indecomposable "
            "factors). The published column counts blocks (u(1)^k or u(n) "
            "count once; an arrow: fewer blocks reached the algebra it points "
            "to), so one algebra can fill several published columns.",
            "",
            "| N_h | r | algebra | published (column) | here | agrees | note |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in comparison:
            here = "not reached"
            if row["found"]:
                here = " ⊕ ".join(row["found"])
                if row["source"] == "one block":
                    here = "→ " + here
            lines.append(
                f"| {row['total']} | {row['n_factors']} | "
                f"{' ⊕ '.join(row['algebra'])} | "
                f"{'; '.join(row['published']) or '(none)'} | {here} | "
                f"{_agreement(row)} | {row['note']} |"
            )
        lines += ["", f"Empty rows: {empty}."]
    return "\n".join(lines) + "\n"


def classes_rows(result) -> list[dict]:
    """One row per ``(k, class)`` of a scan at a single dimension."""
    rows = []
    for c in result.cells:
        for cls in c.classes:
            rows.append({"k": c.k, **cls, "n_seeds": c.n_seeds})
        if not c.classes:
            rows.append({"k": c.k, "name": "", "n_seeds": c.n_seeds})
    return rows


def write_classes(result, out: str | Path) -> Path:
    """Scan folder plus ``subalgebras.csv``/``.json`` (classes per ``k``)."""
    from symdisc.published_tables import CLASS_NOTES, PUBLISHED_CLASSES

    figures = scan_figures(result.cells, f"Subalgebras: {result.name}")
    published = PUBLISHED_CLASSES.get(result.name, {})
    rows = classes_rows(result)
    flat = [
        {
            **r,
            "killing_signature": " ".join(map(str, r.get("killing_signature", []))),
            "seeds": " ".join(map(str, r.get("seeds", []))),
        }
        for r in rows
    ]
    columns = [
        "k",
        "name",
        "derived_dimension",
        "killing_signature",
        "kind",
        "seeds",
        "n_seeds",
    ]
    with result_folder(out) as w:
        w.text("subalgebras.csv", _csv(flat, columns))
        w.json(
            "subalgebras.json",
            {
                **header("subalgebras"),
                "name": result.name,
                "training": result.training,
                "timings": result.timings,
                "classes": {str(c.k): c.classes for c in result.cells},
                "published_counts": {str(k): v for k, v in published.items()},
                "cells": result.table(),
            },
        )
        w.json("runs.json", _runs_without_arrays(result.runs))
        for run in result.runs:
            if run["status"] == "found":
                w.npy(
                    f"generators/k{run['k']}_seed{run['seed']}.npy",
                    np.asarray(run["generators"]),
                )
        for name, fig in figures.items():
            w.figure(f"figures/{name}", fig)
        w.text(
            "report.md",
            scan_markdown(result)
            + classes_markdown(result, published, CLASS_NOTES.get(result.name)),
        )
    return Path(out)


def classes_markdown(result, published: dict, note: str | None = None) -> str:
    """Classes per ``k`` with their seeds, next to published counts if any."""
    lines = [
        "",
        "## Isomorphism classes per k",
        "",
        "| k | classes | published | class (seeds that reached it) |",
        "|---|---|---|---|",
    ]
    for c in result.cells:
        lines.append(
            f"| {c.k} | {len(c.classes)} | {published.get(c.k, '')} | "
            f"{_class_text(c.classes)} |"
        )
    if note:
        lines += ["", note]
    return "\n".join(lines) + "\n"
