"""Time all-at-once training to convergence (compile apart) and the exact solver.

Usage: ``python benchmarks/bench_core.py [--quick]``. Prints a table and
writes ``benchmarks/results/core.json``.

Targets on a 2-core CPU: training so3 (k=3) < 1 s, so4 and lorentz (k=6) < 3 s,
so10 (k=45, with closure) < 30 s; solving so10 < 0.1 s, so20 < 1 s,
so30 < 5 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_rss_mb, print_table, write_json  # noqa: E402

from symdisc import discover, solve  # noqa: E402
from symdisc.oracles import euclidean_norm, quadratic_form  # noqa: E402
from symdisc.presets import experiment_from_preset  # noqa: E402

TRAINING = [("so3", 3, 1.0), ("so4", 6, 3.0), ("lorentz", 6, 3.0), ("so10", 45, 30.0)]
SOLVING = [
    ("so4", lambda: euclidean_norm(4), None),
    ("lorentz", lambda: quadratic_form(1, 3), None),
    ("so10", lambda: euclidean_norm(10), 0.1),
    ("so20", lambda: euclidean_norm(20), 1.0),
    ("so30", lambda: euclidean_norm(30), 5.0),
]


def bench_training(quick: bool) -> list[dict]:
    rows = []
    for name, k, target in TRAINING[:2] if quick else TRAINING:
        experiment = experiment_from_preset(name)
        config = experiment.training.replace(n_generators=k)
        result = discover(experiment.oracle, config=config, exact=False)
        t = result.timings
        rows.append(
            {
                "task": f"train {name} k={k}",
                "status": result.status,
                "compile_s": t["compile_s"],
                "train_s": t["train_s"],
                "steps": t["adam_steps"],
                "target_s": target,
                "met": t["train_s"] < target,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    return rows


def bench_solving(quick: bool) -> list[dict]:
    rows = []
    for name, build, target in SOLVING[:3] if quick else SOLVING:
        oracle = build()
        solve(oracle)  # compile once
        t0 = time.perf_counter()
        algebra = solve(oracle)
        elapsed = time.perf_counter() - t0
        rows.append(
            {
                "task": f"solve {name}",
                "status": f"dim {algebra.dimension}",
                "train_s": elapsed,
                "svd_s": algebra.timings["svd_s"],
                "analysis_s": algebra.timings["analysis_s"],
                "target_s": target,
                "met": None if target is None else elapsed < target,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the small cases")
    args = parser.parse_args()
    rows = bench_training(args.quick) + bench_solving(args.quick)
    print_table(
        rows,
        [
            "task",
            "status",
            "compile_s",
            "train_s",
            "steps",
            "svd_s",
            "analysis_s",
            "target_s",
            "met",
            "peak_rss_mb",
        ],
    )
    print("written", write_json("core", rows))


if __name__ == "__main__":
    main()
