"""Null spaces with a gap rule: how many singular values are zero.

Used by the exact solver: the symmetry algebra is the null space of a
constraint matrix ``M`` (rows: points × labels, columns: matrix entries).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Relative singular values are floored here, below float64 round-off.
_FLOOR = 1e-2 * np.finfo(float).eps


@dataclass(frozen=True)
class GapDecision:
    """Outcome of the gap rule on singular values ``s`` (descending).

    Attributes
    ----------
    nullity : int
        Number of singular values judged zero.
    gap : float
        Ratio ``s_i / s_{i+1}`` across the chosen cut (``inf`` when the cut
        is at an exact zero; ``nan`` when there is no cut).
    threshold : float
        Relative size below which a singular value may count as zero.
    near : list of float
        Relative singular values on both sides of the cut.
    decisive : bool
        Whether the gap is wide enough to trust (ratio ≥ ``min_gap``).
    """

    nullity: int
    gap: float
    threshold: float
    near: list
    decisive: bool


def decide_nullity(
    s: np.ndarray, n_columns: int, rtol: float = 1e-8, min_gap: float = 1e3
) -> GapDecision:
    """Count the zero singular values of a matrix with ``n_columns`` columns.

    The cut goes at the largest ratio ``s_i / s_{i+1}`` among the singular
    values below ``rtol`` relative to the largest; missing singular values
    (fewer rows than columns) are exact zeros.

    Parameters
    ----------
    s : ndarray, shape (r,)
        Singular values in descending order.
    n_columns : int
        Number of unknowns.
    rtol : float
        Singular values above ``rtol * s[0]`` are never counted as zero.
    min_gap : float
        Smallest ratio across the cut that is called decisive.
    """
    s = np.asarray(s, dtype=float)
    full = np.zeros(n_columns)
    full[: min(len(s), n_columns)] = s[:n_columns]
    top = full[0] if n_columns else 0.0
    if top == 0.0:
        return GapDecision(n_columns, float("inf"), rtol, [], True)
    # exact zeros (a column the oracle never touches) sit at round-off level
    rel = np.maximum(full / top, _FLOOR)
    small = np.nonzero(rel < rtol)[0]
    if small.size == 0:
        near = rel[-3:].tolist()
        return GapDecision(0, float("nan"), rtol, near, bool(rel[-1] > rtol * min_gap))
    first_small = small[0]
    # candidate cuts: between i and i+1 for i+1 >= first_small
    ratios = rel[:-1] / rel[1:]
    candidates = np.arange(max(first_small - 1, 0), n_columns - 1)
    if first_small == 0:
        return GapDecision(n_columns, float("inf"), rtol, rel[:3].tolist(), True)
    best = candidates[np.argmax(ratios[candidates])]
    nullity = n_columns - (best + 1)
    gap = float(ratios[best])
    lo, hi = max(best - 2, 0), min(best + 4, n_columns)
    return GapDecision(
        int(nullity), gap, rtol, rel[lo:hi].tolist(), bool(gap >= min_gap)
    )
