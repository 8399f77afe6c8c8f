"""The command line: exit codes, result folders, and one clear line for bad input."""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from symdisc.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_presets_lists_the_named_examples():
    result = invoke("presets")
    assert result.exit_code == 0
    for name in (
        "so2",
        "so3",
        "so4",
        "so10",
        "lorentz",
        "squeeze",
        "piecewise",
        "manhattan",
    ):
        assert name in result.output


def test_run_so3_writes_a_complete_folder(tmp_path):
    out = tmp_path / "so3"
    result = invoke("run", "so3", "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    for name in (
        "result.json",
        "generators.npy",
        "structure_constants.npy",
        "history.npz",
        "report.md",
        "figures/generators.png",
        "figures/loss.png",
        "figures/angles.png",
        "figures/rotation_axes.png",
        "figures/structure_constants.png",
    ):
        assert (out / name).is_file(), name
    data = json.loads((out / "result.json").read_text())
    assert data["status"] == "found" and data["schema_version"] == 1
    assert np.load(out / "generators.npy").shape == (3, 3, 3)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], (
        "temporary folders left behind"
    )


def test_not_found_exits_3_and_is_saved(tmp_path):
    out = tmp_path / "so3k2"
    result = invoke("run", "so3", "-k", 2, "--epochs", 300, "--out", out, "-q")
    assert result.exit_code == 3, result.output
    assert "not found" in result.output
    assert json.loads((out / "result.json").read_text())["status"] == "not found"


def test_solve_command(tmp_path):
    result = invoke("solve", "lorentz", "--out", tmp_path / "l")
    assert result.exit_code == 0, result.output
    assert "dimension 6" in result.output
    assert np.load(tmp_path / "l" / "generators.npy").shape == (6, 4, 4)


def _bad(tmp_path, *args):
    out = tmp_path / "out"
    result = invoke(*args, "--out", out, "-q")
    assert result.exit_code == 2, result.output
    assert not out.exists(), "a failed run must write nothing"
    return result.output


def test_unknown_preset_suggests(tmp_path):
    text = _bad(tmp_path, "run", "so33")
    assert "unknown preset 'so33'" in text and "Did you mean" in text


def test_too_many_generators(tmp_path):
    assert "at most n² = 9" in _bad(tmp_path, "run", "so3", "-k", 10)


@pytest.mark.parametrize("value", [0, -5])
def test_non_positive_epochs(tmp_path, value):
    assert "epochs" in _bad(tmp_path, "run", "so3", "--epochs", value)


def test_malformed_toml(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[training\nn_generators = 3\n")
    assert "malformed TOML" in _bad(tmp_path, "run", bad)


def test_unknown_toml_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('preset = "so3"\n[training]\nn_generator = 3\n')
    text = _bad(tmp_path, "run", bad)
    assert "n_generator" in text and "Did you mean 'n_generators'" in text


def test_unknown_oracle_kind(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[oracle]\nkind = "metrix"\np = 1\nq = 3\n')
    assert "Did you mean 'metric'" in _bad(tmp_path, "run", bad)


def test_toml_experiment_runs(tmp_path):
    good = tmp_path / "exp.toml"
    good.write_text(
        'name = "lorentz-sub"\n[oracle]\nkind = "metric"\np = 1\nq = 2\n'
        "[training]\nn_generators = 3\n"
    )
    out = tmp_path / "exp"
    result = invoke("run", good, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "result.json").read_text())["n_generators"] == 3


def test_unwritable_out(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = invoke("run", "so3", "--out", blocker / "sub", "-q")
    assert result.exit_code == 2, result.output
    assert "is a file" in result.output
    if os.geteuid() != 0:  # root can write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        result = invoke("run", "so3", "--out", locked / "x", "-q")
        assert result.exit_code == 2 and "not writable" in result.output


def test_missing_experiment_file(tmp_path):
    assert "no such file" in _bad(tmp_path, "run", tmp_path / "nope.toml")


def test_typo_in_flag_is_a_usage_error():
    result = invoke("run", "so3", "--generator", 3)
    assert result.exit_code == 2


def test_interrupted_write_keeps_previous_result(tmp_path):
    from symdisc.io import result_folder

    out = tmp_path / "r"
    with result_folder(out) as w:
        w.text("result.json", "{}")
        w.text("a.txt", "old")
    with pytest.raises(RuntimeError), result_folder(out) as w:
        w.text("a.txt", "new")
        raise RuntimeError("killed")
    assert (out / "a.txt").read_text() == "old"
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == ["r"]


def test_out_never_replaces_a_folder_of_user_files(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "thesis.tex").write_text("keep")
    result = invoke("run", "so3", "--out", project, "-q")
    assert result.exit_code == 2 and "other files" in result.output
    assert (project / "thesis.tex").read_text() == "keep"


def test_out_current_folder_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for target in (".", ".."):
        result = invoke("run", "so3", "--out", target, "-q")
        assert result.exit_code == 2 and "current folder" in result.output


def test_infinite_learning_rate_refused(tmp_path):
    assert "finite" in _bad(tmp_path, "run", "so3", "--learning-rate", "inf")


def test_blow_up_is_diverged_not_success(tmp_path):
    out = tmp_path / "d"
    result = invoke(
        "run", "lorentz", "--learning-rate", "1e30", "--epochs", 100, "--out", out, "-q"
    )
    assert result.exit_code == 4, result.output
    assert json.loads((out / "result.json").read_text())["status"] == "diverged"


def test_markup_in_messages_is_printed_literally(tmp_path):
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert "[oracle]" in _bad(tmp_path, "run", empty)


def test_solve_refuses_too_few_points(tmp_path):
    assert "at least 9 points" in _bad(tmp_path, "solve", "so3", "--points", 2)


def test_misspelt_oracle_kind_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[oracle]\nknd = "metric"\np = 1\nq = 2\n')
    assert "'knd'. Did you mean 'kind'" in _bad(tmp_path, "run", bad)


def test_hidden_without_mlp_is_refused(tmp_path):
    assert "--model mlp" in _bad(tmp_path, "run", "so3", "--hidden", "2x8")


def test_library_names_are_shown_as_flags(tmp_path):
    assert "--generators (n_generators)" in _bad(tmp_path, "run", "so3", "-k", 0)


def test_example_data_in_an_unwritable_place(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = invoke("example-data", "dimuon", "--out", target / "x.csv")
    assert result.exit_code == 2, result.output
    assert "cannot write there" in result.output, result.output


def test_scan_replaces_its_own_earlier_folder(tmp_path):
    out = tmp_path / "scan"
    for _ in range(2):
        result = invoke("scan", "so", "--dims", 2, "--seeds", 1, "--out", out, "-q")
        assert result.exit_code == 0, result.output
    assert (out / "scan.json").is_file()


def test_interrupt_after_the_folder_is_written_says_so(tmp_path, monkeypatch):
    import symdisc.cli as cli

    def interrupted_after_writing(*args, **kwargs):
        original(*args, **kwargs)
        raise KeyboardInterrupt

    original = cli._print_discovery
    monkeypatch.setattr(cli, "_print_discovery", interrupted_after_writing)
    out = tmp_path / "so3"
    result = invoke("run", "so3", "--out", out, "-q")
    assert result.exit_code == 130, result.output
    assert "written in full" in result.output, result.output
    assert (out / "result.json").is_file()
