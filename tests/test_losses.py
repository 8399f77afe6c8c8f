"""Loss terms against values computed by hand."""

import jax.numpy as jnp
import numpy as np
import pytest

from symdisc import losses
from symdisc.oracles import euclidean_norm

E12 = np.array([[0.0, 1.0], [-1.0, 0.0]])
SQ = np.array([[1.0, 0.0], [0.0, -1.0]])
SHEAR = np.array([[0.0, 1.0], [0.0, 0.0]])


def test_exact_invariance_of_rotation_is_zero_and_of_shear_is_hand_value():
    oracle = euclidean_norm(2)
    X = jnp.array([[[1.0, 2.0]], [[-0.5, 3.0]]])  # (b=2, c=1, n=2)
    A = jnp.array([E12, SHEAR])
    L = np.asarray(losses.invariance_exact(oracle.fn, A, X))
    # Dφ(x)[Sx] = 2 xᵀ S x = 2 x1 x2 for the shear: 4 and -3 -> mean of squares 12.5
    expected = np.array([0.0, ((2 * 1 * 2) ** 2 + (2 * -0.5 * 3) ** 2) / 2])
    np.testing.assert_allclose(L, expected, rtol=1e-12, atol=1e-12)


def test_finite_invariance_approaches_exact_as_epsilon_shrinks():
    oracle = euclidean_norm(2)
    X = jnp.array([[[1.0, 2.0]], [[-0.5, 3.0]]])
    A = jnp.array([SHEAR])
    exact = float(losses.invariance_exact(oracle.fn, A, X)[0])
    for eps, tol in [(1e-2, 1e-2), (1e-4, 1e-4)]:
        finite = float(losses.invariance_finite(oracle.fn, A, X, eps)[0])
        assert abs(finite - exact) / exact < tol, (eps, finite, exact)


def test_normalisation_orthogonality_by_hand():
    G = jnp.array([E12, 2 * SQ, E12 + SQ])
    # squared norms 2, 8, 4 -> (0, 36, 4)
    np.testing.assert_allclose(losses.normalisation(G), [0.0, 36.0, 4.0])
    # inner products: <E12,2SQ>=0, <E12,E12+SQ>=2, <2SQ,E12+SQ>=4 -> 0+4+16
    assert float(losses.orthogonality(G)) == pytest.approx(20.0)


def test_closure_learned_zero_for_so3_with_levi_civita():
    from tests.conftest import levi_civita, rotation_basis

    G = jnp.asarray(rotation_basis(3))
    # with this ordering [G_a, G_b] = -ε_abc G_c (E_12-E_21, E_13-E_31, E_23-E_32)
    C = np.einsum("abij,cij->abc", np.asarray(losses.brackets(G)), np.asarray(G)) / 2
    assert float(losses.closure_learned(G, jnp.asarray(C))) < 1e-24
    assert float(losses.closure_learned(G, jnp.zeros((3, 3, 3)))) == pytest.approx(
        3 * 2.0
    )  # three brackets, each a generator of squared norm 2
    assert float(losses.closure_projection(G)) < 1e-20
    assert abs(np.abs(C) - levi_civita() ** 2).max() < 1e-12


def test_closure_projection_detects_non_closed_pair():
    from tests.conftest import rotation_basis

    G = jnp.asarray(rotation_basis(3)[:2])  # two rotations: bracket is the third
    assert float(losses.closure_projection(G)) == pytest.approx(2.0)


def test_sparsity_by_hand():
    G = jnp.array([[[1.0, -2.0], [0.0, 3.0]]])
    # Σ_{pairs of distinct entries} |g||g'| = 1*2 + 1*3 + 2*3 = 11
    assert float(losses.sparsity(G)[0]) == pytest.approx(11.0)
    Gc = jnp.array([[[1.0 + 2.0j, 0.0], [0.0, 0.0]]])
    assert float(losses.sparsity(Gc)[0]) == pytest.approx(2.0)
