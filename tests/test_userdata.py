"""Oracles from the user's data and code: tables, surrogates, callables, events."""

from __future__ import annotations

import logging
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import symdisc  # noqa: F401  (float64)
from symdisc.algebra.linalg import span_distance
from symdisc.errors import InputError
from symdisc.oracles import (
    dimuon,
    dimuon_events,
    dimuon_table,
    fit_surrogate,
    invariant_mass_squared,
    load_table,
    oracle_from_callable,
    table_from_arrays,
    write_events_csv,
)

ETA = np.diag([1.0, -1.0, -1.0, -1.0])


def so13_basis() -> np.ndarray:
    """so(1,3) = {G : ηG antisymmetric}: the six matrices η(E_ab − E_ba)."""
    basis = []
    for a in range(4):
        for b in range(a + 1, 4):
            E = np.zeros((4, 4))
            E[a, b], E[b, a] = 1.0, -1.0
            basis.append(ETA @ E)
    return np.array(basis)


def constraint_spectrum(fn, points):
    """Null space of the stacked constraint ``Dφ(x)[Gx] = 0``, linear in ``G``.

    Row of point ``x`` (shape (c, n)) and output ``i``: the coefficient of
    ``G_jk`` is ``Σ_a ∂φ_i/∂x_aj x_ak``. Rows are normalised to unit length so
    that every point weighs the same. Returns the singular values divided by
    the largest, and the right singular vectors as matrices ``(n², n, n)``.
    """
    n = points.shape[-1]

    def rows(x):
        J = jax.jacfwd(fn)(x)  # (m, c, n)
        return jnp.einsum("iaj,ak->ijk", J, x).reshape(J.shape[0], n * n)

    R = np.asarray(jax.vmap(rows)(points)).reshape(-1, n * n)
    R = R / np.linalg.norm(R, axis=1, keepdims=True)
    _, s, Vt = np.linalg.svd(R)
    return s / s[0], Vt.reshape(n * n, n, n)


def null_space(fn, points, rtol):
    """Basis of the directions with relative singular value below ``rtol``."""
    s, V = constraint_spectrum(fn, points)
    return V[s < rtol], s


def lorentz_csv(path, n_rows=2000, noise=0.01, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, 4))
    y = X**2 @ np.diag(ETA)
    y = y + noise * y.std() * rng.standard_normal(n_rows)
    header = "x0,x1,x2,x3,y"
    np.savetxt(
        path,
        np.column_stack([X, y]),
        delimiter=",",
        header=header,
        comments="",
        fmt="%.17g",
    )
    return path


def write_text(path, text):
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def small_csv(tmp_path, n_rows=60, name="data.csv", seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, 3))
    y = np.sum(X**2, axis=1)
    lines = ["a,b,c,y,note"] + [
        ",".join(repr(float(v)) for v in (*x, v)) + ",ok"
        for x, v in zip(X, y, strict=True)
    ]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path, X, y


# ---------------------------------------------------------------------------
# tables: reading


def test_csv_columns_by_list_and_by_comma_string(tmp_path):
    path, X, y = small_csv(tmp_path)
    by_list = load_table(path, features=["a", "b", "c"], labels=["y"])
    by_string = load_table(path, features="a, b,c", labels="y")
    for table in (by_list, by_string):
        assert table.features.shape == (60, 1, 3)
        assert table.labels.shape == (60, 1)
        np.testing.assert_array_equal(table.features[:, 0], X)
        np.testing.assert_array_equal(table.labels[:, 0], y)
        assert table.feature_names == (("a", "b", "c"),)
        assert table.label_names == ("y",)
        assert table.source == str(path)


def test_csv_defaults_label_is_last_column_features_the_rest(tmp_path):
    path, X, y = small_csv(tmp_path)
    numeric = tmp_path / "numeric.csv"
    numeric.write_text(
        "\n".join(line.rsplit(",", 1)[0] for line in path.read_text().splitlines())
    )
    table = load_table(numeric)
    assert table.feature_names == (("a", "b", "c"),)
    assert table.label_names == ("y",)
    # with features a, b the default label is the last other column, "note"
    with pytest.raises(InputError, match=r"column 'note', line 2: expected a number"):
        load_table(path, features="a,b")


def test_copies_group_columns_into_vectors(tmp_path):
    path = write_events_csv(tmp_path / "events.csv", 200, seed=3)
    groups = [["E1", "px1", "py1", "pz1"], ["E2", "px2", "py2", "pz2"]]
    table = load_table(path, labels="m2", copies=groups)
    assert table.features.shape == (200, 2, 4)
    assert (table.copies, table.n, table.outputs) == (2, 4, 1)
    np.testing.assert_allclose(table.features, dimuon_events(200, seed=3), rtol=1e-15)
    by_count = load_table(
        path, features="E1,px1,py1,pz1,E2,px2,py2,pz2", labels="m2", copies=2
    )
    np.testing.assert_array_equal(by_count.features, table.features)
    assert by_count.feature_names == table.feature_names
    by_string = load_table(path, labels="m2", copies="E1,px1,py1,pz1;E2,px2,py2,pz2")
    np.testing.assert_array_equal(by_string.features, table.features)
    m2 = np.asarray(invariant_mass_squared(table.features))
    np.testing.assert_allclose(table.labels[:, 0], m2, rtol=1e-12)


def test_npy_columns_by_index(tmp_path):
    rng = np.random.default_rng(2)
    A = rng.standard_normal((50, 4))
    np.save(tmp_path / "a.npy", A)
    table = load_table(tmp_path / "a.npy", features=[0, 1, 2], labels=3)
    np.testing.assert_array_equal(table.features[:, 0], A[:, :3])
    np.testing.assert_array_equal(table.labels[:, 0], A[:, 3])
    default = load_table(tmp_path / "a.npy")
    assert default.feature_names == (("0", "1", "2"),)
    assert default.label_names == ("3",)


def test_npz_named_columns_and_matrix_with_column_names(tmp_path):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((40, 3))
    np.savez(tmp_path / "named.npz", u=A[:, 0], v=A[:, 1], w=A[:, 2])
    named = load_table(tmp_path / "named.npz", features="u,v", labels="w")
    np.testing.assert_array_equal(named.features[:, 0], A[:, :2])
    np.savez(tmp_path / "matrix.npz", data=A, columns=np.array(["p", "q", "r"]))
    matrix = load_table(tmp_path / "matrix.npz", labels="r")
    assert matrix.feature_names == (("p", "q"),)
    np.testing.assert_array_equal(matrix.labels[:, 0], A[:, 2])


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rng = np.random.default_rng(4)
    A = rng.standard_normal((30, 3))
    pq.write_table(
        pa.table({"s": A[:, 0], "t": A[:, 1], "z": A[:, 2]}), tmp_path / "d.parquet"
    )
    table = load_table(tmp_path / "d.parquet", features=["s", "t"], labels=["z"])
    np.testing.assert_array_equal(table.features[:, 0], A[:, :2])


# ---------------------------------------------------------------------------
# tables: bad input, each with its message


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: expected an existing file"):
        load_table(tmp_path / "nope.csv")


def test_binary_file_named_csv(tmp_path):
    np.save(tmp_path / "real.npy", np.zeros((20, 2)))
    (tmp_path / "fake.csv").write_bytes((tmp_path / "real.npy").read_bytes())
    with pytest.raises(
        InputError,
        match=r"fake\.csv: expected a CSV text file.*"
        r"got a NumPy \.npy file",
    ):
        load_table(tmp_path / "fake.csv")
    (tmp_path / "blob.csv").write_bytes(bytes(range(256)) * 4)
    with pytest.raises(InputError, match=r"expected a CSV text file.*got a binary"):
        load_table(tmp_path / "blob.csv")


def test_text_file_named_npy(tmp_path):
    path, _, _ = small_csv(tmp_path, name="data.npy")
    with pytest.raises(InputError, match=r"expected a NumPy \.npy file.*got a text"):
        load_table(path)


def test_unknown_extension(tmp_path):
    path = write_text(tmp_path / "data.xlsx", "a,b\n1,2\n")
    with pytest.raises(InputError, match=r"expected one of the extensions.*'\.xlsx'"):
        load_table(path)


def test_misspelled_column_suggests_closest(tmp_path):
    path = write_events_csv(tmp_path / "events.csv", 100, seed=0)
    with pytest.raises(
        InputError,
        match=r"features column 'pxx1'.*no such column\. Did you "
        r"mean 'px1'\?",
    ):
        load_table(path, features="E1,pxx1,py1,pz1", labels="m2")
    with pytest.raises(InputError, match=r"labels column 'mass'.*Columns are E1"):
        load_table(path, labels="mass")


def test_non_numeric_cell_names_line_and_column(tmp_path):
    path = write_text(
        tmp_path / "bad.csv",
        """
        x,y,z
        1,2,3
        4,five,6
    """,
    )
    with pytest.raises(
        InputError,
        match=r"bad\.csv, column 'y', line 3: expected a number, "
        r"got 'five'",
    ):
        load_table(path)


def test_empty_cell(tmp_path):
    path = write_text(tmp_path / "gap.csv", "x,y\n1,2\n3,\n")
    with pytest.raises(InputError, match=r"column 'y', line 3: .*an empty cell"):
        load_table(path)


def test_nan_and_inf_counted_with_first_rows(tmp_path):
    rng = np.random.default_rng(5)
    A = rng.standard_normal((60, 3))
    A[7, 0] = np.nan
    A[9, 2] = np.inf
    A[20, 1] = np.nan
    np.save(tmp_path / "holes.npy", A)
    with pytest.raises(
        InputError,
        match=r"3 NaN or infinite values in 3 rows \(columns 0, 1, 2; "
        r"first at row 7, row 9, row 20\)",
    ):
        load_table(tmp_path / "holes.npy")


def test_nan_in_csv_names_file_lines(tmp_path):
    path, _, _ = small_csv(tmp_path)
    lines = path.read_text().splitlines()
    lines[4] = "nan," + lines[4].split(",", 1)[1]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=r"1 NaN or infinite values.*first at line 5"):
        load_table(path, features="a,b,c", labels="y")


def test_too_few_rows(tmp_path):
    path, _, _ = small_csv(tmp_path, n_rows=25)
    with pytest.raises(
        InputError,
        match=r"at least 30 rows \(10 per feature column × 3 "
        r"feature columns\), got 25 rows",
    ):
        load_table(path, features="a,b,c", labels="y")
    assert (
        load_table(path, features="a,b,c", labels="y", min_rows_per_feature=5).n_rows
        == 25
    )


def test_unequal_copy_groups(tmp_path):
    path = write_events_csv(tmp_path / "events.csv", 100, seed=0)
    with pytest.raises(
        InputError,
        match=r"copies: expected groups of equal size.*group 1 has 4, "
        r"group 2 has 3",
    ):
        load_table(
            path,
            labels="m2",
            copies=[["E1", "px1", "py1", "pz1"], ["E2", "px2", "py2"]],
        )
    with pytest.raises(InputError, match=r"copies: expected a number dividing the 8"):
        load_table(
            path, labels="m2", features="E1,px1,py1,pz1,E2,px2,py2,pz2", copies=3
        )


def test_header_required(tmp_path):
    path = write_text(tmp_path / "nohead.csv", "1,2,3\n4,5,6\n")
    with pytest.raises(InputError, match=r"expected a header row of column names"):
        load_table(path)


def test_label_cannot_be_a_feature(tmp_path):
    path, _, _ = small_csv(tmp_path)
    with pytest.raises(
        InputError,
        match=r"labels: expected columns that are not "
        r"features, got \['y'\] in both",
    ):
        load_table(path, features="a,y", labels="y")


def test_ragged_csv_row(tmp_path):
    path = write_text(tmp_path / "ragged.csv", "x,y\n1,2\n3,4,5\n")
    with pytest.raises(InputError, match=r"ragged\.csv, line 3: expected 2 fields"):
        load_table(path)


def test_parquet_without_pyarrow(tmp_path, monkeypatch):
    (tmp_path / "d.parquet").write_bytes(b"PAR1" + b"\x00" * 16 + b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    with pytest.raises(InputError, match=r"needs the optional package pyarrow"):
        load_table(tmp_path / "d.parquet")


# ---------------------------------------------------------------------------
# surrogate of x0² − x1² − x2² − x3²: fit quality and its symmetry algebra


@pytest.fixture(scope="module")
def lorentz_surrogate(tmp_path_factory):
    path = lorentz_csv(tmp_path_factory.mktemp("lorentz") / "lorentz.csv")
    table = load_table(path, features="x0,x1,x2,x3", labels="y")
    return table, fit_surrogate(table, seed=0, epochs=1500)


def test_surrogate_fits_held_out_rows(lorentz_surrogate):
    table, surrogate = lorentz_surrogate
    assert surrogate.r2[0] > 0.99, f"held-out R² = {surrogate.r2[0]:.4f}"
    assert not surrogate.poor_fit and surrogate.warning == ""
    assert (surrogate.n_train, surrogate.n_val) == (1600, 400)
    assert surrogate.fit_seconds < 60, f"fit took {surrogate.fit_seconds:.1f} s"


def test_surrogate_is_a_function_of_raw_coordinates(lorentz_surrogate):
    table, surrogate = lorentz_surrogate
    oracle = surrogate.oracle
    assert (oracle.n, oracle.copies, oracle.outputs) == (4, 1, 1)
    x = jnp.asarray(table.features[:200])
    predicted = np.asarray(oracle(x))[:, 0]
    truth = np.asarray(x[:, 0] ** 2 @ np.diag(ETA))
    rel = np.linalg.norm(predicted - truth) / np.linalg.norm(truth)
    assert rel < 0.05, f"relative error {rel:.3g} on raw rows"
    grad = np.asarray(jax.vmap(jax.grad(lambda p: oracle.fn(p)[0]))(x))
    rel = np.linalg.norm(grad - 2 * x @ ETA) / np.linalg.norm(2 * x @ ETA)
    assert rel < 0.1, f"relative gradient error {rel:.3g}"


def test_surrogate_sampler_draws_table_rows(lorentz_surrogate):
    table, surrogate = lorentz_surrogate
    points = np.asarray(surrogate.oracle.sample(7, 64))
    assert points.shape == (64, 1, 4)
    rows = table.features.reshape(table.n_rows, -1)
    nearest = np.min(
        np.linalg.norm(rows[None] - points.reshape(64, 1, -1), axis=2), axis=1
    )
    assert nearest.max() == 0.0, "sampled points must be rows of the table"


def test_surrogate_symmetry_algebra_is_so13(lorentz_surrogate):
    """A surrogate has no exact null space; a relative threshold of 0.1 on the
    singular values of the row-normalised constraint matrix separates the
    so(1,3) directions (≈ 1e-2 and below) from the rest (≈ 0.5)."""
    _, surrogate = lorentz_surrogate
    points = surrogate.oracle.sample(1, 400)
    G, s = null_space(surrogate.oracle.fn, points, rtol=0.1)
    assert G.shape[0] == 6, f"relative singular values {np.round(s, 4)}"
    gap = s[9] / s[10]
    assert gap > 10, f"gap s9/s10 = {gap:.1f}, spectrum {np.round(s, 4)}"
    distance = span_distance(G, so13_basis())
    assert distance < 0.05, f"span distance to so(1,3) = {distance:.3g}"


def test_poor_fit_is_flagged_and_logged(caplog):
    rng = np.random.default_rng(6)
    X = rng.standard_normal((200, 2))
    y = rng.standard_normal(200)  # labels unrelated to the features
    table = table_from_arrays(X, y, source="noise")
    with caplog.at_level(logging.WARNING, logger="symdisc.oracles.surrogate"):
        surrogate = fit_surrogate(table, hidden=(8,), epochs=200, seed=0)
    assert surrogate.poor_fit
    assert surrogate.r2[0] < 0.9, f"R² = {surrogate.r2[0]:.3f}"
    assert "held-out R²" in surrogate.warning and "'y0'" in surrogate.warning
    assert any("need not be symmetries" in r.getMessage() for r in caplog.records)


def test_constant_label_is_refused():
    X = np.random.default_rng(7).standard_normal((50, 2))
    table = table_from_arrays(X, np.ones(50), source="flat")
    with pytest.raises(
        InputError,
        match=r"label 'y0' of flat: expected a label "
        r"that varies",
    ):
        fit_surrogate(table)


# ---------------------------------------------------------------------------
# user callables


JAX_SOURCE = """
import jax.numpy as jnp

def minkowski(x):
    return x[0, 0] ** 2 - jnp.sum(x[0, 1:] ** 2)

def both(x):
    return jnp.stack([jnp.sum(x ** 2), x[0, 0]])
"""

NUMPY_SOURCE = """
import numpy as np

def norm(x):
    x = np.asarray(x, dtype=float)
    return float(np.dot(x[0], x[0]))

def broken(x):
    return 1 / 0

def matrix(x):
    return np.outer(x[0], x[0])
"""


@pytest.fixture
def user_files(tmp_path):
    write_text(tmp_path / "jaxfns.py", JAX_SOURCE)
    write_text(tmp_path / "npfns.py", NUMPY_SOURCE)
    return tmp_path


def test_traceable_callable_from_file_is_used_directly(user_files):
    record = oracle_from_callable(f"{user_files}/jaxfns.py:minkowski", n=4)
    assert record.traceable and not record.uses_surrogate
    assert record.oracle.outputs == 1
    x = np.random.default_rng(0).standard_normal((5, 1, 4))
    np.testing.assert_allclose(
        np.asarray(record.oracle(x))[:, 0], x[:, 0] ** 2 @ np.diag(ETA), rtol=1e-14
    )
    G, s = null_space(record.oracle.fn, record.oracle.sample(0, 100), rtol=1e-8)
    assert G.shape[0] == 6 and span_distance(G, so13_basis()) < 1e-8, s


def test_callable_from_module_name(user_files, monkeypatch):
    monkeypatch.syspath_prepend(str(user_files))
    record = oracle_from_callable("jaxfns:both", n=3)
    assert record.traceable and record.oracle.outputs == 2


def test_numpy_callable_gets_a_surrogate(user_files, caplog):
    with caplog.at_level(logging.WARNING, logger="symdisc.oracles.user"):
        record = oracle_from_callable(
            f"{user_files}/npfns.py:norm", n=2, n_samples=400, epochs=600
        )
    assert not record.traceable and record.uses_surrogate
    assert "not traceable by JAX" in record.message
    assert any("fitted a surrogate" in r.getMessage() for r in caplog.records)
    assert record.surrogate.r2[0] > 0.99, f"R² = {record.surrogate.r2[0]:.4f}"
    G, s = null_space(record.oracle.fn, record.oracle.sample(0, 300), rtol=0.1)
    rotation = np.array([[[0.0, 1.0], [-1.0, 0.0]]])
    assert G.shape[0] == 1, f"relative singular values {s}"
    assert span_distance(G, rotation) < 0.05


def test_callable_that_raises(user_files):
    with pytest.raises(
        InputError,
        match=r"npfns\.py:broken'.*an exception: "
        r"ZeroDivisionError",
    ):
        oracle_from_callable(f"{user_files}/npfns.py:broken", n=2)


def test_callable_with_wrong_shape(user_files):
    with pytest.raises(
        InputError,
        match=r"expected a scalar or a 1-D array of "
        r"labels per point, got shape \(2, 2\)",
    ):
        oracle_from_callable(f"{user_files}/npfns.py:matrix", n=2)
    with pytest.raises(InputError, match=r"expected 3 outputs.*got 2 outputs"):
        oracle_from_callable(f"{user_files}/jaxfns.py:both", n=2, outputs=3)


def test_callable_not_found(user_files):
    with pytest.raises(InputError, match=r"no such name\. Did you mean 'minkowski'"):
        oracle_from_callable(f"{user_files}/jaxfns.py:minkowsky", n=4)
    with pytest.raises(InputError, match=r"no module 'no_such_module_here'"):
        oracle_from_callable("no_such_module_here:f", n=4)
    with pytest.raises(InputError, match=r'expected "module:function"'):
        oracle_from_callable("just_a_name", n=4)


# ---------------------------------------------------------------------------
# collider-like events


def test_events_are_massless_pairs_with_varying_mass():
    events = dimuon_events(1000, seed=0)
    assert events.shape == (1000, 2, 4)
    p_sq = events[..., 0] ** 2 - np.sum(events[..., 1:] ** 2, axis=-1)
    rel = np.max(np.abs(p_sq) / events[..., 0] ** 2)
    assert rel < 1e-12, f"max |p²|/E² = {rel:.2e}"
    mass = np.sqrt(np.asarray(invariant_mass_squared(events)))
    assert 20 <= mass.min() and mass.max() <= 120, (mass.min(), mass.max())
    assert mass.std() > 20, f"mass spread {mass.std():.1f}"
    assert np.all(events[..., 0] > 0)
    np.testing.assert_array_equal(events, dimuon_events(1000, seed=0))


def test_dimuon_oracle_has_lorentz_algebra():
    oracle = dimuon()
    points = oracle.sample(0, 200)
    assert points.shape == (200, 2, 4)
    G, s = null_space(oracle.fn, points, rtol=1e-8)
    assert G.shape[0] == 6, f"relative singular values {s}"
    assert s[9] > 1e-2, f"smallest non-null singular value {s[9]:.2e}"
    distance = span_distance(G, so13_basis())
    assert distance < 1e-10, f"span distance to so(1,3) = {distance:.2e}"


def test_dimuon_surrogate_on_the_light_cones():
    """Events are massless, so a surrogate is fitted on p_a² = 0 only; its
    near-null space is still six-dimensional and close to so(1,3)."""
    table = dimuon_table(1200, seed=1)
    surrogate = fit_surrogate(table, seed=0, epochs=800)
    assert surrogate.r2[0] > 0.99, f"held-out R² = {surrogate.r2[0]:.4f}"
    G, s = null_space(surrogate.oracle.fn, surrogate.oracle.sample(2, 400), rtol=0.1)
    assert G.shape[0] == 6, f"relative singular values {np.round(s, 4)}"
    distance = span_distance(G, so13_basis())
    assert distance < 0.1, f"span distance to so(1,3) = {distance:.3g}"
