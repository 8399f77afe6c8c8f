"""Figures of learned exceptional algebras, and F4 ⊂ E6 for the learned spans.

    symdisc run g2 --out runs/g2; symdisc run f4 --out runs/f4;
    symdisc run e6 --out runs/e6
    python benchmarks/exceptional_figures.py runs/g2 runs/f4 runs/e6

Writes ``benchmarks/results/g2_generators.png`` and
``benchmarks/results/e6_outside_f4.png`` and prints the span distance of the
learned f4 from the learned e6.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from symdisc.exceptional_figures import (
    complement_basis,
    containment,
    e6_outside_f4_figure,
    g2_figure,
)

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("g2", type=Path, help="result folder of a g2 run")
    parser.add_argument("f4", type=Path, help="result folder of an f4 run")
    parser.add_argument("e6", type=Path, help="result folder of an e6 run")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    G2, F4, E6 = (np.load(p / "generators.npy") for p in (args.g2, args.f4, args.e6))
    args.out.mkdir(parents=True, exist_ok=True)
    g2_figure(G2).savefig(args.out / "g2_generators.png", dpi=90)
    e6_outside_f4_figure(E6, F4).savefig(args.out / "e6_outside_f4.png", dpi=70)
    P = complement_basis(E6, F4)
    summary = {
        "dimensions": {"g2": len(G2), "f4": len(F4), "e6": len(E6)},
        "f4_in_e6_span_distance": containment(F4, E6),
        "e6_outside_f4_dimension": len(P),
        "e6_outside_f4_largest_antisymmetric_part": float(
            np.max(np.abs(P - np.swapaxes(P, 1, 2)))
        ),
    }
    (args.out / "exceptional.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
