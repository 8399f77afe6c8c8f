"""Time `identify` on reference algebras, exact and with noise in a random basis.

Prints a table and writes ``benchmarks/results/identify.json``. Run as
``PYTHONPATH=src python benchmarks/bench_identify.py [--repeats R]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from symdisc.algebra import reference as R
from symdisc.algebra.identify import identify

CASES = {
    "so(3)": lambda: R.so(3),
    "su(3)": lambda: R.su(3),
    "so(1,3)": lambda: R.so_pq(1, 3),
    "u(4)": lambda: R.u(4),
    "sp(6,R)": lambda: R.sp_real(3),
    "su(3)+su(2)+u(1)": lambda: R.direct_sum(R.su(3), R.su(2), R.u(1)),
    "so(10)": lambda: R.so(10),
    "u(6)": lambda: R.u(6),
    "so(12)": lambda: R.so(12),
    "so(13)": lambda: R.so(13),
    "su(9)": lambda: R.su(9),
    "so(16)": lambda: R.so(16),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--noise", type=float, default=1e-4)
    parser.add_argument("--out", default="benchmarks/results/identify.json")
    args = parser.parse_args()

    rows = []
    header = (
        f"{'algebra':18s} {'dim':>4s} {'input':>6s} {'best s':>8s} {'name':30s} conf"
    )
    print(header)
    print("-" * len(header))
    for label, build in CASES.items():
        G = build()
        inputs = {
            "exact": G,
            "noisy": R.add_noise(
                R.random_change_of_basis(G, seed=1), args.noise, seed=2
            ),
        }
        for kind, X in inputs.items():
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                result = identify(X)
                times.append(time.perf_counter() - start)
            rows.append(
                {
                    "algebra": label,
                    "dimension": result.dimension,
                    "matrix_size": int(X.shape[1]),
                    "input": kind,
                    "noise": args.noise if kind == "noisy" else 0.0,
                    "seconds_best": min(times),
                    "seconds_median": float(np.median(times)),
                    "name": result.name,
                    "confidence": result.confidence,
                }
            )
            print(
                f"{label:18s} {result.dimension:4d} {kind:>6s} {min(times):8.3f} "
                f"{result.name:30s} {result.confidence_label} ({result.confidence:.2f})"
            )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor(),
        "repeats": args.repeats,
    }
    out.write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=2, ensure_ascii=False)
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
