"""Facts about the octonions: the multiplication table, norms, alternativity."""

import itertools

import jax
import numpy as np
import pytest

import symdisc  # noqa: F401  (float64)
from symdisc.oracles.octonions import (
    FANO_TRIPLES,
    OCTONION_STRUCTURE,
    associative_three_form,
    imaginary_octonion,
    octonion_associator,
    octonion_conjugate,
    octonion_derivation,
    octonion_multiply,
    octonion_norm,
    octonion_norm_squared,
)

RTOL = 1e-12
UNITS = np.eye(8)


def random_octonions(seed, count, batch=64):
    keys = jax.random.split(jax.random.PRNGKey(seed), count)
    return [jax.random.normal(key, (batch, 8)) for key in keys]


def relative_error(lhs, rhs):
    lhs, rhs = np.asarray(lhs), np.asarray(rhs)
    return float(np.max(np.abs(lhs - rhs)) / max(np.max(np.abs(rhs)), 1e-300))


mul = octonion_multiply


# --- the table -------------------------------------------------------------


def test_real_unit_is_the_identity():
    (a,) = random_octonions(0, 1)
    assert relative_error(mul(UNITS[0], a), a) < RTOL
    assert relative_error(mul(a, UNITS[0]), a) < RTOL


@pytest.mark.parametrize("i", range(1, 8))
def test_imaginary_units_square_to_minus_one(i):
    assert np.array_equal(np.asarray(mul(UNITS[i], UNITS[i])), -UNITS[0])


@pytest.mark.parametrize("i, j", list(itertools.permutations(range(1, 8), 2)))
def test_distinct_units_anticommute_to_a_unit(i, j):
    product = np.asarray(mul(UNITS[i], UNITS[j]))
    assert np.array_equal(product, -np.asarray(mul(UNITS[j], UNITS[i])))
    assert np.sum(np.abs(product)) == 1.0 and product[0] == 0.0, product


@pytest.mark.parametrize("i, j, k", FANO_TRIPLES)
def test_fano_lines_multiply_cyclically(i, j, k):
    for p, q, r in ((i, j, k), (j, k, i), (k, i, j)):
        assert np.array_equal(np.asarray(mul(UNITS[p], UNITS[q])), UNITS[r]), (p, q)


def test_every_pair_of_units_lies_on_exactly_one_line():
    lines = [set(t) for t in FANO_TRIPLES]
    for pair in itertools.combinations(range(1, 8), 2):
        assert sum(set(pair) <= line for line in lines) == 1, pair


def test_structure_constant_array_is_read_only():
    assert OCTONION_STRUCTURE.shape == (8, 8, 8)
    with pytest.raises(ValueError):
        OCTONION_STRUCTURE[0, 0, 0] = 2.0


# --- composition algebra ---------------------------------------------------


def test_norm_is_multiplicative():
    a, b = random_octonions(1, 2)
    err = relative_error(octonion_norm(mul(a, b)), octonion_norm(a) * octonion_norm(b))
    assert err < RTOL, f"| |ab| - |a||b| | / |a||b| = {err:.2e}"


def test_conjugation_reverses_products_and_gives_the_norm():
    a, b = random_octonions(2, 2)
    lhs = octonion_conjugate(mul(a, b))
    rhs = mul(octonion_conjugate(b), octonion_conjugate(a))
    assert relative_error(lhs, rhs) < RTOL
    a_abar = mul(a, octonion_conjugate(a))
    expected = octonion_norm_squared(a)[:, None] * UNITS[0]
    assert relative_error(a_abar, expected) < RTOL


# --- alternative but not associative ----------------------------------------


def test_left_and_right_alternative():
    a, b = random_octonions(3, 2)
    left = relative_error(mul(mul(a, a), b), mul(a, mul(a, b)))
    right = relative_error(mul(mul(a, b), b), mul(a, mul(b, b)))
    assert left < RTOL and right < RTOL, f"left {left:.2e}, right {right:.2e}"


def test_associator_is_totally_antisymmetric():
    a, b, c = random_octonions(4, 3)
    abc = octonion_associator(a, b, c)
    for perm, sign in [((b, a, c), -1), ((a, c, b), -1), ((c, a, b), 1)]:
        assert relative_error(sign * octonion_associator(*perm), abc) < 1e-11


def test_not_associative():
    e = UNITS
    lhs, rhs = mul(mul(e[1], e[2]), e[3]), mul(e[1], mul(e[2], e[3]))
    assert np.array_equal(np.asarray(lhs), -np.asarray(rhs)), (lhs, rhs)
    a, b, c = random_octonions(5, 3)
    size = octonion_norm(octonion_associator(a, b, c))
    scale = octonion_norm(a) * octonion_norm(b) * octonion_norm(c)
    assert float(np.min(size / scale)) > 1e-3, "a random triple associates"


def test_moufang_identities():
    x, y, z = random_octonions(6, 3)
    cases = {
        "z(x(zy)) = ((zx)z)y": (mul(z, mul(x, mul(z, y))), mul(mul(mul(z, x), z), y)),
        "x(z(yz)) = ((xz)y)z": (mul(x, mul(z, mul(y, z))), mul(mul(mul(x, z), y), z)),
        "(zx)(yz) = (z(xy))z": (mul(mul(z, x), mul(y, z)), mul(mul(z, mul(x, y)), z)),
    }
    for name, (lhs, rhs) in cases.items():
        err = relative_error(lhs, rhs)
        assert err < 1e-11, f"{name}: {err:.2e}"


# --- arrays and JAX --------------------------------------------------------


def test_multiply_broadcasts_and_matches_a_loop():
    a = jax.random.normal(jax.random.PRNGKey(7), (4, 1, 8))
    b = jax.random.normal(jax.random.PRNGKey(8), (3, 8))
    product = octonion_multiply(a, b)
    assert product.shape == (4, 3, 8)
    loop = np.array([[mul(a[i, 0], b[j]) for j in range(3)] for i in range(4)])
    assert relative_error(product, loop) < RTOL


def test_multiply_is_jittable_and_differentiable():
    a, b = random_octonions(9, 2, batch=1)
    a, b = a[0], b[0]
    jitted = jax.jit(octonion_multiply)(a, b)
    assert relative_error(jitted, mul(a, b)) < RTOL
    # Re(ab) = a_0 b_0 - Σ_i a_i b_i = <a, conj(b)>.
    grad = jax.grad(lambda a: octonion_multiply(a, b)[0])(a)
    assert relative_error(grad, octonion_conjugate(b)) < RTOL


# --- the associative 3-form ------------------------------------------------


def test_three_form_is_totally_antisymmetric():
    phi = associative_three_form()
    for perm, sign in [
        ((1, 0, 2), -1),
        ((0, 2, 1), -1),
        ((2, 1, 0), -1),
        ((1, 2, 0), 1),
    ]:
        err = np.max(np.abs(np.transpose(phi, perm) - sign * phi))
        assert err == 0.0, (perm, err)
    assert np.sum(phi**2) == 42.0  # 7 lines × 3! orderings


def test_three_form_is_the_real_part_of_the_triple_product():
    phi = associative_three_form()
    keys = jax.random.split(jax.random.PRNGKey(10), 3)
    x, y, z = (jax.random.normal(k, (32, 7)) for k in keys)
    X, Y, Z = (imaginary_octonion(v) for v in (x, y, z))
    form = np.einsum("ijk,bi,bj,bk->b", phi, x, y, z)
    assert relative_error(form, mul(X, mul(Y, Z))[:, 0]) < RTOL
    assert relative_error(form, mul(mul(X, Y), Z)[:, 0]) < RTOL


# --- derivations -----------------------------------------------------------


def test_derivation_satisfies_leibniz_and_fixes_the_real_unit():
    a, b, x, y = (v[0] for v in random_octonions(11, 4, batch=1))
    D = octonion_derivation(a, b)
    lhs = D @ mul(x, y)
    rhs = mul(D @ x, y) + mul(x, D @ y)
    err = relative_error(lhs, rhs)
    assert err < 1e-12, f"D(xy) - D(x)y - xD(y): {err:.2e}"
    assert (
        float(np.max(np.abs(D[0]))) < 1e-13 and float(np.max(np.abs(D[:, 0]))) < 1e-13
    )


def test_derivation_equals_the_sum_of_multiplication_commutators():
    # Schafer's form [L_a, L_b] + [L_a, R_b] + [R_a, R_b] of the same derivation.
    a, b = (v[0] for v in random_octonions(12, 2, batch=1))
    L = lambda c: octonion_multiply(c, UNITS).T  # noqa: E731
    R = lambda c: octonion_multiply(UNITS, c).T  # noqa: E731
    bracket = lambda A, B: A @ B - B @ A  # noqa: E731
    schafer = bracket(L(a), L(b)) + bracket(L(a), R(b)) + bracket(R(a), R(b))
    assert relative_error(octonion_derivation(a, b), schafer) < 1e-12


def test_derivations_of_units_span_fourteen_dimensions():
    D = np.array(
        [
            octonion_derivation(UNITS[i], UNITS[j])
            for i, j in itertools.combinations(range(1, 8), 2)
        ]
    )
    s = np.linalg.svd(D.reshape(len(D), -1), compute_uv=False)
    assert int(np.sum(s > 1e-10 * s[0])) == 14, s
    assert np.max(np.abs(D + np.transpose(D, (0, 2, 1)))) < 1e-13  # inside so(8)
