"""Identification of Lie algebras: a table of facts, exact and from noisy bases."""

import json

import numpy as np
import pytest

from symdisc.algebra import reference as R
from symdisc.algebra.identify import Identification, identify
from symdisc.algebra.linalg import commutator
from symdisc.errors import InputError
from symdisc.loading import load_generators

NOISE = 1e-4

# name: (generators, full name, dimension, rank, Killing signature)
ZOO = {
    "so(3)": (R.so(3), "so(3) ≅ su(2)", 3, 1, (0, 3, 0)),
    "so(4)": (R.so(4), "so(4) ≅ su(2) ⊕ su(2)", 6, 2, (0, 6, 0)),
    "so(5)": (R.so(5), "so(5) ≅ usp(4)", 10, 2, (0, 10, 0)),
    "so(6)": (R.so(6), "so(6) ≅ su(4)", 15, 3, (0, 15, 0)),
    "so(10)": (R.so(10), "so(10)", 45, 5, (0, 45, 0)),
    "so(1,3)": (R.so_pq(1, 3), "so(1,3) ≅ sl(2,C)", 6, 2, (3, 3, 0)),
    "so(2,1)": (R.so_pq(2, 1), "so(2,1) ≅ sl(2,R) ≅ su(1,1)", 3, 1, (2, 1, 0)),
    "so(2,2)": (R.so_pq(2, 2), "so(2,2) ≅ sl(2,R) ⊕ sl(2,R)", 6, 2, (4, 2, 0)),
    "so(3,2)": (R.so_pq(3, 2), "so(3,2) ≅ sp(4,R)", 10, 2, (6, 4, 0)),
    "su(2)": (R.su(2), "so(3) ≅ su(2)", 3, 1, (0, 3, 0)),
    "su(3)": (R.su(3), "su(3)", 8, 2, (0, 8, 0)),
    "su(4)": (R.su(4), "so(6) ≅ su(4)", 15, 3, (0, 15, 0)),
    "u(1)": (R.u(1), "u(1)", 1, 1, (0, 0, 1)),
    "u(2)": (R.u(2), "u(2) ≅ su(2) ⊕ u(1)", 4, 2, (0, 3, 1)),
    "u(3)": (R.u(3), "u(3) ≅ su(3) ⊕ u(1)", 9, 3, (0, 8, 1)),
    "u(4)": (R.u(4), "u(4) ≅ su(4) ⊕ u(1)", 16, 4, (0, 15, 1)),
    "u(5)": (R.u(5), "u(5) ≅ su(5) ⊕ u(1)", 25, 5, (0, 24, 1)),
    "u(6)": (R.u(6), "u(6) ≅ su(6) ⊕ u(1)", 36, 6, (0, 35, 1)),
    "sp(4,R)": (R.sp_real(2), "so(3,2) ≅ sp(4,R)", 10, 2, (6, 4, 0)),
    "sl(3,R)": (R.sl_real(3), "sl(3,R)", 8, 2, (5, 3, 0)),
    "usp(6)": (R.usp(3), "usp(6)", 21, 3, (0, 21, 0)),
    "sp(6,R)": (R.sp_real(3), "sp(6,R)", 21, 3, (12, 9, 0)),
    "so(7)": (R.so(7), "so(7)", 21, 3, (0, 21, 0)),
    "sl(3,C)": (R.sl_complex(3), "sl(3,C)", 16, 4, (8, 8, 0)),
    "sl(4,R)": (R.sl_real(4), "sl(4,R) ≅ so(3,3)", 15, 3, (9, 6, 0)),
    "su(3)+su(2)+u(1)": (
        R.direct_sum(R.su(3), R.su(2), R.u(1)),
        "su(3) ⊕ su(2) ⊕ u(1)",
        12,
        4,
        (0, 11, 1),
    ),
    "so(1,3)+su(2)": (
        R.direct_sum(R.so_pq(1, 3), R.su(2)),
        "sl(2,C) ⊕ su(2)",
        9,
        3,
        (3, 6, 0),
    ),
    "sl(3,R)+u(1)+u(1)": (
        R.direct_sum(R.sl_real(3), R.u(1), R.u(1)),
        "sl(3,R) ⊕ u(1)^2",
        10,
        4,
        (5, 3, 2),
    ),
    "so(5)+so(3)+u(1)": (
        R.direct_sum(R.so(5), R.so(3), R.u(1)),
        "so(5) ⊕ su(2) ⊕ u(1)",
        14,
        4,
        (0, 13, 1),
    ),
    "g2": (R.g2(), "g2", 14, 2, (0, 14, 0)),
    "g2(2)": (R.g2(split=True), "g2(2)", 14, 2, (8, 6, 0)),
    "gl(3,R)": (
        np.concatenate([R.sl_real(3), np.eye(3)[None]]),
        "gl(3,R) ≅ sl(3,R) ⊕ R",
        9,
        3,
        (5, 3, 1),
    ),
}


def _noisy(G, seed):
    return R.add_noise(R.random_change_of_basis(G, seed), NOISE, seed + 100)


def _check(result: Identification, case: str, name, dim, rank, signature):
    assert result.is_lie_algebra, f"{case}: closure {result.closure_residual:.2e}"
    assert result.name == name, f"{case}: named {result.name!r}, expected {name!r}"
    assert result.primary_name == name.split(" ≅ ")[0]
    assert result.dimension == dim, f"{case}: dimension {result.dimension}"
    assert result.rank == rank, f"{case}: rank {result.rank}"
    assert result.killing_signature == signature, (
        f"{case}: Killing signature {result.killing_signature}"
    )


@pytest.mark.parametrize("case", ZOO)
def test_named_from_exact_basis(case):
    G, name, dim, rank, signature = ZOO[case]
    result = identify(G)
    _check(result, case, name, dim, rank, signature)
    assert result.confidence_label == "high", (
        f"{case}: confidence {result.confidence:.2f}"
    )


@pytest.mark.parametrize("case", ZOO)
def test_named_from_noisy_random_basis(case):
    G, name, dim, rank, signature = ZOO[case]
    result = identify(_noisy(G, seed=len(case)))
    _check(result, case, name, dim, rank, signature)
    assert result.noise_level > 1e-6 or dim == G.shape[1] ** 2 or dim == 1, (
        f"{case}: noise level {result.noise_level:.1e} not seen"
    )
    assert result.confidence >= 0.25, f"{case}: confidence {result.confidence:.2f}"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_name_does_not_depend_on_the_basis(seed):
    names = {identify(_noisy(R.so(8), seed + s)).name for s in (0, 10)}
    assert names == {"so(8)"}, f"names {names}"


def test_simple_ideals_of_a_direct_sum():
    result = identify(_noisy(R.direct_sum(R.su(3), R.su(2), R.u(1)), seed=5))
    dims = [i.dimension for i in result.simple_ideals]
    types = [i.cartan_type for i in result.simple_ideals]
    assert dims == [8, 3] and types == ["A2", "A1"], f"ideals {dims} {types}"
    assert all(i.compact for i in result.simple_ideals)
    assert result.centre_factors == ("u(1)",)
    assert result.is_reductive and not result.is_semisimple
    # The ideals' coordinates span mutually commuting subalgebras.
    E = result.basis
    A, B = (np.tensordot(i.coordinates.T, E, axes=1) for i in result.simple_ideals)
    cross = max(np.linalg.norm(commutator(a, b)) for a in A for b in B)
    assert cross < 1e-2, f"ideals do not commute: {cross:.2e}"


def test_lorentz_is_complex_type_a1():
    (ideal,) = identify(R.so_pq(1, 3)).simple_ideals
    assert ideal.complex_type and ideal.cartan_type == "A1" and ideal.rank == 2


def test_b6_is_not_mistaken_for_e6():
    # so(13) (B6) has the dimension (78) and rank (6) of E6; root lengths differ.
    result = identify(R.so(13))
    (ideal,) = result.simple_ideals
    assert ideal.cartan_type == "B6", f"type {ideal.cartan_type}"
    assert (ideal.n_roots, ideal.n_short_roots) == (72, 12)
    assert abs(ideal.length_ratio - 2.0) < 1e-6, f"ratio {ideal.length_ratio}"


def test_b_and_c_are_told_apart_by_short_roots():
    types = {identify(G).simple_ideals[0].cartan_type for G in (R.so(7), R.usp(3))}
    assert types == {"B3", "C3"}, f"types {types}"


def _lorentz_parts():
    def E(a, b):
        M = np.zeros((4, 4))
        M[a, b] = 1.0
        return M

    J1, J2, J3 = E(3, 2) - E(2, 3), E(1, 3) - E(3, 1), E(2, 1) - E(1, 2)
    K1, K2, K3 = (E(0, i) + E(i, 0) for i in (1, 2, 3))
    assert np.allclose(commutator(J1, J2), J3), "rotations: [J1, J2] ≠ J3"
    assert np.allclose(commutator(J1, K2), K3), "boosts: [J1, K2] ≠ K3"
    assert np.allclose(commutator(K1, K2), -J3), "boosts: [K1, K2] ≠ −J3"
    return K1, K2, K3, J1, J2, J3


def test_null_rotations_with_boost_form_a_solvable_algebra():
    K1, K2, K3, J1, J2, J3 = _lorentz_parts()
    three = np.array([K3, J1 + K2, J2 - K1])
    four = np.concatenate([three, J3[None]])
    for G, dim, derived in ((three, 3, 2), (four, 4, 2)):
        for noisy in (False, True):
            result = identify(_noisy(G, 7) if noisy else G)
            assert result.is_lie_algebra, f"dim {dim}: {result.closure_residual:.2e}"
            assert result.is_solvable and not result.is_nilpotent, result.summary()
            assert result.dimension == dim
            assert result.derived_dimension == derived, (
                f"dim {dim} noisy={noisy}: derived {result.derived_series}"
            )
            assert result.derived_series == (dim, derived, 0)
            assert result.radical_dimension == dim


def test_heisenberg_and_two_dimensional_algebra():
    result = identify(_noisy(R.heisenberg(1), 3))
    assert result.name == "heisenberg(3)" and result.is_nilpotent
    assert result.lower_central_series == (3, 1, 0)
    E11 = np.array([[1.0, 0.0], [0.0, 0.0]])
    E12 = np.array([[0.0, 1.0], [0.0, 0.0]])
    result = identify(np.array([E11, E12]))
    assert result.name == "aff(1)" and result.is_solvable and not result.is_nilpotent


def test_poincare_is_a_semidirect_sum():
    P = []
    for X in R.so_pq(1, 3):
        M = np.zeros((5, 5))
        M[:4, :4] = X
        P.append(M)
    for i in range(4):
        M = np.zeros((5, 5))
        M[i, 4] = 1.0
        P.append(M)
    result = identify(np.array(P))
    assert result.name == "so(1,3) ⋉ R^4", result.name
    assert result.kind == "mixed" and result.radical_dimension == 4
    assert result.levi_name == "so(1,3) ≅ sl(2,C)"


def test_abelian_names_follow_the_representation():
    assert identify(R.u(1)).name == "u(1)"
    assert identify(np.array([np.diag([1.0, -1.0])])).name == "R"
    torus = np.array([np.diag([1j, 0, 0]), np.diag([0, 1j, 0])])
    assert identify(torus).name == "u(1)^2"


def test_two_generic_rotations_do_not_close():
    rng = np.random.default_rng(0)
    G = np.einsum("ta,aij->tij", rng.standard_normal((2, 3)), R.so(3))
    result = identify(G)
    assert not result.is_lie_algebra
    assert result.name.startswith("not a Lie algebra (closure residual ")
    assert result.closure_residual > 0.1, f"closure {result.closure_residual:.2e}"


def test_redundant_generator_is_dropped():
    G = R.so(3)
    G = np.concatenate([G, (G[0] + 2 * G[1])[None]])
    result = identify(R.add_noise(G, 1e-5, seed=1))
    assert result.dimension == 3 and result.n_generators == 4
    assert result.name == "so(3) ≅ su(2)"


def test_hermitian_generators():
    result = identify(R.su(3, hermitian=True), hermitian=True)
    assert result.name == "su(3)"


@pytest.mark.parametrize("case", ["so(5)", "so(1,3)", "u(3)", "sl(3,R)"])
def test_named_from_structure_constants(case):
    G, name, dim, rank, signature = ZOO[case]
    first = identify(_noisy(G, 11))
    result = identify(structure_constants=first.structure_constants)
    assert result.name == name, f"{case}: {result.name!r}"
    assert result.killing_signature == signature


def test_broken_jacobi_is_not_a_lie_algebra():
    C = np.zeros((3, 3, 3))
    C[0, 1, 2], C[1, 0, 2] = 1.0, -1.0  # [e0, e1] = e2
    C[1, 2, 0], C[2, 1, 0] = 1.0, -1.0  # [e1, e2] = e0
    C[0, 2, 0], C[2, 0, 0] = 1.0, -1.0  # [e0, e2] = e0 breaks Jacobi
    result = identify(structure_constants=C)
    assert not result.is_lie_algebra and "Jacobi" in result.name, result.name


def test_record_is_json_and_summary_is_one_line():
    result = identify(_noisy(R.u(3), 1))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["name"] == "u(3) ≅ su(3) ⊕ u(1)"
    assert data["primary_name"] == "u(3)"
    assert {d["what"].split(":")[0] for d in data["decisions"]} >= {
        "centre",
        "derived algebra",
        "radical",
    }
    assert "\n" not in result.summary() and "u(3)" in result.summary()


def test_decisions_show_the_gap():
    result = identify(_noisy(R.u(4), 2))
    centre = next(d for d in result.decisions if d.what.startswith("centre"))
    assert centre.total - centre.kept == 1
    assert centre.gap > 10, f"centre gap {centre.gap:.3g}"
    assert min(centre.values) < result.threshold < max(centre.values)


def test_speed_on_a_78_dimensional_algebra():
    import time

    start = time.perf_counter()
    result = identify(_noisy(R.so(13), 1))
    elapsed = time.perf_counter() - start
    assert result.name == "so(13)", result.name
    assert elapsed < 10.0, f"so(13) took {elapsed:.1f} s"


def test_bad_input_raises_input_error():
    with pytest.raises(InputError, match="generators"):
        identify(np.zeros((2, 3, 4)))
    with pytest.raises(InputError, match="exactly one"):
        identify()
    with pytest.raises(InputError, match="finite"):
        identify(np.full((1, 2, 2), np.nan))
    with pytest.raises(InputError, match="structure_constants"):
        identify(structure_constants=np.zeros((2, 3, 3)))


# ------------------------------------------------------------------ loading


def test_load_npy_npz_json_and_folder(tmp_path):
    G = R.su(2)
    np.save(tmp_path / "g.npy", G)
    array, kind = load_generators(tmp_path / "g.npy")
    assert kind == "generators" and np.allclose(array, G)

    C = identify(R.so(3)).structure_constants
    np.save(tmp_path / "structure_constants.npy", C)
    array, kind = load_generators(tmp_path / "structure_constants.npy")
    assert kind == "structure_constants" and array.shape == (3, 3, 3)
    array, kind = load_generators(tmp_path / "g.npy", kind="generators")
    assert kind == "generators"

    np.savez(tmp_path / "c.npz", structure_constants=C)
    assert load_generators(tmp_path / "c.npz")[1] == "structure_constants"

    (tmp_path / "g.json").write_text(
        json.dumps({"generators": {"real": G.real.tolist(), "imag": G.imag.tolist()}})
    )
    array, kind = load_generators(tmp_path / "g.json")
    assert kind == "generators" and np.allclose(array, G)

    run = tmp_path / "run"
    run.mkdir()
    np.save(run / "generators.npy", R.su(2, hermitian=True))
    (run / "result.json").write_text(json.dumps({"config": {"hermitian": True}}))
    array, kind = load_generators(run)
    assert kind == "generators" and np.allclose(array, G)
    assert identify(array).name == "so(3) ≅ su(2)"


def test_load_errors_are_clear(tmp_path):
    with pytest.raises(InputError, match="nothing there"):
        load_generators(tmp_path / "missing.npy")
    (tmp_path / "x.txt").write_text("1 2 3")
    with pytest.raises(InputError, match=r"\.npy, \.npz or \.json"):
        load_generators(tmp_path / "x.txt")
    (tmp_path / "bad.npy").write_text("not numpy")
    with pytest.raises(InputError, match="bad.npy"):
        load_generators(tmp_path / "bad.npy")
    np.save(tmp_path / "flat.npy", np.zeros((3, 4)))
    with pytest.raises(InputError, match=r"\(k, n, n\)"):
        load_generators(tmp_path / "flat.npy")
    (tmp_path / "k.json").write_text(json.dumps({"matrices": []}))
    with pytest.raises(InputError, match="generators"):
        load_generators(tmp_path / "k.json")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="generators.npy"):
        load_generators(tmp_path / "empty")
    with pytest.raises(InputError, match="kind"):
        load_generators(tmp_path / "flat.npy", kind="matrix")


def test_real_form_table():
    from symdisc.algebra.identify import _real_form_names

    assert _real_form_names("E6", 52) == ["e6(-26)"]
    assert _real_form_names("E8", 136) == ["e8(-24)"]
    assert _real_form_names("F4", 24) == ["f4(4)"]
    assert _real_form_names("C3", 9) == ["sp(6,R)"]
    assert _real_form_names("C3", 13) == ["sp(2,1)"]
    assert _real_form_names("D5", 25) == ["so*(10)"]
    assert _real_form_names("A5", 21) == ["sl(3,H)", "su*(6)"]
    # Non-isomorphic forms with equal compact dimension are reported as such.
    assert _real_form_names("A13", 105) == ["su(9,5) or sl(7,H)"]
