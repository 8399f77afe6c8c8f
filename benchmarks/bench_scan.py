"""Wall time of subalgebra scans and of the u(4) decomposition table.

Usage::

    python benchmarks/bench_scan.py scaling [--workers 1,2,4] [--dims 2..5]
    python benchmarks/bench_scan.py u4 [--sizes 1..16] [--workers 2] [--seeds 1]

``scaling`` times the so(n) scan for each worker count; ``u4`` times the
decomposition table of the Hermitian norm on C⁴ (a reduced range of ``N_h``
with ``--sizes``) and prints the time per training, from which the full table
is extrapolated (number of trainings of the full table × time per training /
workers). Writes ``benchmarks/results/*.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def scaling(dims: str, workers: list[int], seeds: int) -> dict:
    """Time the so(n) scan with each worker count."""
    from symdisc.scan import scan

    rows = []
    for w in workers:
        t0 = time.perf_counter()
        result = scan("so", dims, seeds=seeds, workers=w)
        wall = time.perf_counter() - t0
        rows.append(
            {
                "workers": w,
                "wall_s": wall,
                "n_tasks": result.timings["n_tasks"],
                "found": result.found_sizes(),
            }
        )
        print(
            f"workers {w}: {wall:.1f} s for {result.timings['n_tasks']} trainings; "
            f"found {result.found_sizes()}",
            flush=True,
        )
    return {"benchmark": "so-scan", "dims": dims, "seeds": seeds, "rows": rows}


def u4(sizes: str, workers: int, seeds: int) -> dict:
    """Time part of the u(4) decomposition table; extrapolate to the whole."""
    from symdisc.subalgebras import decomposition_table, decomposition_tasks

    full, _ = decomposition_tasks("u", None, 4, seeds, "simple", dims=4)
    t0 = time.perf_counter()
    table = decomposition_table("u", sizes, dims=4, seeds=seeds, workers=workers)
    wall = time.perf_counter() - t0
    n = table.timings["n_tasks"]
    per_task = wall * workers / max(n, 1)
    estimate = per_task * len(full) / 2
    cells = [c.to_dict() for c in table.cells if c.patterns]
    for c in cells:
        print(
            f"N_h {c['total']:2d} r {c['n_factors']}: "
            f"{'found ' + ' ⊕ '.join(c['factors']) if c['found'] else 'not found'}",
            flush=True,
        )
    print(
        f"{n} trainings in {wall:.1f} s with {workers} worker(s): "
        f"{per_task:.1f} s per training; the full table has {len(full)} "
        f"trainings: about {estimate / 60:.1f} min on 2 cores",
        flush=True,
    )
    return {
        "benchmark": "u4-decompositions",
        "sizes": sizes,
        "workers": workers,
        "seeds": seeds,
        "wall_s": wall,
        "n_tasks": n,
        "per_task_s": per_task,
        "full_table_tasks": len(full),
        "estimate_2_cores_s": estimate,
        "cells": cells,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", choices=["scaling", "u4"])
    parser.add_argument("--dims", default="2..5")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--sizes", default="1..16")
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args()
    if args.which == "scaling":
        report = scaling(
            args.dims, [int(w) for w in args.workers.split(",")], args.seeds
        )
    else:
        report = u4(args.sizes, int(args.workers.split(",")[0]), args.seeds)
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
