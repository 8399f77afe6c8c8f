r"""Sparse, canonical bases: rotate a found basis within its span.

A basis ``G_1, …, G_k`` of an algebra (learned or exact) is one of many: any
orthogonal change of basis ``G'_α = Σ_β R_αβ G_β`` spans the same algebra
with the same norms and angles. Among them we pick the one that minimises
the sparsity measure of :func:`symdisc.losses.sparsity`,

.. math::

    S(G) = Σ_α \Bigl[\bigl(Σ_j |g_{αj}|\bigr)^2 − Σ_j |g_{αj}|^2\Bigr],

where ``g_α`` are the real coordinates of ``G_α`` (real and imaginary parts
of complex entries count separately). For an orthonormal basis the second
sum is the constant ``k · 2``, so this is the sum of squared L1 norms. Its
minimisers are the textbook bases: ``E_ab − E_ba`` for so(n), rotations
and boosts for so(1,3), single diagonal entries and symmetric / antisymmetric
pairs for u(n).

The rotation is built from Givens rotations in the planes of pairs of
generators (Jacobi sweeps). Along one plane the measure is a function of one
angle ``θ`` whose kinks are the angles where a rotated coordinate vanishes;
every kink (and a coarse grid of angles) is evaluated and the best taken, so
each step is an exact one-dimensional minimisation that lands on exact zeros.
Sweeps over all pairs (disjoint pairs updated together) repeat until the
measure stops decreasing. The L1 landscape has poor local minima, so several
random starting rotations (seeded; the first is the identity) are swept and
the one with the lowest measure is kept.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass

import jax
import numpy as np

from symdisc.algebra.linalg import (
    CANONICAL_NORM_SQ,
    as_stack,
    gram,
    realify,
    structure_constants,
)
from symdisc.checks import evaluate
from symdisc.config import TrainingConfig
from symdisc.errors import bad_input
from symdisc.oracles.base import Oracle
from symdisc.training.allatonce import _exact_comparison, _status, discover
from symdisc.training.result import DiscoveryResult

logger = logging.getLogger(__name__)

#: A sweep that lowers the measure by less than this fraction ends a start.
SWEEP_RTOL = 1e-12


@dataclass(frozen=True)
class SparseBasis:
    """A basis rotated within its span to be as sparse as possible.

    Attributes
    ----------
    generators : ndarray, shape (k, n, n)
        The sparse basis, orthonormal (squared norm 2), same span as the input.
    rotation : ndarray, shape (k, k)
        Real orthogonal ``R`` with ``generators = R · orthonormalised input``.
    change_of_basis : ndarray, shape (k, k)
        Real ``T`` with ``generators = T · input`` (``R`` times the
        orthonormalisation).
    structure_constants : ndarray, shape (k, k, k)
        ``[G_α, G_β] = Σ_γ C_αβγ G_γ`` of the returned generators (least
        squares), for the matrices as given (for Hermitian ``J`` pass the
        actions ``iJ`` when the constants of the actions are wanted).
    sparsity_before, sparsity_after : float
        The measure ``S`` of the orthonormalised input and of the result.
    n_entries : list of int
        Per generator, the number of real coordinates above ``entry_rtol``
        times the largest entry of the whole basis.
    start_measures : ndarray, shape (n_starts,)
        The measure reached from each starting rotation.
    best_start : int
    timings : dict
    """

    generators: np.ndarray
    rotation: np.ndarray
    change_of_basis: np.ndarray
    structure_constants: np.ndarray
    sparsity_before: float
    sparsity_after: float
    n_entries: list
    start_measures: np.ndarray
    best_start: int
    timings: dict

    def to_dict(self) -> dict:
        """Plain data for ``result.json`` (the matrices are saved separately)."""
        return {
            "sparsity_before": self.sparsity_before,
            "sparsity_after": self.sparsity_after,
            "n_entries": list(self.n_entries),
            "start_measures": np.asarray(self.start_measures).tolist(),
            "best_start": self.best_start,
            "timings": dict(self.timings),
        }


def sparsity_measure(generators: np.ndarray) -> float:
    """``S(G)``: the sum over generators of :func:`symdisc.losses.sparsity`."""
    V = np.abs(realify(as_stack(np.asarray(generators))))
    return float(np.sum(np.sum(V, axis=1) ** 2 - np.sum(V**2, axis=1)))


def count_entries(generators: np.ndarray, rtol: float = 1e-3) -> list[int]:
    """Real coordinates above ``rtol`` times the basis' largest, per generator.

    Real and imaginary parts of a complex entry count separately, as in the
    sparsity measure.
    """
    V = np.abs(realify(as_stack(np.asarray(generators))))
    if V.size == 0:
        return []
    cut = rtol * V.max()
    return [int(c) for c in np.sum(V > cut, axis=1)]


def orthonormalise(generators: np.ndarray) -> np.ndarray:
    """Closest orthonormal basis of the same span (see :func:`lowdin`)."""
    T = lowdin(generators)
    return np.einsum("ab,bij->aij", T, as_stack(np.asarray(generators)))


def lowdin(generators: np.ndarray) -> np.ndarray:
    """Löwdin's symmetric orthonormalisation ``M^{-1/2}``, shape ``(k, k)``.

    ``M = Re⟨G_α, G_β⟩ / 2``; ``M^{-1/2} G`` is orthonormal (squared norms 2)
    and, of all orthonormal bases of the span, moves each generator the least.
    """
    G = as_stack(np.asarray(generators))
    M = gram(G).real / CANONICAL_NORM_SQ
    w, U = np.linalg.eigh(0.5 * (M + M.T))
    if w.size and w.min() <= 1e-10 * max(w.max(), 1e-300):
        raise bad_input(
            "generators",
            "linearly independent matrices",
            f"a Gram matrix with eigenvalue {w.min():.2e}",
            "Drop dependent generators first (symdisc.algebra.orthonormal_basis).",
        )
    return (U / np.sqrt(w)) @ U.T


def _round_robin(k: int) -> list[np.ndarray]:
    """All ``k(k−1)/2`` pairs in ``k − 1`` (or ``k``) rounds of disjoint pairs."""
    slots = list(range(k)) + ([-1] if k % 2 else [])
    m = len(slots)
    rounds = []
    for _ in range(m - 1):
        pairs = [(slots[i], slots[m - 1 - i]) for i in range(m // 2)]
        pairs = [p for p in pairs if -1 not in p]
        if pairs:
            rounds.append(np.array(pairs))
        slots = [slots[0], slots[-1], *slots[1:-1]]
    return rounds


def _sweep(V: np.ndarray, rounds: list[np.ndarray], n_grid: int) -> float:
    """One Jacobi sweep over every plane, in place; returns the decrease of ``S``.

    For a pair ``(a, b)`` rotated by ``θ``, ``a' = a cos θ + b sin θ`` and
    ``b' = −a sin θ + b cos θ``; the pair's part of the measure
    ``‖a'‖₁² + ‖b'‖₁²`` is evaluated at ``θ = 0``, at every kink
    ``θ = atan2(−a_j, b_j)``, ``atan2(b_j, a_j)`` and on a grid, modulo the
    quarter turn (a quarter turn only swaps and signs the pair).
    """
    decrease = 0.0
    grid = np.linspace(0.0, 0.5 * np.pi, n_grid, endpoint=False)
    for pairs in rounds:
        a, b = V[pairs[:, 0]], V[pairs[:, 1]]
        theta = np.concatenate(
            [
                np.zeros((len(pairs), 1)),
                np.mod(np.arctan2(-a, b), 0.5 * np.pi),
                np.mod(np.arctan2(b, a), 0.5 * np.pi),
                np.broadcast_to(grid, (len(pairs), n_grid)),
            ],
            axis=1,
        )[..., None]
        c, s = np.cos(theta), np.sin(theta)
        A = c * a[:, None] + s * b[:, None]
        B = c * b[:, None] - s * a[:, None]
        f = np.sum(np.abs(A), -1) ** 2 + np.sum(np.abs(B), -1) ** 2
        best = np.argmin(f, axis=1)
        rows = np.arange(len(pairs))
        gain = f[:, 0] - f[rows, best]
        take = gain > 1e-14 * f[:, 0]
        decrease += float(gain[take].sum())
        V[pairs[take, 0]] = A[rows, best][take]
        V[pairs[take, 1]] = B[rows, best][take]
    return decrease


def _haar_rotations(seed: int, n_starts: int, k: int) -> np.ndarray:
    """``n_starts`` random orthogonal ``k × k`` matrices; the first is ``I``."""
    rng = np.random.default_rng(seed)
    Q, R = np.linalg.qr(rng.standard_normal((n_starts, k, k)))
    Q = Q * np.sign(np.diagonal(R, axis1=1, axis2=2))[:, None, :]
    Q[0] = np.eye(k)
    return Q


def canonical_order(generators: np.ndarray, rtol: float = 1e-3) -> np.ndarray:
    """Order and signs that make a sparse basis easy to read.

    Generators with fewer entries come first, then by the position of their
    first entry; each is signed so that its first entry above ``rtol`` times
    its largest (real parts before imaginary parts, row by row) is positive.

    Returns
    -------
    ndarray, shape (k, k)
        A signed permutation ``P``; apply as ``P @ R``.
    """
    G = as_stack(np.asarray(generators))
    V = realify(G)
    k = V.shape[0]
    keys, signs = [], []
    for v in V:
        big = np.flatnonzero(np.abs(v) > rtol * np.abs(v).max())
        keys.append((len(big), int(big[0]) if big.size else 0))
        signs.append(np.sign(v[big[0]]) if big.size else 1.0)
    order = sorted(range(k), key=lambda a: keys[a])
    P = np.zeros((k, k))
    for row, a in enumerate(order):
        P[row, a] = signs[a]
    return P


def sparsify(
    generators: np.ndarray,
    *,
    n_starts: int = 6,
    seed: int = 0,
    max_sweeps: int = 200,
    n_grid: int = 8,
    entry_rtol: float = 1e-3,
    structure_of: str = "generators",
) -> SparseBasis:
    """Rotate a basis within its span to minimise the sparsity measure.

    Parameters
    ----------
    generators : ndarray, shape (k, n, n)
        Any basis of the algebra, real or complex (for unitary results the
        Hermitian ``J``). Orthonormalised first (:func:`orthonormalise`).
    n_starts : int
        Starting rotations: the identity and ``n_starts − 1`` random ones
        (Haar, seeded); the sparsest result is kept.
    seed : int
        Seed of the starting rotations.
    max_sweeps : int
        Jacobi sweeps at most per start.
    n_grid : int
        Angles of the coarse grid tried in each plane besides the kinks.
    entry_rtol : float
        An entry counts as non-zero above this fraction of the largest.
    structure_of : {"generators", "actions"}
        Structure constants of the generators as given, or of the actions
        ``iG`` (the real constants ``a`` of ``[iJ_α, iJ_β] = Σ_γ a_αβγ iJ_γ``).

    Returns
    -------
    SparseBasis
        ``generators = rotation @ orthonormalise(input)``, ordered and signed
        by :func:`canonical_order`.
    """
    for name, value in (
        ("n_starts", n_starts),
        ("max_sweeps", max_sweeps),
        ("n_grid", n_grid),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad_input(name, "a positive integer", value)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise bad_input("seed", "a non-negative integer", seed)
    if structure_of not in ("generators", "actions"):
        raise bad_input("structure_of", '"generators" or "actions"', structure_of)
    G = np.asarray(generators)
    if G.ndim != 3 or G.shape[1] != G.shape[2] or G.shape[0] < 1:
        raise bad_input(
            "generators",
            "a stack of k >= 1 square matrices (k, n, n)",
            f"shape {G.shape}",
        )
    if not np.all(np.isfinite(G)):
        raise bad_input("generators", "finite numbers", "NaN or inf")
    t0 = time.perf_counter()

    L = lowdin(G)
    G0 = np.einsum("ab,bij->aij", L, G)
    V0 = realify(G0)
    k = V0.shape[0]
    rounds = _round_robin(k)
    measures, rotations, sweeps = [], [], []
    for Q in _haar_rotations(seed, n_starts, k):
        V = Q @ V0
        sweep = 0
        while sweep < max_sweeps:
            sweep += 1
            total = float(np.sum(np.sum(np.abs(V), axis=1) ** 2))
            if _sweep(V, rounds, n_grid) <= SWEEP_RTOL * total:
                break
        measures.append(float(np.sum(np.sum(np.abs(V), 1) ** 2 - np.sum(V**2, 1))))
        rotations.append(V @ np.linalg.pinv(V0))
        sweeps.append(sweep)
    measures = np.asarray(measures)
    best = int(np.argmin(np.where(np.isfinite(measures), measures, np.inf)))

    # Re-orthogonalise the kept rotation so that rounding cannot leave the
    # orthonormal bases, then order and sign the result.
    U, _, Wt = np.linalg.svd(rotations[best])
    R = U @ Wt
    sparse = np.einsum("ab,bij->aij", R, G0)
    R = canonical_order(sparse, entry_rtol) @ R
    sparse = np.einsum("ab,bij->aij", R, G0)
    C, _ = structure_constants(1j * sparse if structure_of == "actions" else sparse)
    elapsed = time.perf_counter() - t0
    logger.info(
        "sparsify: %d generators, measure %.4g -> %.4g (best of %d starts)",
        k,
        sparsity_measure(G0),
        measures[best],
        n_starts,
    )
    return SparseBasis(
        generators=sparse,
        rotation=R,
        change_of_basis=R @ L,
        structure_constants=C,
        sparsity_before=sparsity_measure(G0),
        sparsity_after=sparsity_measure(sparse),
        n_entries=count_entries(sparse, entry_rtol),
        start_measures=measures,
        best_start=best,
        timings={"total_s": elapsed, "sweeps": sweeps},
    )


def sparsify_result(
    result: DiscoveryResult,
    oracle: Oracle,
    *,
    n_starts: int = 6,
    seed: int | None = None,
    entry_rtol: float = 1e-3,
) -> DiscoveryResult:
    """Rotate a discovery result's generators to the sparsest basis.

    The span is unchanged, so the algebra is the same; every check is
    recomputed on the rotated basis (fresh points drawn as the training run
    drew them) and the status set again from the same tolerances.

    Parameters
    ----------
    result : DiscoveryResult
    oracle : Oracle
        The oracle the result was trained on.
    n_starts, entry_rtol
        As in :func:`sparsify`.
    seed : int, optional
        Seed of the starting rotations; the run's seed by default.

    Returns
    -------
    DiscoveryResult
        With ``extra["sparsify"]`` recording the measure before and after.
    """
    if not result.found:
        logger.warning("sparsify skipped: the result is %s", result.status)
        return dataclasses.replace(
            result,
            extra={**result.extra, "sparsify": {"skipped": f"status {result.status}"}},
        )
    config = TrainingConfig(**result.config)
    seed = config.seed if seed is None else seed
    unitary = np.iscomplexobj(result.generators)
    sparse = sparsify(
        result.generators,
        n_starts=n_starts,
        seed=seed,
        entry_rtol=entry_rtol,
        structure_of="actions" if unitary else "generators",
    )
    G = sparse.generators
    A = 1j * G if unitary else G
    T = sparse.change_of_basis
    learned = result.learned_constants
    if learned.size:
        learned = np.einsum("am,bn,mnr,rc->abc", T, T, learned, np.linalg.inv(T))

    check_key = jax.random.split(jax.random.PRNGKey(config.seed), 3)[2]
    X = oracle.sample(check_key, config.n_check_points)
    metrics = evaluate(oracle, G, A, X)
    metrics.pop("_structure_constants")
    for key in ("final_loss", "final_loss_components", "invariance_form"):
        if key in result.metrics:
            metrics[key] = result.metrics[key]
    exact_info = _exact_comparison(oracle, A, config) if result.exact else {}
    status, reasons = _status(metrics, exact_info, config, G.shape[0])
    timings = {**result.timings, "sparsify_s": sparse.timings["total_s"]}
    return dataclasses.replace(
        result,
        status=status,
        generators=G,
        structure_constants=sparse.structure_constants,
        learned_constants=learned,
        metrics=metrics,
        reasons=reasons,
        timings=timings,
        exact=exact_info,
        extra={**result.extra, "sparsify": sparse.to_dict()},
    )


@dataclass(frozen=True)
class SweepPoint:
    """One training run of a sparsity-weight sweep.

    Attributes
    ----------
    weight : float
        ``h_sparsity`` of the run.
    status : str
    generators : ndarray, shape (k, n, n)
    invariance_error, closure_error, orthonormality_error : float
        Checks on fresh points.
    sparsity : float
        The measure ``S`` of the learned generators.
    n_entries : list of int
        Entries above ``entry_rtol`` of the largest, per generator.
    """

    weight: float
    status: str
    generators: np.ndarray
    invariance_error: float
    closure_error: float
    orthonormality_error: float
    sparsity: float
    n_entries: list

    def to_dict(self) -> dict:
        """Plain data (the generators as nested lists)."""
        d = dataclasses.asdict(self)
        d["generators"] = np.asarray(self.generators).tolist()
        return d


def sparsity_sweep(
    oracle: Oracle,
    weights: tuple[float, ...],
    n_generators: int,
    *,
    config: TrainingConfig | None = None,
    entry_rtol: float = 1e-3,
    **options,
) -> list[SweepPoint]:
    """Train the same ``k`` generators with each sparsity weight ``h_sparsity``.

    Too little weight leaves a generic mixture of the symmetries; the right
    weight gives a sparse, canonical basis of the same algebra; too much
    trades invariance and closure for sparsity, so that the generators stop
    being symmetries.

    Parameters
    ----------
    oracle : Oracle
    weights : tuple of float
        The values of ``h_sparsity``, each ``>= 0``.
    n_generators : int
        Number ``k`` of generators of every run.
    config : TrainingConfig, optional
        Every other setting (the same for all runs).
    entry_rtol : float
        Threshold of :func:`count_entries`.
    **options
        Other :class:`TrainingConfig` fields.
    """
    if not weights:
        raise bad_input("weights", "at least one sparsity weight", weights)
    config = (config or TrainingConfig()).replace(n_generators=n_generators, **options)
    points = []
    for weight in weights:
        result = discover(oracle, config=config.replace(h_sparsity=float(weight)))
        G = result.generators
        m = result.metrics
        points.append(
            SweepPoint(
                weight=float(weight),
                status=result.status,
                generators=G,
                invariance_error=float(m.get("invariance_error", np.nan)),
                closure_error=float(m.get("closure_error", np.nan)),
                orthonormality_error=float(m.get("orthonormality_error", np.nan)),
                sparsity=sparsity_measure(G)
                if np.all(np.isfinite(G))
                else float("nan"),
                n_entries=count_entries(G, entry_rtol)
                if np.all(np.isfinite(G))
                else [],
            )
        )
    return points
