"""Reference bases of classical Lie algebras, built in code, for tests and examples.

Every function returns a stack ``G`` of shape ``(k, n, n)`` whose real span is
the algebra, closed under ``[A, B] = AB − BA``. Unitary algebras are given as
anti-Hermitian matrices ``X = iH`` (pass ``hermitian=True`` to get the
Hermitian ``H`` instead, the physicist's convention ``x ↦ (I + iεH) x``).
Basis elements have squared Frobenius norm 2, like ``E_ab − E_ba``.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import block_diag

from symdisc.errors import bad_input


def _unit(n: int, a: int, b: int) -> np.ndarray:
    E = np.zeros((n, n))
    E[a, b] = 1.0
    return E


def _check_size(name: str, value: int, minimum: int) -> int:
    if int(value) != value or value < minimum:
        raise bad_input(name, f"an integer ≥ {minimum}", value)
    return int(value)


def _stack(mats: list[np.ndarray], n: int, dtype=float) -> np.ndarray:
    if not mats:
        return np.zeros((0, n, n), dtype=dtype)
    return np.asarray(mats, dtype=dtype)


def _diagonal_traceless(n: int) -> list[np.ndarray]:
    """``E_aa − E_{a+1,a+1}``: a basis of traceless diagonal matrices."""
    return [_unit(n, a, a) - _unit(n, a + 1, a + 1) for a in range(n - 1)]


def so(n: int) -> np.ndarray:
    """``so(n)``: real antisymmetric matrices, basis ``E_ab − E_ba`` (a < b).

    Returns
    -------
    ndarray, shape (n(n−1)/2, n, n)
    """
    n = _check_size("n", n, 1)
    mats = [_unit(n, a, b) - _unit(n, b, a) for a in range(n) for b in range(a + 1, n)]
    return _stack(mats, n)


def so_pq(p: int, q: int) -> np.ndarray:
    """``so(p, q)``: ``Xᵀη + ηX = 0`` with ``η = diag(+1 (p times), −1 (q times))``.

    Rotations ``E_ab − E_ba`` where ``η_aa = η_bb`` and boosts ``E_ab + E_ba``
    where they differ. ``so_pq(1, 3)`` is the Lorentz algebra with metric
    ``diag(1, −1, −1, −1)``.

    Returns
    -------
    ndarray, shape ((p+q)(p+q−1)/2, p+q, p+q)
    """
    p = _check_size("p", p, 0)
    q = _check_size("q", q, 0)
    n = p + q
    sign = np.r_[np.ones(p), -np.ones(q)]
    mats = []
    for a in range(n):
        for b in range(a + 1, n):
            s = -1.0 if sign[a] == sign[b] else 1.0
            mats.append(_unit(n, a, b) + s * _unit(n, b, a))
    return _stack(mats, n)


def su(n: int, hermitian: bool = False) -> np.ndarray:
    """``su(n)``: traceless anti-Hermitian matrices (Hermitian if ``hermitian``).

    Basis ``i(E_ab + E_ba)``, ``E_ab − E_ba`` (a < b) and ``i(E_aa − E_{a+1,a+1})``.

    Returns
    -------
    ndarray, shape (n²−1, n, n), complex
    """
    n = _check_size("n", n, 1)
    mats = []
    for a in range(n):
        for b in range(a + 1, n):
            mats.append(1j * (_unit(n, a, b) + _unit(n, b, a)))
            mats.append(_unit(n, a, b) - _unit(n, b, a) + 0j)
    mats += [1j * D for D in _diagonal_traceless(n)]
    G = _stack(mats, n, complex)
    return -1j * G if hermitian else G


def u(n: int, hermitian: bool = False) -> np.ndarray:
    """``u(n) = su(n) ⊕ u(1)``: ``su(n)`` followed by ``i·sqrt(2/n)·I``.

    Returns
    -------
    ndarray, shape (n², n, n), complex
    """
    n = _check_size("n", n, 1)
    centre = 1j * np.sqrt(2.0 / n) * np.eye(n)[None]
    G = np.concatenate([su(n), centre])
    return -1j * G if hermitian else G


def sl_real(n: int) -> np.ndarray:
    """``sl(n, R)``: real traceless matrices, basis ``E_ab`` (a ≠ b) and diagonals.

    Returns
    -------
    ndarray, shape (n²−1, n, n)
    """
    n = _check_size("n", n, 1)
    mats = [np.sqrt(2.0) * _unit(n, a, b) for a in range(n) for b in range(n) if a != b]
    return _stack(mats + _diagonal_traceless(n), n)


def sl_complex(n: int) -> np.ndarray:
    """``sl(n, C)`` as a real algebra: ``X`` and ``iX`` for ``X`` in ``sl(n, R)``.

    Returns
    -------
    ndarray, shape (2(n²−1), n, n), complex
    """
    G = sl_real(n).astype(complex)
    return np.concatenate([G, 1j * G])


def _symplectic_form(n: int) -> np.ndarray:
    """``Ω = [[0, I], [−I, 0]]`` of size ``2n``."""
    Z, eye = np.zeros((n, n)), np.eye(n)
    return np.block([[Z, eye], [-eye, Z]])


def _symmetric_basis(n: int) -> list[np.ndarray]:
    mats = [np.sqrt(2.0) * _unit(n, a, a) for a in range(n)]
    mats += [_unit(n, a, b) + _unit(n, b, a) for a in range(n) for b in range(a + 1, n)]
    return mats


def sp_real(n: int) -> np.ndarray:
    """``sp(2n, R)``: real ``X`` with ``XᵀΩ + ΩX = 0``, ``Ω = [[0, I], [−I, 0]]``.

    ``X = [[A, B], [C, −Aᵀ]]`` with ``B``, ``C`` symmetric.

    Returns
    -------
    ndarray, shape (n(2n+1), 2n, 2n)
    """
    n = _check_size("n", n, 1)
    Z = np.zeros((n, n))
    mats = [
        np.block([[A, Z], [Z, -A.T]])
        for A in (np.sqrt(2.0) * _unit(n, a, b) for a in range(n) for b in range(n))
    ]
    mats += [np.block([[Z, S], [Z, Z]]) for S in _symmetric_basis(n)]
    mats += [np.block([[Z, Z], [S, Z]]) for S in _symmetric_basis(n)]
    return _stack([M / np.sqrt(np.sum(M * M) / 2.0) for M in mats], 2 * n)


def usp(n: int) -> np.ndarray:
    """Compact symplectic ``usp(2n) = sp(n)``: ``u(2n) ∩ sp(2n, C)``.

    ``X = [[A, B], [−B̄, Ā]]`` with ``A`` anti-Hermitian and ``B`` complex
    symmetric.

    Returns
    -------
    ndarray, shape (n(2n+1), 2n, 2n), complex
    """
    n = _check_size("n", n, 1)
    Z = np.zeros((n, n))
    anti_hermitian = (
        list(su(n)) + [1j * np.sqrt(2.0 / n) * np.eye(n)]
        if n > 1
        else [1j * np.sqrt(2.0) * np.eye(1)]
    )
    blocks = [(A, Z) for A in anti_hermitian]
    blocks += [(Z, S) for S in _symmetric_basis(n)]
    blocks += [(Z, 1j * S) for S in _symmetric_basis(n)]
    mats = [np.block([[A, B], [-B.conj(), A.conj()]]) for A, B in blocks]
    return _stack(
        [M / np.sqrt(np.sum(abs(M) ** 2) / 2.0) for M in mats], 2 * n, complex
    )


def heisenberg(n_pairs: int = 1) -> np.ndarray:
    """Heisenberg algebra ``[p_i, q_j] = δ_ij z`` as strictly upper-triangular matrices.

    Returns
    -------
    ndarray, shape (2 n_pairs + 1, n_pairs + 2, n_pairs + 2)
    """
    m = _check_size("n_pairs", n_pairs, 1)
    n = m + 2
    mats = [_unit(n, 0, 1 + i) for i in range(m)]
    mats += [_unit(n, 1 + i, n - 1) for i in range(m)]
    mats.append(_unit(n, 0, n - 1))
    return _stack(mats, n)


#: Index triples (1-based) of the octonion products e_i e_j = e_k.
OCTONION_TRIPLES = (
    (1, 2, 3),
    (1, 4, 5),
    (1, 7, 6),
    (2, 4, 6),
    (2, 5, 7),
    (3, 4, 7),
    (3, 6, 5),
)


def g2(split: bool = False) -> np.ndarray:
    """``g2``: the matrices ``X ∈ gl(7, R)`` that annihilate an octonion 3-form ``φ``.

    ``φ = Σ ± e^{ijk}`` over :data:`OCTONION_TRIPLES`, all signs ``+`` for the
    octonions (compact ``g2``, inside ``so(7)``), and ``−`` on every triple
    but ``123`` for the split octonions (split ``g2(2)``). ``X`` acts as
    ``(Xφ)_abc = X_da φ_dbc + X_db φ_adc + X_dc φ_abd``; the 14 solutions are
    a null space, orthonormalised to squared norm 2.

    Returns
    -------
    ndarray, shape (14, 7, 7)
    """
    phi = np.zeros((7, 7, 7))
    for i, j, k in OCTONION_TRIPLES:
        sign = -1.0 if split and (i, j, k) != (1, 2, 3) else 1.0
        for a, b, c, parity in (
            (i, j, k, 1),
            (j, k, i, 1),
            (k, i, j, 1),
            (j, i, k, -1),
            (i, k, j, -1),
            (k, j, i, -1),
        ):
            phi[a - 1, b - 1, c - 1] = sign * parity
    S = np.eye(49).reshape(49, 7, 7)
    act = (
        np.einsum("sda,dbc->sabc", S, phi)
        + np.einsum("sdb,adc->sabc", S, phi)
        + np.einsum("sdc,abd->sabc", S, phi)
    )
    _, sv, Vt = np.linalg.svd(act.reshape(49, -1).T)
    coeffs = Vt[np.sum(sv > 1e-9) :]
    return np.sqrt(2.0) * np.einsum("ts,sij->tij", coeffs, S)


def direct_sum(*stacks: np.ndarray) -> np.ndarray:
    """Block-diagonal direct sum: each algebra acts on its own block.

    Returns
    -------
    ndarray, shape (Σ k_i, Σ n_i, Σ n_i)
    """
    if not stacks:
        raise bad_input("stacks", "at least one stack of generators", "nothing")
    dtype = np.result_type(*stacks)
    sizes = [S.shape[1] for S in stacks]
    mats = []
    for i, S in enumerate(stacks):
        for M in S:
            blocks = [np.zeros((m, m), dtype) for m in sizes]
            blocks[i] = M
            mats.append(block_diag(*blocks))
    return np.asarray(mats, dtype=dtype)


def random_change_of_basis(
    generators, seed: int, condition: float = 10.0
) -> np.ndarray:
    """Random invertible real recombination ``G'_α = Σ_β M_αβ G_β``.

    ``M = Q₁ diag(σ) Q₂`` with Haar-random orthogonal ``Q₁``, ``Q₂`` and
    singular values ``σ`` log-uniform in ``[1/√c, √c]``, so ``cond(M) ≤ c``.
    A bounded condition number mimics the output of a training run (normalised,
    nearly orthogonal generators) while still mixing every generator.

    Parameters
    ----------
    generators : array_like, shape (k, n, n)
    seed : int
    condition : float
        Upper bound ``c`` on the condition number of ``M``.

    Returns
    -------
    ndarray, shape (k, n, n)
    """
    G = np.asarray(generators)
    k = G.shape[0]
    rng = np.random.default_rng(seed)
    Q1, _ = np.linalg.qr(rng.standard_normal((k, k)))
    Q2, _ = np.linalg.qr(rng.standard_normal((k, k)))
    half = 0.5 * np.log(condition)
    sigma = np.exp(rng.uniform(-half, half, size=k))
    M = (Q1 * sigma) @ Q2
    return np.einsum("ab,bij->aij", M, G)


def add_noise(generators, rel: float, seed: int) -> np.ndarray:
    """Add noise of relative Frobenius size ``rel`` to each generator.

    ``G_α + rel ‖G_α‖ N_α / ‖N_α‖`` with ``N_α`` standard normal (complex normal
    for complex ``G``).

    Returns
    -------
    ndarray, shape (k, n, n)
    """
    G = np.asarray(generators)
    rng = np.random.default_rng(seed)
    N = rng.standard_normal(G.shape)
    if np.iscomplexobj(G):
        N = N + 1j * rng.standard_normal(G.shape)
    norms = np.linalg.norm(G.reshape(len(G), -1), axis=1)
    scale = rel * norms / np.linalg.norm(N.reshape(len(G), -1), axis=1)
    return G + scale[:, None, None] * N
