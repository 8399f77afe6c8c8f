"""Time u(n) and su(n) end to end: training, checks and sparsification.

For each preset: train with its default settings, rotate to the sparsest
basis, and compare the entry counts with the textbook basis. Prints a table
and writes ``benchmarks/results/unitary.json``.

    PYTHONPATH=src python benchmarks/bench_unitary.py [--presets u4,su4,u6,su6]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from symdisc.presets import experiment_from_preset
from symdisc.training.allatonce import discover
from symdisc.training.sparsify import sparsify_result

RESULTS = Path(__file__).parent / "results"


def textbook_counts(name: str) -> tuple[int, int]:
    """(generators with one entry, generators with two entries) of the textbook basis.

    u(n): n single diagonal entries and n(n−1) off-diagonal pairs. su(n): the
    n(n−1) pairs; its n − 1 diagonal generators span the traceless diagonals.
    """
    n = int(name.lstrip("su"))
    return (n if name.startswith("u") else 0), n * (n - 1)


def run(name: str) -> dict:
    experiment = experiment_from_preset(name)
    t0 = time.perf_counter()
    result = discover(experiment.oracle, config=experiment.training)
    t_train = time.perf_counter() - t0
    sparse = sparsify_result(result, experiment.oracle)
    t_total = time.perf_counter() - t0
    G = sparse.generators
    counts = sparse.extra["sparsify"].get("n_entries", [])
    diagonal = [
        np.allclose(g, np.diag(np.diag(g)), atol=1e-3 * np.abs(G).max()) for g in G
    ]
    off_counts = [c for c, d in zip(counts, diagonal, strict=True) if not d]
    singles, pairs = textbook_counts(name)
    n = experiment.oracle.n
    canonical = (
        off_counts == [2] * pairs
        and sum(diagonal) == (n if name.startswith("u") else n - 1)
        and sorted(counts)[:singles] == [1] * singles
    )
    return {
        "preset": name,
        "status": sparse.status,
        "k": int(G.shape[0]),
        "trained_status": result.status,
        "closure_error": sparse.metrics["closure_error"],
        "invariance_error": sparse.metrics["invariance_error"],
        "trace_ratio": float(
            np.abs(np.trace(G, axis1=1, axis2=2)).max() / np.abs(G).max()
        ),
        "canonical": bool(canonical),
        "n_entries": counts,
        "train_s": t_train,
        "sparsify_s": t_total - t_train,
        "total_s": t_total,
        "timings": result.timings,
        "adam_steps": result.timings.get("adam_steps"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="u4,su4,u6,su6")
    parser.add_argument("--out", type=Path, default=RESULTS / "unitary.json")
    args = parser.parse_args()
    rows = []
    print(
        f"{'preset':>7} {'k':>3} {'status':>10} {'canonical':>9} {'closure':>9} "
        f"{'trace':>9} {'train s':>8} {'sparsify s':>10} {'total s':>8}"
    )
    for name in args.presets.split(","):
        row = run(name)
        rows.append(row)
        print(
            f"{name:>7} {row['k']:3d} {row['status']:>10} {row['canonical']!s:>9} "
            f"{row['closure_error']:9.1e} {row['trace_ratio']:9.1e} "
            f"{row['train_s']:8.1f} {row['sparsify_s']:10.1f} {row['total_s']:8.1f}",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"cpu_count": os.cpu_count(), "load_average": os.getloadavg()}
    args.out.write_text(json.dumps({"machine": meta, "runs": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
