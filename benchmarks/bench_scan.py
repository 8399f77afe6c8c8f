"""Wall time of subalgebra scans and of the u(4) decomposition table.

Usage::

    python benchmarks/bench_scan.py scaling [--workers 1,2,4] [--dims 2..5] [--seeds 2]
    python benchmarks/bench_scan.py u4 [--sizes 1..16] [--workers 2] [--seeds 1]

``scaling`` times the so(n) scan for each worker count; ``u4`` runs the whole
decomposition table of u(4) (``symdisc subalgebras u4 --decompositions``),
compares it with the published table and saves its figure. Writes
``benchmarks/results/*.json`` (and ``u4-decompositions.png``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def _cpu_s() -> float:
    """CPU seconds of this process and of its finished children."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def scaling(dims: str, workers: list[int], seeds: int) -> dict:
    """Time the so(n) scan with each worker count.

    An untimed first pass fills the compile cache, so every timed row runs
    warm and the rows differ only in their worker count; the cold pass is
    reported on its own.
    """
    from symdisc.scan import scan

    t0 = time.perf_counter()
    scan("so", dims, seeds=seeds, workers=1)
    cold = time.perf_counter() - t0
    print(f"cold pass (1 worker, fills the compile cache): {cold:.1f} s", flush=True)
    rows = []
    for w in workers:
        load = os.getloadavg()[0]
        t0, c0 = time.perf_counter(), _cpu_s()
        result = scan("so", dims, seeds=seeds, workers=w)
        wall, cpu = time.perf_counter() - t0, _cpu_s() - c0
        rows.append(
            {
                "workers": w,
                "wall_s": wall,
                "cpu_s": cpu,
                "load_before": load,
                "load_after": os.getloadavg()[0],
                "n_tasks": result.timings["n_tasks"],
                "found": result.found_sizes(),
            }
        )
        print(
            f"workers {w}: {wall:.1f} s for {result.timings['n_tasks']} trainings; "
            f"found {result.found_sizes()}",
            flush=True,
        )
    base = rows[0]["wall_s"]
    table = [
        "| workers | trainings | wall (s) | speed-up | CPU (s) | load before, after |",
        "|---|---|---|---|---|---|",
    ] + [
        f"| {r['workers']} | {r['n_tasks']} | {r['wall_s']:.1f} | "
        f"{base / r['wall_s']:.2f} | {r['cpu_s']:.0f} | "
        f"{r['load_before']:.1f}, {r['load_after']:.1f} |"
        for r in rows
    ]
    print("\n".join(table), flush=True)
    return {
        "benchmark": "so-scan",
        "dims": dims,
        "seeds": seeds,
        "cold_pass_s": cold,
        "rows": rows,
        "table": table,
    }


def u4(sizes: str, workers: int, seeds: int) -> dict:
    """Time the u(4) decomposition table end to end; save its figure."""
    from symdisc.published_tables import compare
    from symdisc.subalgebra_plots import decomposition_grid
    from symdisc.subalgebras import decomposition_table

    t0 = time.perf_counter()
    table = decomposition_table("u4", sizes, seeds=seeds, workers=workers)
    wall = time.perf_counter() - t0
    comparison = compare(table, "u4")
    cells = [c.to_dict() for c in table.cells if c.patterns]
    for c in cells:
        text = "not found"
        if c["found"]:
            arrow = "→ " if c["source"] == "one block" else ""
            text = "found " + arrow + " ⊕ ".join(c["factors"])
        elif len(c["ruled_out"]) == len(c["patterns"]):
            text = "ruled out"
        print(f"N_h {c['total']:2d} r {c['n_factors']}: {text}", flush=True)
    agree = sum(r["agrees"] for r in comparison)
    published = sum(bool(r["published"]) for r in comparison)
    extra = [r for r in comparison if r["found"] and not r["published"]]
    n = table.timings["n_tasks"]
    print(
        f"{n} trainings in {wall:.1f} s with {workers} worker(s); published "
        f"table: {agree} of {published} algebras reached; not in it: "
        f"{[(r['total'], r['found']) for r in extra]}",
        flush=True,
    )
    fig = decomposition_grid(
        table.cells,
        f"u(4) decompositions ({n} trainings, {wall / 60:.1f} min, {workers} workers)",
        one_block=table.one_block,
        comparison=comparison,
    )
    RESULTS.mkdir(exist_ok=True)
    fig.savefig(RESULTS / "u4-decompositions.png", dpi=120)
    return {
        "benchmark": "u4-decompositions",
        "sizes": sizes,
        "workers": workers,
        "seeds": seeds,
        "wall_s": wall,
        "n_trainings": n,
        "per_training_s": wall * workers / max(n, 1),
        "timings": table.timings,
        "training": table.training,
        "published_agree": agree,
        "published_total": published,
        "one_block": {str(k): v for k, v in table.one_block.items()},
        "cells": cells,
        "comparison": comparison,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=["scaling", "u4"])
    parser.add_argument("--dims", default="2..5")
    parser.add_argument(
        "--workers", default=None, help="1,2,4 for scaling, 2 for u4 by default"
    )
    parser.add_argument("--sizes", default="1..16")
    parser.add_argument(
        "--seeds", type=int, default=None, help="2 for scaling, 1 for u4 by default"
    )
    args = parser.parse_args()
    if args.which == "scaling":
        workers = args.workers or "1,2,4"
        seeds = args.seeds or 2
        report = scaling(args.dims, [int(w) for w in workers.split(",")], seeds)
    else:
        workers = int((args.workers or "2").split(",")[0])
        report = u4(args.sizes, workers, args.seeds or 1)
    report.update(
        {
            "cpus": os.cpu_count(),
            "machine": platform.platform(),
            "load_average": os.getloadavg(),
        }
    )
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{report['benchmark']}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"saved {path}")


if __name__ == "__main__":
    main()
