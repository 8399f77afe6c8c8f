r"""Direct-sum decompositions ``h = h_1 ⊕ … ⊕ h_r`` and their tables.

Given block sizes ``k_1 … k_r`` (``k = Σ k_i`` generators), training asks for
closure inside each block and vanishing brackets between blocks. Both are
one term: the learned-closure loss with structure constants restricted to
the blocks,

.. math::

    L_{blocks} = \sum_{α<β} \big\| [A_α, A_β]
                 - \sum_γ M_{αβγ} a_{αβγ} A_γ \big\|^2,

where ``M_αβγ = 1`` iff ``α, β, γ`` lie in the same block: for ``α, β`` in
different blocks it is ``‖[A_α, A_β]‖²``. A decomposition counts as found
when every check on fresh points passes and every factor is indecomposable
(one-dimensional, or simple by :func:`symdisc.algebra.identify.identify`).
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np

from symdisc import (
    _jax,  # noqa: F401
    losses,
)
from symdisc.algebra.linalg import closure_error, flatten
from symdisc.config import TrainingConfig
from symdisc.errors import bad_input
from symdisc.oracles.base import Oracle, check_oracle
from symdisc.training.allatonce import finish, make_model, validate
from symdisc.training.engine import optimise
from symdisc.training.objective import make_objective
from symdisc.training.result import DiscoveryResult

logger = logging.getLogger(__name__)

#: ``δ`` of :func:`nondegeneracy`: well below the Killing eigenvalues of compact
#: simple factors of ``u(n)`` with generators of squared norm 2 (0.8 for su(2)
#: as spin 3/2 on C⁴, 8 for su(2) on C²).
NONDEGENERACY_MARGIN = 0.1

#: Budget of one decomposition pattern; a light closure weight lets the
#: generators spread out before the blocks lock in.
DECOMPOSITION_TRAINING = {
    "epochs": 1000,
    "restarts": 4,
    "polish_steps": 100,
    "n_points": 64,
    "n_check_points": 128,
    "learning_rate": 3e-2,
    "h_closure": 0.1,
}


def block_mask(block_sizes: tuple[int, ...]) -> np.ndarray:
    """``M_αβγ = 1`` iff generators ``α, β, γ`` are in the same block, ``(k, k, k)``."""
    labels = np.repeat(np.arange(len(block_sizes)), block_sizes)
    same = labels[:, None] == labels[None, :]
    return (same[:, :, None] & same[:, None, :] & same[None, :, :]).astype(float)


def closure_blocks(A: jax.Array, a: jax.Array, mask: jax.Array) -> jax.Array:
    """Closure within blocks plus ``Σ ‖[A_α, A_β]‖²`` across blocks, a scalar."""
    return losses.closure_learned(A, a * mask)


def nondegeneracy(
    a: jax.Array,
    mask: jax.Array,
    sizes: tuple[int, ...],
    margin: float = NONDEGENERACY_MARGIN,
) -> jax.Array:
    """Keep blocks of size ``≥ 2`` semisimple, a scalar.

    ``Σ_i max(0, δ − |λ_i|)²`` over the eigenvalues ``λ_i`` of the Killing
    form ``K_αβ = Σ_γδ C_αγδ C_βδγ`` of the learned constants
    ``C = M ⊙ a`` (antisymmetrised), restricted to the blocks of two or more
    generators. A simple factor has a non-degenerate ``K``; an abelian block
    (which always closes, and is otherwise the easier minimum) has ``K = 0``.
    """
    C = losses.antisymmetrise(a) * mask
    K = jnp.einsum("agd,bdg->ab", C, C)
    big = np.flatnonzero(np.repeat(np.asarray(sizes) > 1, sizes))
    if big.size == 0:
        return jnp.zeros(())
    eig = jnp.linalg.eigvalsh(0.5 * (K + K.T)[np.ix_(big, big)])
    return jnp.sum(jnp.maximum(0.0, margin - jnp.abs(eig)) ** 2)


def cross_bracket_error(A: np.ndarray, block_sizes: tuple[int, ...]) -> float:
    """``max ‖[A_α, A_β]‖ / (‖A_α‖ ‖A_β‖)`` over ``α, β`` in different blocks."""
    labels = np.repeat(np.arange(len(block_sizes)), block_sizes)
    norms = np.linalg.norm(flatten(A), axis=1)
    worst = 0.0
    for a in range(len(A)):
        for b in range(a + 1, len(A)):
            if labels[a] != labels[b]:
                br = A[a] @ A[b] - A[b] @ A[a]
                worst = max(worst, float(np.linalg.norm(br) / (norms[a] * norms[b])))
    return worst


def check_blocks(block_sizes) -> tuple[int, ...]:
    """Block sizes as a tuple of positive integers, or a clear error."""
    sizes = tuple(block_sizes)
    if not sizes or any(
        isinstance(s, bool) or not isinstance(s, int | np.integer) or s < 1
        for s in sizes
    ):
        raise bad_input(
            "block_sizes",
            "one or more positive integers",
            block_sizes,
            "For example (3, 1) for su(2) ⊕ u(1).",
        )
    return tuple(int(s) for s in sizes)


def discover_blocks(
    oracle: Oracle,
    block_sizes,
    *,
    config: TrainingConfig | None = None,
    seed: int | None = None,
    **options,
) -> DiscoveryResult:
    """Learn ``h = h_1 ⊕ … ⊕ h_r`` with ``dim h_i = block_sizes[i]``.

    Parameters
    ----------
    oracle : Oracle
    block_sizes : sequence of int
        ``k_1 … k_r``; generators ``k_1 + … + k_{i−1} + 1 …`` form block ``i``.
    config : TrainingConfig, optional
        ``n_generators`` is set to ``Σ k_i``; ``h_closure`` weights
        :func:`closure_blocks` and :func:`nondegeneracy`.
    seed : int, optional
    **options
        Other :class:`TrainingConfig` fields.

    Returns
    -------
    DiscoveryResult
        ``extra`` holds ``block_sizes``, ``block_closure_error``,
        ``cross_bracket_error``, ``factors`` (identification of each block)
        and ``indecomposable``.
    """
    sizes = check_blocks(block_sizes)
    config = (config or TrainingConfig()).replace(
        n_generators=sum(sizes), seed=seed, **options
    )
    validate(oracle, config)
    check_oracle(oracle, seed=config.seed)
    model = make_model(oracle, config)
    t_start = time.perf_counter()

    data_key, init_key, check_key = jax.random.split(jax.random.PRNGKey(config.seed), 3)
    X = oracle.sample(data_key, config.n_points)
    params = jax.vmap(model.init)(jax.random.split(init_key, config.restarts))
    base = make_objective(oracle, model, config.replace(closure="none"), X)
    mask = jnp.asarray(block_mask(sizes))

    def objective(p):
        total, parts = base(p)
        term = closure_blocks(model.actions(p), p["a"], mask)
        central = nondegeneracy(p["a"], mask, sizes)
        return (
            total + config.h_closure * (term + central),
            {**parts, "closure": term, "nondegeneracy": central},
        )

    outcome = optimise(
        objective,
        params,
        epochs=config.epochs,
        learning_rate=config.learning_rate,
        loss_floor=config.loss_floor,
        polish_steps=config.polish_steps,
    )
    result = finish(
        oracle, model, config, outcome, check_key, t_start, algorithm="blocks"
    )
    return _judge_blocks(result, sizes, config, oracle.field == "complex")


def _judge_blocks(result: DiscoveryResult, sizes, config, complex_: bool):
    """Add the block checks and the factors' names; demote if any fails."""
    A = result.generators * (1j if complex_ else 1)
    starts = np.cumsum((0,) + sizes)
    blocks = [A[starts[i] : starts[i + 1]] for i in range(len(sizes))]
    within = max(closure_error(b) for b in blocks)
    across = cross_bracket_error(A, sizes) if len(sizes) > 1 else 0.0
    extra = {
        "block_sizes": list(sizes),
        "block_closure_error": within,
        "cross_bracket_error": across,
    }
    reasons = list(result.reasons)
    status = result.status
    if status == "found":
        failed = [
            f"{what} {v:.2e} is above the tolerance {config.tol_closure:.0e}"
            for what, v in (
                ("closure within blocks", within),
                ("bracket between blocks", across),
            )
            if not v < config.tol_closure
        ]
        if failed:
            status = "not found"
            reasons.append("the blocks do not split: " + "; ".join(failed))
    if status == "found":
        from symdisc.scan import identification_record

        factors = [
            identification_record(
                result.generators[starts[i] : starts[i + 1]], complex_
            )
            for i in range(len(sizes))
        ]
        simple = [s == 1 or f["is_simple"] for s, f in zip(sizes, factors, strict=True)]
        extra["factors"] = factors
        extra["indecomposable"] = all(simple)
        if not all(simple):
            status = "not found"
            names = ", ".join(
                f["name"] for f, ok in zip(factors, simple, strict=True) if not ok
            )
            reasons.append(
                f"a factor splits further ({names}); a decomposition "
                "with these block sizes into indecomposable factors was "
                "not reached"
            )
    return dataclasses.replace(
        result, status=status, reasons=reasons, extra={**result.extra, **extra}
    )


def compact_simple_dimensions(up_to: int) -> list[int]:
    """Dimensions of the compact simple Lie algebras, at most ``up_to``.

    ``su(l+1)``: ``l(l+2)``; ``so(2l+1)``, ``sp(l)``: ``l(2l+1)``;
    ``so(2l)`` (``l ≥ 4``): ``l(2l−1)``; ``g2`` 14, ``f4`` 52, ``e6`` 78,
    ``e7`` 133, ``e8`` 248.
    """
    dims = {14, 52, 78, 133, 248}
    for ell in range(1, up_to + 1):
        dims.add(ell * (ell + 2))
        if ell >= 2:
            dims.add(ell * (2 * ell + 1))
        if ell >= 4:
            dims.add(ell * (2 * ell - 1))
    return sorted(d for d in dims if d <= up_to)


def patterns(total: int, n_factors: int, sizes: list[int]) -> list[tuple[int, ...]]:
    """Non-increasing ``n_factors``-tuples of ``sizes`` adding up to ``total``."""
    out: list[tuple[int, ...]] = []

    def extend(prefix, remaining, slots, largest):
        if slots == 0:
            if remaining == 0:
                out.append(tuple(prefix))
            return
        for s in sorted(
            (s for s in sizes if s <= min(largest, remaining)), reverse=True
        ):
            extend(prefix + [s], remaining - s, slots - 1, s)

    extend([], total, n_factors, total)
    return out


def factor_sizes_for(oracle: Oracle, up_to: int, which: str) -> list[int]:
    """Return the block sizes to try.

    ``"simple"``: 1 and the dimensions of compact simple Lie algebras (every
    factor of a subalgebra of a compact algebra such as ``u(n)`` is one of
    these); ``"all"``: every size up to ``up_to``.
    """
    if which == "all":
        return list(range(1, up_to + 1))
    if which == "simple":
        return [1, *compact_simple_dimensions(up_to)]
    raise bad_input("factor_sizes", '"simple" or "all"', which)


@dataclass(frozen=True)
class DecompositionCell:
    """Whether ``dim h = N`` with ``r`` indecomposable factors was reached.

    Attributes
    ----------
    total, n_factors : int
        ``N_h`` and ``r``.
    patterns : list of list of int
        Block sizes tried.
    found : bool
    pattern : list of int or None
        The block sizes of the first success.
    factors : list of str
        The factors' names for that success.
    best_loss : float
        Smallest final loss over patterns and seeds (NaN when nothing trained).
    """

    total: int
    n_factors: int
    patterns: list
    found: bool
    pattern: list | None
    factors: list
    best_loss: float

    def to_dict(self) -> dict:
        """Plain data for the table."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class DecompositionTable:
    """Every ``(N_h, r)`` cell of a decomposition search and the runs behind it."""

    name: str
    cells: list
    runs: list
    training: dict
    timings: dict

    def found_cells(self) -> dict[int, list[int]]:
        """``{N_h: [r, …]}`` of the cells that succeeded."""
        out: dict[int, list[int]] = {}
        for c in self.cells:
            out.setdefault(c.total, [])
            if c.found:
                out[c.total].append(c.n_factors)
        return out


def decomposition_tasks(
    name: str,
    totals,
    max_factors: int = 4,
    seeds: int = 1,
    factor_sizes: str = "simple",
    dims: int | None = None,
    training: dict | None = None,
) -> tuple[list[dict], list]:
    """Tasks (one per pattern and seed) and the ``(N, r, patterns)`` grid."""
    from symdisc.scan import build, exact_dimension, oracle_spec

    spec = oracle_spec(name, dims)
    oracle = build(spec)
    top = exact_dimension(spec)
    lo, hi = totals if totals else (1, top)
    sizes = factor_sizes_for(oracle, hi, factor_sizes)
    budget = {**DECOMPOSITION_TRAINING, **(training or {})}
    grid, tasks = [], []
    for total in range(lo, hi + 1):
        for r in range(1, max_factors + 1):
            found_patterns = patterns(total, r, sizes)
            grid.append((total, r, found_patterns))
            for pattern in found_patterns:
                for s in range(seeds):
                    tasks.append(
                        {
                            "oracle": spec,
                            "n": oracle.n,
                            "k": total,
                            "seed": s,
                            "training": budget,
                            "blocks": list(pattern),
                        }
                    )
    return tasks, grid


def decomposition_table(
    name: str,
    totals=None,
    *,
    max_factors: int = 4,
    seeds: int = 1,
    factor_sizes: str = "simple",
    dims: int | None = None,
    workers: int = 1,
    scheduler: str | None = None,
    training: dict | None = None,
    progress=None,
) -> DecompositionTable:
    """Which ``(N_h, r)`` direct sums of indecomposable factors training reaches.

    Parameters
    ----------
    name : str
        Preset or family (with ``dims`` its dimension ``n``).
    totals : (int, int) or str, optional
        Range of ``N_h`` (default ``1 … dim`` of the exact algebra).
    max_factors : int
        Largest ``r``.
    seeds : int
        Seeds per pattern.
    factor_sizes : {"simple", "all"}
        Block sizes tried, see :func:`factor_sizes_for`.
    workers, scheduler
        As in :func:`symdisc.sweep.run_all`.
    training : dict, optional
        Overrides of the scan budget.
    """
    from symdisc.scan import parse_range
    from symdisc.sweep import run_all

    if not isinstance(totals, tuple):
        totals = parse_range(totals, "sizes")
    tasks, grid = decomposition_tasks(
        name, totals, max_factors, seeds, factor_sizes, dims, training
    )
    from symdisc.scan import train_cell

    runs, timings = run_all(
        train_cell, tasks, workers=workers, scheduler=scheduler, progress=progress
    )
    cells = []
    for total, r, tried in grid:
        mine = [run for run in runs if run["k"] == total and len(run["blocks"]) == r]
        hit = next((run for run in mine if run["status"] == "found"), None)
        loss = [run["final_loss"] for run in mine if np.isfinite(run["final_loss"])]
        cells.append(
            DecompositionCell(
                total=total,
                n_factors=r,
                patterns=[list(p) for p in tried],
                found=hit is not None,
                pattern=hit["blocks"] if hit else None,
                factors=[f["name"] for f in hit["factors"]] if hit else [],
                best_loss=min(loss) if loss else float("nan"),
            )
        )
    return DecompositionTable(
        name=name,
        cells=cells,
        runs=runs,
        training=tasks[0]["training"] if tasks else {},
        timings={
            "wall_s": timings.wall_s,
            "backend": timings.backend,
            "workers": timings.workers,
            "n_tasks": timings.n_tasks,
        },
    )
