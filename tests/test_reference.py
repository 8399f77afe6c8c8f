"""Reference bases: each is closed, of the right dimension, and in its algebra."""

import numpy as np
import pytest

from symdisc.algebra import reference as R
from symdisc.algebra.linalg import closure_error, gram

# name: (stack, expected dimension, defining condition X -> residual)


def _eta(p, q):
    return np.diag(np.r_[np.ones(p), -np.ones(q)])


def _omega(n):
    Z, eye = np.zeros((n, n)), np.eye(n)
    return np.block([[Z, eye], [-eye, Z]])


CASES = {
    "so(5)": (R.so(5), 10, lambda X: X.T + X),
    "so(1,3)": (R.so_pq(1, 3), 6, lambda X: X.T @ _eta(1, 3) + _eta(1, 3) @ X),
    "so(3,2)": (R.so_pq(3, 2), 10, lambda X: X.T @ _eta(3, 2) + _eta(3, 2) @ X),
    "su(4)": (R.su(4), 15, lambda X: np.r_[np.ravel(X.conj().T + X), np.trace(X)]),
    "u(3)": (R.u(3), 9, lambda X: X.conj().T + X),
    "sl(3,R)": (R.sl_real(3), 8, lambda X: np.r_[np.ravel(X.imag), np.trace(X)]),
    "sp(6,R)": (R.sp_real(3), 21, lambda X: X.T @ _omega(3) + _omega(3) @ X),
    "usp(6)": (
        R.usp(3),
        21,
        lambda X: np.r_[
            np.ravel(X.T @ _omega(3) + _omega(3) @ X), np.ravel(X.conj().T + X)
        ],
    ),
    "sl(2,C)": (R.sl_complex(2), 6, lambda X: np.trace(X)),
    "heisenberg(3)": (R.heisenberg(1), 3, lambda X: np.tril(X)),
}


@pytest.mark.parametrize("name", CASES)
def test_reference_basis_is_a_closed_algebra_of_the_right_dimension(name):
    G, dim, condition = CASES[name]
    assert G.shape[0] == dim, f"{name}: {G.shape[0]} generators, expected {dim}"
    V = np.concatenate([G.reshape(dim, -1).real, G.reshape(dim, -1).imag], axis=1)
    assert np.linalg.matrix_rank(V) == dim, f"{name}: basis is not independent"
    err = closure_error(G)
    assert err < 1e-12, f"{name}: closure error {err:.2e}"
    worst = max(np.max(np.abs(condition(X))) for X in G)
    assert worst < 1e-12, f"{name}: defining condition violated by {worst:.2e}"


def test_hermitian_convention_is_i_times_the_anti_hermitian_basis():
    H = R.su(3, hermitian=True)
    assert np.allclose(H, H.conj().transpose(0, 2, 1))
    assert np.allclose(1j * H, R.su(3))


def test_su_basis_has_canonical_norm():
    norms = np.real(np.diag(gram(R.su(3))))
    assert np.allclose(norms, 2.0), f"squared norms {norms}"


def test_direct_sum_is_block_diagonal():
    G = R.direct_sum(R.su(2), R.so(3))
    assert G.shape == (6, 5, 5)
    assert np.allclose(G[:3, 2:, :], 0) and np.allclose(G[3:, :2, :], 0)


def test_change_of_basis_keeps_the_span_and_bounds_the_condition():
    G = R.so(4)
    H = R.random_change_of_basis(G, seed=1, condition=10.0)
    M = np.linalg.lstsq(G.reshape(6, -1).T, H.reshape(6, -1).T, rcond=None)[0]
    s = np.linalg.svd(M, compute_uv=False)
    assert s[0] / s[-1] <= 10.0 + 1e-9, f"condition {s[0] / s[-1]:.3g}"
    assert np.allclose(np.einsum("ba,bij->aij", M, G), H)


def test_noise_has_the_requested_relative_size():
    G = R.su(3)
    N = R.add_noise(G, 1e-3, seed=2) - G
    rel = np.linalg.norm(N.reshape(8, -1), axis=1) / np.linalg.norm(
        G.reshape(8, -1), axis=1
    )
    assert np.allclose(rel, 1e-3), f"relative sizes {rel}"
