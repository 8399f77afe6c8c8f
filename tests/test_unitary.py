"""Facts about unitary symmetries and sparse canonical bases, for n ≤ 3."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from symdisc.algebra.conventions import physics_structure_constants
from symdisc.algebra.linalg import closure_error, structure_constants
from symdisc.cli import app
from symdisc.exact import solve
from symdisc.oracles import euclidean_norm, quadratic_form
from symdisc.oracles.unitary import special_unitary, unitary
from symdisc.presets import experiment_from_preset
from symdisc.training.allatonce import discover
from symdisc.training.sparsify import (
    count_entries,
    sparsify,
    sparsify_result,
    sparsity_measure,
)

ENTRY_RTOL = 1e-3


def _trace_ratio(G):
    return float(np.abs(np.trace(G, axis1=1, axis2=2)).max() / np.abs(G).max())


def _is_diagonal(g):
    off = g - np.diag(np.diag(g))
    return np.abs(off).max() <= ENTRY_RTOL * np.abs(g).max()


# Exact dimensions ----------------------------------------------------------


@pytest.mark.parametrize("n", [2, 3])
def test_exact_dimensions(n):
    u, su = solve(unitary(n)), solve(special_unitary(n))
    assert u.dimension == n * n, f"u({n}): dimension {u.dimension}"
    assert su.dimension == n * n - 1, f"su({n}): dimension {su.dimension}"
    assert su.decision.decisive and u.decision.decisive
    # su(n) is traceless without it being imposed; u(n) is not.
    assert _trace_ratio(su.basis) < 1e-10, f"su({n}) trace {_trace_ratio(su.basis):.2e}"
    assert _trace_ratio(u.basis) > 1e-3


def test_su_oracle_labels_are_order_one():
    oracle = special_unitary(3)
    labels = np.asarray(oracle(oracle.sample(0, 2000)))
    rms_det = np.sqrt(np.mean(labels[:, 3] ** 2 + labels[:, 4] ** 2))
    assert oracle.outputs == 5 and oracle.copies == 3
    assert 0.8 < rms_det < 1.25, f"rms |det| / sqrt(3!) = {rms_det:.3f}"


# Learned unitary algebras ----------------------------------------------------


@pytest.fixture(scope="module")
def learned():
    out = {}
    for name in ("u2", "su2", "u3", "su3"):
        e = experiment_from_preset(name)
        result = discover(e.oracle, config=e.training)
        out[name] = (result, sparsify_result(result, e.oracle))
    return out


@pytest.mark.parametrize("name, k", [("u2", 4), ("su2", 3), ("u3", 9), ("su3", 8)])
def test_learned_algebra_found(learned, name, k):
    result, sparse = learned[name]
    assert result.status == "found", result.summary()
    assert sparse.status == "found", sparse.summary()
    assert result.n_generators == k
    G = result.generators
    assert np.abs(G - np.conj(np.swapaxes(G, 1, 2))).max() < 1e-12, "J not Hermitian"
    for r in (result, sparse):
        closure = r.metrics["closure_error"]
        assert closure < 1e-6, f"closure {closure:.2e}"
    if name.startswith("su"):
        for r in (result, sparse):
            ratio = _trace_ratio(r.generators)
            assert ratio < 1e-8, f"{name}: relative trace {ratio:.2e}"


@pytest.mark.parametrize("n", [2, 3])
def test_sparse_u_is_textbook(learned, n):
    _, sparse = learned[f"u{n}"]
    J = sparse.generators
    counts = count_entries(J, ENTRY_RTOL)
    diagonal = [g for g in J if _is_diagonal(g)]
    off = [g for g in J if not _is_diagonal(g)]
    assert len(diagonal) == n and all(
        c == 1 for c, g in zip(counts, J, strict=True) if _is_diagonal(g)
    ), counts
    assert len(off) == n * (n - 1) and sorted(counts)[n:] == [2] * (n * (n - 1)), counts
    real_sym = sum(np.abs(g.imag).max() < ENTRY_RTOL * np.abs(g).max() for g in off)
    assert real_sym == n * (n - 1) // 2, f"{real_sym} real symmetric of {len(off)}"


@pytest.mark.parametrize("n", [2, 3])
def test_sparse_su_is_textbook(learned, n):
    _, sparse = learned[f"su{n}"]
    J = sparse.generators
    counts = count_entries(J, ENTRY_RTOL)
    diagonal = np.array([np.diag(g).real for g in J if _is_diagonal(g)])
    off_counts = [c for c, g in zip(counts, J, strict=True) if not _is_diagonal(g)]
    assert len(diagonal) == n - 1, f"{len(diagonal)} diagonal generators"
    assert off_counts == [2] * (n * (n - 1)), counts
    # The diagonal ones span the traceless diagonal matrices.
    assert np.abs(diagonal.sum(axis=1)).max() < 1e-8
    assert np.linalg.matrix_rank(diagonal, tol=1e-6) == n - 1


def test_physics_convention(learned):
    """[J_α, J_β] = i Σ f_αβγ J_γ with f = −a; for su(2) |f| = 2 ε up to basis."""
    result, sparse = learned["su2"]
    J = sparse.generators
    f = physics_structure_constants(sparse.structure_constants)
    lhs = np.einsum("aij,bjk->abik", J, J) - np.einsum("bij,ajk->abik", J, J)
    rhs = 1j * np.einsum("abc,cij->abij", f, J)
    assert np.abs(lhs - rhs).max() < 1e-8, f"{np.abs(lhs - rhs).max():.2e}"
    # Pauli matrices (norm² 2) give |f_123| = 2.
    assert abs(abs(f[0, 1, 2]) - 2.0) < 1e-8, f"f_123 = {f[0, 1, 2]}"
    assert result.extra["convention"] == "unitary"


# Sparsify on real algebras ------------------------------------------------------


def test_sparsify_so3_exact_basis():
    basis = solve(euclidean_norm(3)).basis
    sparse = sparsify(basis, seed=0)
    G = sparse.generators
    assert sparse.n_entries == [2, 2, 2], sparse.n_entries
    assert np.abs(G + np.swapaxes(G, 1, 2)).max() < 1e-10
    assert sparse.sparsity_after < sparse.sparsity_before
    assert abs(sparse.sparsity_after - 6.0) < 1e-8, f"{sparse.sparsity_after}"
    np.testing.assert_allclose(
        sparse.rotation @ sparse.rotation.T, np.eye(3), atol=1e-12
    )
    assert closure_error(G) < 1e-10


def test_sparsify_keeps_span_and_orthonormality():
    rng = np.random.default_rng(3)
    basis = solve(euclidean_norm(3)).basis
    mixed = np.einsum("ab,bij->aij", rng.normal(size=(3, 3)), basis)
    sparse = sparsify(mixed, seed=1)
    V = sparse.generators.reshape(3, -1)
    np.testing.assert_allclose(V @ V.T, 2 * np.eye(3), atol=1e-10)
    T = sparse.change_of_basis
    np.testing.assert_allclose(
        np.einsum("ab,bij->aij", T, mixed), sparse.generators, atol=1e-10
    )
    assert abs(sparsity_measure(sparse.generators) - 6.0) < 1e-8


def test_sparsify_lorentz_rotations_and_boosts():
    e = experiment_from_preset("lorentz")
    result = discover(e.oracle, config=e.training)
    sparse = sparsify_result(result, e.oracle)
    assert sparse.status == "found", sparse.summary()
    G = sparse.generators
    assert count_entries(G, ENTRY_RTOL) == [2] * 6
    antisym = [g for g in G if np.abs(g + g.T).max() < 1e-6]
    sym = [g for g in G if np.abs(g - g.T).max() < 1e-6]
    assert len(antisym) == 3 and len(sym) == 3
    for g in antisym:  # rotations: spatial block only
        assert np.abs(g[0]).max() < 1e-6 and np.abs(g[:, 0]).max() < 1e-6
    for g in sym:  # boosts: time–space entries only
        assert np.abs(g[1:, 1:]).max() < 1e-6
    C, resid = structure_constants(G)
    assert resid < 1e-6, f"structure-constant residual {resid:.2e}"


def test_sparsify_bad_input():
    from symdisc.errors import InputError

    with pytest.raises(InputError, match="generators"):
        sparsify(np.zeros((2, 3, 4)))
    basis = solve(quadratic_form(1, 1)).basis
    with pytest.raises(InputError, match="independent"):
        sparsify(np.concatenate([basis, basis]))
    with pytest.raises(InputError, match="n_starts"):
        sparsify(basis, n_starts=0)


# Command line --------------------------------------------------------------


def test_cli_sparsify_so3(tmp_path):
    out = tmp_path / "so3"
    res = CliRunner().invoke(app, ["run", "so3", "--sparsify", "-q", "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "result.json").read_text())
    assert data["status"] == "found"
    assert data["extra"]["sparsify"]["n_entries"] == [2, 2, 2]
    G = np.load(out / "generators.npy")
    assert np.abs(G + np.swapaxes(G, 1, 2)).max() < 1e-6


def test_unitary_result_folder_states_convention(learned, tmp_path):
    from symdisc.report import write_discovery

    result, _ = learned["u2"]
    out = write_discovery(result, tmp_path / "u2")
    data = json.loads((out / "result.json").read_text())
    assert data["extra"]["convention"] == "unitary"
    a = np.load(out / "structure_constants.npy")
    f = np.load(out / "physics_structure_constants.npy")
    np.testing.assert_allclose(f, -a)
    assert "[J_a, J_b] = i Σ_c f[a, b, c] J_c" in (out / "report.md").read_text()
