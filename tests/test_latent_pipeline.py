"""``symdisc latent``: the digits pipeline end to end with a small budget."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from symdisc.cli import app
from symdisc.latent.models import AutoencoderConfig, ClassifierConfig
from symdisc.latent.pipeline import TOL_DRIFT, run_latent, write_latent


@pytest.fixture(scope="module")
def plane_run():
    return run_latent(
        "digits-01",
        epochs=800,
        n_points=256,
        polish_steps=100,
        autoencoder=AutoencoderConfig(latent_dim=2, steps=800),
        classifier=ClassifierConfig(steps=400),
    )


def test_digits01_flow_keeps_the_digit_and_the_orthogonal_changes_it(plane_run):
    # lines follow the learned field projected onto the logit's level sets
    run = plane_run
    assert run.tangent
    assert run.setup.metrics.accuracy_test > 0.95, run.setup.metrics
    assert len(run.lines) == 2
    for line in run.lines:
        assert line.drift < TOL_DRIFT, f"{line.label}: logit drift {line.drift:.2%}"
        assert line.keeps_class, f"{line.label}: classes {line.classes}"
    assert not run.orthogonal.keeps_class, f"orthogonal: {run.orthogonal.classes}"
    lin = run.linear.metrics["invariance_error"]
    deep = run.penalty.metrics["invariance_error"]
    assert deep < lin, f"MLP {deep:.2e} should beat linear {lin:.2e}"
    exact = run.fields.metrics["invariance_error"]
    assert exact < 1e-10, f"projected field's invariance error {exact:.2e}"


def test_ten_digits_keep_their_class_along_every_flow_line():
    run = run_latent("digits", epochs=600, n_points=512, polish_steps=0)
    accuracy = run.setup.metrics.accuracy_test
    assert accuracy > 0.90, f"ten-class test accuracy {accuracy:.1%}"
    assert run.fields.status == "found", run.fields.reasons
    assert len(run.lines) == 10 * run.fields.n_fields
    for line in run.lines:
        assert line.drift < TOL_DRIFT, f"{line.label}: logit drift {line.drift:.2%}"
        assert line.keeps_class, f"{line.label}: classes {line.classes}"
    assert run.status == "found", run.reasons


def test_latent_folder_holds_metrics_weights_and_figures(plane_run, tmp_path):
    out = write_latent(plane_run, tmp_path / "latent01")
    data = json.loads((out / "result.json").read_text())
    assert data["kind"] == "latent" and data["preset"] == "digits-01"
    assert 0 < data["models"]["accuracy_test"] <= 1
    assert data["models"]["recon_mse_test"] > 0
    assert [line["logit_drift"] for line in data["lines"]] == [
        line.drift for line in plane_run.lines
    ]
    with np.load(out / "weights.npz", allow_pickle=False) as w:
        assert w.files
    assert (out / "figures" / "latent_plane.png").is_file()
    assert "logit drift" in (out / "report.md").read_text()


def test_unknown_latent_preset_is_an_input_error(tmp_path):
    result = CliRunner().invoke(app, ["latent", "letters", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "digits-01" in result.output
