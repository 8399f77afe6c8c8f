"""Array maths on stacks of matrices: brackets, inner products, spans.

Letters: ``G`` is a stack of ``k`` matrices, shape ``(k, n, n)``, real or
complex. Inner products are Frobenius (Hermitian for complex matrices):
``⟨A, B⟩ = Σ_ij conj(A_ij) B_ij``. Everything here is NumPy and exact
arithmetic in float64; nothing trains.
"""

from __future__ import annotations

import numpy as np

#: Squared Frobenius norm of a canonical rotation generator ``E_ab − E_ba``.
CANONICAL_NORM_SQ = 2.0


def as_stack(generators) -> np.ndarray:
    """Return ``generators`` as an array of shape ``(k, n, n)``."""
    G = np.asarray(generators)
    if G.ndim == 2:
        G = G[None]
    if G.ndim != 3 or G.shape[1] != G.shape[2]:
        raise ValueError(
            f"expected a stack of square matrices (k, n, n), got {G.shape}"
        )
    return G


def commutator(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``[A, B] = AB − BA`` (broadcasts over leading axes)."""
    return A @ B - B @ A


def bracket_table(G: np.ndarray) -> np.ndarray:
    """All brackets ``[G_α, G_β]``, shape ``(k, k, n, n)``."""
    return np.einsum("aij,bjk->abik", G, G) - np.einsum("bij,ajk->abik", G, G)


def flatten(G: np.ndarray) -> np.ndarray:
    """Vectorise each matrix: ``(k, n, n) -> (k, n²)``."""
    return G.reshape(G.shape[0], -1)


def gram(G: np.ndarray) -> np.ndarray:
    """Gram matrix ``⟨G_α, G_β⟩``, shape ``(k, k)``."""
    V = flatten(G)
    return V.conj() @ V.T


def realify(G: np.ndarray) -> np.ndarray:
    """Real coordinates of each matrix: ``(k, n²)`` real or ``(k, 2n²)``."""
    V = flatten(G)
    if np.iscomplexobj(V):
        return np.concatenate([V.real, V.imag], axis=1)
    return V


def orthonormal_basis(G: np.ndarray, rtol: float = 1e-10) -> np.ndarray:
    """Orthonormal basis of ``span_R{G}`` with each element of squared norm 2.

    The real span is used (complex matrices are real linear combinations in a
    real Lie algebra). Directions with singular value below ``rtol`` times the
    largest are dropped.
    """
    G = as_stack(G)
    V = realify(G)
    if V.shape[0] == 0:
        return G[:0]
    _, s, Vt = np.linalg.svd(V, full_matrices=False)
    rank = int(np.sum(s > rtol * max(s[0], np.finfo(float).tiny)))
    B = Vt[:rank]
    n2 = G.shape[1] * G.shape[2]
    if np.iscomplexobj(G):
        B = B[:, :n2] + 1j * B[:, n2:]
    return np.sqrt(CANONICAL_NORM_SQ) * B.reshape(rank, *G.shape[1:])


def projection_residual(targets: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Component of each target outside ``span_R{basis}``.

    Parameters
    ----------
    targets : ndarray, shape (t, n, n)
    basis : ndarray, shape (k, n, n)

    Returns
    -------
    ndarray, shape (t, n, n)
        ``T − P T`` with ``P`` the orthogonal projector onto the real span.
    """
    targets = as_stack(targets)
    shape = targets.shape
    T = realify(targets)
    B = realify(as_stack(basis)) if len(basis) else np.zeros((0, T.shape[1]))
    if B.shape[0] == 0:
        R = T
    else:
        Q, _ = np.linalg.qr(B.T)
        R = T - (T @ Q) @ Q.T
    if np.iscomplexobj(targets):
        half = R.shape[1] // 2
        R = R[:, :half] + 1j * R[:, half:]
    return R.reshape(shape)


def structure_constants(G: np.ndarray, rcond: float | None = None):
    """Least-squares structure constants ``[G_α, G_β] ≈ Σ_γ C_αβγ G_γ``.

    Returns
    -------
    C : ndarray, shape (k, k, k)
        Real structure constants.
    residual : float
        ``max_αβ ‖[G_α, G_β] − Σ_γ C_αβγ G_γ‖ / (‖G_α‖ ‖G_β‖)``.
    """
    G = as_stack(G)
    k = G.shape[0]
    brackets = bracket_table(G).reshape(k * k, *G.shape[1:])
    A = realify(G).T  # (N, k)
    b = realify(brackets).T  # (N, k*k)
    coeffs, *_ = np.linalg.lstsq(A, b, rcond=rcond)
    C = coeffs.T.reshape(k, k, k)
    C = 0.5 * (C - C.transpose(1, 0, 2))
    fitted = np.einsum("abc,cij->abij", C, G)
    resid = np.linalg.norm((bracket_table(G) - fitted).reshape(k, k, -1), axis=-1)
    norms = np.linalg.norm(flatten(G), axis=1)
    scale = np.outer(norms, norms)
    rel = resid / np.where(scale > 0, scale, 1.0)
    return C, float(rel.max()) if k else 0.0


def closure_error(G: np.ndarray, max_pairs: int | None = None, seed: int = 0) -> float:
    """Relative closure error of ``span_R{G}``.

    ``max_{α<β} ‖(I − P)[G_α, G_β]‖ / (‖G_α‖ ‖G_β‖)`` with ``P`` the projector
    onto the span. Zero exactly when the span is closed under the bracket.

    Parameters
    ----------
    G : ndarray, shape (k, n, n)
    max_pairs : int, optional
        Check a random sample of this many pairs (seeded) instead of all
        ``k(k−1)/2``; for very large algebras.
    seed : int
        Seed of that sample.
    """
    G = as_stack(G)
    k = G.shape[0]
    if k < 2:
        return 0.0
    a, b = np.triu_indices(k, 1)
    if max_pairs is not None and len(a) > max_pairs:
        pick = np.random.default_rng(seed).choice(len(a), max_pairs, replace=False)
        a, b = a[pick], b[pick]
    Q, _ = np.linalg.qr(realify(G).T)
    norms = np.linalg.norm(flatten(G), axis=1)
    worst = 0.0
    for start in range(0, len(a), 4096):
        ia, ib = a[start : start + 4096], b[start : start + 4096]
        T = realify(commutator(G[ia], G[ib]))
        R = T - (T @ Q) @ Q.T
        rel = np.linalg.norm(R, axis=1) / (norms[ia] * norms[ib])
        worst = max(worst, float(rel.max()))
    return worst


def jacobi_error(C: np.ndarray) -> float:
    """Relative violation of the Jacobi identity by structure constants ``C``.

    ``J_abcd = Σ_e (C_abe C_ecd + C_bce C_ead + C_cae C_ebd)``, divided by
    ``max|C|²``.
    """
    C = np.asarray(C)
    if C.size == 0:
        return 0.0
    J = (
        np.einsum("abe,ecd->abcd", C, C)
        + np.einsum("bce,ead->abcd", C, C)
        + np.einsum("cae,ebd->abcd", C, C)
    )
    scale = np.max(np.abs(C)) ** 2
    return float(np.max(np.abs(J)) / scale) if scale > 0 else 0.0


def orthonormality_error(G: np.ndarray, norm_sq: float = CANONICAL_NORM_SQ) -> float:
    """``max |Gram / norm_sq − I|``: zero for an orthonormal set (norm² 2)."""
    G = as_stack(G)
    M = gram(G) / norm_sq
    return float(np.max(np.abs(M - np.eye(G.shape[0])))) if G.shape[0] else 0.0


def pairwise_angles(G: np.ndarray) -> np.ndarray:
    """Angles in degrees between generators (real part of the inner product)."""
    G = as_stack(G)
    M = gram(G).real
    d = np.sqrt(np.clip(np.diag(M), 1e-300, None))
    cos = np.clip(M / np.outer(d, d), -1.0, 1.0)
    return np.degrees(np.arccos(cos))


def span_distance(G: np.ndarray, basis: np.ndarray) -> float:
    """Largest relative component of a generator outside ``span_R{basis}``.

    ``max_α ‖(I − P) G_α‖ / ‖G_α‖``: the sine of the largest angle between a
    learned generator and the reference algebra. Zero when every generator
    lies in the algebra.
    """
    G = as_stack(G)
    if G.shape[0] == 0:
        return 0.0
    resid = projection_residual(G, basis)
    num = np.linalg.norm(flatten(resid), axis=1)
    den = np.linalg.norm(flatten(G), axis=1)
    return float(np.max(num / np.where(den > 0, den, 1.0)))
