"""Time the whole ``digits`` latent pipeline (target: under 3 minutes on 2 cores).

Run: ``PYTHONPATH=src python benchmarks/bench_latent.py [--out DIR]``.
"""

import argparse
import json
import os
import tempfile
import time

from symdisc.latent.pipeline import run_latent, write_latent

parser = argparse.ArgumentParser()
parser.add_argument("--name", default="digits")
parser.add_argument("--out", default=None)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--project", action="store_true")
args = parser.parse_args()

start = time.perf_counter()
run = run_latent(args.name, seed=args.seed, project=args.project)
out = args.out or os.path.join(tempfile.mkdtemp(), f"latent-{args.name}")
write_latent(run, out)
total = time.perf_counter() - start
print(
    json.dumps(
        {
            "preset": args.name,
            "status": run.status,
            "total_s": round(total, 1),
            "stages_s": {k: round(v, 1) for k, v in run.timings.items()},
            "cpu_count": os.cpu_count(),
            "fields_invariance": run.fields.metrics.get("invariance_error"),
            "linear_invariance": run.linear.metrics.get("invariance_error"),
            "max_logit_drift": max(line.drift for line in run.lines),
            "lines_keeping_digit": sum(line.keeps_class for line in run.lines),
            "lines": len(run.lines),
            "under_3_minutes": total < 180,
        },
        indent=1,
    )
)
