"""Name the real Lie algebra of noisy generators or of structure constants.

Letters: ``G`` the input stack ``(k, n, n)``; ``E`` an orthonormal basis of its
real span, ``r`` matrices of unit Frobenius norm; ``C`` structure constants
``[E_a, E_b] = Σ_c C_abc E_c``, scaled so that the largest bracket of two basis
elements has norm 1; ``ad_a`` the matrix ``(ad_a)_cb = C_abc``; ``K`` the
Killing form ``K_ab = tr(ad_a ad_b)``; ``η`` the noise level of the input and
``τ`` the threshold of every rank decision.

Every structural question (dimension of the span, of the centre, of the
derived algebra, of the radical, the rank, the zero eigenvalues of ``K``) is a
rank decision: a list of non-negative numbers is split at ``τ`` into kept and
dropped. The threshold comes from the input's own noise,
``τ = max(rtol, min(NOISE_FACTOR · η, √η / 3))`` with ``η`` the larger of the
relative closure residual and the Jacobi residual: ten times the noise for
clean input, and no more than a third of the geometric mean of noise and
signal for very noisy input. Each decision is kept in the record
with the numbers either side of the cut; its confidence is
``clip(log10(gap) / 4, 0, 1)`` where ``gap`` is the smallest kept value over
the largest dropped one (a gap of 10⁴ or more counts as certain).

The semisimple part is read from its root system: a generic element ``x`` has
centraliser a Cartan subalgebra ``h`` (its dimension is the rank); the
eigenvectors of ``ad_x`` off ``h`` are root vectors; evaluating ``ad`` of a
basis of ``h`` on them gives the roots as vectors in ``h*``; the Killing form
gives their inner products. Roots that are mutually orthogonal split into the
simple ideals; within one ideal the number of roots, the rank and the number
of short roots fix the Cartan type; complex conjugation pairs up the two
halves of an ideal that is a complex algebra seen as real (``sl(2, C)``); the
number of negative Killing eigenvalues on an ideal is the dimension of its
maximal compact subalgebra and fixes its real form.

Naming conventions: compact symplectic algebras are written ``usp(2n)`` (the
mathematician's ``sp(n)``), the split form ``sp(2n,R)``; ``so(p,q)`` has
``p ≥ q`` except the Lorentz algebra, written ``so(1,3)``. A central direction
is called ``u(1)`` when its matrix generates rotations (``tr(Z²) < 0``: all
eigenvalues imaginary, as for ``iI``) and ``R`` otherwise (dilations, squeezes,
translations); from structure constants alone no representation is known and
every central direction is written ``u(1)``. A reductive algebra ``su(n) ⊕ u(1)``
with a compact centre is named ``u(n)``, and ``sl(n,R) ⊕ R`` is ``gl(n,R)``.
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np
from scipy.sparse.csgraph import connected_components

from symdisc.algebra import linalg
from symdisc.errors import bad_input

logger = logging.getLogger(__name__)

#: Threshold of every rank decision, in units of the noise level ``η``.
NOISE_FACTOR = 10.0
#: Smallest threshold used for exact input.
DEFAULT_RTOL = 1e-6
#: Relative closure (or Jacobi) residual above which the input is not a Lie algebra.
MAX_CLOSURE = 0.1
#: Number of random elements tried when looking for a generic (regular) element.
N_DRAWS = 16
#: Random triples used to estimate the Jacobi residual.
N_JACOBI_TRIPLES = 32

ISO = " ≅ "
SUM = " ⊕ "
SEMI = " ⋉ "


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Decision:
    """One rank decision: values split at a threshold into kept and dropped.

    Attributes
    ----------
    what : str
        The question, e.g. ``"dimension of the centre"``.
    kept : int
        Number of values above the threshold.
    total : int
        Number of values.
    threshold : float
        The cut, relative to the scale named in ``what``.
    gap : float
        Smallest kept value over largest dropped value (the noise level or 1
        stands in when one side is empty).
    confidence : float
        ``clip(log10(gap) / 4, 0, 1)``.
    values : tuple of float
        Up to three values either side of the cut, largest first.
    """

    what: str
    kept: int
    total: int
    threshold: float
    gap: float
    confidence: float
    values: tuple[float, ...]


@dataclass(frozen=True)
class SimpleIdeal:
    """A simple ideal of the semisimple part (of the Levi factor).

    Attributes
    ----------
    name : str
        Its name with the usual isomorphisms, e.g. ``"so(3) ≅ su(2)"``.
    short_name : str
        The name used inside a direct sum, e.g. ``"su(2)"``.
    dimension, rank : int
        Real dimension; dimension of a Cartan subalgebra.
    cartan_type : str
        Type of its complexification's simple factor: ``"A2"``, ``"B6"``,
        ``"E6"`` … or ``"?"`` when the root system matched none.
    complex_type : bool
        A complex simple algebra seen as real (its complexification is the sum
        of two copies), e.g. ``sl(2,C)``.
    compact : bool
        Killing form negative definite.
    maximal_compact_dimension : int
        Number of negative Killing eigenvalues on the ideal.
    killing_signature : tuple of int
        ``(n₊, n₋, n₀)`` of the Killing form on the ideal.
    n_roots, n_short_roots : int
        Roots of one simple component of the complexification, and how many
        are short.
    length_ratio : float
        Largest over smallest squared root length (1, 2 or 3).
    coordinates : ndarray, shape (r, dimension)
        Orthonormal basis of the ideal in the coordinates of
        :attr:`Identification.basis` (for a non-reductive algebra: of its
        image in the quotient by the radical, lifted orthogonally).
    """

    name: str
    short_name: str
    dimension: int
    rank: int
    cartan_type: str
    complex_type: bool
    compact: bool
    maximal_compact_dimension: int
    killing_signature: tuple[int, int, int]
    n_roots: int
    n_short_roots: int
    length_ratio: float
    coordinates: np.ndarray = field(repr=False, compare=False)

    def to_dict(self) -> dict:
        """Plain JSON-able data (without the coordinates)."""
        d = asdict(self)
        d.pop("coordinates")
        d["killing_signature"] = list(self.killing_signature)
        return d


@dataclass(frozen=True)
class Identification:
    """What a set of generators (or structure constants) is, and why.

    Attributes
    ----------
    name : str
        Full name with isomorphisms, e.g. ``"so(1,3) ≅ sl(2,C)"`` or
        ``"su(3) ⊕ su(2) ⊕ u(1)"``; ``"not a Lie algebra (closure residual …)"``
        when the span does not close.
    primary_name : str
        The part of ``name`` before the first ``" ≅ "``: compare this.
    is_lie_algebra : bool
    dimension : int
        Dimension of the real span (``k`` minus redundant generators).
    n_generators : int
        Number of input generators (or of structure-constant indices).
    kind : str
        ``"abelian"``, ``"nilpotent"``, ``"solvable"``, ``"semisimple"``,
        ``"reductive"`` or ``"mixed"`` (a Levi factor and a radical that is not
        central), the most specific that holds.
    is_abelian, is_nilpotent, is_solvable, is_semisimple, is_reductive : bool
    rank : int
        Dimension of a Cartan subalgebra.
    derived_dimension : int
        ``dim [g, g]``.
    derived_series : tuple of int
        Dimensions of ``g ⊃ [g,g] ⊃ [[g,g],[g,g]] ⊃ …`` until it stops.
    lower_central_series : tuple of int
        Dimensions of ``g ⊃ [g,g] ⊃ [g,[g,g]] ⊃ …`` until it stops.
    centre_dimension, radical_dimension : int
    centre_factors : tuple of str
        ``"u(1)"`` or ``"R"`` for each central direction (reductive case).
    killing_signature : tuple of int
        ``(n₊, n₋, n₀)``.
    killing_eigenvalues : tuple of float
        Eigenvalues of ``K`` (in the orthonormal basis), largest first.
    simple_ideals : tuple of SimpleIdeal
        Simple ideals of the semisimple part (of the Levi factor), largest
        first.
    levi_name : str or None
        Name of the Levi factor when there is one.
    closure_residual : float
        ``max ‖[E_a, E_b] − Σ_c C_abc E_c‖`` for unit ``E_a`` (0 for constants).
    jacobi_residual : float
        Relative Jacobi violation of ``C`` on random triples.
    noise_level : float
        ``η``, the larger of both residuals relative to the bracket scale.
    threshold : float
        ``τ`` used in every rank decision.
    confidence : float
        Smallest confidence over all decisions, in ``[0, 1]``.
    confidence_label : str
        ``"high"`` (≥ 0.5, a gap of 100 or more), ``"medium"`` (≥ 0.25) or
        ``"low"``.
    decisions : tuple of Decision
        Every rank decision with the numbers behind it.
    notes : tuple of str
        What could not be named, and other caveats, in words.
    structure_constants : ndarray, shape (r, r, r)
        ``C`` in the orthonormal basis (not rescaled).
    basis : ndarray, shape (r, n, n) or None
        The orthonormal basis ``E`` of the span (unit Frobenius norm).
    """

    name: str
    primary_name: str
    is_lie_algebra: bool
    dimension: int
    n_generators: int
    kind: str
    is_abelian: bool
    is_nilpotent: bool
    is_solvable: bool
    is_semisimple: bool
    is_reductive: bool
    rank: int
    derived_dimension: int
    derived_series: tuple[int, ...]
    lower_central_series: tuple[int, ...]
    centre_dimension: int
    radical_dimension: int
    centre_factors: tuple[str, ...]
    killing_signature: tuple[int, int, int]
    killing_eigenvalues: tuple[float, ...]
    simple_ideals: tuple[SimpleIdeal, ...]
    levi_name: str | None
    closure_residual: float
    jacobi_residual: float
    noise_level: float
    threshold: float
    confidence: float
    confidence_label: str
    decisions: tuple[Decision, ...]
    notes: tuple[str, ...]
    structure_constants: np.ndarray = field(repr=False, compare=False)
    basis: np.ndarray | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        """Plain JSON-able data: every field except the arrays."""
        d = {}
        for key in self.__dataclass_fields__:
            if key in ("structure_constants", "basis"):
                continue
            value = getattr(self, key)
            if key == "simple_ideals":
                value = [ideal.to_dict() for ideal in value]
            elif key == "decisions":
                value = [asdict(dec) for dec in value]
                for dec in value:
                    dec["values"] = list(dec["values"])
            elif isinstance(value, tuple):
                value = list(value)
            d[key] = value
        return _plain(d)

    def summary(self) -> str:
        """One line: name, dimension, kind, rank, Killing signature, confidence."""
        if not self.is_lie_algebra:
            return f"{self.name}: {self.dimension} generators"
        p, m, z = self.killing_signature
        return (
            f"{self.name}: dim {self.dimension}, {self.kind}, rank {self.rank}, "
            f"Killing ({p},{m},{z}), closure {self.closure_residual:.1e}, "
            f"confidence {self.confidence_label} ({self.confidence:.2f})"
        )


def _plain(value):
    """Convert NumPy scalars and non-finite floats into JSON-able Python values."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else None
    return value


# ------------------------------------------------------------------ rank decisions


def _decide(what: str, values, threshold: float, floor: float) -> Decision:
    """Split ``|values|`` at ``threshold``; ``floor`` stands in when none is dropped."""
    v = np.sort(np.abs(np.asarray(values, dtype=float)))[::-1]
    kept = int(np.sum(v > threshold))
    top = v[kept - 1] if kept else 1.0
    bottom = v[kept] if kept < v.size else floor
    gap = float(top / max(bottom, 1e-300))
    confidence = float(np.clip(np.log10(max(gap, 1e-300)) / 4.0, 0.0, 1.0))
    window = tuple(float(x) for x in v[max(kept - 3, 0) : kept + 3])
    return Decision(what, kept, int(v.size), float(threshold), gap, confidence, window)


def _svd_right(M: np.ndarray):
    """Singular values and all right singular vectors of ``M``, largest first.

    A tall ``M`` (many more rows than columns, as the bracket maps) goes
    through its Gram matrix ``MᵀM``: the same right singular vectors at a
    fraction of the cost, with singular values resolved down to about 1e-8 of
    the largest, well below :data:`DEFAULT_RTOL`.
    """
    rows, cols = M.shape
    if rows <= 2 * cols:
        _, s, Vt = np.linalg.svd(M, full_matrices=True)
        return s, Vt
    lam, V = np.linalg.eigh(M.T @ M)
    return np.sqrt(np.clip(lam[::-1], 0.0, None)), V[:, ::-1].T


def _null_space(M: np.ndarray, threshold: float, floor: float, what: str):
    """Right null space of ``M`` (rows are conditions): basis ``(cols, d)``."""
    cols = M.shape[1]
    if M.size == 0 or cols == 0:
        return np.eye(cols), _decide(what, np.zeros(0), threshold, floor)
    s, Vt = _svd_right(M)
    s_full = np.zeros(cols)
    s_full[: s.size] = s
    dec = _decide(what, s_full, threshold, floor)
    return Vt[dec.kept :].T, dec


def _range(M: np.ndarray, threshold: float, floor: float, what: str):
    """Row space of ``M``: orthonormal basis ``(cols, d)`` and the decision."""
    cols = M.shape[1]
    if M.size == 0 or cols == 0:
        return np.zeros((cols, 0)), _decide(what, np.zeros(0), threshold, floor)
    s, Vt = _svd_right(M)
    dec = _decide(what, s, threshold, floor)
    return Vt[: dec.kept].T, dec


# ----------------------------------------------------------------- bracket helpers


def _bracket_span(C: np.ndarray, U: np.ndarray, V: np.ndarray) -> np.ndarray:
    """All brackets ``[u_i, v_j]`` as rows, shape ``(d_U d_V, r)``."""
    T = np.tensordot(U, C, axes=(0, 0))  # (i, b, c)
    T = np.tensordot(T, V, axes=(1, 0))  # (i, c, j)
    return T.transpose(0, 2, 1).reshape(-1, C.shape[0])


def _restrict(C: np.ndarray, V: np.ndarray) -> np.ndarray:
    """Structure constants of the bracket projected onto ``span V`` (orthonormal)."""
    d = V.shape[1]
    return (_bracket_span(C, V, V) @ V).reshape(d, d, d)


def _killing(C: np.ndarray) -> np.ndarray:
    """``K_ab = tr(ad_a ad_b) = Σ_cd C_acd C_bdc``, shape ``(r, r)``."""
    r = C.shape[0]
    A = C.reshape(r, r * r)
    B = C.transpose(0, 2, 1).reshape(r, r * r)
    K = A @ B.T
    return 0.5 * (K + K.T)


def _jacobi_residual(C: np.ndarray, seed: int) -> float:
    """``max |[[x,y],z] + [[y,z],x] + [[z,x],y]|`` over random unit triples."""
    r = C.shape[0]
    if r < 3:
        return 0.0
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((3, N_JACOBI_TRIPLES, r))
    X /= np.linalg.norm(X, axis=-1, keepdims=True)

    def br(a, b):
        return np.einsum("tb,tbc->tc", b, np.tensordot(a, C, axes=(1, 0)))

    x, y, z = X
    J = br(br(x, y), z) + br(br(y, z), x) + br(br(z, x), y)
    return float(np.max(np.linalg.norm(J, axis=-1)))


# ------------------------------------------------------------------- input checks


def _as_generators(generators, hermitian: bool) -> np.ndarray:
    try:
        G = np.asarray(generators)
    except (TypeError, ValueError) as err:
        raise bad_input(
            "generators",
            "an array of shape (k, n, n)",
            type(generators),
            "Pass a NumPy array of square matrices.",
        ) from err
    if G.ndim == 2 and G.shape[0] == G.shape[1]:
        G = G[None]
    if G.ndim != 3 or G.shape[1] != G.shape[2] or G.shape[0] == 0:
        raise bad_input(
            "generators",
            "a non-empty stack of square matrices (k, n, n)",
            f"shape {G.shape}",
            "Stack the generators along the first axis.",
        )
    if not (np.issubdtype(G.dtype, np.number) and not np.issubdtype(G.dtype, np.bool_)):
        raise bad_input("generators", "real or complex numbers", f"dtype {G.dtype}")
    if not np.all(np.isfinite(G)):
        raise bad_input(
            "generators",
            "finite values",
            "NaN or infinity",
            "Check the training run that produced them.",
        )
    G = G.astype(complex if np.iscomplexobj(G) else float)
    return 1j * G if hermitian else G


def _as_constants(structure_constants) -> np.ndarray:
    C = np.asarray(structure_constants)
    if C.ndim != 3 or len(set(C.shape)) != 1 or C.shape[0] == 0:
        raise bad_input(
            "structure_constants",
            "an array of shape (k, k, k)",
            f"shape {C.shape}",
            "C[a, b, c] is the coefficient of e_c in [e_a, e_b].",
        )
    if np.iscomplexobj(C):
        if np.max(np.abs(C.imag)) > 1e-12 * max(np.max(np.abs(C.real)), 1.0):
            raise bad_input(
                "structure_constants",
                "real numbers (a real Lie algebra)",
                "complex values",
                "For [J_a, J_b] = i f_abc J_c pass f "
                "with hermitian generators, or pass iJ as generators.",
            )
        C = C.real
    if not np.all(np.isfinite(C)):
        raise bad_input("structure_constants", "finite values", "NaN or infinity")
    return C.astype(float)


def _span_basis(G: np.ndarray, rtol: float | None):
    """Orthonormal basis of ``span_R G`` (unit Frobenius norm) and the rank decision.

    The rank is cut at the largest gap between consecutive singular values
    when that gap is at least 100 and falls below 1% of the largest one;
    otherwise every direction above ``rtol`` (default 1e-12) is kept.
    """
    V = linalg.realify(G)
    _, s, Vt = np.linalg.svd(V, full_matrices=False)
    s_rel = s / s[0] if s[0] > 0 else s
    floor = max(rtol or 0.0, 1e-12)
    candidates = int(np.sum(s_rel > floor))
    cut = candidates
    if candidates > 1:
        ratios = s_rel[: candidates - 1] / s_rel[1:candidates]
        i = int(np.argmax(ratios))
        if ratios[i] >= 100.0 and s_rel[i + 1] <= 1e-2:
            cut = i + 1
    threshold = math.sqrt(s_rel[cut - 1] * (s_rel[cut] if cut < s.size else floor))
    dec = _decide(
        "dimension of the span (singular values of the generators / largest)",
        s_rel,
        threshold,
        floor,
    )
    n2 = G.shape[1] * G.shape[2]
    B = Vt[:cut]
    if np.iscomplexobj(G):
        B = B[:, :n2] + 1j * B[:, n2:]
    return B.reshape(cut, *G.shape[1:]), dec


# ------------------------------------------------------------------------- names


def _so(p: int, q: int) -> str:
    return f"so({p})" if q == 0 else f"so({p},{q})"


def _real_forms(letter: str, ell: int) -> list[tuple[int, list[str]]]:
    """Real forms of a complex simple type: ``(dim of maximal compact, names)``."""
    forms: list[tuple[int, list[str]]] = []
    if letter == "A":
        n = ell + 1
        forms.append((n * n - 1, [f"su({n})"]))
        for q in range(1, n // 2 + 1):
            p = n - q
            forms.append((p * p + q * q - 1, [f"su({p},{q})"]))
        forms.append((n * (n - 1) // 2, [f"sl({n},R)"]))
        if n % 2 == 0 and n >= 4:
            m = n // 2
            forms.append((m * (2 * m + 1), [f"sl({m},H)", f"su*({n})"]))
    elif letter in "BD":
        N = 2 * ell + 1 if letter == "B" else 2 * ell
        for q in range(0, N // 2 + 1):
            p = N - q
            forms.append((p * (p - 1) // 2 + q * (q - 1) // 2, [_so(p, q)]))
        if letter == "D":
            forms.append((ell * ell, [f"so*({N})"]))
    elif letter == "C":
        forms.append((ell * (2 * ell + 1), [f"usp({2 * ell})"]))
        forms.append((ell * ell, [f"sp({2 * ell},R)"]))
        for q in range(1, ell // 2 + 1):
            p = ell - q
            forms.append((p * (2 * p + 1) + q * (2 * q + 1), [f"sp({p},{q})"]))
    return forms


_EXCEPTIONAL = {  # type: (dimension, characters of the non-compact real forms)
    "G2": (14, (2,)),
    "F4": (52, (4, -20)),
    "E6": (78, (6, 2, -14, -26)),
    "E7": (133, (7, -5, -25)),
    "E8": (248, (8, -24)),
}

# Isomorphisms between low-dimensional simple algebras, keyed by (type, dim k).
_COINCIDENCES = {
    ("A1", 3): ["so(3)", "su(2)"],
    ("A1", 1): ["so(2,1)", "sl(2,R)", "su(1,1)"],
    ("B2", 10): ["so(5)", "usp(4)"],
    ("B2", 6): ["so(4,1)", "sp(1,1)"],
    ("B2", 4): ["so(3,2)", "sp(4,R)"],
    ("A3", 15): ["so(6)", "su(4)"],
    ("A3", 9): ["su(3,1)", "so*(6)"],
    ("A3", 7): ["so(4,2)", "su(2,2)"],
    ("A3", 6): ["sl(4,R)", "so(3,3)"],
    ("A3", 10): ["so(5,1)", "sl(2,H)", "su*(4)"],
    ("D4", 16): ["so(6,2)", "so*(8)"],
}
_SHORT = {("A1", 3): "su(2)", ("A1", 1): "sl(2,R)", ("A3", 15): "su(4)"}

_COMPLEX = {
    "A1": ["so(1,3)", "sl(2,C)"],
    "B2": ["so(5,C)", "sp(4,C)"],
    "A3": ["sl(4,C)", "so(6,C)"],
}


def _complex_names(cartan_type: str) -> list[str]:
    if cartan_type in _COMPLEX:
        return _COMPLEX[cartan_type]
    letter, ell = cartan_type[0], int(cartan_type[1:])
    if letter == "A":
        return [f"sl({ell + 1},C)"]
    if letter == "B":
        return [f"so({2 * ell + 1},C)"]
    if letter == "C":
        return [f"sp({2 * ell},C)"]
    if letter == "D":
        return [f"so({2 * ell},C)"]
    return [f"{cartan_type.lower()}(C)"]


def _real_form_names(cartan_type: str, compact_dim: int) -> list[str]:
    """Names of the real form of ``cartan_type`` with the given compact dimension."""
    if (cartan_type, compact_dim) in _COINCIDENCES:
        return _COINCIDENCES[(cartan_type, compact_dim)]
    if cartan_type in _EXCEPTIONAL:
        dim, characters = _EXCEPTIONAL[cartan_type]
        low = cartan_type.lower()
        if compact_dim == dim:
            return [low]
        character = dim - 2 * compact_dim
        return [f"{low}({character})"] if character in characters else []
    letter, ell = cartan_type[0], int(cartan_type[1:])
    forms = [names for k_dim, names in _real_forms(letter, ell) if k_dim == compact_dim]
    if len(forms) > 1:
        # Rare: two non-isomorphic real forms with equally large compact
        # subalgebras (su(9,5) and su*(14); so(12,6) and so*(18)).
        return [" or ".join(names[0] for names in forms)]
    return forms[0] if forms else []


def _classify_roots(n_roots: int, ell: int, n_short: int, ratio: float) -> str:
    """Cartan type from rank, number of roots, short roots and length ratio."""
    if ratio < 1.5:
        if n_roots == ell * (ell + 1):
            return f"A{ell}"
        if ell >= 4 and n_roots == 2 * ell * (ell - 1):
            return f"D{ell}"
        if (ell, n_roots) in ((6, 72), (7, 126), (8, 240)):
            return f"E{ell}"
    elif ratio < 2.5:
        if ell >= 2 and n_short == 2 * ell and n_roots == 2 * ell * ell:
            return f"B{ell}"
        if ell >= 3 and n_short == 2 * ell * (ell - 1) and n_roots == 2 * ell * ell:
            return f"C{ell}"
        if ell == 4 and n_roots == 48 and n_short == 24:
            return "F4"
    elif ratio < 3.5 and ell == 2 and n_roots == 12:
        return "G2"
    return "?"


# --------------------------------------------------------------- semisimple part


def _generic_element(C: np.ndarray, threshold: float, floor: float, seed: int):
    """Random elements ``x``; the rank is the smallest nullity of ``ad_x`` seen.

    Returns the most regular draw (largest smallest non-zero singular value),
    its Cartan subalgebra ``h`` (orthonormal, ``(m, ℓ)``) and the decision.
    """
    m = C.shape[0]
    A = C.transpose(0, 2, 1)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(N_DRAWS):
        x = rng.standard_normal(m)
        X = np.tensordot(x, A, axes=1)
        _, s, Vt = np.linalg.svd(X)
        s_rel = s / s[0]
        draws.append((int(np.sum(s_rel <= threshold)), s_rel, X, Vt))
    ell = min(d[0] for d in draws)
    best = max((d for d in draws if d[0] == ell), key=lambda d: d[1][m - ell - 1])
    _, s_rel, X, Vt = best
    dec = _decide(
        "rank: nullity of ad_x for a generic x (singular values / largest)",
        s_rel,
        threshold,
        floor,
    )
    return X, Vt[m - ell :].T, dec


def _roots(C: np.ndarray, K: np.ndarray, X: np.ndarray, H: np.ndarray):
    """Root vectors (columns of a complex ``(m, N)``) and roots ``(N, ℓ)`` on ``H``."""
    m, ell = H.shape
    w, vecs = np.linalg.eig(X)
    order = np.argsort(np.abs(w))
    root_idx = order[ell:]
    Evec = vecs[:, root_idx]
    A = C.transpose(0, 2, 1)
    AH = np.einsum("aj,acb->jcb", H, A)  # ad of each Cartan basis element
    num = np.einsum("cn,jcb,bn->nj", Evec.conj(), AH, Evec)
    roots = num / np.sum(np.abs(Evec) ** 2, axis=0)[:, None]
    return Evec, roots


def _simple_ideals(C: np.ndarray, threshold: float, floor: float, seed: int):
    """Split a semisimple algebra into simple ideals and name each one.

    Returns
    -------
    ideals : list of SimpleIdeal
    rank : int
    decisions : list of Decision
    notes : list of str
    """
    m = C.shape[0]
    K = _killing(C)
    X, H, dec_rank = _generic_element(C, threshold, floor, seed)
    decisions, notes = [dec_rank], []
    ell = H.shape[1]
    Evec, roots = _roots(C, K, X, H)
    KH = H.T @ K @ H
    KH_inv = np.linalg.inv(KH)
    gram = (roots @ KH_inv @ roots.T).real  # (α, β), real up to noise
    lengths = np.abs(np.diag(gram))

    # Roots of different simple ideals are orthogonal; within one they are not
    # all orthogonal (|2(α,β)/(β,β)| ≥ 1 when non-zero).
    small = np.minimum.outer(lengths, lengths)
    adjacency = np.abs(gram) > 0.25 * small
    n_comp, label = connected_components(adjacency, directed=False)
    cartan_int = 2 * gram / lengths[None, :]
    deviation = (
        float(np.max(np.abs(cartan_int - np.round(cartan_int)))) if m > ell else 0.0
    )
    decisions.append(
        Decision(
            "Cartan integers 2(α,β)/(β,β): largest distance to an integer",
            n_comp,
            len(lengths),
            0.5,
            0.5 / max(deviation, 1e-300),
            float(np.clip(np.log10(0.5 / max(deviation, 1e-300)) / 4, 0, 1)),
            (deviation,),
        )
    )

    # Complex conjugation maps roots to roots: a component paired with another
    # one marks an ideal that is a complex algebra seen as real.
    conj_partner = np.empty(n_comp, dtype=int)
    for c in range(n_comp):
        i = int(np.flatnonzero(label == c)[0])
        j = int(np.argmin(np.linalg.norm(roots - roots[i].conj(), axis=1)))
        conj_partner[c] = label[j]

    coroots = H @ (KH_inv @ roots.T)  # t_α with K(t_α, h) = α(h), shape (m, N)
    ideals, seen = [], set()
    for c in range(n_comp):
        if c in seen:
            continue
        orbit = sorted({c, int(conj_partner[c])})
        seen.update(orbit)
        ideal, dec = _one_ideal(
            C, K, label, orbit, roots, Evec, coroots, gram, threshold, floor
        )
        decisions.append(dec)
        ideals.append(ideal)
        if " or " in ideal.name:
            notes.append(
                f"the real form {ideal.name} is not decided by the Killing signature"
            )
        if ideal.cartan_type == "?" or not ideal.name:
            notes.append(
                f"a simple ideal of dimension {ideal.dimension} and rank "
                f"{ideal.rank} matched no root system or real form"
            )
    total_rank = sum(i.rank for i in ideals)
    if total_rank != ell:
        notes.append(f"ranks of the ideals add to {total_rank}, not {ell}")
    ideals.sort(key=lambda i: (-i.dimension, i.name))
    return ideals, ell, decisions, notes


def _one_ideal(C, K, label, orbit, roots, Evec, coroots, gram, threshold, floor):
    """Real basis, type and real form of the simple ideal of components ``orbit``."""
    members = np.flatnonzero(np.isin(label, orbit))
    first = np.flatnonzero(label == orbit[0])
    n_roots = first.size
    R = roots[first]
    s_r = np.linalg.svd(R, compute_uv=False)
    ell_c = int(np.sum(s_r > 1e-3 * s_r[0])) if s_r.size else 0
    lengths = np.abs(np.diag(gram)[first])
    ratio = float(lengths.max() / lengths.min())
    n_short = int(np.sum(lengths < 0.75 * lengths.max())) if ratio > 1.5 else 0
    cartan_type = _classify_roots(n_roots, ell_c, n_short, ratio)

    dim = len(orbit) * (n_roots + ell_c)
    M = np.concatenate([Evec[:, members], coroots[:, members]], axis=1)
    M = M / np.linalg.norm(M, axis=0)
    U, s, _ = np.linalg.svd(
        np.concatenate([M.real, M.imag], axis=1), full_matrices=False
    )
    s_rel = s / s[0]
    dec = _decide(
        f"dimension of a simple ideal (expected {dim}; singular values of "
        "its root vectors and coroots)",
        s_rel[: dim + 3] if s_rel.size > dim else s_rel,
        math.sqrt(s_rel[dim - 1] * (s_rel[dim] if s_rel.size > dim else floor)),
        floor,
    )
    Q = U[:, :dim]
    eig = np.linalg.eigvalsh(Q.T @ K @ Q)
    scale = np.max(np.abs(eig))
    signature = (
        int(np.sum(eig > threshold * scale)),
        int(np.sum(eig < -threshold * scale)),
        int(np.sum(np.abs(eig) <= threshold * scale)),
    )
    complex_type = len(orbit) == 2
    compact_dim = signature[1]
    rank = len(orbit) * ell_c
    if cartan_type == "?":
        names = []
    elif complex_type:
        names = _complex_names(cartan_type)
    else:
        names = _real_form_names(cartan_type, compact_dim)
    if complex_type:
        short = names[-1] if cartan_type == "A1" else (names[0] if names else "")
    else:
        short = _SHORT.get((cartan_type, compact_dim), names[0] if names else "")
    if not names:
        short = f"simple(dim {dim}, type {cartan_type})"
    ideal = SimpleIdeal(
        name=ISO.join(names) if names else short,
        short_name=short,
        dimension=dim,
        rank=rank,
        cartan_type=cartan_type,
        complex_type=complex_type,
        compact=signature[1] == dim,
        maximal_compact_dimension=compact_dim,
        killing_signature=signature,
        n_roots=n_roots,
        n_short_roots=n_short,
        length_ratio=ratio,
        coordinates=Q,
    )
    return ideal, dec


# ------------------------------------------------------------------- the algebra


def _centre_factors(Z: np.ndarray, basis: np.ndarray | None, threshold: float):
    """``"u(1)"`` for each rotation-like central direction, ``"R"`` for the others."""
    c = Z.shape[1]
    if c == 0:
        return []
    if basis is None:
        return ["u(1)"] * c
    mats = np.tensordot(Z.T, basis, axes=1)  # (c, n, n)
    T = np.einsum("aij,bji->ab", mats, mats).real
    eig = np.linalg.eigvalsh(0.5 * (T + T.T))
    scale = max(np.max(np.abs(eig)), 1e-300)
    n_u1 = int(np.sum(eig < -threshold * scale))
    return ["u(1)"] * n_u1 + ["R"] * (c - n_u1)


def _power(name: str, count: int) -> str:
    return name if count == 1 else f"{name}^{count}"


def _abelian_name(factors: list[str]) -> str:
    parts = []
    for f in ("u(1)", "R"):
        count = factors.count(f)
        if count:
            parts.append(_power(f, count))
    return SUM.join(parts) if parts else "0"


def _semisimple_name(ideals: list[SimpleIdeal]) -> str:
    if len(ideals) == 1:
        return ideals[0].name
    short = SUM.join(i.short_name for i in ideals)
    key = sorted(
        (i.cartan_type, i.maximal_compact_dimension, i.complex_type) for i in ideals
    )
    if key == [("A1", 3, False)] * 2:
        return "so(4)" + ISO + short
    if key == [("A1", 1, False)] * 2:
        return "so(2,2)" + ISO + short
    return short


def _reductive_name(ideals: list[SimpleIdeal], factors: list[str]) -> str:
    if not ideals:
        return _abelian_name(factors)
    if not factors:
        return _semisimple_name(ideals)
    if len(ideals) == 1 and len(factors) == 1:
        ideal = ideals[0]
        letter = ideal.cartan_type[0]
        n = ideal.rank + 1
        if letter == "A" and not ideal.complex_type and factors == ["u(1)"]:
            if ideal.compact:
                return f"u({n})" + ISO + f"su({n})" + SUM + "u(1)"
            for form in ideal.name.split(ISO):
                if form.startswith("su(") and "," in form:
                    return "u" + form[2:] + ISO + form + SUM + "u(1)"
        if (
            letter == "A"
            and factors == ["R"]
            and ideal.maximal_compact_dimension == (n * (n - 1) // 2)
            and not ideal.complex_type
        ):
            return f"gl({n},R)" + ISO + f"sl({n},R)" + SUM + "R"
    return SUM.join([i.short_name for i in ideals] + [_abelian_name(factors)])


def _solvable_name(dim, derived, lower, centre_dim, notes):
    if derived[1] == 0:
        return None
    if dim == 2:
        return "aff(1)"
    if lower[-1] == 0:
        if lower[1] == 1 and centre_dim == 1 and dim % 2 == 1:
            return f"heisenberg({dim})"
        notes.append(
            f"nilpotent of dimension {dim}, lower central series {lower}; "
            "not named further"
        )
        return f"nilpotent(dim {dim})"
    notes.append(
        f"solvable of dimension {dim}, derived series {derived}; not named further"
    )
    return f"solvable(dim {dim}, derived dim {derived[1]})"


def _series(C, start, threshold, floor, lower: bool, decisions):
    """Dimensions of the derived (``lower=False``) or lower central series."""
    r = C.shape[0]
    dims = [start.shape[1]]
    U = start
    full = np.eye(r)
    while 0 < U.shape[1] < r and len(dims) <= r + 1:
        what = "lower central series step" if lower else "derived series step"
        U_next, dec = _range(
            _bracket_span(C, full if lower else U, U), threshold, floor, what
        )
        decisions.append(dec)
        dims.append(U_next.shape[1])
        if dims[-1] == dims[-2]:
            break
        U = U_next
    return tuple(dims)


def identify(
    generators=None,
    *,
    structure_constants=None,
    rtol: float | None = None,
    hermitian: bool = False,
    seed: int = 0,
    max_closure: float = MAX_CLOSURE,
) -> Identification:
    """Name the real Lie algebra spanned by ``generators`` (or given by constants).

    Parameters
    ----------
    generators : array_like, shape (k, n, n), optional
        Real or complex matrices; their real span is the algebra and the
        bracket is ``[A, B] = AB − BA``.
    structure_constants : array_like, shape (k, k, k), optional
        ``[e_a, e_b] = Σ_c C_abc e_c``, instead of generators.
    rtol : float, optional
        Smallest relative threshold of the rank decisions; the threshold is
        ``max(rtol, NOISE_FACTOR · η)`` with ``η`` the input's noise level.
    hermitian : bool
        The generators are Hermitian ``J`` acting as ``x ↦ (I + iεJ)x``; the
        algebra is the real span of ``iJ``.
    seed : int
        Seed of the random elements used to find a Cartan subalgebra and to
        estimate the Jacobi residual; the name does not depend on it.
    max_closure : float
        Relative closure (or Jacobi) residual above which the input is
        reported as not a Lie algebra.

    Returns
    -------
    Identification
    """
    if (generators is None) == (structure_constants is None):
        raise bad_input(
            "generators / structure_constants",
            "exactly one of them",
            "both" if generators is not None else "neither",
            "Pass matrices (k, n, n) or structure constants (k, k, k).",
        )
    if rtol is not None and not (0 <= rtol < 1):
        raise bad_input("rtol", "a number in [0, 1)", rtol)
    decisions: list[Decision] = []
    notes: list[str] = []
    basis = None
    if generators is not None:
        G = _as_generators(generators, hermitian)
        k = G.shape[0]
        basis, dec = _span_basis(G, rtol)
        decisions.append(dec)
        if basis.shape[0] == 0:
            raise bad_input("generators", "at least one non-zero matrix", "all zero")
        C, closure = linalg.structure_constants(basis)
    else:
        C = _as_constants(structure_constants)
        k = C.shape[0]
        antisym = C + C.transpose(1, 0, 2)
        scale0 = max(np.max(np.abs(C)), 1e-300)
        closure = float(np.max(np.abs(antisym)) / scale0) if np.any(C) else 0.0
        C = 0.5 * (C - C.transpose(1, 0, 2))
    r = C.shape[0]
    bracket_norms = np.linalg.norm(C, axis=2)
    c_max = float(bracket_norms.max())

    # Abelian up to noise: brackets no larger than the closure residual.
    abelian_threshold = max(rtol or DEFAULT_RTOL, NOISE_FACTOR * closure)
    dec_ab = _decide(
        "abelian: largest bracket of two unit generators",
        [c_max] if generators is not None else [float(c_max > 0)],
        abelian_threshold,
        max(closure, 1e-16),
    )
    if dec_ab.kept == 0:
        scale, Cn, jacobi = 1.0, np.zeros_like(C), 0.0
        noise = max(closure, 1e-15)
    else:
        scale = c_max
        Cn = C / scale
        jacobi = _jacobi_residual(Cn, seed)
        noise = max(closure / scale if generators is not None else closure, jacobi)
        noise = max(noise, 1e-15)
    threshold = max(
        rtol or DEFAULT_RTOL, min(NOISE_FACTOR * noise, math.sqrt(noise) / 3)
    )
    lie = closure <= max_closure and jacobi <= max_closure
    if not lie:
        what = "closure" if closure > max_closure else "Jacobi"
        value = closure if closure > max_closure else jacobi
        name = f"not a Lie algebra ({what} residual {value:.2g})"
        return _record(
            name=name,
            lie=False,
            max_closure=max_closure,
            r=r,
            k=k,
            C=C,
            basis=basis,
            closure=closure,
            jacobi=jacobi,
            noise=noise,
            threshold=threshold,
            decisions=decisions,
            notes=notes,
        )
    decisions.append(dec_ab)
    record = _analyse(
        Cn, C, basis, k, closure, jacobi, noise, threshold, seed, decisions, notes
    )
    eig = tuple(float(x) * scale**2 for x in record.killing_eigenvalues)
    return replace(record, killing_eigenvalues=eig)


def _analyse(
    Cn, C, basis, k, closure, jacobi, noise, threshold, seed, decisions, notes
):
    """Everything after the input checks, on normalised structure constants ``Cn``."""
    r = Cn.shape[0]
    floor = noise
    K = _killing(Cn)
    k_eig = np.sort(np.linalg.eigvalsh(K))[::-1]
    # Scale of K: the largest ‖ad_a‖_F², which bounds |K| and does not vanish
    # with K (a nilpotent algebra has K = 0 but brackets of size 1).
    k_scale = float(np.max(np.sum(Cn**2, axis=(1, 2))))
    if k_scale == 0:
        k_scale = 1.0
    dec_k = _decide(
        "non-zero Killing eigenvalues (/ max ‖ad_a‖²)",
        k_eig / k_scale,
        threshold,
        floor,
    )
    decisions.append(dec_k)
    zero_k = np.abs(k_eig) <= threshold * k_scale
    signature = (
        int(np.sum((k_eig > 0) & ~zero_k)),
        int(np.sum((k_eig < 0) & ~zero_k)),
        int(np.sum(zero_k)),
    )

    # Centre: x with [x, y] = 0 for all y; derived algebra: span of all brackets.
    Z, dec_z = _null_space(
        Cn.reshape(r, r * r).T, threshold, floor, "centre: singular values of x ↦ ad_x"
    )
    D, dec_d = _range(
        Cn.reshape(r * r, r),
        threshold,
        floor,
        "derived algebra: singular values of the bracket map",
    )
    decisions += [dec_z, dec_d]
    # Radical = Killing-orthogonal complement of the derived algebra.
    if D.shape[1] == 0:
        Rad = np.eye(r)
    else:
        Rad, dec_r = _null_space(
            D.T @ K / k_scale,
            threshold,
            floor,
            "radical: singular values of x ↦ K(x, [g,g])",
        )
        decisions.append(dec_r)
    derived = _series(Cn, D, threshold, floor, False, decisions)
    derived = (r,) + derived
    lower = (r,) + _series(Cn, D, threshold, floor, True, decisions)
    centre_dim, rad_dim, derived_dim = Z.shape[1], Rad.shape[1], D.shape[1]

    is_abelian = derived_dim == 0
    is_nilpotent = lower[-1] == 0
    is_solvable = derived[-1] == 0
    is_semisimple = rad_dim == 0
    is_reductive = rad_dim == centre_dim
    if is_abelian:
        kind = "abelian"
    elif is_nilpotent:
        kind = "nilpotent"
    elif is_solvable:
        kind = "solvable"
    elif is_semisimple:
        kind = "semisimple"
    elif is_reductive:
        kind = "reductive"
    else:
        kind = "mixed"

    # Semisimple part: [g, g] when reductive, else the quotient by the radical.
    ideals: list[SimpleIdeal] = []
    ss_rank = 0
    S = None
    if not is_solvable:
        if is_reductive:
            S = D
        else:
            S = np.linalg.svd(Rad.T, full_matrices=True)[2][rad_dim:].T
        ideals, ss_rank, decs, more = _simple_ideals(
            _restrict(Cn, S), threshold, floor, seed
        )
        decisions += decs
        notes += more
        ideals = [_lift(i, S) for i in ideals]

    factors = _centre_factors(Z, basis, threshold) if is_reductive else []
    levi_name = _semisimple_name(ideals) if ideals else None
    if is_reductive:
        name = _reductive_name(ideals, factors)
        rank = ss_rank + centre_dim
    elif is_solvable:
        name = _solvable_name(r, derived, lower, centre_dim, notes)
        rank = _generic_nullity(Cn, threshold, seed) if not is_nilpotent else r
    else:
        rad_C = _restrict(Cn, Rad)
        rad_abelian = np.max(np.abs(rad_C)) <= threshold if rad_C.size else True
        rad_name = _power("R", rad_dim) if rad_abelian else f"radical(dim {rad_dim})"
        if not rad_abelian:
            notes.append(
                f"the radical (dimension {rad_dim}) is not abelian and is "
                "not named further"
            )
        if len(ideals) == 1:
            levi_short = ideals[0].name.split(ISO)[0]
        else:
            levi_short = "(" + SUM.join(i.short_name for i in ideals) + ")"
        name = levi_short + SEMI + rad_name
        rank = _generic_nullity(Cn, threshold, seed)
        notes.append(
            "Levi decomposition: the semisimple part was identified on the "
            "quotient by the radical"
        )
    rank = int(rank)
    return _record(
        name=name,
        lie=True,
        r=r,
        k=k,
        C=C,
        basis=basis,
        closure=closure,
        jacobi=jacobi,
        noise=noise,
        threshold=threshold,
        decisions=decisions,
        notes=notes,
        kind=kind,
        flags=(is_abelian, is_nilpotent, is_solvable, is_semisimple, is_reductive),
        rank=rank,
        derived=derived,
        lower=lower,
        centre_dim=centre_dim,
        rad_dim=rad_dim,
        factors=factors,
        signature=signature,
        k_eig=k_eig,
        ideals=ideals,
        levi_name=levi_name,
    )


def _generic_nullity(Cn, threshold, seed) -> int:
    """Generalised nullity of ``ad_x``, random ``x``: dimension of a Cartan subalgebra.

    Eigenvalues of a nilpotent block move by ``η^(1/size)`` under noise, so the
    count uses the square root of the threshold; it is approximate for noisy
    non-reductive input.
    """
    r = Cn.shape[0]
    rng = np.random.default_rng(seed + 1)
    x = rng.standard_normal(r)
    w = np.linalg.eigvals(np.tensordot(x, Cn.transpose(0, 2, 1), axes=1))
    scale = max(np.max(np.abs(w)), 1e-300)
    return int(np.sum(np.abs(w) <= math.sqrt(threshold) * scale)) if np.any(w) else r


def _lift(ideal: SimpleIdeal, S: np.ndarray) -> SimpleIdeal:
    return replace(ideal, coordinates=S @ ideal.coordinates)


def _record(
    *,
    name,
    lie,
    max_closure=MAX_CLOSURE,
    r,
    k,
    C,
    basis,
    closure,
    jacobi,
    noise,
    threshold,
    decisions,
    notes,
    kind="none",
    flags=(False,) * 5,
    rank=0,
    derived=(),
    lower=(),
    centre_dim=0,
    rad_dim=0,
    factors=(),
    signature=(0, 0, 0),
    k_eig=(),
    ideals=(),
    levi_name=None,
) -> Identification:
    confidence = min((d.confidence for d in decisions), default=1.0)
    if not lie:
        # How far the residual lies above the limit: ten times is certain.
        ratio = max(closure, jacobi) / max_closure
        confidence = float(np.clip(np.log10(max(ratio, 1e-300)), 0.0, 1.0))
    label = "high" if confidence >= 0.5 else "medium" if confidence >= 0.25 else "low"
    logger.info("identified %s (confidence %s)", name, label)
    return Identification(
        name=name,
        primary_name=name.split(ISO)[0],
        is_lie_algebra=lie,
        dimension=int(r),
        n_generators=int(k),
        kind=kind,
        is_abelian=flags[0],
        is_nilpotent=flags[1],
        is_solvable=flags[2],
        is_semisimple=flags[3],
        is_reductive=flags[4],
        rank=int(rank),
        derived_dimension=int(derived[1]) if len(derived) > 1 else 0,
        derived_series=tuple(int(d) for d in derived),
        lower_central_series=tuple(int(d) for d in lower),
        centre_dimension=int(centre_dim),
        radical_dimension=int(rad_dim),
        centre_factors=tuple(factors),
        killing_signature=tuple(int(s) for s in signature),
        killing_eigenvalues=tuple(float(x) for x in k_eig),
        simple_ideals=tuple(ideals),
        levi_name=levi_name,
        closure_residual=float(closure),
        jacobi_residual=float(jacobi),
        noise_level=float(noise),
        threshold=float(threshold),
        confidence=float(confidence),
        confidence_label=label,
        decisions=tuple(decisions),
        notes=tuple(notes),
        structure_constants=C,
        basis=basis,
    )
