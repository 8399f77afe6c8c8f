"""``symdisc plot``: every figure a command draws is drawn again, from its folder.

Also the files it writes (permissions), the folders it refuses (with what to
do instead) and the reports of runs with nothing measured (diverged).
"""

from __future__ import annotations

import json
import os
import re
import stat

import numpy as np
import pytest
from typer.testing import CliRunner

from symdisc.cli import app
from symdisc.io import write_atomic
from symdisc.plots import attempt_starts, has_angle_history
from symdisc.report import plural
from symdisc.scan import ScanCell, ScanResult
from symdisc.subalgebra_report import write_classes, write_decompositions, write_scan
from symdisc.subalgebras import DecompositionCell, DecompositionTable


@pytest.fixture
def umask_022():
    """Run with the usual umask 022 (files 0644), restoring the caller's after."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def _figures(folder) -> set[str]:
    return {p.name for p in (folder / "figures").glob("*.png")}


def _pngs(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (folder / "figures").glob("*.png")}


def _linked(folder) -> set[str]:
    text = (folder / "report.md").read_text(encoding="utf-8")
    return set(re.findall(r"\(figures/([^)]+\.png)\)", text))


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _plot_after_deleting(folder, deleted) -> set[str]:
    """Delete some figures, run ``symdisc plot`` and return the figures there."""
    for name in deleted:
        (folder / "figures" / name).unlink()
    result = _invoke("plot", folder)
    assert result.exit_code == 0, result.output
    return _figures(folder)


@pytest.fixture(scope="module")
def so3_folder(tmp_path_factory):
    """``symdisc run so3``: found, so every kind of figure of a 3-D run."""
    out = tmp_path_factory.mktemp("so3") / "so3"
    old = os.umask(0o022)
    try:
        result = _invoke("run", "so3", "--seed", 0, "-q", "--out", out)
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    return out


def test_plot_redraws_every_figure_of_a_run_also_deleted_ones(so3_folder):
    drawn = _figures(so3_folder)
    assert drawn == {
        "angles.png",
        "generators.png",
        "loss.png",
        "rotation_axes.png",
        "structure_constants.png",
    }, f"run so3 drew {sorted(drawn)}"
    assert _linked(so3_folder) == drawn, "report.md links other figures than drawn"
    before = _pngs(so3_folder)
    redrawn = _plot_after_deleting(
        so3_folder, ["rotation_axes.png", "structure_constants.png"]
    )
    assert redrawn == drawn, f"plot left {sorted(drawn - redrawn)} missing"
    changed = [name for name, png in _pngs(so3_folder).items() if png != before[name]]
    assert not changed, f"plot drew {changed} unlike run"


def test_plot_writes_figures_with_the_permissions_run_gives(so3_folder, umask_022):
    _plot_after_deleting(so3_folder, ["loss.png"])
    modes = {p.name: oct(_mode(p)) for p in (so3_folder / "figures").glob("*.png")}
    assert set(modes.values()) == {"0o644"}, f"modes under umask 022: {modes}"


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_atomic_write_respects_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "a.txt", lambda tmp: tmp.write_text("x"))
    finally:
        os.umask(old)
    got = _mode(tmp_path / "a.txt")
    assert got == mode, f"umask {oct(umask)}: mode {oct(got)}, expected {oct(mode)}"


def test_missing_folder_says_so_and_names_result_folders_of_that_stem(tmp_path):
    runs = tmp_path / "runs"
    (runs / "manhattan-mlp3x64").mkdir(parents=True)
    (runs / "manhattan-mlp3x64" / "result.json").write_text("{}")
    (runs / "manhattan-notes").mkdir()  # not a result folder: not suggested
    result = _invoke("plot", runs / "manhattan")
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "no such folder" in text, text
    assert str(runs / "manhattan-mlp3x64") in text, text
    assert "manhattan-notes" not in text and "no result.json" not in text, text


def test_missing_folder_without_neighbours_says_so(tmp_path):
    result = _invoke("plot", tmp_path / "nowhere" / "so3")
    assert result.exit_code == 2, result.output
    assert "no such folder" in result.output, result.output


def test_latent_folder_is_refused_with_the_command_that_draws_it(tmp_path):
    folder = tmp_path / "latent-digits-01"
    folder.mkdir()
    record = {
        "kind": "latent",
        "preset": "digits-01",
        "data": {"name": "digits01"},
        "fields": {"config": {"seed": 3, "epochs": 2000}},
        "lines_follow": "learned fields, projected onto the logits' level sets",
    }
    (folder / "result.json").write_text(json.dumps(record))
    (folder / "model.json").write_text("{}")
    np.savez(folder / "weights.npz", w=np.zeros(2))
    result = _invoke("plot", folder)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "a `symdisc latent` folder" in text, text
    assert f"symdisc latent digits-01 --seed 3 --out {folder}" in text, text
    assert "neither" not in text and "nothing to draw" not in text, text


def _scan_result(name: str) -> ScanResult:
    cells = [
        ScanCell(n=2, k=1, n_seeds=1, n_found=1, found=True, best_loss=1e-25),
        ScanCell(n=3, k=1, n_seeds=1, n_found=1, found=True, best_loss=1e-24),
        ScanCell(n=3, k=2, n_seeds=1, n_found=0, found=False, best_loss=0.3),
        ScanCell(n=3, k=3, n_seeds=1, n_found=0, found=False, best_loss=float("nan")),
    ]
    timings = {"n_tasks": 4, "wall_s": 1.0, "backend": "serial", "workers": 1}
    return ScanResult(name=name, cells=cells, runs=[], training={}, timings=timings)


def _decomposition_table() -> DecompositionTable:
    """so(4) up to N_h = 2: every (N_h, r) cell, one of them without patterns."""

    def cell(total, r, patterns, factors):
        return DecompositionCell(
            total=total,
            n_factors=r,
            patterns=patterns,
            found=bool(factors),
            source="blocks" if factors else "",
            pattern=patterns[0] if factors else None,
            factors=factors,
            trained=patterns,
            ruled_out=[],
            best_loss=1e-20 if factors else (0.5 if patterns else float("nan")),
        )

    cells = [
        cell(1, 1, [[1]], ["u(1)"]),
        cell(1, 2, [], []),
        cell(2, 1, [[2]], []),
        cell(2, 2, [[1, 1]], ["u(1)", "u(1)"]),
    ]
    one_block = {2: {"status": "found", "factors": ["u(1)", "u(1)"], "name": "x"}}
    return DecompositionTable(
        name="so4",
        cells=cells,
        runs=[],
        one_block=one_block,
        ambient={"name": "so(4)", "dimension": 6, "rank": 2},
        training={},
        timings={"n_tasks": 3, "wall_s": 1.0, "backend": "serial", "workers": 1},
    )


@pytest.mark.parametrize(
    "write, record",
    [
        (lambda out: write_scan(_scan_result("so"), out), "scan.json"),
        (lambda out: write_classes(_scan_result("so3"), out), "subalgebras.json"),
        (
            lambda out: write_decompositions(_decomposition_table(), out),
            "decompositions.json",
        ),
    ],
    ids=["scan", "subalgebras", "decompositions"],
)
def test_scan_folders_are_redrawn_from_their_record(tmp_path, write, record):
    folder = tmp_path / "scan"
    write(folder)
    assert (folder / record).is_file(), sorted(p.name for p in folder.iterdir())
    drawn = _figures(folder)
    assert drawn and drawn == _linked(folder), f"drew {drawn}, linked {_linked(folder)}"
    before = _pngs(folder)
    assert _plot_after_deleting(folder, drawn) == drawn
    assert _pngs(folder) == before, "the redrawn figure differs from the written one"


def test_exact_folder_is_redrawn(tmp_path):
    folder = tmp_path / "so3-exact"
    result = _invoke("solve", "so3", "--seed", 0, "-q", "--out", folder)
    assert result.exit_code == 0, result.output
    drawn = _figures(folder)
    assert drawn == {"basis.png", "structure_constants.png"}, drawn
    assert _plot_after_deleting(folder, drawn) == drawn


@pytest.fixture(scope="module")
def diverged(tmp_path_factory):
    """``symdisc run so3 --learning-rate 1e300``: exit 4, nothing measured."""
    out = tmp_path_factory.mktemp("diverged") / "so3"
    result = _invoke(
        "run", "so3", "--learning-rate", 1e300, "--seed", 0, "-q", "--out", out
    )
    assert result.exit_code == 4, result.output
    return out, result.output


def test_diverged_report_says_not_measured_instead_of_none(diverged):
    out, _ = diverged
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "None" not in report, report
    assert "| closure error | not measured (diverged) | 1e-06 |" in report, report


def test_diverged_console_table_lists_every_check(diverged):
    _, output = diverged
    for check in ("invariance error", "closure error", "orthonormality error"):
        line = next((x for x in output.splitlines() if x.strip().startswith(check)), "")
        assert "not measured (diverged)" in line, f"{check!r} row: {output}"


def test_diverged_run_draws_its_loss_alone(diverged):
    out, _ = diverged
    assert _figures(out) == _linked(out) == {"loss.png"}
    assert _plot_after_deleting(out, ["loss.png"]) == {"loss.png"}


def test_greedy_run_marks_attempts_and_draws_no_empty_angle_plot(tmp_path):
    out = tmp_path / "so3-greedy"
    result = _invoke(
        "run", "so3", "--algorithm", "greedy", "--seed", 0, "-q", "--out", out
    )
    assert result.exit_code == 0, result.output
    assert "angles.png" not in _figures(out) | _linked(out)
    record = json.loads((out / "result.json").read_text(encoding="utf-8"))
    with np.load(out / "history.npz") as history:
        length = len(history["total"])
        assert not has_angle_history(history["angles"]), history["angles"].shape
    starts = attempt_starts(record["extra"], length)
    attempts = record["extra"]["attempts"]
    assert starts is not None and len(starts) == len(attempts) >= 4, starts
    assert [s for s, _ in starts][:2] == [0, attempts[0]["history_steps"]], starts
    assert [ok for _, ok in starts] == [a["accepted"] for a in attempts]


def test_report_counts_copies_and_labels_in_words(so3_folder):
    report = (so3_folder / "report.md").read_text(encoding="utf-8")
    assert "(1 copy, 1 label)" in report and "3 generators" in report, report
    assert [plural(n, "copy", "copies") for n in (1, 2)] == ["1 copy", "2 copies"]
