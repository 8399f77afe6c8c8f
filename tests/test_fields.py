"""Nonlinear symmetries: MLP vector fields, their checks, flows and folders."""

import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from typer.testing import CliRunner

from symdisc.cli import app
from symdisc.errors import InputError
from symdisc.fieldflow import flow_check, flow_map
from symdisc.models import fields as F_
from symdisc.models.fields import FieldModel, named_leaves, params_from_leaves
from symdisc.oracles import (
    euclidean_norm,
    manhattan,
    piecewise,
    quadratic_form,
    squeeze,
)
from symdisc.report_fields import load_fields, replot, write_fields
from symdisc.training.fields import (
    FieldConfig,
    calibrate,
    discover_fields,
    field_checks,
    relative_invariance,
)

ROTATION = np.array([[0.0, -1.0], [1.0, 0.0]])
SQUEEZE = np.array([[1.0, 0.0], [0.0, -1.0]])
QUICK = {"restarts": 1, "polish_steps": 0, "learning_rate": 3e-3}


def linear_field(G) -> tuple[FieldModel, dict]:
    G = np.atleast_3d(np.asarray(G, float)).reshape(-1, 2, 2)
    return FieldModel(n=2, n_fields=len(G), depth=0), {"linear": jnp.asarray(G)}


def piecewise_field(P):
    """Exact symmetry of `piecewise`: up on the right, leftwards on the left."""
    right = P[:, 0] >= 0
    return np.where(right[:, None], [0.0, 1.0], [-1.0, 0.0])


def manhattan_field(P):
    """Around the diamonds |x1| + |x2| = c: perpendicular to sign(x)."""
    s = np.sign(P)
    return np.stack([s[:, 1], -s[:, 0]], -1)


# ---------------------------------------------------------------------------
# Loss terms and checks on fields known in closed form


def test_loss_terms_vanish_for_the_rotation_field():
    X = euclidean_norm(2).sample(0, 400)[:, 0]
    F = jnp.einsum("ij,bj->bi", ROTATION, X)[None]
    inv = F_.invariance_exact(euclidean_norm(2).fn, F, X, (1, 2))
    assert float(inv[0]) < 1e-28, f"exact invariance of rotations {float(inv[0]):.2e}"
    radial = X[None]
    orth = F_.orthogonality(jnp.concatenate([F, radial]))
    assert float(orth) < 1e-28, f"<Rx, x> summed {float(orth):.2e}"
    steps = F_.mean_step(F)
    assert float(F_.normalisation(F, float(steps[0]))[0]) == 0.0


@pytest.mark.parametrize(
    "oracle, field",
    [(piecewise(), piecewise_field), (manhattan(), manhattan_field)],
    ids=["piecewise", "manhattan"],
)
def test_exact_nonsmooth_fields_have_no_finite_invariance_loss(oracle, field):
    X = np.asarray(oracle.sample(1, 500))[:, 0]
    F = jnp.asarray(field(X))[None]
    # a step of 1e-3 (times |F|, a few units) from a point nearer than that to
    # the non-smooth set may cross it and jump; such points are left out
    near = np.asarray(jax.vmap(oracle.distance_to_singular)(X[:, None])) < 0.05
    F_far = jnp.asarray(field(X[~near]))[None]
    X_far = jnp.asarray(X[~near])
    inv = float(F_.invariance_finite(oracle.fn, F_far, X_far, 1e-3, (1, 2))[0])
    assert inv < 1e-20, f"finite invariance loss of the exact field {inv:.2e}"
    r = relative_invariance(oracle, F, jnp.asarray(X)[:, None], 1e-4)[0]
    keep = np.asarray(jax.vmap(oracle.distance_to_singular)(X[:, None])) > 0.1
    assert np.nanmax(r[keep]) < 1e-10, f"relative error {np.nanmax(r[keep]):.2e}"


def test_relative_weights_ignore_the_scale_of_the_field():
    o = squeeze()
    X = o.sample(2, 300)[:, 0]
    F = jax.random.normal(jax.random.PRNGKey(3), (1, 300, 2))
    a = F_.invariance_exact(o.fn, F, X, (1, 2), floor=1e-3)
    b = F_.invariance_exact(o.fn, 7.0 * F, X, (1, 2), floor=1e-3)
    assert abs(float(a[0] / b[0]) - 1) < 1e-6, f"ratio {float(a[0] / b[0])}"


def test_checks_pass_for_the_calibrated_rotation_and_fail_for_squeeze_on_so2():
    o = euclidean_norm(2)
    cfg = FieldConfig()
    model, params = linear_field(np.stack([ROTATION, SQUEEZE]))
    params = calibrate(o, model, params, cfg, jax.random.PRNGKey(4))
    m = field_checks(
        o, model, params, o.sample(5, 512), cfg, step_points=o.sample(6, 2**17)
    )
    per_field = m["invariance_error_per_field"]
    assert per_field[0] < 1e-14, f"rotation: {per_field[0]:.2e}"
    assert per_field[1] > 0.3, f"squeeze on circles: {per_field[1]:.2e}"
    assert m["normalisation_error"] < 0.01, f"{m['normalisation_error']:.2e}"
    assert m["orthogonality_error"] < 0.1, f"|cos| {m['orthogonality_error']:.2e}"


def test_checks_skip_points_near_the_non_smooth_set():
    o = manhattan()
    model, params = linear_field(ROTATION)
    m = field_checks(o, model, params, o.sample(7, 1000), FieldConfig(margin=0.5))
    kept = np.mean(np.min(np.abs(np.asarray(o.sample(7, 1000))[:, 0]), axis=1) > 0.5)
    assert m["n_kept_points"] == round(kept * 1000)
    custom = field_checks(
        o,
        model,
        params,
        o.sample(7, 1000),
        FieldConfig(),
        mask=lambda P: P[:, 0, 0] > 0,
    )
    assert 400 < custom["n_kept_points"] < 600


# ---------------------------------------------------------------------------
# The model


def test_depth_zero_is_the_linear_field_and_weights_round_trip():
    G = np.array([[0.3, -1.2], [0.7, 0.1]])
    model, params = linear_field(G)
    X = np.random.default_rng(0).normal(size=(5, 2))
    assert np.allclose(model.values(params, X)[0], X @ G.T, rtol=1e-14)
    assert np.allclose(model.matrices(params)[0], G)

    deep = FieldModel(n=2, n_fields=2, depth=2, width=8, center=(0.1, -0.2), scale=1.3)
    p = deep.init(jax.random.PRNGKey(1))
    q = params_from_leaves(FieldModel.from_dict(deep.to_dict()), named_leaves(p))
    assert np.array_equal(deep.values(p, X), deep.values(q, X))
    scaled = deep.rescale(p, jnp.array([2.0, -0.5]))
    ratio = np.asarray(deep.values(scaled, X)) / np.asarray(deep.values(p, X))
    assert np.allclose(ratio[0], 2.0) and np.allclose(ratio[1], -0.5)


def test_hidden_option_is_parsed_and_checked():
    assert F_.parse_hidden("3x64") == (3, 64)
    assert F_.parse_hidden("0") == (0, 1)
    with pytest.raises(InputError, match="DEPTHxWIDTH"):
        F_.parse_hidden("deep")


# ---------------------------------------------------------------------------
# Flows


def test_flow_of_the_squeeze_generator_keeps_the_product():
    model, params = linear_field(SQUEEZE)
    field = model.field(params)
    starts = np.array([[1.0, 0.5], [-1.2, -0.8], [0.6, -1.5]])
    check = flow_check(squeeze(), field, starts, t_max=1.0, n_steps=100)
    assert check.max_drift < 1e-8, f"drift {check.max_drift:.2e}"
    moved = flow_map(field, starts, 1.0)
    assert np.allclose(moved, starts * [np.e, 1 / np.e], rtol=1e-8)


# ---------------------------------------------------------------------------
# Training with small budgets


def test_so2_field_is_tangent_to_the_circles():
    o = euclidean_norm(2)
    r = discover_fields(
        o,
        1,
        field_config=FieldConfig(depth=1, width=16),
        epochs=1500,
        n_points=256,
        **QUICK,
    )
    P = np.asarray(o.sample(11, 1000))[:, 0]
    F = r.values(P)[0]
    rot = P @ ROTATION.T
    cos = (
        np.abs(np.sum(F * rot, -1))
        / np.linalg.norm(F, axis=-1)
        / np.linalg.norm(rot, axis=-1)
    )
    assert cos.mean() > 0.99, f"mean |cos| with the rotation field {cos.mean():.4f}"
    assert r.metrics["normalisation_error"] < 0.01, r.metrics["normalisation_error"]


def test_level_set_projectors_are_orthogonal_projectors_killing_the_gradient():
    o = euclidean_norm(3)
    X = np.asarray(o.sample(2, 50))[:, 0]
    P = np.asarray(F_.level_set_projectors(o.fn, jnp.asarray(X), o.point_shape))
    idempotent = np.max(np.abs(P @ P - P))
    symmetric = np.max(np.abs(P - np.swapaxes(P, 1, 2)))
    along_gradient = np.max(np.abs(np.einsum("bij,bj->bi", P, X)))
    assert idempotent < 1e-12 and symmetric < 1e-12, (idempotent, symmetric)
    assert along_gradient < 1e-12 * np.max(np.abs(X)), along_gradient
    traces = np.trace(P, axis1=1, axis2=2)
    assert np.allclose(traces, 2.0, rtol=1e-12), f"rank of P: {traces[:3]}"


def test_tangent_fields_preserve_the_oracle_by_construction_and_along_flows():
    o = quadratic_form(1, 2)
    r = discover_fields(
        o,
        2,
        field_config=FieldConfig(depth=1, width=16, tangent=True),
        epochs=400,
        n_points=2048,
        seed=3,
        **QUICK,
    )
    assert r.metrics["invariance_error"] < 1e-12, r.metrics["invariance_error"]
    assert r.metrics["orthogonality_error"] < 0.05, r.metrics["field_cosines"]
    assert r.model.to_dict()["projected"] == "level sets"
    starts = np.asarray(o.sample(5, 4))[:, 0]
    for index in range(2):
        check = flow_check(o, r.field(index), starts, t_max=0.5, n_steps=100)
        assert check.max_drift < 1e-6, f"field {index}: drift {check.max_drift:.2e}"


def test_tangent_fields_refuse_a_non_smooth_oracle():
    with pytest.raises(InputError, match="tangent"):
        discover_fields(
            piecewise(), 1, field_config=FieldConfig(tangent=True), epochs=2, **QUICK
        )


def test_piecewise_deep_beats_linear_and_folder_round_trips(tmp_path):
    o = piecewise()
    deep = discover_fields(
        o,
        1,
        field_config=FieldConfig(depth=2, width=16),
        epochs=1500,
        n_points=256,
        **QUICK,
    )
    linear = discover_fields(
        o, 1, field_config=FieldConfig(depth=0), epochs=300, n_points=256, **QUICK
    )
    assert linear.status == "not found"
    lin, dee = linear.metrics["invariance_error"], deep.metrics["invariance_error"]
    assert lin > 0.1, f"the linear field cannot preserve piecewise: {lin:.2e}"
    assert dee < 0.05 and dee < lin / 10, f"deep {dee:.2e} vs linear {lin:.2e}"
    assert deep.metrics["normalisation_error"] < 0.01

    out = write_fields(deep, tmp_path / "pw", o, comparison=linear)
    data = json.loads((out / "result.json").read_text())
    assert data["kind"] == "fields" and data["model"]["depth"] == 2
    with np.load(out / "weights.npz", allow_pickle=False) as w:
        assert all(w[k].dtype == np.float64 for k in w.files)
    model, params = load_fields(out)
    P = np.asarray(o.sample(3, 50))[:, 0]
    assert np.array_equal(model.values(params, P), deep.values(P))
    for f in out.glob("figures/*.png"):
        f.unlink()
    result = CliRunner().invoke(app, ["plot", str(out)])
    assert result.exit_code == 0, result.output
    assert {"field.png", "shallow_vs_deep.png", "loss.png"} <= {
        f.name for f in out.glob("figures/*.png")
    }


def test_plot_redraws_a_linear_folder(tmp_path):
    folder = tmp_path / "so2"
    (folder / "figures").mkdir(parents=True)
    np.save(folder / "generators.npy", ROTATION[None])
    np.savez(
        folder / "history.npz", total=np.logspace(0, -8, 20), angles=np.zeros((2, 1, 1))
    )
    summary = {"name": "so2", "parameters": {"kind": "norm", "n": 2}}
    (folder / "result.json").write_text(
        json.dumps({"kind": "discovery", "oracle": summary})
    )
    names = replot(folder)
    assert names == ["generators.png", "loss.png", "vector_field.png"]


def test_bad_hidden_and_bad_folder_are_input_errors(tmp_path):
    result = CliRunner().invoke(
        app,
        [
            "run",
            "piecewise",
            "--model",
            "mlp",
            "--hidden",
            "wide",
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert result.exit_code == 2 and "DEPTHxWIDTH" in result.output
    result = CliRunner().invoke(app, ["plot", str(tmp_path)])
    assert result.exit_code == 2 and "result.json" in result.output
