"""The command line on the user's own data: tables, callables, the dimuon example.

Every bad input must stop with exit code 2, one line naming the problem, and
no result folder, before any training.
"""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest
from typer.testing import CliRunner

import symdisc  # noqa: F401  (float64)
from symdisc.algebra.linalg import span_distance
from symdisc.cli import app
from symdisc.userdata import SURROGATE_TRAINING, row_quadrics

ETA = np.diag([1.0, -1.0, -1.0, -1.0])
EVENT_FEATURES = "E1,px1,py1,pz1,E2,px2,py2,pz2"
EVENT_COPIES = "E1,px1,py1,pz1;E2,px2,py2,pz2"

runner = CliRunner()


def so13_basis() -> np.ndarray:
    """so(1,3) = {G : ηG antisymmetric}: the six matrices η(E_ab − E_ba)."""
    basis = []
    for a in range(4):
        for b in range(a + 1, 4):
            E = np.zeros((4, 4))
            E[a, b], E[b, a] = 1.0, -1.0
            basis.append(ETA @ E)
    return np.array(basis)


def block_diagonal(G: np.ndarray, copies: int = 2) -> np.ndarray:
    """The action ``diag(G, …, G)`` of each generator on all copies at once."""
    return np.stack([np.kron(np.eye(copies), g) for g in G])


def lorentz_csv(path, n_rows=2000, noise=0.01, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, 4))
    y = X**2 @ np.diag(ETA)
    y = y + noise * y.std() * rng.standard_normal(n_rows)
    np.savetxt(
        path,
        np.column_stack([X, y]),
        delimiter=",",
        header="x0,x1,x2,x3,y",
        comments="",
        fmt="%.17g",
    )
    return path


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_refused(result, out, *fragments):
    """Exit 2, one line on the error stream naming the problem, nothing written."""
    text = result.output.strip()
    assert result.exit_code == 2, f"exit {result.exit_code}: {text}"
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), lines
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in {text!r}"
    assert not out.exists(), f"{out} was written"


# ---------------------------------------------------------------------------
# acceptance: a table labelled by x0² − x1² − x2² − x3² with 1 % noise


@pytest.fixture(scope="module")
def lorentz_run(tmp_path_factory):
    """``symdisc run`` on the table, through an experiment file whose ``[data]``
    keys are the options ``--data --features --labels`` (small budgets)."""
    root = tmp_path_factory.mktemp("lorentz")
    lorentz_csv(root / "lorentz.csv")
    toml = root / "lorentz.toml"
    toml.write_text(
        textwrap.dedent("""
        [data]
        path = "lorentz.csv"
        features = "x0,x1,x2,x3"
        labels = "y"
        [data.surrogate]
        hidden = [32, 32]
        epochs = 800
        [training]
        n_generators = 6
        epochs = 300
        restarts = 1
        n_points = 128
        n_check_points = 256
        """)
    )
    out = root / "run"
    return invoke("run", toml, "--out", out, "-q"), out


def test_table_run_finds_so13_within_surrogate_tolerance(lorentz_run):
    result, out = lorentz_run
    assert result.exit_code == 0, result.output
    record = json.loads((out / "result.json").read_text())
    assert record["status"] == "found", record["reasons"]
    G = np.load(out / "generators.npy")
    assert G.shape == (6, 4, 4)
    distance = span_distance(G, so13_basis())
    assert distance < 0.05, f"span distance to so(1,3) = {distance:.3g}"
    for key, value in SURROGATE_TRAINING.items():
        assert record["config"][key] == value, (key, record["config"][key])


def test_table_run_records_the_fit(lorentz_run):
    result, out = lorentz_run
    record = json.loads((out / "result.json").read_text())
    fit = record["extra"]["surrogate"]
    assert fit["r2_heldout"]["y"] > 0.99, fit["r2_heldout"]
    assert not fit["poor_fit"] and record["extra"]["data"]["warnings"] == []
    assert record["exact"]["dimension"] == 6, record["exact"]
    report = (out / "report.md").read_text()
    assert "## Oracle from your data" in report and "held-out R²" in report
    assert "surrogate: held-out R² y 0.99" in result.output


def test_solve_on_a_table_uses_the_loose_cut(tmp_path):
    path = lorentz_csv(tmp_path / "lorentz.csv", n_rows=600)
    out = tmp_path / "solve"
    result = invoke("solve", "--data", path, "--labels", "y", "--out", out, "-q")
    assert result.exit_code == 0, result.output
    record = json.loads((out / "result.json").read_text())
    assert record["dimension"] == 6, record["gap"]
    assert record["gap"]["threshold"] == SURROGATE_TRAINING["exact_rtol"]
    distance = span_distance(np.load(out / "generators.npy"), so13_basis())
    assert distance < 0.05, f"span distance to so(1,3) = {distance:.3g}"
    assert "r2_heldout" in record["extra"]["data"]["surrogate"]


# ---------------------------------------------------------------------------
# dimuon: the formula, and its events as a table


def test_dimuon_preset_finds_lorentz_on_both_momenta(tmp_path):
    out = tmp_path / "dimuon"
    result = invoke("run", "dimuon", "--restarts", 1, "--out", out, "-q")
    assert result.exit_code == 0, result.output
    G = np.load(out / "generators.npy")
    assert G.shape == (6, 4, 4)
    reference = block_diagonal(so13_basis())
    distance = span_distance(block_diagonal(G), reference)
    assert distance < 1e-6, f"span distance to so(1,3) ⊕ same = {distance:.2e}"


def test_example_data_writes_events_on_light_cones(tmp_path):
    out = tmp_path / "events.csv"
    result = invoke("example-data", "dimuon", "--out", out, "--events", 300)
    assert result.exit_code == 0, result.output
    assert f'--copies "{EVENT_COPIES}"' in result.output
    data = np.loadtxt(out, delimiter=",", skiprows=1)
    assert data.shape == (300, 9)
    p = data[:, :8].reshape(300, 2, 4)
    quadrics = row_quadrics(p)
    assert len(quadrics) == 1, quadrics
    Q = quadrics[0]["Q"]
    assert np.allclose(Q, ETA, atol=1e-8), Q


def test_light_cone_note_reaches_the_report(tmp_path):
    events = tmp_path / "events.csv"
    invoke("example-data", "dimuon", "--out", events, "--events", 200)
    toml = tmp_path / "events.toml"
    toml.write_text(
        textwrap.dedent(f"""
        [data]
        path = "events.csv"
        features = "{EVENT_FEATURES}"
        labels = "m2"
        copies = "{EVENT_COPIES}"
        [data.surrogate]
        hidden = [8]
        epochs = 100
    """)
    )
    out = tmp_path / "solve"
    result = invoke("solve", toml, "--out", out, "-q")
    assert result.exit_code in (0, 3), result.output
    report = (out / "report.md").read_text()
    assert "lies on the quadric" in report and "E1²" in report, report
    assert "note: every copy of every row lies on the quadric" in result.output


# ---------------------------------------------------------------------------
# bad input: exit 2, one line, nothing written


@pytest.fixture
def table(tmp_path):
    return lorentz_csv(tmp_path / "t.csv", n_rows=100)


def test_misspelled_column(tmp_path, table):
    out = tmp_path / "out"
    result = invoke(
        "run",
        "--data",
        table,
        "--features",
        "x0,x1,x2,x4",
        "--labels",
        "y",
        "--out",
        out,
    )
    assert_refused(result, out, "t.csv", "'x4'", "'x3'")


def test_missing_file(tmp_path):
    out = tmp_path / "out"
    result = invoke("run", "--data", tmp_path / "nope.csv", "--out", out)
    assert_refused(result, out, "nope.csv")


def test_non_numeric_cell(tmp_path, table):
    lines = table.read_text().splitlines()
    lines[5] = "0.1,abc,0.3,0.4,1.0"
    table.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    result = invoke("run", "--data", table, "--labels", "y", "--out", out)
    assert_refused(result, out, "t.csv", "'abc'", "x1")


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_non_finite_value(tmp_path, table, value):
    lines = table.read_text().splitlines()
    lines[7] = f"0.1,0.2,{value},0.4,1.0"
    table.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    result = invoke("run", "--data", table, "--labels", "y", "--out", out)
    assert_refused(result, out, "t.csv", "x2")


def test_too_few_rows(tmp_path):
    path = lorentz_csv(tmp_path / "short.csv", n_rows=20)
    out = tmp_path / "out"
    result = invoke("solve", "--data", path, "--labels", "y", "--out", out)
    assert_refused(result, out, "short.csv", "20")


def test_unequal_copy_groups(tmp_path, table):
    out = tmp_path / "out"
    result = invoke(
        "run", "--data", table, "--labels", "y", "--copies", "x0,x1;x2", "--out", out
    )
    assert_refused(result, out, "copies")


USER_CODE = """
import numpy as np

def broken(x):
    raise ValueError("no labels here")

def matrix(x):
    return np.outer(x[0], x[0])
"""


@pytest.mark.parametrize(
    ("function", "fragment"),
    [
        ("broken", "ValueError: no labels here"),
        ("matrix", "shape (3, 3)"),
        ("missing", "no such name"),
    ],
)
def test_bad_callable(tmp_path, function, fragment):
    (tmp_path / "user.py").write_text(textwrap.dedent(USER_CODE))
    out = tmp_path / "out"
    result = invoke(
        "run", "--callable", f"{tmp_path}/user.py:{function}", "--n", 3, "--out", out
    )
    assert_refused(result, out, f"user.py:{function}", fragment)


def test_data_options_need_a_source(tmp_path):
    out = tmp_path / "out"
    assert_refused(invoke("run", "--features", "a,b", "--out", out), out, "--data")
    assert_refused(invoke("run", "--out", out), out, "preset name")
    assert_refused(
        invoke("run", "so3", "--data", "x.csv", "--out", out), out, "not both"
    )
    assert_refused(invoke("run", "--callable", "m:f", "--out", out), out, "--n")


def test_unknown_key_in_data_table(tmp_path, table):
    toml = tmp_path / "e.toml"
    toml.write_text('[data]\npath = "t.csv"\nlabel = "y"\n')
    out = tmp_path / "out"
    assert_refused(
        invoke("run", toml, "--out", out), out, "'label'", "Did you mean 'labels'"
    )
