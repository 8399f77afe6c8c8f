r"""Direct-sum decompositions ``h = h_1 ⊕ … ⊕ h_r`` and their tables.

Given block sizes ``k_1 … k_r`` (``k = Σ k_i`` generators), training asks for
closure inside each block and vanishing brackets between blocks. Both are
one term: the learned-closure loss with structure constants restricted to
the blocks,

.. math::

    L_{blocks} = \sum_{α<β} \big\| [A_α, A_β]
                 - \sum_γ M_{αβγ} a_{αβγ} A_γ \big\|^2,

where ``M_αβγ = 1`` iff ``α, β, γ`` lie in the same block: for ``α, β`` in
different blocks it is ``‖[A_α, A_β]‖²``. A block of two or more generators
must be simple, hence semisimple: :func:`nondegeneracy` keeps its Killing
form away from zero and :func:`outside_derived` keeps it inside the derived
algebra ``[g, g]`` of the exact algebra ``g``, where every semisimple
subalgebra lies (without it, one block of 8 in u(4) stalls at
``su(2)² ⊕ u(1)²`` instead of reaching su(3)). A decomposition counts as
found when every check on fresh points passes and every factor is
indecomposable (one-dimensional, or simple by
:func:`symdisc.algebra.identify.identify`).

:func:`decomposition_table` fills the ``(N_h, r)`` table: one closed block
per ``N_h`` first, then block patterns for the cells still open, skipping
patterns that rank or representation size rule out (:func:`ruled_out`).
"""

from __future__ import annotations

import dataclasses
import functools
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
from symdisc.algebra.linalg import bracket_table, closure_error, flatten, realify
from symdisc.config import TrainingConfig
from symdisc.errors import bad_input
from symdisc.oracles.base import Oracle, check_oracle
from symdisc.training.allatonce import finish, make_model, validate
from symdisc.training.engine import optimise
from symdisc.training.objective import loss_settings, make_objective
from symdisc.training.result import DiscoveryResult

logger = logging.getLogger(__name__)

#: ``δ`` of :func:`nondegeneracy`: well below the Killing eigenvalues of compact
#: simple factors of ``u(n)`` with generators of squared norm 2 (0.8 for su(2)
#: as spin 3/2 on C⁴, 8 for su(2) on C²).
NONDEGENERACY_MARGIN = 0.1

#: Budget of one block-pattern training (a closure weight of 0.1 lets the
#: generators spread out before the blocks lock in; training stops at the
#: loss floor, so successes are short).
DECOMPOSITION_TRAINING = {
    "epochs": 1000,
    "restarts": 8,
    "polish_steps": 100,
    "n_points": 64,
    "n_check_points": 128,
    "learning_rate": 3e-2,
    "h_closure": 0.1,
}

#: Budget of one one-block training (all-at-once with closure).
ONE_BLOCK_TRAINING = {
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
    single,
    margin: float = NONDEGENERACY_MARGIN,
) -> jax.Array:
    """Keep blocks of size ``≥ 2`` semisimple, a scalar.

    ``Σ_i max(0, δ − |λ_i|)²`` over the eigenvalues ``λ_i`` of the Killing
    form ``K_αβ = Σ_γδ C_αγδ C_βδγ`` of the learned constants
    ``C = M ⊙ a`` (antisymmetrised), restricted to the blocks of two or more
    generators. A simple factor has a non-degenerate ``K``; an abelian block
    (which always closes, and is otherwise the easier minimum) has ``K = 0``.

    ``single`` marks the generators that form a block of their own, shape
    ``(k,)`` (or the block sizes, from which it is made). ``K`` is block
    diagonal and zero on such a generator, so shifting those diagonal
    entries past ``δ`` leaves exactly the eigenvalues of the larger blocks
    to be penalised; the shapes, and so the compiled loss, depend on ``k``
    only.
    """
    if isinstance(single, tuple):
        single = single_generators(single)
    C = losses.antisymmetrise(a) * mask
    K = jnp.einsum("agd,bdg->ab", C, C)
    K = 0.5 * (K + K.T) + jnp.diag(2.0 * margin * single)
    eig = jnp.linalg.eigvalsh(K)
    return jnp.sum(jnp.maximum(0.0, margin - jnp.abs(eig)) ** 2)


def single_generators(block_sizes: tuple[int, ...]) -> np.ndarray:
    """``1.0`` for each generator that is a block of its own, else ``0.0``."""
    return np.repeat(np.asarray(block_sizes) == 1, block_sizes).astype(float)


def derived_basis(oracle: Oracle) -> np.ndarray:
    """Orthonormal real coordinates of ``[g, g]``, ``g`` the exact algebra.

    Shape ``(m, d)`` with ``m`` the number of real coordinates of an action
    matrix (``n²``, or ``2n²`` for complex oracles) and ``d = dim [g, g]``.
    Every semisimple subalgebra ``s`` of ``g`` equals ``[s, s]`` and so lies
    in ``[g, g]``: a block that must be semisimple is kept there (for
    ``u(n)``: trace-free, inside ``su(n)``).
    """
    return _derived_basis(oracle)


@functools.lru_cache(maxsize=16)
def _derived_basis(oracle: Oracle) -> np.ndarray:
    from symdisc.exact import solve

    B = solve(oracle).basis
    m = (
        realify(B[:1]).shape[1]
        if len(B)
        else oracle.n**2 * (2 if oracle.field == "complex" else 1)
    )
    if len(B) < 2:
        return np.zeros((m, 0))
    brackets = bracket_table(B).reshape(-1, *B.shape[1:])
    V = realify(brackets)
    _, s, Vt = np.linalg.svd(V, full_matrices=False)
    rank = int(np.sum(s > 1e-8 * max(s[0], np.finfo(float).tiny)))
    return Vt[:rank].T


def outside_derived(A: jax.Array, weights: jax.Array, Q: jax.Array) -> jax.Array:
    """``Σ_α w_α ‖A_α − P A_α‖²``, ``P`` the projector onto ``span Q``, a scalar."""
    V = A.reshape(A.shape[0], -1)
    if jnp.iscomplexobj(V):
        V = jnp.concatenate([V.real, V.imag], axis=1)
    outside = V - (V @ Q) @ Q.T
    return jnp.sum(weights * jnp.sum(outside**2, axis=1))


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
        :func:`closure_blocks` and :func:`nondegeneracy`;
        :func:`outside_derived` has weight 1, like the invariance it refines.
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
    params = jax.vmap(model.init)(jax.random.split(init_key, config.restarts))
    data = {
        "X": oracle.sample(data_key, config.n_points),
        "mask": jnp.asarray(block_mask(sizes)),
        "single": jnp.asarray(single_generators(sizes)),
        "derived": jnp.asarray(derived_basis(oracle)),
    }
    outcome = optimise(
        _block_objective(oracle, model, loss_settings(config.replace(closure="none"))),
        params,
        epochs=config.epochs,
        learning_rate=config.learning_rate,
        loss_floor=config.loss_floor,
        polish_steps=config.polish_steps,
        data=data,
    )
    result = finish(
        oracle, model, config, outcome, check_key, t_start, algorithm="blocks"
    )
    return _judge_blocks(result, sizes, config, oracle.field == "complex")


@functools.lru_cache(maxsize=16)
def _block_objective(oracle: Oracle, model, config: TrainingConfig):
    """``loss(p, data)`` of :func:`discover_blocks`; one per oracle and ``k``.

    Points, block mask, single-generator marks and ``[g, g]`` are ``data``,
    so patterns with the same ``k`` share one compiled loss (see
    :func:`symdisc.training.engine.optimise`).
    """

    def objective(p, data):
        base = make_objective(oracle, model, config, data["X"])
        total, parts = base(p)
        term = closure_blocks(model.actions(p), p["a"], data["mask"])
        central = nondegeneracy(p["a"], data["mask"], data["single"])
        outside = outside_derived(
            model.actions(p), 1.0 - data["single"], data["derived"]
        )
        return (
            total + config.h_closure * (term + central) + outside,
            {
                **parts,
                "closure": term,
                "nondegeneracy": central,
                "outside_derived": outside,
            },
        )

    return objective


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


_EXCEPTIONAL = [("g2", 14, 2, 7), ("f4", 52, 4, 26), ("e6", 78, 6, 27)]
_EXCEPTIONAL += [("e7", 133, 7, 56), ("e8", 248, 8, 248)]


def _classical(series: str, ell: int) -> tuple[str, int, int, int]:
    """``(name, dimension, rank, smallest non-trivial representation)``."""
    if series == "A":
        return f"su({ell + 1})", ell * (ell + 2), ell, ell + 1
    if series == "B":  # so(5) ≅ usp(4) acts on C⁴
        return (
            f"so({2 * ell + 1})",
            ell * (2 * ell + 1),
            ell,
            (4 if ell == 2 else 2 * ell + 1),
        )
    if series == "C":
        return f"usp({2 * ell})", ell * (2 * ell + 1), ell, 2 * ell
    return f"so({2 * ell})", ell * (2 * ell - 1), ell, 2 * ell


def compact_simple_algebras(up_to: int) -> list[tuple[str, int, int, int]]:
    """Compact simple Lie algebras of dimension at most ``up_to``.

    Each as ``(name, dimension, rank, smallest non-trivial representation)``:
    ``su(l+1)`` (``l ≥ 1``), ``so(2l+1)`` (``l ≥ 2``), ``usp(2l)``
    (``l ≥ 3``), ``so(2l)`` (``l ≥ 4``) and the five exceptional algebras
    (below those ``l`` a series repeats another), sorted by dimension.
    """
    out = [e for e in _EXCEPTIONAL if e[1] <= up_to]
    for series, start in (("A", 1), ("B", 2), ("C", 3), ("D", 4)):
        ell = start
        while (entry := _classical(series, ell))[1] <= up_to:
            out.append(entry)
            ell += 1
    return sorted(out, key=lambda e: (e[1], e[0]))


def compact_simple_dimensions(up_to: int) -> list[int]:
    """Dimensions of the compact simple Lie algebras, at most ``up_to``.

    ``su(l+1)``: ``l(l+2)``; ``so(2l+1)``, ``sp(l)``: ``l(2l+1)``;
    ``so(2l)`` (``l ≥ 4``): ``l(2l−1)``; ``g2`` 14, ``f4`` 52, ``e6`` 78,
    ``e7`` 133, ``e8`` 248.
    """
    return sorted({e[1] for e in compact_simple_algebras(up_to)})


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
class Ambient:
    """What the whole symmetry algebra ``g`` allows, for ruling patterns out.

    Attributes
    ----------
    name : str
        Identification of ``g``.
    dimension, rank : int
    compact : bool
        Reductive with a negative semi-definite Killing form and a centre of
        ``u(1)`` factors only.
    n : int
        Dimension of the space ``g`` acts on (complexified: ``C^n``).
    """

    name: str
    dimension: int
    rank: int
    compact: bool
    n: int


def ambient_algebra(oracle: Oracle) -> Ambient:
    """The exact symmetry algebra of ``oracle``, identified."""
    from symdisc.algebra.identify import identify
    from symdisc.exact import solve

    algebra = solve(oracle)
    if algebra.dimension == 0:
        return Ambient("0", 0, 0, True, oracle.n)
    ident = identify(algebra.basis)
    compact = (
        ident.is_reductive
        and ident.killing_signature[0] == 0
        and all(f == "u(1)" for f in ident.centre_factors)
    )
    return Ambient(ident.name, algebra.dimension, ident.rank, compact, oracle.n)


def ruled_out(pattern: tuple[int, ...], ambient: Ambient) -> str | None:
    """Why no subalgebra of a compact ``g`` has these factor sizes, or ``None``.

    Two classical facts, used only when ``g`` is compact (then every factor
    of a subalgebra is ``u(1)`` or compact simple):

    - rank: a maximal torus of ``h`` lies in one of ``g``, so
      ``Σ rank h_i ≤ rank g``; a factor of dimension ``d`` has at least the
      smallest rank of a compact simple algebra of that dimension (1 for
      ``u(1)``);
    - representation: a simple factor acts non-trivially on ``C^n``, so it
      needs a non-trivial representation of dimension at most ``n``.
    """
    if not ambient.compact:
        return None
    catalogue = compact_simple_algebras(max(pattern))
    rank = 0
    for d in pattern:
        if d == 1:
            rank += 1
            continue
        matches = [e for e in catalogue if e[1] == d]
        if not matches:
            return f"no compact simple Lie algebra has dimension {d}"
        smallest = min(e[3] for e in matches)
        if smallest > ambient.n:
            names = " or ".join(e[0] for e in matches)
            return (
                f"{names} (dimension {d}) has no non-trivial representation "
                f"on C^{ambient.n} (the smallest has dimension {smallest})"
            )
        rank += min(e[2] for e in matches)
    if rank > ambient.rank:
        return f"rank at least {rank} > rank {ambient.rank} of {ambient.name}"
    return None


#: Names of isomorphic compact algebras, mapped to the one used in tables.
CANONICAL_NAMES = {"so(3)": "su(2)", "so(6)": "su(4)", "usp(4)": "so(5)"}


def canonical(names) -> tuple[str, ...]:
    """Factor names up to isomorphism, sorted: the key that compares algebras."""
    return tuple(sorted(CANONICAL_NAMES.get(n, n) for n in names))


def factor_name(identification: dict) -> str:
    """Table name of one factor: ``su(n)`` where an isomorphic name is one."""
    full = identification.get("full_name", identification["name"])
    for alternative in full.split(" ≅ "):
        if alternative.startswith("su(") and "," not in alternative:
            return alternative
    return identification["name"]


@dataclass(frozen=True)
class DecompositionCell:
    """Whether ``dim h = N`` with ``r`` indecomposable factors was reached.

    Attributes
    ----------
    total, n_factors : int
        ``N_h`` and ``r``.
    patterns : list of list of int
        Every block-size pattern of ``r`` indecomposable factors adding up
        to ``N_h``.
    found : bool
    source : str
        ``"blocks"`` (a block-size training reached it), ``"one block"``
        (``N_h`` generators closed as one block, with no structure imposed,
        reached an algebra with ``r`` factors: the arrows of the seed's
        table) or ``""``.
    pattern : list of int or None
        The block sizes of the success (for ``"one block"``: the factors'
        dimensions).
    factors : list of str
        The factors' names for that success.
    trained : list of list of int
        Patterns trained.
    ruled_out : list of dict
        ``{"pattern", "reason"}`` for each pattern not trained because no
        subalgebra can have it (see :func:`ruled_out`).
    best_loss : float
        Smallest final loss of the cell's trainings (NaN when none ran).
    """

    total: int
    n_factors: int
    patterns: list
    found: bool
    source: str
    pattern: list | None
    factors: list
    trained: list
    ruled_out: list
    best_loss: float

    @property
    def impossible(self) -> bool:
        """Every pattern is ruled out by mathematics (or there is none)."""
        return not self.found and len(self.ruled_out) == len(self.patterns)

    def to_dict(self) -> dict:
        """Plain data for the table."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class DecompositionTable:
    """Every ``(N_h, r)`` cell of a decomposition search and the runs behind it.

    Attributes
    ----------
    name : str
    cells : list of DecompositionCell
    runs : list of dict
        Every training (:func:`symdisc.scan.train_cell` records); the
        one-block trainings have ``blocks`` ``None``.
    one_block : dict
        ``{N_h: record}`` of the one-block trainings: which algebra ``N_h``
        generators closed as one block reached.
    ambient : dict
        The whole algebra (:class:`Ambient`).
    training : dict
        Budgets: ``"blocks"`` and ``"one_block"``.
    timings : dict
    published : str or None
        Key of a published table of the same algebra
        (:mod:`symdisc.published_tables`), to compare with.
    """

    name: str
    cells: list
    runs: list
    one_block: dict
    ambient: dict
    training: dict
    timings: dict
    published: str | None = None

    def found_cells(self) -> dict[int, list[int]]:
        """``{N_h: [r, …]}`` of the cells that succeeded."""
        out: dict[int, list[int]] = {}
        for c in self.cells:
            out.setdefault(c.total, [])
            if c.found:
                out[c.total].append(c.n_factors)
        return out

    def cell(self, total: int, n_factors: int) -> DecompositionCell:
        """The cell ``(N_h, r)``."""
        return next(
            c for c in self.cells if (c.total, c.n_factors) == (total, n_factors)
        )


def decomposition_grid(
    name: str,
    totals=None,
    max_factors: int = 4,
    factor_sizes: str = "simple",
    dims: int | None = None,
    prune: bool = True,
) -> tuple[dict, Ambient, list[tuple[int, int, list, list]]]:
    """The oracle spec, the whole algebra and every ``(N, r)`` cell to fill.

    Each cell is ``(N, r, patterns to train, [{"pattern", "reason"}, …]
    ruled out)``; with ``prune=False`` nothing is ruled out.
    """
    from symdisc.scan import build, oracle_spec

    if isinstance(max_factors, bool) or not isinstance(max_factors, int):
        raise bad_input("factors", "a positive integer", max_factors)
    if max_factors < 1:
        raise bad_input("factors", "a positive integer", max_factors)
    spec = oracle_spec(name, dims)
    oracle = build(spec)
    ambient = ambient_algebra(oracle)
    lo, hi = totals if totals else (1, ambient.dimension)
    sizes = factor_sizes_for(oracle, hi, factor_sizes)
    grid = []
    for total in range(lo, hi + 1):
        for r in range(1, max_factors + 1):
            train, out = [], []
            for pattern in patterns(total, r, sizes):
                reason = ruled_out(pattern, ambient) if prune else None
                if reason is None:
                    train.append(pattern)
                else:
                    out.append({"pattern": list(pattern), "reason": reason})
            grid.append((total, r, train, out))
    return spec, ambient, grid


def decomposition_tasks(
    name: str,
    totals=None,
    max_factors: int = 4,
    seeds: int = 1,
    factor_sizes: str = "simple",
    dims: int | None = None,
    training: dict | None = None,
    prune: bool = True,
) -> tuple[list[dict], list]:
    """Block-pattern tasks (one per pattern not ruled out, and seed), and the grid.

    The table itself first trains one block per ``N_h`` and then only the
    cells that left open (see :func:`decomposition_table`); this is the
    largest number of block trainings it can need.
    """
    spec, ambient, grid = decomposition_grid(
        name, totals, max_factors, factor_sizes, dims, prune
    )
    budget = {**DECOMPOSITION_TRAINING, **(training or {})}
    tasks = [
        _block_task(spec, ambient.n, pattern, s, budget)
        for _total, _r, train, _out in grid
        for pattern in train
        for s in range(seeds)
    ]
    return tasks, grid


def _block_task(spec, n, pattern, seed, budget) -> dict:
    return {
        "oracle": spec,
        "n": n,
        "k": sum(pattern),
        "seed": seed,
        "training": budget,
        "blocks": list(pattern),
    }


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
    one_block: bool = True,
    prune: bool = True,
    progress=None,
) -> DecompositionTable:
    """Which ``(N_h, r)`` direct sums of indecomposable factors training reaches.

    Two rounds of independent trainings:

    1. one block (``one_block=True``): for each ``N_h``, ``N_h`` generators
       that close, with no block structure imposed. A success is identified
       and fills the cell of its number ``r`` of indecomposable factors
       (``u(2) ≅ su(2) ⊕ u(1)`` fills ``r = 2``): the arrows of the seed's
       table. Those cells need no block training.
    2. blocks: every pattern of factor sizes of each cell still open, unless
       :func:`ruled_out` (``prune=True``) shows no subalgebra has it.

    Parameters
    ----------
    name : str
        Preset or family (with ``dims`` its dimension ``n``).
    totals : (int, int) or str, optional
        Range of ``N_h`` (default ``1 … dim`` of the exact algebra).
    max_factors : int
        Largest ``r``.
    seeds : int
        Seeds per pattern (and per one-block ``N_h``).
    factor_sizes : {"simple", "all"}
        Block sizes tried, see :func:`factor_sizes_for`.
    workers, scheduler
        As in :func:`symdisc.sweep.run_all`.
    training : dict, optional
        Overrides of :data:`DECOMPOSITION_TRAINING` (and of
        :data:`ONE_BLOCK_TRAINING`).
    one_block, prune : bool
        See above.
    progress : callable, optional
        ``progress(done, total)`` over groups of trainings, per round.
    """
    from symdisc.published_tables import published_key
    from symdisc.scan import parse_range, run_grouped

    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise bad_input("seeds", "a positive integer", seeds)
    if not isinstance(totals, tuple):
        totals = parse_range(totals, "sizes")
    spec, ambient, grid = decomposition_grid(
        name, totals, max_factors, factor_sizes, dims, prune
    )
    budget = {**DECOMPOSITION_TRAINING, **(training or {})}
    one_budget = {**ONE_BLOCK_TRAINING, **(training or {})}
    totals_range = sorted({total for total, *_ in grid})

    runs: list[dict] = []
    wall, groups, backend, used = 0.0, 0, "serial", 1
    first: dict[int, dict] = {}
    filled: dict[tuple[int, int], dict] = {}
    if one_block and totals_range:
        tasks = [
            {
                "oracle": spec,
                "n": ambient.n,
                "k": total,
                "seed": s,
                "training": one_budget,
                "blocks": None,
            }
            for total in totals_range
            for s in range(seeds)
        ]
        found, timings = run_grouped(
            tasks, workers=workers, scheduler=scheduler, progress=progress
        )
        runs += found
        wall += timings["wall_s"]
        groups += timings["n_groups"]
        backend, used = timings["backend"], timings["workers"]
        for run in found:
            ident = run.get("identification") or {}
            first.setdefault(run["k"], run)
            if run["status"] != "found" or not ident.get("factors"):
                continue
            first[run["k"]] = run
            key = (run["k"], len(ident["factors"]))
            filled.setdefault(key, run)

    tasks = [
        _block_task(spec, ambient.n, pattern, s, budget)
        for total, r, train, _out in grid
        if (total, r) not in filled
        for pattern in train
        for s in range(seeds)
    ]
    if tasks:
        trained, timings = run_grouped(
            tasks, workers=workers, scheduler=scheduler, progress=progress
        )
        runs += trained
        wall += timings["wall_s"]
        groups += timings["n_groups"]
        backend, used = timings["backend"], timings["workers"]

    cells = [_cell(total, r, train, out, runs, filled) for total, r, train, out in grid]
    return DecompositionTable(
        name=name,
        cells=cells,
        runs=runs,
        one_block={k: _one_block_summary(v) for k, v in sorted(first.items())},
        ambient=dataclasses.asdict(ambient),
        training={"blocks": budget, "one_block": one_budget if one_block else None},
        timings={
            "wall_s": wall,
            "backend": backend,
            "workers": used,
            "n_tasks": len(runs),
            "n_groups": groups,
        },
        published=published_key(name, dims),
    )


def _one_block_summary(run: dict) -> dict:
    ident = run.get("identification") or {}
    return {
        "status": run["status"],
        "name": ident.get("full_name", "") if run["status"] == "found" else "",
        "factors": ident.get("factors") if run["status"] == "found" else None,
        "final_loss": run["final_loss"],
    }


def _cell(total, r, train, out, runs, filled) -> DecompositionCell:
    mine = [
        run
        for run in runs
        if run["blocks"] and run["k"] == total and len(run["blocks"]) == r
    ]
    one = filled.get((total, r))
    losses_ = [run["final_loss"] for run in mine if np.isfinite(run["final_loss"])]
    if one is not None and np.isfinite(one["final_loss"]):
        losses_.append(one["final_loss"])
    hit = next((run for run in mine if run["status"] == "found"), None)
    if hit is not None:
        source, pattern = "blocks", hit["blocks"]
        factors = [factor_name(f) for f in hit["factors"]]
    elif one is not None:
        ident = one["identification"]
        source, factors = "one block", list(ident["factors"])
        pattern = None
    else:
        source, pattern, factors = "", None, []
    return DecompositionCell(
        total=total,
        n_factors=r,
        patterns=[list(p) for p in train] + [o["pattern"] for o in out],
        found=bool(source),
        source=source,
        pattern=pattern,
        factors=factors,
        trained=sorted({tuple(run["blocks"]) for run in mine}, reverse=True),
        ruled_out=out,
        best_loss=min(losses_) if losses_ else float("nan"),
    )
