"""Subalgebra scans: which numbers ``k`` of generators close, for each ``n``.

For every dimension ``n`` of a family (so, u, su, metric of signature
``(p, n − p)``) and every ``k``, ``k`` generators are trained all at once
from several seeds with a small budget. A cell ``(n, k)`` succeeds when at
least one seed ends ``found`` (every check on fresh points passes); its
colour in the heat map is ``log₁₀`` of the best final loss. Each training is
an independent task, run by :mod:`symdisc.sweep`.
"""

from __future__ import annotations

import functools
import json
import logging
import math
from dataclasses import dataclass, field

import numpy as np

from symdisc import _jax  # noqa: F401
from symdisc.errors import InputError, bad_input

logger = logging.getLogger(__name__)

#: Budget of one scan cell: small, since a scan trains many cells.
SCAN_TRAINING = {
    "epochs": 400,
    "restarts": 2,
    "polish_steps": 100,
    "n_points": 64,
    "n_check_points": 128,
    "learning_rate": 3e-2,
}

#: Losses below this are drawn as this (the heat map's floor).
LOSS_FLOOR = 1e-30

FAMILIES = {
    "so": "|x|² on R^n (so(n))",
    "u": "|x|² on C^n (u(n))",
    "su": "norms and volume of n copies on C^n (su(n))",
    "metric:P": "quadratic form of signature (P, n − P) (so(P, n − P))",
}


def parse_range(text: str | int | None, what: str) -> tuple[int, int] | None:
    """``"2..5"`` → ``(2, 5)``; ``"3"`` → ``(3, 3)``; ``None`` stays ``None``."""
    if text is None:
        return None
    if isinstance(text, int) and not isinstance(text, bool):
        lo = hi = text
    else:
        parts = str(text).replace(" ", "").split("..")
        try:
            lo, hi = (int(parts[0]), int(parts[-1])) if len(parts) <= 2 else (0, -1)
        except ValueError:
            lo, hi = 0, -1
    if lo < 1 or hi < lo:
        raise bad_input(
            what,
            "a range A..B of positive integers with A <= B, or one integer",
            text,
            f"For example --{what} 2..5.",
        )
    return lo, hi


def oracle_spec(name: str, n: int | None = None) -> dict:
    """Plain-data description of the oracle of family ``name`` at dimension ``n``.

    A name that is not a family (a preset such as ``lorentz``) has a fixed
    dimension; ``n`` must then be ``None`` or equal to it.
    """
    if name in ("so", "u", "su") or name.startswith("metric:"):
        if n is None:
            raise bad_input(
                "dims",
                f"a dimension n for the family {name!r}",
                "none",
                "Give it with --dims 2..5 (scan) or --dim 4 (subalgebras).",
            )
        if name == "so":
            return {"kind": "norm", "n": n}
        if name == "u":
            return {"kind": "hermitian", "n": n}
        if name == "su":
            if n < 2:
                raise bad_input("dims", "n >= 2 for su(n)", n)
            return {"kind": "special-unitary", "n": n}
        try:
            p = int(name.split(":", 1)[1])
        except ValueError:
            raise bad_input(
                "NAME",
                "metric:P with an integer P",
                name,
                "metric:1 is the signature (1, n − 1).",
            ) from None
        if not 0 <= p <= n:
            raise bad_input("NAME", f"metric:P with 0 <= P <= n = {n}", name)
        return {"kind": "metric", "p": p, "q": n - p}
    from symdisc.presets import PRESETS, get_preset

    if name not in PRESETS:
        get_preset(name)  # raises with a suggestion
    if n is not None and n != get_preset(name).build().n:
        raise bad_input(
            "dims",
            f"only n = {get_preset(name).build().n} for the preset "
            f"{name!r} (a family takes any n: {', '.join(FAMILIES)})",
            n,
        )
    return {"preset": name}


def build(spec: dict):
    """Build the oracle an :func:`oracle_spec` describes.

    The same spec gives the same oracle object within a process, so that
    the trainings of a sweep reuse their compiled losses.
    """
    return _build(json.dumps(spec, sort_keys=True))


@functools.lru_cache(maxsize=32)
def _build(spec_json: str):
    from symdisc.presets import build_oracle

    return build_oracle(json.loads(spec_json))


def exact_dimension(spec: dict) -> int:
    """Dimension of the whole symmetry algebra, from the exact solver."""
    from symdisc.exact import solve

    return solve(build(spec)).dimension


def identification_record(generators: np.ndarray, complex_: bool) -> dict:
    """Name, derived-algebra dimension and Killing signature of a span.

    Uses :func:`symdisc.algebra.identify.identify`; the key that tells
    isomorphism classes apart is ``(name, derived_dimension, killing)``.
    ``factors`` lists the indecomposable factors of a reductive algebra (its
    simple ideals, then one ``u(1)`` or ``R`` per central direction), else
    ``None``.
    """
    from symdisc.algebra.identify import identify

    ident = identify(generators, hermitian=complex_)
    factors = None
    if ident.is_lie_algebra and ident.is_reductive:
        factors = [i.short_name for i in ident.simple_ideals] + list(
            ident.centre_factors
        )
    return {
        "name": ident.primary_name,
        "factors": factors,
        "full_name": ident.name,
        "derived_dimension": int(ident.derived_dimension),
        "killing_signature": [int(v) for v in ident.killing_signature],
        "kind": ident.kind,
        "dimension": int(ident.dimension),
        "is_simple": bool(ident.is_semisimple and len(ident.simple_ideals) == 1),
        "confidence": ident.confidence_label,
    }


def train_cell(task: dict) -> dict:
    """Train one cell of a scan (the function every worker runs).

    Parameters
    ----------
    task : dict
        ``{"oracle": spec, "n": n, "k": k, "seed": s, "training": {...},
        "blocks": None or block sizes}``.

    Returns
    -------
    dict
        Plain data: the task, ``status``, ``final_loss``, the checks,
        ``generators`` (ndarray) and, when found, ``identification`` (and
        ``factors`` for block decompositions).
    """
    import time

    from symdisc.config import TrainingConfig

    t0 = time.perf_counter()
    oracle = build(task["oracle"])
    config = TrainingConfig().replace(**task.get("training", {}))
    blocks = task.get("blocks")
    if blocks:
        from symdisc.subalgebras import discover_blocks

        result = discover_blocks(
            oracle, tuple(blocks), config=config, seed=task["seed"]
        )
    else:
        from symdisc.training.allatonce import discover

        result = discover(oracle, task["k"], config=config, seed=task["seed"])
    m = result.metrics
    record = {
        "n": task["n"],
        "k": task["k"],
        "seed": task["seed"],
        "blocks": list(blocks) if blocks else None,
        "status": result.status,
        "final_loss": float(m.get("final_loss", float("nan"))),
        "invariance_error": float(m.get("invariance_error", float("nan"))),
        "closure_error": float(m.get("closure_error", float("nan"))),
        "orthonormality_error": float(m.get("orthonormality_error", float("nan"))),
        "span_distance": float(result.exact.get("span_distance", float("nan"))),
        "generators": np.asarray(result.generators),
        "reasons": list(result.reasons),
    }
    complex_ = oracle.field == "complex"
    if result.found:
        try:
            record["identification"] = identification_record(
                result.generators, complex_
            )
        except Exception as exc:  # naming is a bonus; never lose the run
            logger.warning("identification failed: %s", exc)
    if blocks:
        record.update(result.extra)
    record["time_s"] = time.perf_counter() - t0
    return record


def train_cells(tasks: list[dict]) -> list[dict]:
    """Train several tasks one after another in one worker.

    Tasks of the same oracle and ``k`` share their compiled loss, so a worker
    that gets all of them compiles it once.
    """
    return [train_cell(task) for task in tasks]


def run_grouped(
    tasks: list[dict],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    progress=None,
) -> tuple[list[dict], dict]:
    """Run every task, those of one shape ``(oracle, k)`` in the same worker.

    Groups go out largest ``k`` first (the longest first, so that the last
    ones to finish are short). Returns the records in task order and the
    timings (``n_tasks`` counts trainings, ``n_groups`` the groups).
    """
    from symdisc.sweep import run_all

    groups: dict[tuple, list[int]] = {}
    for i, task in enumerate(tasks):
        key = (json.dumps(task["oracle"], sort_keys=True), task["k"])
        groups.setdefault(key, []).append(i)
    order = sorted(groups.values(), key=lambda idx: -tasks[idx[0]]["k"])
    results, timings = run_all(
        train_cells,
        [[tasks[i] for i in idx] for idx in order],
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )
    runs: list = [None] * len(tasks)
    for idx, group in zip(order, results, strict=True):
        for i, record in zip(idx, group, strict=True):
            runs[i] = record
    return runs, {
        "wall_s": timings.wall_s,
        "backend": timings.backend,
        "workers": timings.workers,
        "n_tasks": len(tasks),
        "n_groups": timings.n_tasks,
    }


@dataclass(frozen=True)
class ScanCell:
    """The outcome of one ``(n, k)`` over every seed.

    Attributes
    ----------
    n, k : int
    n_seeds, n_found : int
    found : bool
        At least one seed ``found``.
    best_loss : float
        Smallest final loss over the seeds (NaN if every seed diverged).
    classes : list of dict
        Distinct isomorphism classes reached by found seeds, from
        :func:`distinct_classes`.
    """

    n: int
    k: int
    n_seeds: int
    n_found: int
    found: bool
    best_loss: float
    classes: list = field(default_factory=list)

    @property
    def log_loss(self) -> float:
        """``log₁₀`` of the best loss, floored at :data:`LOSS_FLOOR`."""
        if not math.isfinite(self.best_loss):
            return float("nan")
        return math.log10(max(self.best_loss, LOSS_FLOOR))

    def to_dict(self) -> dict:
        """Plain data for the table."""
        return {
            "n": self.n,
            "k": self.k,
            "n_seeds": self.n_seeds,
            "n_found": self.n_found,
            "found": self.found,
            "best_final_loss": self.best_loss,
            "log10_best_loss": self.log_loss,
            "classes": self.classes,
        }


@dataclass(frozen=True)
class ScanResult:
    """Every cell of a scan and every run behind it.

    Attributes
    ----------
    name : str
        Family or preset.
    cells : list of ScanCell
        Sorted by ``(n, k)``.
    runs : list of dict
        One record per training (see :func:`train_cell`), task order.
    training : dict
        The budget of every run.
    timings : dict
        ``wall_s``, ``backend``, ``workers``, ``n_tasks``.
    """

    name: str
    cells: list
    runs: list
    training: dict
    timings: dict

    def found_sizes(self) -> dict[int, list[int]]:
        """``{n: [k, …]}`` of the cells that succeeded."""
        out: dict[int, list[int]] = {}
        for c in self.cells:
            out.setdefault(c.n, [])
            if c.found:
                out[c.n].append(c.k)
        return out

    def table(self) -> list[dict]:
        """One plain row per cell."""
        return [c.to_dict() for c in self.cells]


#: How identification names a central direction: ``u(1)`` when it acts as a
#: compact rotation, ``R`` otherwise. Abstractly both are the one-dimensional
#: algebra, so they tell embeddings apart, not isomorphism classes.
CENTRE_NAMES = ("u(1)", "R")


def class_key(identification: dict) -> tuple:
    """Return what tells isomorphism classes apart.

    The name, derived dimension and Killing signature, except that a reductive
    algebra's central directions count only by their number: ``u(1)`` and
    ``R`` (or ``su(2) ⊕ u(1)`` and ``su(2) ⊕ R``) are one abstract algebra,
    reached through different embeddings.
    """
    factors = identification.get("factors")
    if factors is None:
        name = identification["name"]
    else:
        simple = tuple(sorted(f for f in factors if f not in CENTRE_NAMES))
        name = (simple, len(factors) - len(simple))
    return (
        name,
        identification["derived_dimension"],
        tuple(identification["killing_signature"]),
    )


def distinct_classes(runs: list[dict]) -> list[dict]:
    """Group found runs by :func:`class_key`; one entry per class.

    Each entry has ``name`` (the names of its embeddings joined by ``≅``),
    ``derived_dimension``, ``killing_signature``, ``kind``, ``seeds`` and
    ``embeddings``: one ``{"name", "seeds"}`` per name that identification
    gave the seeds of this class.
    """
    groups: dict[tuple, dict] = {}
    for run in runs:
        ident = run.get("identification")
        if run["status"] != "found" or ident is None:
            continue
        entry = groups.setdefault(
            class_key(ident),
            {
                "derived_dimension": ident["derived_dimension"],
                "killing_signature": list(ident["killing_signature"]),
                "kind": ident["kind"],
                "seeds": [],
                "embeddings": {},
            },
        )
        entry["seeds"].append(run["seed"])
        entry["embeddings"].setdefault(ident["name"], []).append(run["seed"])
    classes = []
    for entry in groups.values():
        names = sorted(entry["embeddings"])
        classes.append(
            {
                "name": " ≅ ".join(names),
                **entry,
                "embeddings": [
                    {"name": n, "seeds": entry["embeddings"][n]} for n in names
                ],
            }
        )
    return sorted(classes, key=lambda e: (e["derived_dimension"], e["name"]))


def class_text(cls: dict, seeds: bool = True) -> str:
    """One class as text: name, derived dimension, Killing signature, seeds.

    ``seeds=False`` gives the number of seeds instead of their list.
    """

    def reached(some: list) -> str:
        return f"seeds {some}" if seeds else f"{len(some)} seed(s)"

    embeddings = cls.get("embeddings") or []
    if len(embeddings) > 1:
        who = "; ".join(f"as {e['name']}: {reached(e['seeds'])}" for e in embeddings)
    else:
        who = reached(cls["seeds"])
    return (
        f"{cls['name']} (derived {cls['derived_dimension']}, Killing "
        f"{tuple(cls['killing_signature'])}, {who})"
    )


def aggregate(runs: list[dict]) -> list[ScanCell]:
    """Cells from run records, sorted by ``(n, k)``."""
    by_cell: dict[tuple[int, int], list[dict]] = {}
    for run in runs:
        by_cell.setdefault((run["n"], run["k"]), []).append(run)
    cells = []
    for (n, k), group in sorted(by_cell.items()):
        losses = [r["final_loss"] for r in group if math.isfinite(r["final_loss"])]
        n_found = sum(r["status"] == "found" for r in group)
        cells.append(
            ScanCell(
                n=n,
                k=k,
                n_seeds=len(group),
                n_found=n_found,
                found=n_found > 0,
                best_loss=min(losses) if losses else float("nan"),
                classes=distinct_classes(group),
            )
        )
    return cells


def scan_tasks(
    name: str,
    dims: tuple[int, int] | None = None,
    generators: tuple[int, int] | None = None,
    seeds: int = 2,
    training: dict | None = None,
) -> list[dict]:
    """Every ``(n, k, seed)`` task of a scan.

    ``k`` runs over ``generators`` (default ``1 … dim`` of the exact algebra
    at that ``n``).
    """
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise bad_input("seeds", "a positive integer", seeds)
    budget = {**SCAN_TRAINING, **(training or {})}
    ns = range(dims[0], dims[1] + 1) if dims else [None]
    tasks = []
    for n in ns:
        spec = oracle_spec(name, n)
        oracle = build(spec)
        top = exact_dimension(spec)
        lo, hi = generators if generators else (1, top)
        hi = min(hi, oracle.n**2 * (2 if oracle.field == "complex" else 1))
        if top == 0 and generators is None:
            logger.warning(
                "%s at n = %d has no linear symmetry; nothing to scan", name, oracle.n
            )
        for k in range(lo, hi + 1):
            for s in range(seeds):
                tasks.append(
                    {
                        "oracle": spec,
                        "n": oracle.n,
                        "k": k,
                        "seed": s,
                        "training": budget,
                        "blocks": None,
                    }
                )
    if not tasks:
        raise InputError(f"nothing to scan for {name!r}: no (n, k) pair in range.")
    return tasks


def scan(
    name: str,
    dims=None,
    generators=None,
    *,
    seeds: int = 2,
    workers: int = 1,
    scheduler: str | None = None,
    training: dict | None = None,
    progress=None,
) -> ScanResult:
    """Train every ``(n, k)`` with ``seeds`` seeds and collect the table.

    Parameters
    ----------
    name : str
        ``so``, ``u``, ``su``, ``metric:P`` (dimension from ``dims``) or a
        preset name (its own dimension).
    dims, generators : str or (int, int), optional
        Ranges ``"A..B"`` of ``n`` and ``k``.
    seeds : int
        Seeds per cell (``0 … seeds − 1``).
    workers : int
        Local worker processes; ``scheduler`` (a Dask address) overrides it.
    training : dict, optional
        Overrides of :data:`SCAN_TRAINING`.
    progress : callable, optional
        ``progress(done, total)``.

    Returns
    -------
    ScanResult
    """
    dims = parse_range(dims, "dims") if not isinstance(dims, tuple) else dims
    generators = (
        parse_range(generators, "generators")
        if not isinstance(generators, tuple)
        else generators
    )
    tasks = scan_tasks(name, dims, generators, seeds, training)
    runs, timings = run_grouped(
        tasks, workers=workers, scheduler=scheduler, progress=progress
    )
    return ScanResult(
        name=name,
        cells=aggregate(runs),
        runs=runs,
        training=tasks[0]["training"],
        timings=timings,
    )
