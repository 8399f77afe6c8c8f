"""Sweep the sparsity weight on the 4-generator Lorentz subalgebra.

Trains k = 4 generators on the Lorentz preset with h_sparsity in
{0, 1e-4, 1e-2, 10} (none, negligible, right, dominant), writes
``benchmarks/results/sparsity_sweep.png`` and ``sparsity_sweep.json``.

    PYTHONPATH=src python benchmarks/sparsity_sweep.py [--weights 0,1e-4,1e-2,10]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from symdisc.plots_sparsity import sparsity_sweep_figure
from symdisc.presets import experiment_from_preset
from symdisc.training.sparsify import sparsity_sweep

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", default="0,1e-4,1e-2,10")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    weights = tuple(float(w) for w in args.weights.split(","))

    experiment = experiment_from_preset("lorentz")
    t0 = time.perf_counter()
    points = sparsity_sweep(
        experiment.oracle, weights, 4, config=experiment.training, seed=args.seed
    )
    elapsed = time.perf_counter() - t0
    print(
        f"{'h':>8} {'status':>10} {'invariance':>11} {'closure':>10} "
        f"{'sparsity':>9}  entries"
    )
    for p in points:
        print(
            f"{p.weight:8g} {p.status:>10} {p.invariance_error:11.2e} "
            f"{p.closure_error:10.2e} {p.sparsity:9.3f}  {p.n_entries}"
        )
    print(f"total {elapsed:.1f} s")

    args.out.mkdir(parents=True, exist_ok=True)
    fig = sparsity_sweep_figure(
        points, title="Lorentz, k = 4: too little, right and too much sparsity"
    )
    fig.savefig(args.out / "sparsity_sweep.png", dpi=120)
    data = {
        "preset": "lorentz",
        "n_generators": 4,
        "seed": args.seed,
        "total_s": elapsed,
        "points": [p.to_dict() for p in points],
    }
    (args.out / "sparsity_sweep.json").write_text(json.dumps(data, indent=1) + "\n")


if __name__ == "__main__":
    main()
