"""The exact linear symmetry algebra: dimensions, closure, finite invariance,
basis independence and features the oracle ignores."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.linalg

from symdisc.algebra.linalg import span_distance
from symdisc.exact import solve
from symdisc.oracles import (
    Oracle,
    euclidean_norm,
    hermitian_norm,
    manhattan,
    piecewise,
    quadratic_form,
    squeeze,
)
from tests.conftest import assert_small, lorentz_basis, rotation_basis

ZOO = {
    "so2": (lambda: euclidean_norm(2), 1),
    "so3": (lambda: euclidean_norm(3), 3),
    "so4": (lambda: euclidean_norm(4), 6),
    "so10": (lambda: euclidean_norm(10), 45),
    "lorentz": (lambda: quadratic_form(1, 3), 6),
    "squeeze": (squeeze, 1),
    "piecewise": (piecewise, 0),
    "manhattan": (manhattan, 0),
    **{f"u{n}": ((lambda n=n: hermitian_norm(n)), n * n) for n in range(2, 7)},
}


@pytest.fixture(scope="module")
def solved():
    return {name: solve(build(), seed=0) for name, (build, _) in ZOO.items()}


@pytest.mark.parametrize("name", list(ZOO))
def test_dimension(solved, name):
    algebra = solved[name]
    expected = ZOO[name][1]
    assert algebra.dimension == expected, (
        f"{name}: dimension {algebra.dimension}, expected {expected}; "
        f"gap {algebra.decision}"
    )
    assert algebra.decision.decisive, algebra.decision


@pytest.mark.parametrize("name", [n for n in ZOO if ZOO[n][1] > 0])
def test_basis_closes_and_preserves_the_oracle_under_exp(solved, name):
    algebra = solved[name]
    oracle = ZOO[name][0]()
    assert_small(algebra.closure_error, 1e-10, f"{name} closure error")
    X = oracle.sample(jax.random.PRNGKey(7), 64)
    base = np.asarray(oracle(X))
    scale = np.abs(base).mean()
    for G in algebra.basis:
        for t in (0.3, 1.0):
            U = scipy.linalg.expm(t * G)
            moved = np.asarray(oracle(jnp.einsum("ij,bcj->bci", U, X)))
            assert_small(
                np.abs(moved - base).max() / scale,
                1e-10,
                f"{name}: relative change under expm({t} G)",
            )


def test_orthonormal_basis_of_norm_sq_two(solved):
    B = solved["so4"].basis
    gram = np.einsum("aij,bij->ab", B, B)
    np.testing.assert_allclose(gram, 2 * np.eye(6), atol=1e-10)


@pytest.mark.parametrize(
    "name,reference", [("so4", rotation_basis(4)), ("lorentz", lorentz_basis())]
)
def test_span_equals_textbook_algebra(solved, name, reference):
    B = solved[name].basis
    assert_small(span_distance(B, reference), 1e-10, f"{name} basis vs textbook")
    assert_small(span_distance(reference, B), 1e-10, f"textbook vs {name} basis")


def test_basis_independence_rotated_coordinates():
    R = np.linalg.qr(np.random.default_rng(3).normal(size=(4, 4)))[0]
    base = quadratic_form(1, 3)
    rotated = dataclasses.replace(base, fn=lambda x: base.fn(x @ R.T), name="rotated")
    a, b = solve(base), solve(rotated)
    assert a.dimension == b.dimension == 6
    # if φ'(x) = φ(Rx), then G' = R⁻¹ G R
    conjugated = np.einsum("ji,ajk,kl->ail", R, a.basis, R)
    assert_small(span_distance(b.basis, conjugated), 1e-10, "rotated basis vs R⁻¹GR")


def test_ignored_feature_reported():
    cylinder = Oracle(name="cylinder", fn=lambda x: x[:, 0] ** 2 + x[:, 1] ** 2, n=3)
    algebra = solve(cylinder)
    assert algebra.dimension == 4  # so(2) in the (x1, x2) plane + 3 maps into x3
    assert algebra.n_trivial == 3
    assert algebra.ignored_directions.shape == (1, 3)
    np.testing.assert_allclose(
        np.abs(algebra.ignored_directions[0]), [0, 0, 1], atol=1e-10
    )
    assert any("does not depend" in w for w in algebra.warnings)


def test_no_symmetry_is_stated_plainly(solved):
    assert solved["piecewise"].status == "none"
    assert "no linear symmetry" in solved["piecewise"].summary()


def test_complex_solution_is_u_n_not_so_2n(solved):
    B = solved["u2"].basis
    # u(2): complex 2×2 anti-Hermitian matrices
    np.testing.assert_allclose(B, -np.conj(np.swapaxes(B, 1, 2)), atol=1e-10)


def test_multi_copy_oracle():
    algebra = solve(euclidean_norm(3, copies=2))
    assert algebra.dimension == 3
