"""The exact linear symmetry algebra of a differentiable oracle.

``Dφ(x)[G x] = 0`` is linear in ``G``. Stacked over sample points ``x``,
labels ``j`` and copies, it is a matrix ``M`` whose null space is the whole
linear symmetry algebra; an SVD with a gap rule gives its dimension and an
orthonormal basis. For one point of ``c`` copies the row of label ``j`` is
``Σ_c ∇_{x_c} φ_j(x) ⊗ x_c`` (a flattened ``n × n`` matrix).

For complex data ``G = A + iB`` is complex-linear and the unknowns are the
real entries of ``A`` and ``B``.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np

from symdisc import _jax  # noqa: F401
from symdisc.algebra.identify import identify
from symdisc.algebra.linalg import (
    CANONICAL_NORM_SQ,
    closure_error,
    structure_constants,
)
from symdisc.algebra.nullspace import GapDecision, decide_nullity
from symdisc.errors import bad_input
from symdisc.oracles.base import Oracle, check_oracle

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExactAlgebra:
    """The linear symmetry algebra of an oracle, from the null space.

    Attributes
    ----------
    dimension : int
        Dimension of the algebra (real).
    basis : ndarray, shape (dimension, n, n)
        Orthogonal basis, each element of squared Frobenius norm 2 (the norm
        of ``E_ab − E_ba``); complex for complex oracles.
    structure_constants : ndarray, shape (dimension,) * 3
    closure_error : float
        Relative residual of the basis' brackets outside its span.
    singular_values : ndarray
        All singular values of the constraint matrix, relative to the largest.
    decision : GapDecision
        The gap rule's numbers.
    ignored_directions : ndarray, shape (d, n)
        Directions the oracle does not depend on; every map into them is a
        trivial symmetry (``n_trivial`` of the dimensions).
    n_trivial : int
    n_points : int
    timings : dict
    warnings : list of str
    """

    dimension: int
    basis: np.ndarray
    structure_constants: np.ndarray
    closure_error: float
    singular_values: np.ndarray
    decision: GapDecision
    ignored_directions: np.ndarray
    n_trivial: int
    n_points: int
    oracle: dict
    timings: dict
    warnings: list = field(default_factory=list)
    identification: dict | None = None

    @property
    def status(self) -> str:
        """``found`` for a non-zero algebra, ``none`` for no linear symmetry."""
        return "found" if self.dimension > 0 else "none"

    def summary(self) -> str:
        """One human line."""
        if self.dimension == 0:
            return f"{self.oracle['name']}: no linear symmetry (dimension 0)"
        name = self.oracle["name"]
        text = f"{name}: linear symmetry algebra of dimension {self.dimension}"
        if self.identification:
            text += f", {self.identification['name']}"
        if self.n_trivial:
            text += f" ({self.n_trivial} of them trivial: features the oracle ignores)"
        return text

    def to_dict(self) -> dict:
        """Plain data for ``result.json``."""
        d = self.decision
        return {
            "status": self.status,
            "dimension": self.dimension,
            "closure_error": self.closure_error,
            "gap": {
                "nullity": d.nullity,
                "ratio": d.gap,
                "threshold": d.threshold,
                "near": d.near,
                "decisive": d.decisive,
            },
            "ignored_directions": np.asarray(self.ignored_directions).real.tolist(),
            "n_trivial": self.n_trivial,
            "n_points": self.n_points,
            "timings": self.timings,
            "warnings": list(self.warnings),
            "identification": self.identification,
        }


#: Above this dimension the structure constants (k³ numbers) are not formed
#: and closure is checked on a sample of pairs.
MAX_ANALYSED_DIMENSION = 160


#: Points per call of the compiled gradient map: every batch is cut into
#: chunks of this size (the last one padded), so one compilation per oracle
#: serves the solver, the checks and the greedy tests alike.
GRADIENT_CHUNK = 64


@functools.lru_cache(maxsize=64)
def _gradient_fn(oracle: Oracle):
    """Compiled map from a chunk of points to real gradients of every label."""
    if oracle.field == "real":
        return jax.jit(jax.vmap(jax.jacrev(oracle.fn)))

    def split(z):  # φ as a function of (Re x, Im x)
        return oracle.fn(z[..., 0, :] + 1j * z[..., 1, :])

    grad = jax.vmap(jax.jacrev(split))

    @jax.jit
    def fn(X):
        g = grad(jnp.stack([X.real, X.imag], axis=-2))  # (b, m, c, 2, n)
        return g.reshape(*g.shape[:3], -1)

    return fn


def _gradients(oracle: Oracle, X: jax.Array) -> np.ndarray:
    """Real gradients of every label, shape ``(b, m, c, n)`` (``2n`` if complex)."""
    X = np.asarray(X)
    b = len(X)
    size = -(-b // GRADIENT_CHUNK) * GRADIENT_CHUNK
    padded = np.concatenate([X, np.repeat(X[:1], size - b, axis=0)]) if size > b else X
    fn = _gradient_fn(oracle)
    chunks = [
        np.asarray(fn(jnp.asarray(padded[i : i + GRADIENT_CHUNK])))
        for i in range(0, size, GRADIENT_CHUNK)
    ]
    return np.concatenate(chunks)[:b]


def _constraint_rows(oracle: Oracle, X: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Rows ``vec(Σ_c ∇_{x_c}φ_j ⊗ x_c)``: ``Dφ_j(x)[A x]`` is a row times ``vec A``.

    ``vec A`` is ``A`` flattened row by row, and for complex oracles
    ``(Re A, Im A)`` side by side. Shape ``(b * m, n²)`` or ``(b * m, 2n²)``.
    """
    n = oracle.n
    if oracle.field == "real":
        return np.einsum("bmca,bcd->bmad", g, X).reshape(-1, n * n)
    gu, gw = g[..., :n], g[..., n:]
    u, w = X.real, X.imag
    rows_a = np.einsum("bmca,bcd->bmad", gu, u) + np.einsum("bmca,bcd->bmad", gw, w)
    rows_b = np.einsum("bmca,bcd->bmad", gw, u) - np.einsum("bmca,bcd->bmad", gu, w)
    return np.concatenate([rows_a.reshape(-1, n * n), rows_b.reshape(-1, n * n)], 1)


def _vec(oracle: Oracle, A: np.ndarray) -> np.ndarray:
    """``vec`` of a stack ``(k, n, n)`` in the layout of the constraint rows."""
    flat = A.reshape(len(A), -1)
    if oracle.field == "real":
        return flat.real
    return np.concatenate([flat.real, flat.imag], axis=1)


def constraint_matrix(
    oracle: Oracle, X: jax.Array, g: np.ndarray | None = None
) -> np.ndarray:
    """The constraint rows (:func:`_constraint_rows`), each scaled to unit norm.

    ``g`` are the gradients at ``X`` when already computed. Rows of zero
    gradient are dropped.

    Returns
    -------
    ndarray, shape (rows, n²) real, or (rows, 2n²) for complex oracles.
    """
    X = np.asarray(X)
    rows = _constraint_rows(oracle, X, _gradients(oracle, X) if g is None else g)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    keep = norms[:, 0] > 0
    return rows[keep] / norms[keep]


class InvarianceProbe:
    """Relative invariance error of any linear action, on fixed points.

    The oracle is differentiated once, at construction; each call is then
    two small matrix products, with no tracing or compilation::

        e_α² = Σ_{x,j} |Dφ_j(x)[A_α x]|² / Σ_{x,j} ‖∇φ_j(x)‖² ‖A_α x‖²

    the root-mean-square cosine between the motion and the label
    gradients: 0 for a symmetry, about 1 for a generic direction. The
    numerator is ``‖R vec A‖²`` with the constraint rows ``R``; the
    denominator is ``Re tr(A W A†)`` with
    ``W = Σ_x ‖∇φ(x)‖² Σ_c x_c x_c†``.

    Parameters
    ----------
    oracle : Oracle
    X : array, shape (b, c, n)
        The points (fresh ones for a check).
    """

    def __init__(self, oracle: Oracle, X: jax.Array):
        self.oracle = oracle
        X = np.asarray(X)
        g = _gradients(oracle, X)
        self.rows = _constraint_rows(oracle, X, g)
        weights = np.sum(g**2, axis=(1, 2, 3))  # (b,)
        self.gram = np.einsum("b,bci,bcj->ij", weights, X, X.conj())

    def __call__(self, A: np.ndarray) -> np.ndarray:
        """Errors of the actions ``A``, shape ``(k, n, n)`` → ``(k,)``."""
        A = np.asarray(A)
        if len(A) == 0:
            return np.zeros(0)
        num = np.sum((self.rows @ _vec(self.oracle, A).T) ** 2, axis=0)
        den = np.einsum("kij,jl,kil->k", A, self.gram, A.conj()).real
        return np.sqrt(num / np.where(den > 0, den, 1.0))


def _ignored_directions(oracle: Oracle, g: np.ndarray, rtol: float) -> np.ndarray:
    """Directions ``v`` with ``∇φ_j(x) · v = 0`` on every copy, label and point."""
    n = oracle.n
    rows = g.reshape(-1, g.shape[-1])
    if oracle.field == "complex":  # v and i v both ignored
        gu, gw = rows[:, :n], rows[:, n:]
        rows = np.concatenate([rows, np.concatenate([gw, -gu], axis=1)], axis=0)
    if rows.size == 0:
        return np.eye(n)
    if rows.shape[0] < rows.shape[1]:  # the thin factorisation must be square
        rows = np.concatenate(
            [rows, np.zeros((rows.shape[1] - rows.shape[0], rows.shape[1]))]
        )
    _, s, Vt = np.linalg.svd(rows, full_matrices=False)
    decision = decide_nullity(s, rows.shape[1], rtol=rtol)
    null = Vt[rows.shape[1] - decision.nullity :]
    if oracle.field == "complex":
        null = null[:, :n] + 1j * null[:, n:]
        null = _complex_span_basis(null)
    return null


def _complex_span_basis(V: np.ndarray) -> np.ndarray:
    """Orthonormal complex basis of the complex span of the rows of ``V``."""
    if V.shape[0] == 0:
        return V
    _, s, Vt = np.linalg.svd(V, full_matrices=False)
    return Vt[: int(np.sum(s > 1e-8 * s[0]))]


def default_n_points(oracle: Oracle) -> int:
    """Enough points for the unknowns: 1.5 rows per unknown, at least 64."""
    unknowns = oracle.n**2 * (2 if oracle.field == "complex" else 1)
    return max(64, int(np.ceil(1.5 * unknowns / oracle.outputs)) + 16)


def solve(
    oracle: Oracle,
    *,
    n_points: int | None = None,
    seed: int = 0,
    rtol: float = 1e-8,
    min_gap: float = 1e3,
) -> ExactAlgebra:
    """Exact linear symmetry algebra of ``oracle`` from the null space.

    Parameters
    ----------
    oracle : Oracle
        A differentiable oracle (JAX).
    n_points : int, optional
        Sample points; by default three constraint rows per unknown.
    seed : int
        Seed of the sample points.
    rtol : float
        Singular values above ``rtol`` relative to the largest never count as
        zero. Loosen it (e.g. ``1e-3``) for fitted surrogates.
    min_gap : float
        A gap narrower than this ratio is reported as undecided (warning).

    Returns
    -------
    ExactAlgebra
    """
    if n_points is None:
        n_points = default_n_points(oracle)
    if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 1:
        raise bad_input("n_points", "a positive integer", n_points)
    if not (isinstance(rtol, int | float) and 0 < rtol < 1):
        raise bad_input(
            "rtol",
            "a number between 0 and 1 (exclusive)",
            rtol,
            "Use about 1e-8 for exact oracles, 0.1 for fitted surrogates.",
        )
    if not (isinstance(min_gap, int | float) and 1 < min_gap < float("inf")):
        raise bad_input("min_gap", "a finite ratio above 1", min_gap)
    check_oracle(oracle, seed=seed)
    n = oracle.n
    unknowns = n * n * (2 if oracle.field == "complex" else 1)
    if n_points * oracle.outputs < unknowns:
        raise bad_input(
            "n_points",
            f"at least {-(-unknowns // oracle.outputs)} points for "
            f"{unknowns} unknowns ({oracle.outputs} constraint(s) per point)",
            n_points,
            f"Leave it unset for the default ({default_n_points(oracle)}).",
        )
    t0 = time.perf_counter()
    X = oracle.sample(jax.random.PRNGKey(seed), n_points)
    g = _gradients(oracle, X)
    t1 = time.perf_counter()
    M = constraint_matrix(oracle, X, g)
    t2 = time.perf_counter()
    if M.shape[0] == 0:
        s, Vt = np.zeros(0), np.eye(unknowns)
    elif M.shape[0] > unknowns:  # a square triangular factor has the same spectrum
        R = np.linalg.qr(M, mode="r")
        _, s, Vt = np.linalg.svd(R)
    else:
        _, s, Vt = np.linalg.svd(M, full_matrices=True)
    decision = decide_nullity(s, unknowns, rtol=rtol, min_gap=min_gap)
    t3 = time.perf_counter()

    null = Vt[unknowns - decision.nullity :]
    if oracle.field == "complex":
        null = null[:, : n * n] + 1j * null[:, n * n :]
    basis = np.sqrt(CANONICAL_NORM_SQ) * null.reshape(-1, n, n)
    k = len(basis)
    if k > MAX_ANALYSED_DIMENSION:
        C = np.zeros((0, 0, 0))
        closure = closure_error(basis, max_pairs=4000, seed=seed)
    else:
        C = structure_constants(basis)[0] if k else np.zeros((0, 0, 0))
        closure = closure_error(basis)
    ignored = _ignored_directions(oracle, g, rtol)
    real_dims_per_map = n * (2 if oracle.field == "complex" else 1)
    n_trivial = real_dims_per_map * ignored.shape[0]
    identification = None
    if 0 < k <= MAX_ANALYSED_DIMENSION:
        try:
            identification = identify(basis).to_dict()
        except Exception as exc:  # naming is a bonus; the algebra stands without it
            logger.warning("identification failed: %s", exc)
    t4 = time.perf_counter()

    warnings = []
    if not decision.decisive:
        warnings.append(
            f"the singular-value gap is too small to decide the dimension: ratio "
            f"{decision.gap:.3g} across the cut, relative singular values near it "
            f"{', '.join(f'{v:.3g}' for v in decision.near)}"
        )
    if n_trivial:
        warnings.append(
            f"{n_trivial} of the {decision.nullity} dimensions only move features the "
            f"oracle does not depend on ({ignored.shape[0]} ignored direction(s))"
        )
    for w in warnings:
        logger.warning(w)
    sv = s / s[0] if len(s) and s[0] > 0 else s
    return ExactAlgebra(
        dimension=decision.nullity,
        basis=basis,
        structure_constants=C,
        closure_error=closure,
        singular_values=sv,
        decision=decision,
        ignored_directions=ignored,
        n_trivial=n_trivial,
        n_points=n_points,
        oracle=oracle.summary(),
        timings={
            "gradients_s": t1 - t0,
            "assemble_s": t2 - t1,
            "svd_s": t3 - t2,
            "analysis_s": t4 - t3,
            "total_s": t4 - t0,
        },
        warnings=warnings,
        identification=identification,
    )
