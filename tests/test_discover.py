"""All-at-once discovery: which subalgebra sizes exist is itself a result."""

import numpy as np
import pytest
import scipy.linalg

from symdisc import discover
from symdisc.presets import experiment_from_preset
from tests.conftest import assert_small, levi_civita


def run(preset: str, k: int | None = None, **options):
    experiment = experiment_from_preset(preset)
    config = experiment.training.replace(n_generators=k, **options)
    return discover(experiment.oracle, config=config)


@pytest.fixture(scope="module")
def so3():
    return run("so3")


def test_so3_three_generators_found(so3):
    assert so3.status == "found", so3.summary()
    m = so3.metrics
    assert_small(m["invariance_error"], 1e-8, "so3 invariance error")
    assert_small(m["closure_error"], 1e-6, "so3 closure error")
    assert (
        abs(m["min_angle_deg"] - 90) < 0.01 and abs(m["max_angle_deg"] - 90) < 0.01
    ), m
    assert so3.exact["dimension"] == 3
    assert_small(so3.exact["span_distance"], 1e-6, "so3 span distance")


def test_so3_structure_constants_proportional_to_levi_civita(so3):
    C = so3.structure_constants
    eps = levi_civita()
    scale = np.sum(C * eps) / np.sum(eps * eps)
    assert abs(abs(scale) - 1) < 1e-6, f"scale {scale}"  # orthonormal basis, norm² 2
    assert_small(
        np.abs(C - scale * eps).max() / abs(scale), 1e-6, "so3 constants vs Levi-Civita"
    )


def test_so3_generators_are_antisymmetric_and_exponentiate_to_rotations(so3):
    for G in so3.generators:
        R = scipy.linalg.expm(0.7 * G)
        assert_small(np.abs(R @ R.T - np.eye(3)).max(), 1e-8, "expm(G) orthogonality")


@pytest.mark.parametrize(
    "preset,k",
    [
        ("so4", 6),
        ("lorentz", 6),
        ("squeeze", 1),
        ("so4", 2),
        ("so4", 3),
        ("so4", 4),
        ("so2", 1),
    ],
)
def test_found(preset, k):
    result = run(preset, k)
    assert result.status == "found", result.summary()
    assert_small(result.metrics["invariance_error"], 1e-8, f"{preset} k={k} invariance")
    assert_small(result.metrics["closure_error"], 1e-6, f"{preset} k={k} closure")


@pytest.mark.parametrize(
    "preset,k",
    [
        ("so2", 2),
        ("so3", 2),
        ("so3", 4),
        ("so4", 5),
        ("lorentz", 5),
        ("piecewise", 1),
        ("manhattan", 1),
    ],
)
def test_not_found(preset, k):
    result = run(preset, k, epochs=800, polish_steps=100)
    assert result.status == "not found", result.summary()
    assert result.reasons and "final losses" in " ".join(result.reasons)


def test_so10_all_45_with_closure():
    result = run("so10")
    assert result.status == "found", result.summary()
    assert result.n_generators == 45
    assert_small(result.metrics["closure_error"], 1e-6, "so10 closure")
    assert_small(result.metrics["invariance_error"], 1e-8, "so10 invariance")


def test_so4_subalgebra_k3_reports_exact_dimension_and_span_distance():
    result = run("so4", 3)
    assert result.exact["dimension"] == 6
    assert_small(result.exact["span_distance"], 1e-6, "so4 k=3 span distance")


def test_seed_is_deterministic():
    a = run("so3", seed=5, epochs=200, polish_steps=0)
    b = run("so3", seed=5, epochs=200, polish_steps=0)
    np.testing.assert_array_equal(a.generators, b.generators)


def test_k_larger_than_n_squared_is_an_input_error():
    from symdisc.errors import InputError

    with pytest.raises(InputError, match="n_generators"):
        run("so3", 10)
