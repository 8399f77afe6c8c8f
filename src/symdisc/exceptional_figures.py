"""Figures of the exceptional algebras: the g2 generators, and e6 outside f4.

e6(-26) = f4 ⊕ p, where p (26 dimensions) is the orthogonal complement of f4
in e6 under the Frobenius product: the symmetric generators, Jordan
multiplication by a traceless element of J3(O). The functions here take
generator stacks (learned or exact) and return arrays or
:class:`matplotlib.figure.Figure` objects; nothing trains.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
from matplotlib.figure import Figure

from symdisc.algebra.linalg import (
    CANONICAL_NORM_SQ,
    as_stack,
    orthonormal_basis,
    projection_residual,
    realify,
    span_distance,
)
from symdisc.errors import bad_input
from symdisc.plots import generator_heatmaps


def complement_basis(
    algebra: np.ndarray, subalgebra: np.ndarray, rtol: float = 1e-6
) -> np.ndarray:
    """Orthonormal basis of the complement of ``span(subalgebra)`` in ``span(algebra)``.

    Parameters
    ----------
    algebra : ndarray, shape (k, n, n)
    subalgebra : ndarray, shape (h, n, n)
        Should lie in the span of ``algebra`` (see :func:`containment`).
    rtol : float
        Directions of ``(I − P_sub) algebra`` with singular value below
        ``rtol`` times the largest are dropped.

    Returns
    -------
    ndarray, shape (k − h, n, n)
        ``(I − P_sub) span(algebra)``, each element of squared norm 2.
    """
    residual = projection_residual(as_stack(algebra), as_stack(subalgebra))
    return orthonormal_basis(residual, rtol=rtol)


def containment(subalgebra: np.ndarray, algebra: np.ndarray) -> float:
    """Return how far ``subalgebra`` leaves ``span(algebra)`` (span distance)."""
    return span_distance(as_stack(subalgebra), as_stack(algebra))


def echelon_basis(generators: np.ndarray, rtol: float = 1e-8) -> np.ndarray:
    """Return a basis of the same span in reduced echelon form (norm² 2 each).

    Columns (matrix entries) are chosen by QR with column pivoting on the
    stacked generators ``V`` (shape ``(k, N)``); ``E = B⁻¹ V`` with ``B`` the
    pivot columns has the identity there, which in coordinates adapted to the
    algebra (octonion units, Jordan blocks) leaves few non-zero entries per
    generator. The result is not orthogonal; it is for reading, not for
    training.

    Returns
    -------
    ndarray, shape (r, n, n)
        ``r`` the numerical rank; entries below ``rtol`` times the largest are
        set to zero.
    """
    G = as_stack(generators)
    V = realify(G)
    _, R, pivots = scipy.linalg.qr(V, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    rank = (
        int(np.sum(diag > rtol * max(diag[0], np.finfo(float).tiny)))
        if diag.size
        else 0
    )
    # the span's own orthonormal rows first, then the echelon form in them
    _, _, Vt = np.linalg.svd(V, full_matrices=False)
    rows = Vt[:rank]
    E = np.linalg.solve(rows[:, pivots[:rank]], rows)
    E[np.abs(E) < rtol * np.max(np.abs(E))] = 0.0
    E *= np.sqrt(CANONICAL_NORM_SQ) / np.linalg.norm(E, axis=1, keepdims=True)
    n2 = G.shape[1] * G.shape[2]
    if np.iscomplexobj(G):
        E = E[:, :n2] + 1j * E[:, n2:]
    return E.reshape(rank, *G.shape[1:])


def g2_figure(generators: np.ndarray, echelon: bool = True) -> Figure:
    """Heat maps of the 14 generators of g2 on the imaginary octonions R^7.

    Parameters
    ----------
    generators : ndarray, shape (14, 7, 7)
    echelon : bool
        Show the reduced echelon basis of the span (few entries each) rather
        than the generators as given.
    """
    G = as_stack(generators)
    if G.shape[1:] != (7, 7):
        raise bad_input(
            "generators", "a stack of 7 × 7 matrices (g2 on Im O)", f"shape {G.shape}"
        )
    shown = echelon_basis(G) if echelon else G
    kind = "reduced echelon basis of the learned span" if echelon else "as learned"
    return generator_heatmaps(shown, title=f"g2: {len(shown)} generators ({kind})")


def e6_outside_f4_figure(
    e6_generators: np.ndarray, f4_generators: np.ndarray, echelon: bool = True
) -> Figure:
    """Heat maps of the generators of e6 orthogonal to f4 (26 for J3(O)).

    Parameters
    ----------
    e6_generators : ndarray, shape (78, 27, 27)
    f4_generators : ndarray, shape (52, 27, 27)
    echelon : bool
        Show the reduced echelon basis of the complement.
    """
    P = complement_basis(e6_generators, f4_generators)
    shown = echelon_basis(P) if echelon else P
    symmetric = float(np.max(np.abs(shown - np.swapaxes(shown, 1, 2))))
    title = (
        f"e6 ⊖ f4: {len(shown)} generators (largest antisymmetric part {symmetric:.1e})"
    )
    return generator_heatmaps(shown, title=title)
