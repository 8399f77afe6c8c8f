"""Greedy training and the Lie-bracket trick find whole algebras, dimension included."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import symdisc  # noqa: F401  (float64)
from symdisc.algebra.linalg import closure_error, span_distance
from symdisc.checks import invariance_errors
from symdisc.errors import InputError
from symdisc.exact import solve
from symdisc.losses import directional_derivatives
from symdisc.oracles import Oracle, euclidean_norm, g2, hermitian_norm
from symdisc.oracles.unitary import special_unitary
from symdisc.presets import experiment_from_preset
from symdisc.training import greedy, lbt
from symdisc.training.algorithms import algorithm_runner
from symdisc.training.greedy import InvarianceTest, KnownSpan, realify_actions
from symdisc.training.lbt import expand_by_brackets

#: Small budgets: one failed attempt ends the search, short Adam runs.
FAST = {
    "budget": 1,
    "epochs": 600,
    "restarts": 2,
    "polish_steps": 0,
    "n_check_points": 256,
}

CASES = [  # name, oracle, dimension: small algebras and the largest promised sizes
    ("so(3)", lambda: euclidean_norm(3), 3),
    ("so(4)", lambda: euclidean_norm(4), 6),
    ("u(2)", lambda: hermitian_norm(2), 4),
    ("so(8)", lambda: euclidean_norm(8), 28),
    ("u(4)", lambda: hermitian_norm(4), 16),
    ("su(4)", lambda: special_unitary(4), 15),
]


@pytest.mark.parametrize("algorithm", [greedy, lbt], ids=["greedy", "lbt"])
@pytest.mark.parametrize(
    ("name", "build", "dimension"), CASES, ids=[c[0] for c in CASES]
)
def test_finds_the_whole_algebra(algorithm, name, build, dimension):
    result = algorithm.discover(build(), seed=0, **FAST)
    assert result.found, f"{name}: {result.summary()}"
    assert result.n_generators == dimension, (
        f"{name}: found {result.n_generators} generators, expected {dimension}"
    )
    assert result.exact["span_distance"] < 1e-6, (
        f"{name}: span distance {result.exact['span_distance']:.2e}"
    )
    assert result.metrics["closure_error"] < 1e-6, (
        f"{name}: closure error {result.metrics['closure_error']:.2e}"
    )
    if algorithm is lbt:  # two generic elements generate these algebras
        assert result.extra["n_trained"] == 2, result.extra["origin"]
        assert result.algorithm == "greedy+lbt"
    if result.generators.dtype.kind == "c":
        J = result.generators
        err = np.max(np.abs(J - np.conj(np.swapaxes(J, 1, 2))))
        assert err < 1e-12, f"{name}: anti-Hermitian part {err:.2e}"
    rule = result.extra["stopping_rule"]
    assert rule["budget"] == 1 and rule["failed_attempts"] == 1, rule
    assert rule["loss_threshold"] == greedy.LOSS_THRESHOLD, rule


def test_g2_from_two_trained_generators():
    result = lbt.discover(g2(), seed=0, **FAST)
    assert result.found and result.n_generators == 14, result.summary()
    assert result.exact["span_distance"] < 1e-6, result.exact
    assert result.extra["n_trained"] <= 3, result.extra["origin"]


def test_bracket_expansion_completes_so6_from_two_elements():
    oracle = euclidean_norm(6)
    basis = solve(oracle).basis  # 15 antisymmetric matrices, norm² 2
    rng = np.random.default_rng(0)
    known = KnownSpan(6, complex_=False)
    for _ in range(2):
        a = np.einsum("k,kij->ij", rng.normal(size=len(basis)), basis)
        known.add(known.new_directions(realify_actions(a[None])), "trained")
    test = InvarianceTest(oracle, oracle.sample(5, 128), tol=1e-8)
    added = expand_by_brackets(known, 1, test)
    assert added == 13 and len(known) == 15, f"{len(known)} generators"
    A = known.actions
    assert span_distance(A, basis) < 1e-10, span_distance(A, basis)
    assert closure_error(A) < 1e-10, closure_error(A)
    gram = realify_actions(A) @ realify_actions(A).T
    assert np.allclose(gram, 2 * np.eye(15), atol=1e-12), "not orthonormal (norm² 2)"


@pytest.mark.parametrize(
    ("name", "build", "dimension"), CASES, ids=[c[0] for c in CASES]
)
def test_invariance_test_matches_directional_derivatives(name, build, dimension):
    oracle = build()
    X = oracle.sample(3, 70)  # not a multiple of the gradient chunk
    rng = np.random.default_rng(1)
    A = rng.normal(size=(5, oracle.n, oracle.n))
    if oracle.field == "complex":
        A = A + 1j * rng.normal(size=A.shape)
    errors, ok = InvarianceTest(oracle, X, tol=1e-6)(A)
    reference = _errors_by_jvp(oracle, A, X)
    assert np.allclose(invariance_errors(oracle, A, X), errors, rtol=1e-12)
    rel = np.max(np.abs(errors - reference) / reference)
    assert rel < 1e-12, f"{name}: relative difference {rel:.2e}"
    assert not ok.any(), f"{name}: random maps passed: {errors}"


def _errors_by_jvp(oracle, A, X):
    """The invariance error from its definition: JVPs along ``A x`` and label
    gradients by reverse mode (real and imaginary parts apart)."""
    A = jnp.asarray(A)
    D = directional_derivatives(oracle.fn, A, X)  # (k, b, m)
    num = jnp.sum(jnp.abs(D) ** 2, axis=(1, 2))

    def split(re, im):
        return oracle.fn(re + 1j * im) if oracle.field == "complex" else oracle.fn(re)

    g_re, g_im = jax.vmap(jax.jacrev(split, argnums=(0, 1)))(X.real, X.imag)
    gsq = jnp.sum(g_re**2 + g_im**2, axis=(1, 2, 3))  # (b,)
    motion = jnp.sum(jnp.abs(jnp.einsum("kij,bcj->kbci", A, X)) ** 2, axis=(2, 3))
    return np.sqrt(np.asarray(num / (motion @ gsq)))


def test_no_symmetry_is_reported_not_found():
    def fn(x):  # |x|² + x₀³ on R²: no linear map keeps it
        return (x[0] @ x[0] + x[0, 0] ** 3)[None]

    result = greedy.discover(Oracle("cubic", fn, n=2), seed=0, **FAST)
    assert result.status == "not found", result.summary()
    assert result.n_generators == 0
    assert result.extra["stopping_rule"]["failed_attempts"] == 1


def test_algorithm_names():
    assert algorithm_runner("all", None)[0] == "all"
    assert algorithm_runner("greedy+lbt", None)[1] is lbt.discover
    with pytest.raises(InputError, match="algorithm"):
        algorithm_runner("fastest", None)
    with pytest.raises(InputError, match="budget"):
        greedy.discover(euclidean_norm(2), budget=0)


def test_exceptional_presets_default_to_lbt():
    for name, dimension in (("g2", 14), ("f4", 52), ("e6", 78)):
        experiment = experiment_from_preset(name)
        assert experiment.algorithm == "lbt", (name, experiment.algorithm)
        assert experiment.training.n_generators == dimension
