"""Time all-at-once, greedy and greedy+LBT training on so(n) and su(n) (or u(n)).

Each case runs in its own process, so that its time includes its own
compilation and its peak memory (max RSS) is its own. Writes
``benchmarks/results/algorithms.json`` and ``algorithms.png`` (time against
n, log scale) and prints a table.

    python benchmarks/bench_algorithms.py                 # so(2…6), su(2…6)
    python benchmarks/bench_algorithms.py --exceptional   # also g2, f4, e6 (lbt)
    python benchmarks/bench_algorithms.py --complete   # greedy, lbt: so(7,8), u(2,3,4)
    python benchmarks/bench_algorithms.py --sizes "" --complete --exceptional \
        --out benchmarks/results/algorithms-extra.json   # those alone

su(n) comes from ``symdisc.oracles.unitary`` when that module exists;
otherwise u(n) (``hermitian_norm``) stands in for it. Every algorithm runs
with the training settings of the algebra's preset when there is one (su2…su6,
g2, f4, e6), else with the defaults, so that all three share one configuration.

Each case runs twice, with its own empty compilation cache ("cold": every
program compiled) and then again with the cache the first run filled
("warm": what a second ``symdisc run`` of the same problem costs).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
ALGORITHMS = ("all", "greedy", "lbt")


def build_oracle(family: str, n: int):
    """The oracle of a family member and its label (``su`` falls back to ``u``)."""
    import symdisc.oracles as oracles

    if family == "so":
        return oracles.euclidean_norm(n), f"so({n})"
    if family in ("su", "u"):
        if family == "su":
            try:
                from symdisc.oracles import unitary
            except ImportError:
                unitary = None
            build = None
            for name in ("special_unitary", "su", "determinant_and_norm"):
                build = build or getattr(unitary, name, None)
            if build is not None:
                return build(n), f"su({n})"
        return oracles.hermitian_norm(n), f"u({n})"
    if family in ("g2", "f4", "e6"):
        return getattr(oracles, family)(), family
    raise SystemExit(f"unknown family {family!r}")


def preset_training(family: str, n: int):
    """The training settings of the algebra's preset, or None (the defaults)."""
    from symdisc.presets import PRESETS, experiment_from_preset

    name = family if family in ("g2", "f4", "e6") else f"{family}{n}"
    return experiment_from_preset(name).training if name in PRESETS else None


def run_one(family: str, n: int, algorithm: str, seed: int) -> dict:
    """One timed run in this process."""
    from symdisc.exact import solve
    from symdisc.training import allatonce, greedy, lbt

    oracle, label = build_oracle(family, n)
    dimension = solve(oracle).dimension
    config = preset_training(family, n)
    t0 = time.perf_counter()
    if algorithm == "all":
        options = {"restarts": 1} if dimension > 20 else {}
        result = allatonce.discover(
            oracle, dimension, config=config, seed=seed, **options
        )
    else:
        module = greedy if algorithm == "greedy" else lbt
        result = module.discover(oracle, config=config, seed=seed)
    seconds = time.perf_counter() - t0
    return {
        "family": family,
        "n": n,
        "algebra": label,
        "algorithm": result.algorithm,
        "dimension": dimension,
        "found_generators": result.n_generators,
        "status": result.status,
        "seconds": seconds,
        "train_s": result.timings.get("train_s"),
        "compile_s": result.timings.get("compile_s"),
        "checks_s": result.timings.get("checks_s"),
        "invariance_error": result.metrics.get("invariance_error"),
        "closure_error": result.metrics.get("closure_error"),
        "span_distance": result.exact.get("span_distance"),
        "n_trained": result.extra.get("n_trained"),
        "stopping_rule": result.extra.get("stopping_rule"),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_case(family: str, n: int, algorithm: str, seed: int) -> dict:
    """One case in fresh processes: cold, then warm compilation cache."""
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, SYMDISC_COMPILE_CACHE=cache)
        env.pop("JAX_COMPILATION_CACHE_DIR", None)
        cold = _run_process(family, n, algorithm, seed, env)
        if cold.get("status") == "error":
            return cold
        warm = _run_process(family, n, algorithm, seed, env)
    record = dict(cold)
    for key in ("seconds", "train_s", "compile_s", "checks_s"):
        record[f"{key}_warm"] = warm.get(key)
    return record


def _run_process(family: str, n: int, algorithm: str, seed: int, env: dict) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--one",
        family,
        str(n),
        algorithm,
        "--seed",
        str(seed),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        return {
            "family": family,
            "n": n,
            "algorithm": algorithm,
            "status": "error",
            "error": done.stderr.strip().splitlines()[-1:] or ["?"],
        }
    return json.loads(done.stdout.strip().splitlines()[-1])


def comparison(records: list[dict]) -> list[dict]:
    """The records of the timing comparison: cases where all-at-once ran too."""
    timed = {(r["family"], r["n"]) for r in records if r["algorithm"] == "all-at-once"}
    return [r for r in records if r.get("seconds") and (r["family"], r["n"]) in timed]


def plot(records: list[dict], path: Path) -> None:
    """Wall time and training time against n, log scale, one line per algorithm."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.8), layout="constrained")
    axes = fig.subplots(1, 3)
    styles = {"all-at-once": "o-", "greedy": "s--", "greedy+lbt": "^-"}
    colours = {"all-at-once": "C3", "greedy": "C0", "greedy+lbt": "C2"}
    shown = comparison(records)
    keys = sorted({(r["family"], r["algorithm"]) for r in shown})
    for ax, field, label in (
        (axes[0], "seconds", "wall time (s), cold: all compilation included"),
        (axes[1], "seconds_warm", "wall time (s), warm compilation cache"),
        (axes[2], "train_s", "training time (s): Adam and L-BFGS steps only"),
    ):
        for family, algorithm in keys:
            rows = sorted(
                (
                    r
                    for r in shown
                    if r["family"] == family and r["algorithm"] == algorithm
                ),
                key=lambda r: r["n"],
            )
            name = rows[0]["algebra"].split("(")[0]
            ax.semilogy(
                [r["n"] for r in rows],
                [max(r.get(field) or np.nan, 1e-3) for r in rows],
                styles.get(algorithm, "x-"),
                color=colours.get(algorithm),
                alpha=1.0 if family == "so" else 0.6,
                mfc="none" if family == "so" else None,
                label=f"{name}(n) {algorithm}",
            )
            for r in rows:
                if r["status"] != "found":
                    ax.plot(
                        r["n"],
                        max(r.get(field) or np.nan, 1e-3),
                        "x",
                        color="red",
                        ms=10,
                    )
        ax.set_xticks(sorted({r["n"] for r in shown}))
        ax.set_xlabel("n")
        ax.set_ylabel(label)
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(
        "all-at-once (k = dimension given) vs greedy vs greedy+LBT (red x: not found)"
    )
    fig.savefig(path, dpi=110)


def table(records: list[dict]) -> str:
    """A plain text table."""
    head = (
        f"{'algebra':8} {'algorithm':12} {'dim':>4} {'found':>5} {'status':10} "
        f"{'cold s':>7} {'warm s':>7} {'train':>7} {'RSS MB':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in records:
        if r.get("status") == "error":
            lines.append(f"{r['family']}{r['n']} {r['algorithm']}: error {r['error']}")
            continue
        lines.append(
            f"{r['algebra']:8} {r['algorithm']:12} {r['dimension']:>4} "
            f"{r['found_generators']:>5} {r['status']:10} {r['seconds']:>7.1f} "
            f"{r.get('seconds_warm') or float('nan'):>7.1f} "
            f"{(r['train_s'] or 0):>7.1f} {r['max_rss_mb']:>7.0f}"
        )
    return "\n".join(lines)


def speedups(records: list[dict]) -> str:
    """All-at-once time over greedy+LBT time, per algebra of the comparison."""
    lines = [
        "speed-up of greedy+LBT over all-at-once (wall cold, wall warm, training):"
    ]
    rows = comparison(records)
    for r in rows:
        if r["algorithm"] != "all-at-once":
            continue
        lbt = [
            q
            for q in rows
            if q["algebra"] == r["algebra"] and q["algorithm"] == "greedy+lbt"
        ]
        if lbt:
            q = lbt[0]
            wall = r["seconds"] / q["seconds"]
            warm = (r.get("seconds_warm") or np.nan) / (q.get("seconds_warm") or np.nan)
            train = r["train_s"] / max(q["train_s"], 1e-9)
            lines.append(f"  {r['algebra']:6} {wall:6.1f}x {warm:6.1f}x {train:8.1f}x")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", nargs=3, metavar=("FAMILY", "N", "ALGORITHM"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sizes", default="2,3,4,5,6")
    parser.add_argument("--families", default="so,su")
    parser.add_argument("--exceptional", action="store_true")
    parser.add_argument("--complete", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS / "algorithms.json")
    parser.add_argument(
        "--replot",
        action="store_true",
        help="redraw the figure and table from --out, run nothing",
    )
    args = parser.parse_args()
    if args.replot:
        records = json.loads(args.out.read_text())["records"]
        plot(records, args.out.with_suffix(".png"))
        print(table(records))
        print(speedups(records))
        return
    if args.one:
        family, n, algorithm = args.one
        print(json.dumps(run_one(family, int(n), algorithm, args.seed)))
        return

    cases = [
        (f, int(n), a)
        for f in args.families.split(",")
        for n in args.sizes.split(",")
        if n
        for a in ALGORITHMS
    ]
    if args.complete:
        cases += [
            (f, n, a)
            for f, n in (("so", 7), ("so", 8), ("u", 2), ("u", 3), ("u", 4))
            for a in ("greedy", "lbt")
        ]
    if args.exceptional:
        cases += [(f, 0, "lbt") for f in ("g2", "f4", "e6")]
    records = []
    for case in cases:
        record = run_case(*case, seed=args.seed)
        records.append(record)
        print(table([record]).splitlines()[-1], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"records": records}, indent=1))
    print()
    print(table(records))
    written = [args.out]
    if comparison(records):
        plot(records, args.out.with_suffix(".png"))
        print(speedups(records))
        written.append(args.out.with_suffix(".png"))
    print(f"\nwritten: {', '.join(map(str, written))}")


if __name__ == "__main__":
    main()
