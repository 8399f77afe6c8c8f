"""Subalgebra scans, block decompositions, vev breaking and parallel sweeps."""

from __future__ import annotations

import numpy as np
import pytest

import symdisc  # noqa: F401  (float64)
from symdisc.errors import InputError
from symdisc.exact import solve
from symdisc.scan import (
    aggregate,
    build,
    class_text,
    distinct_classes,
    identification_record,
    oracle_spec,
    parse_range,
    scan,
)
from symdisc.subalgebras import (
    Ambient,
    DecompositionCell,
    DecompositionTable,
    block_mask,
    compact_simple_algebras,
    compact_simple_dimensions,
    cross_bracket_error,
    derived_basis,
    discover_blocks,
    nondegeneracy,
    patterns,
    ruled_out,
)

TINY = {
    "epochs": 200,
    "restarts": 1,
    "polish_steps": 0,
    "n_points": 32,
    "n_check_points": 64,
    "learning_rate": 3e-2,
}


def rotations(n: int) -> np.ndarray:
    """``E_ab − E_ba`` for ``a < b``, shape ``(n(n−1)/2, n, n)``."""
    out = []
    for a in range(n):
        for b in range(a + 1, n):
            G = np.zeros((n, n))
            G[a, b], G[b, a] = 1.0, -1.0
            out.append(G)
    return np.asarray(out)


# ---- pure mathematics ------------------------------------------------------


def test_compact_simple_dimensions_up_to_16():
    assert compact_simple_dimensions(16) == [3, 8, 10, 14, 15]


def test_patterns_of_u4_cells():
    sizes = [1, *compact_simple_dimensions(16)]
    assert patterns(11, 2, sizes) == [(10, 1), (8, 3)]
    assert patterns(8, 4, sizes) == [(3, 3, 1, 1)]
    for total in (12, 13, 14):
        found = [p for r in range(1, 5) for p in patterns(total, r, sizes)]
        assert all(sum(p) == total for p in found)


def test_compact_simple_algebras_ranks_and_smallest_representations():
    table = {
        name: (dim, rank, rep) for name, dim, rank, rep in compact_simple_algebras(36)
    }
    assert table["su(2)"] == (3, 1, 2)
    assert table["so(5)"] == (10, 2, 4), "so(5) ≅ usp(4) acts on C⁴"
    assert table["g2"] == (14, 2, 7)
    assert table["so(7)"] == (21, 3, 7) and table["usp(6)"] == (21, 3, 6)
    assert table["so(8)"] == (28, 4, 8) and table["usp(8)"] == (36, 4, 8)
    assert "so(6)" not in table and "usp(4)" not in table, "repeats of su(4), so(5)"


def test_rank_and_representation_rule_out_u4_patterns():
    u4 = Ambient("u(4)", 16, 4, True, 4)
    assert ruled_out((10, 1), u4) is None
    assert ruled_out((3, 3, 1, 1), u4) is None
    assert "rank at least 5" in ruled_out((8, 1, 1, 1), u4)
    assert "g2" in ruled_out((14, 1), u4)
    assert ruled_out((4,), u4).startswith("no compact simple")
    lorentz = Ambient("so(1,3)", 6, 2, False, 4)
    assert ruled_out((8, 1, 1, 1), lorentz) is None, "no rule for non-compact g"


def test_derived_algebra_of_u4_is_su4():
    Q = derived_basis(build({"kind": "hermitian", "n": 4}))
    assert Q.shape == (32, 15), Q.shape
    err = np.abs(Q.T @ Q - np.eye(15)).max()
    assert err < 1e-10, f"not orthonormal: {err:.1e}"
    # real coordinates (Re, Im) of A = iJ: the trace is Σ_j (Re + i Im) A_jj
    diag = [5 * j for j in range(4)]
    trace_re = Q[diag].sum(axis=0)
    trace_im = Q[[16 + d for d in diag]].sum(axis=0)
    worst = max(np.abs(trace_re).max(), np.abs(trace_im).max())
    assert worst < 1e-10, f"[u(4), u(4)] is trace-free; trace {worst:.1e}"


def test_published_u4_table_compares_by_algebra():
    from symdisc.published_tables import PUBLISHED_U4, compare

    cells = {}
    for total, _column, _entry, factors in PUBLISHED_U4:
        cells[(total, len(factors))] = list(factors)
    cells[(11, 2)] = ["so(5)", "u(1)"]
    cells[(6, 2)] = ["so(3)", "su(2)"]  # an isomorphic name agrees
    table = DecompositionTable(
        name="u4",
        cells=[
            DecompositionCell(t, r, [[1]], True, "blocks", None, f, [], [], 0.0)
            for (t, r), f in cells.items()
        ]
        + [DecompositionCell(12, 3, [[10, 1, 1]], False, "", None, [], [], [], 1.0)],
        runs=[],
        one_block={},
        ambient={},
        training={},
        timings={},
        published="u4",
    )
    rows = compare(table, "u4")
    published = [r for r in rows if r["published"]]
    assert len(published) == 17 and all(r["agrees"] for r in published)
    (extra,) = [r for r in rows if not r["published"]]
    assert (extra["total"], extra["n_factors"]) == (11, 2)
    assert "usp(4)" in extra["note"]


def test_block_mask_couples_only_one_block():
    M = block_mask((2, 1))
    assert M[0, 1, 0] == 1 and M[0, 1, 2] == 0 and M[2, 2, 2] == 1 and M[0, 2, 2] == 0


def test_cross_brackets_vanish_for_so4_split():
    """so(4) = su(2) ⊕ su(2): self-dual and anti-self-dual rotations commute."""
    E = rotations(4)  # 01 02 03 12 13 23
    plus = np.stack([E[0] + E[5], E[1] - E[4], E[2] + E[3]]) / np.sqrt(2)
    minus = np.stack([E[0] - E[5], E[1] + E[4], E[2] - E[3]]) / np.sqrt(2)
    err = cross_bracket_error(np.concatenate([plus, minus]), (3, 3))
    assert err < 1e-12, f"cross bracket {err:.2e}"
    mixed = cross_bracket_error(E, (3, 3))
    assert mixed > 0.1, f"rotations 01, 02 split from 03 … should not commute: {mixed}"


def test_nondegeneracy_zero_for_su2_positive_for_abelian():
    eps = np.zeros((3, 3, 3))
    for a, b, c in [(0, 1, 2), (1, 2, 0), (2, 0, 1)]:
        eps[a, b, c], eps[b, a, c] = 1.0, -1.0
    mask = block_mask((3,))
    assert float(nondegeneracy(2 * eps, mask, (3,))) == 0.0
    assert float(nondegeneracy(0 * eps, mask, (3,))) == pytest.approx(3 * 0.1**2)


def test_ranges_and_specs():
    assert parse_range("2..5", "dims") == (2, 5)
    assert parse_range("4", "dims") == (4, 4)
    assert oracle_spec("metric:1", 4) == {"kind": "metric", "p": 1, "q": 3}
    with pytest.raises(InputError, match="dims"):
        parse_range("5..2", "dims")
    with pytest.raises(InputError, match="dims"):
        oracle_spec("so")
    with pytest.raises(InputError, match="metric"):
        oracle_spec("metric:x", 3)


# ---- symmetry breaking -------------------------------------------------------


@pytest.mark.parametrize(
    "preset, dimension, name",
    [
        ("su3-breaking", 4, "su(2) ⊕ u(1)"),
        ("su5-breaking", 12, "su(3) ⊕ su(2) ⊕ u(1)"),
        ("u5-breaking", 13, "su(3) ⊕ su(2) ⊕ u(1)^2"),
    ],
)
def test_breaking_residual_algebra(preset, dimension, name):
    from symdisc.algebra.identify import identify
    from symdisc.presets import resolve

    algebra = solve(resolve(preset).oracle)
    assert algebra.dimension == dimension, f"{preset}: {algebra.dimension}"
    assert name in identify(algebra.basis).name


def test_vev_option_counts_the_commutant():
    from symdisc.presets import resolve
    from symdisc.presets.breaking import with_vev

    exp = with_vev(resolve("su5-breaking"), "1,1,2,2,2")
    assert exp.training.n_generators == 12
    assert solve(exp.oracle).dimension == 12
    exp = with_vev(resolve("u5-breaking"), "1,2,3,4,4")
    assert exp.training.n_generators == solve(exp.oracle).dimension == 7
    with pytest.raises(InputError, match="vev"):
        with_vev(resolve("su3-breaking"), "1,a")
    exp = with_vev(resolve("u3"), "1,1,-2")  # one copy: u(2) ⊕ u(1)
    assert exp.training.n_generators == solve(exp.oracle).dimension == 5
    exp = with_vev(resolve("su3"), "1,1,-2")  # the volume too: su(2) ⊕ u(1)
    assert exp.training.n_generators == solve(exp.oracle).dimension == 4


@pytest.mark.parametrize(
    ("preset", "vev", "message"),
    [
        ("su5-breaking", "1,2", "5 diagonal entries"),
        ("su3", "1,,2", "comma-separated numbers"),
        ("so3", "2,2,-3", "a unitary oracle"),
        ("g2", "1,-1", "a unitary oracle"),
    ],
)
def test_vev_of_wrong_size_or_on_a_real_oracle_is_refused(preset, vev, message):
    from symdisc.presets import resolve
    from symdisc.presets.breaking import with_vev

    with pytest.raises(InputError, match=message):
        with_vev(resolve(preset), vev)


# ---- training ------------------------------------------------------------------


def test_u2_splits_as_su2_plus_u1():
    result = discover_blocks(
        build({"kind": "hermitian", "n": 2}),
        (3, 1),
        seed=0,
        epochs=300,
        restarts=2,
        polish_steps=60,
        n_points=32,
        n_check_points=64,
        learning_rate=3e-2,
        h_closure=0.1,
    )
    assert result.found, result.reasons
    names = [f["name"] for f in result.extra["factors"]]
    assert names == ["so(3)", "u(1)"], names
    assert result.extra["cross_bracket_error"] < 1e-6


def test_su3_block_in_u4_is_reached():
    """One semisimple block of 8 in u(4): kept inside [g, g] = su(4), it is su(3).

    Without that constraint the block stalls at su(2)² ⊕ u(1)² (penalised
    only by the small nondegeneracy term) from most starts.
    """
    result = discover_blocks(
        build({"kind": "hermitian", "n": 4}),
        (8,),
        seed=0,
        epochs=1500,
        restarts=2,
        polish_steps=0,
        n_points=48,
        n_check_points=64,
        learning_rate=3e-2,
        h_closure=0.1,
    )
    assert result.found, result.reasons
    assert [f["name"] for f in result.extra["factors"]] == ["su(3)"]


def test_lorentz_two_generators_reach_abelian_and_non_abelian():
    """The default ten seeds of ``symdisc subalgebras lorentz`` at k = 2."""
    result = scan("lorentz", generators="2", seeds=10)
    (cell,) = result.cells
    derived = sorted(c["derived_dimension"] for c in cell.classes)
    assert derived == [0, 1], f"classes reached: {cell.classes}"


def _unit(i: int, j: int) -> np.ndarray:
    e = np.zeros((4, 4))
    e[i, j] = 1.0
    return e


def test_rotation_and_boost_lines_are_one_class_null_plane_another():
    """In so(1,3) a rotation and a boost each span the one-dimensional algebra
    (as u(1) and as R): one isomorphism class, two embeddings; the boost with a
    null rotation spans aff(1), which is not abelian."""
    rotation = _unit(1, 2) - _unit(2, 1)
    boost = _unit(0, 1) + _unit(1, 0)
    null = _unit(0, 2) + _unit(2, 0) - rotation  # [boost, null] = −null
    spans = {0: [rotation], 1: [boost], 2: [rotation], 3: [boost, null]}
    runs = [
        {
            "seed": seed,
            "status": "found",
            "identification": identification_record(np.array(g), False),
        }
        for seed, g in spans.items()
    ]
    runs.append({"seed": 4, "status": "not_found", "identification": None})
    lines = distinct_classes(runs[:3] + runs[4:])
    assert len(lines) == 1, lines
    (line,) = lines
    assert line["seeds"] == [0, 1, 2], line
    assert [(e["name"], e["seeds"]) for e in line["embeddings"]] == [
        ("R", [1]),
        ("u(1)", [0, 2]),
    ], line
    assert "as u(1): seeds [0, 2]" in class_text(line), class_text(line)
    plane = distinct_classes([runs[3]])
    assert [c["name"] for c in plane] == ["aff(1)"], plane
    assert plane[0]["derived_dimension"] == 1, plane


def test_dask_cluster_matches_local_processes(tmp_path):
    """20 trainings (so(2), so(3); k = 1…dim; 5 seeds) give the same table."""
    distributed = pytest.importorskip("distributed")
    local = scan("so", "2..3", seeds=5, workers=2, training=TINY)
    assert local.timings["n_tasks"] == 20
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = scan(
            "so", "2..3", seeds=5, scheduler=cluster.scheduler_address, training=TINY
        )
    assert remote.timings["backend"] == "dask"
    a = [(r["n"], r["k"], r["seed"], r["status"]) for r in local.runs]
    b = [(r["n"], r["k"], r["seed"], r["status"]) for r in remote.runs]
    assert a == b
    la = np.array([r["final_loss"] for r in local.runs])
    lb = np.array([r["final_loss"] for r in remote.runs])
    close = np.isclose(np.log10(la + 1e-300), np.log10(lb + 1e-300), rtol=1e-6)
    assert close.all(), f"losses differ: {la[~close]} vs {lb[~close]}"
    assert [c.to_dict()["found"] for c in aggregate(local.runs)] == [
        c.found for c in remote.cells
    ]
    found = local.found_sizes()
    assert 2 not in found[3], f"so(3) has no 2-dimensional subalgebra: {found}"
