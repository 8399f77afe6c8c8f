"""Time the whole latent pipeline (target for ``digits``: under 3 minutes on 2 cores).

Run: ``python benchmarks/bench_latent.py [--names digits-01,digits] [--out DIR]``.
Prints one row per preset and writes ``benchmarks/results/latent.json``.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_rss_mb, print_table, write_json  # noqa: E402

from symdisc.latent.pipeline import run_latent, write_latent  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--names", default="digits-01,digits")
parser.add_argument("--out", default=None, help="folder for the result folders")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

out_root = args.out or tempfile.mkdtemp()
rows = []
for name in args.names.split(","):
    start = time.perf_counter()
    run = run_latent(name, seed=args.seed)
    write_latent(run, os.path.join(out_root, f"latent-{name}"))
    total = time.perf_counter() - start
    rows.append(
        {
            "preset": name,
            "status": run.status,
            "total_s": total,
            **{k: v for k, v in run.timings.items() if k != "total_s"},
            "test_accuracy": run.setup.metrics.accuracy_test,
            "fields_invariance": run.fields.metrics.get("invariance_error"),
            "penalty_invariance": run.penalty.metrics.get("invariance_error")
            if run.penalty
            else None,
            "linear_invariance": run.linear.metrics.get("invariance_error"),
            "max_logit_drift": max(line.drift for line in run.lines),
            "lines_keeping_digit": sum(line.keeps_class for line in run.lines),
            "lines": len(run.lines),
            "under_3_minutes": total < 180,
            "peak_rss_mb": peak_rss_mb(),
        }
    )
print_table(
    rows,
    [
        "preset",
        "status",
        "total_s",
        "models_s",
        "fields_s",
        "test_accuracy",
        "fields_invariance",
        "penalty_invariance",
        "linear_invariance",
        "max_logit_drift",
        "lines_keeping_digit",
        "lines",
        "peak_rss_mb",
    ],
)
path = write_json("latent", rows, cpu_count=os.cpu_count(), seed=args.seed)
print(f"saved {path}; result folders in {out_root}")
