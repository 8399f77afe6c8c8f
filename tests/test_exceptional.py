"""The exceptional oracles: their invariants and their symmetry algebras g2, f4, e6."""

import itertools

import jax
import jax.numpy as jnp
import jax.scipy.linalg
import numpy as np
import pytest

import symdisc  # noqa: F401  (float64)
from symdisc.algebra.linalg import orthonormal_basis, span_distance
from symdisc.oracles.base import check_oracle
from symdisc.oracles.exceptional import (
    JORDAN_DIMENSION,
    e6,
    f4,
    g2,
    jordan_determinant,
    jordan_matrix,
    jordan_trace,
    jordan_trace_of_square,
    jordan_vector,
)
from symdisc.oracles.octonions import OCTONION_STRUCTURE, octonion_derivation

RTOL = 1e-12
UNITS = np.eye(8)


def relative_error(lhs, rhs):
    lhs, rhs = np.asarray(lhs), np.asarray(rhs)
    return float(np.max(np.abs(lhs - rhs)) / max(np.max(np.abs(rhs)), 1e-300))


def random_jordan(seed, batch=64):
    return jax.random.normal(jax.random.PRNGKey(seed), (batch, JORDAN_DIMENSION))


# --- the linear symmetry algebra by a null space ---------------------------


def symmetry_algebra(oracle, n_points, seed=0):
    """Null space of ``G ↦ Dφ(x)[G x]`` stacked over sample points.

    Each point ``x`` (shape ``(c, n)``) and output ``o`` give one linear
    equation ``Σ_c Σ_ij ∂φ_o/∂x_ci G_ij x_cj = 0`` in the ``n²`` entries of
    ``G``. Returns the singular values of the (row-normalised) system, padded
    with zeros to length ``n²`` and divided by the largest, and an orthonormal
    basis of the numerical null space, shape ``(d, n, n)``.
    """
    x = oracle.sample(seed, n_points)
    J = jax.jit(jax.vmap(jax.jacrev(oracle.fn)))(x)  # (b, m, c, n)
    rows = np.asarray(jnp.einsum("bmci,bcj->bmij", J, x)).reshape(-1, oracle.n**2)
    rows = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    _, s, Vt = np.linalg.svd(rows, full_matrices=True)
    s = np.concatenate([s, np.zeros(oracle.n**2 - len(s))]) / s[0]
    null_dim = int(np.sum(s < 1e-9))
    return s, Vt[oracle.n**2 - null_dim :].reshape(null_dim, oracle.n, oracle.n)


def assert_dimension(singular_values, expected, name):
    s = singular_values
    smallest_kept, largest_dropped = s[-expected - 1], s[-expected]
    assert largest_dropped < 1e-12 and smallest_kept > 1e-4, (
        f"{name}: expected a null space of dimension {expected}; singular values "
        f"around the gap {smallest_kept:.2e} | {largest_dropped:.2e}"
    )


def asymmetry(G):
    """Largest ``‖G + Gᵀ‖ / ‖G‖`` over a stack: 0 for antisymmetric matrices."""
    num = np.linalg.norm(G + np.transpose(G, (0, 2, 1)), axis=(1, 2))
    return float(np.max(num / np.linalg.norm(G, axis=(1, 2))))


def rank(G, rtol=1e-9):
    s = np.linalg.svd(G.reshape(len(G), -1), compute_uv=False)
    return int(np.sum(s > rtol * s[0]))


@pytest.fixture(scope="module")
def g2_algebra():
    return symmetry_algebra(g2(), n_points=80, seed=0)


@pytest.fixture(scope="module")
def f4_algebra():
    return symmetry_algebra(f4(), n_points=400, seed=1)


@pytest.fixture(scope="module")
def e6_algebra():
    return symmetry_algebra(e6(), n_points=850, seed=2)


def g2_derivations():
    """The 21 derivations ``D_{e_i, e_j}`` acting on Im O = R^7, shape (21, 7, 7)."""
    pairs = itertools.combinations(range(1, 8), 2)
    return np.array([octonion_derivation(UNITS[i], UNITS[j])[1:, 1:] for i, j in pairs])


def on_jordan(D):
    """A derivation of O (7×7 on Im O) acting on x, y, z of J3(O), shape (27, 27)."""
    M = np.zeros((JORDAN_DIMENSION, JORDAN_DIMENSION))
    for start in (3, 11, 19):
        M[start + 1 : start + 8, start + 1 : start + 8] = D
    return M


# --- oracles are well formed -----------------------------------------------


@pytest.mark.parametrize(
    "make, shape, outputs",
    [
        (g2, (3, 7), 1),
        (f4, (1, 27), 3),
        (e6, (1, 27), 1),
    ],
)
def test_oracle_shapes(make, shape, outputs):
    oracle = make()
    check_oracle(oracle)
    assert oracle.point_shape == shape and oracle.outputs == outputs


# --- g2 ----------------------------------------------------------------------


def test_g2_dimension_is_14(g2_algebra):
    s, G = g2_algebra
    assert_dimension(s, 14, "g2")
    assert asymmetry(G) < 1e-10, f"g2 is compact: asymmetry {asymmetry(G):.2e}"


def test_g2_is_the_derivation_algebra_of_the_octonions(g2_algebra):
    _, G = g2_algebra
    D = g2_derivations()
    there, back = span_distance(D, G), span_distance(G, D)
    assert there < 1e-10 and back < 1e-10, f"span distances {there:.2e}, {back:.2e}"


def test_exponential_of_a_derivation_preserves_the_three_form():
    rng = np.random.default_rng(3)
    D = np.einsum("a,aij->ij", rng.normal(size=21), g2_derivations())
    M = np.asarray(jax.scipy.linalg.expm(jnp.asarray(D)))
    oracle = g2()
    x = oracle.sample(4, 64)
    before, after = oracle(x), oracle(jnp.einsum("ij,bcj->bci", M, x))
    err = relative_error(after, before)
    assert err < 1e-12, f"Re(x(yz)) changed by {err:.2e} under exp(D)"
    assert np.max(np.abs(M @ M.T - np.eye(7))) < 1e-12  # G2 ⊂ SO(7)


# --- J3(O): coordinates and invariants ---------------------------------------


def octonionic_matmul(A, B):
    return jnp.einsum("...ijp,...jkq,pqr->...ikr", A, B, OCTONION_STRUCTURE)


def test_jordan_matrix_is_hermitian_and_round_trips():
    h = random_jordan(5)
    H = jordan_matrix(h)
    conj = H * np.array([1.0] + [-1.0] * 7)
    assert np.array_equal(np.asarray(H), np.asarray(jnp.swapaxes(conj, -2, -3)))
    assert relative_error(jordan_vector(H), h) < RTOL


def test_trace_of_square_is_the_matrix_trace():
    h = random_jordan(6)
    H = jordan_matrix(h)
    H2 = octonionic_matmul(H, H)
    trace = H2[..., 0, 0, 0] + H2[..., 1, 1, 0] + H2[..., 2, 2, 0]
    assert relative_error(jordan_trace_of_square(h), trace) < RTOL
    assert (
        relative_error(jordan_trace(h), jnp.trace(H[..., 0], axis1=-2, axis2=-1)) == 0
    )


def test_cayley_hamilton():
    h = random_jordan(7)
    H = jordan_matrix(h)
    H2 = octonionic_matmul(H, H)
    H3 = 0.5 * (octonionic_matmul(H, H2) + octonionic_matmul(H2, H))
    T, Q, D = jordan_trace(h), jordan_trace_of_square(h), jordan_determinant(h)
    S = 0.5 * (T**2 - Q)
    identity = jnp.eye(3)[..., None] * UNITS[0]
    b = (slice(None),) + (None,) * 3
    residual = H3 - T[b] * H2 + S[b] * H - D[b] * identity
    err = float(jnp.max(jnp.abs(residual)) / jnp.max(jnp.abs(H3)))
    assert err < 1e-12, f"h³ - tr(h) h² + σ(h) h - det(h) 1: {err:.2e}"


@pytest.mark.parametrize("components", [1, 2], ids=["real", "complex"])
def test_determinant_matches_the_associative_case(components):
    rng = np.random.default_rng(8)
    M = rng.normal(size=(16, 3, 3)) + (components == 2) * 1j * rng.normal(
        size=(16, 3, 3)
    )
    M = M + np.conj(np.swapaxes(M, 1, 2))
    H = np.zeros((16, 3, 3, 8))
    H[..., 0], H[..., 1] = M.real, M.imag
    err = relative_error(jordan_determinant(jordan_vector(H)), np.linalg.det(M).real)
    assert err < RTOL, f"det differs from the matrix determinant by {err:.2e}"


def blocks(h):
    return h[:, 0], h[:, 1], h[:, 2], h[:, 3:11], h[:, 11:19], h[:, 19:27]


def assemble(a, b, c, x, y, z):
    return jnp.concatenate([a[:, None], b[:, None], c[:, None], x, y, z], axis=1)


def conj(v):
    return v * np.array([1.0] + [-1.0] * 7)


def test_permutations_preserve_all_invariants():
    h = random_jordan(9)
    a, b, c, x, y, z = blocks(h)
    moves = {
        "cyclic (a,b,c,x,y,z) -> (b,c,a,y,z,x)": assemble(b, c, a, y, z, x),
        "swap (a,b,c,x,y,z) -> (a,c,b,x̄,z̄,ȳ)": assemble(
            a, c, b, conj(x), conj(z), conj(y)
        ),
    }
    labels = f4()(h[:, None])
    for name, moved in moves.items():
        err = relative_error(f4()(moved[:, None]), labels)
        assert err < RTOL, f"{name}: invariants change by {err:.2e}"


def test_octonion_automorphism_preserves_all_invariants():
    rng = np.random.default_rng(10)
    D = np.einsum("a,aij->ij", rng.normal(size=21), g2_derivations())
    M = np.asarray(jax.scipy.linalg.expm(jnp.asarray(on_jordan(D))))
    h = random_jordan(11)
    err = relative_error(f4()((h @ M.T)[:, None]), f4()(h[:, None]))
    assert err < RTOL, f"G2 on (x, y, z) changes the invariants by {err:.2e}"


def test_unimodular_diagonal_scaling_preserves_only_the_determinant():
    # h -> d h d with d = diag(d1, d2, d3), d1 d2 d3 = 1: an element of E6 not in F4.
    d1, d2 = 1.7, 0.4
    d3 = 1.0 / (d1 * d2)
    h = random_jordan(12)
    a, b, c, x, y, z = blocks(h)
    scaled = assemble(
        d1**2 * a, d2**2 * b, d3**2 * c, d2 * d3 * x, d3 * d1 * y, d1 * d2 * z
    )
    err = relative_error(jordan_determinant(scaled), jordan_determinant(h))
    assert err < RTOL, f"det changes by {err:.2e}"
    change = relative_error(jordan_trace_of_square(scaled), jordan_trace_of_square(h))
    assert change > 0.1, f"Tr h² should change, changed by {change:.2e}"


# --- f4 and e6 ---------------------------------------------------------------


def test_f4_dimension_is_52(f4_algebra):
    s, G = f4_algebra
    assert_dimension(s, 52, "f4")
    assert asymmetry(G) < 1e-10, f"f4 is compact: asymmetry {asymmetry(G):.2e}"


def test_g2_acting_on_the_off_diagonal_octonions_lies_in_f4(f4_algebra):
    _, G = f4_algebra
    embedded = np.array([on_jordan(D) for D in g2_derivations()])
    dist = span_distance(embedded, G)
    assert dist < 1e-10, f"span distance {dist:.2e}"


def test_e6_dimension_is_78(e6_algebra):
    s, _ = e6_algebra
    assert_dimension(s, 78, "e6")


def test_f4_is_inside_e6(f4_algebra, e6_algebra):
    dist = span_distance(f4_algebra[1], e6_algebra[1])
    assert dist < 1e-10, f"span distance of f4 from e6 {dist:.2e}"


def test_e6_splits_into_f4_and_26_symmetric_directions(f4_algebra, e6_algebra):
    G = e6_algebra[1]
    antisymmetric = 0.5 * (G - np.transpose(G, (0, 2, 1)))
    symmetric = 0.5 * (G + np.transpose(G, (0, 2, 1)))
    assert rank(antisymmetric) == 52 and rank(symmetric) == 26, (
        f"ranks: antisymmetric {rank(antisymmetric)}, symmetric {rank(symmetric)}"
    )
    dist = span_distance(orthonormal_basis(antisymmetric, rtol=1e-9), f4_algebra[1])
    assert dist < 1e-10, f"compact part of e6 is not f4: {dist:.2e}"
