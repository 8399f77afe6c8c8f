"""How structure constants are stated: the real and the unitary convention.

Real generators ``G`` act as ``x ↦ (I + εG) x`` and ``[G_α, G_β] = Σ_γ
C_αβγ G_γ``. Hermitian generators ``J`` act as ``x ↦ (I + iεJ) x``; closure
is computed on the actions ``A = iJ`` with real constants ``a``,
``[iJ_α, iJ_β] = Σ_γ a_αβγ iJ_γ``, which is the physics convention

    ``[J_α, J_β] = i Σ_γ f_αβγ J_γ``  with  ``f = −a``.

For the Pauli matrices ``J_α = σ_α`` that gives ``f_αβγ = 2 ε_αβγ``.
"""

from __future__ import annotations

import numpy as np

UNITARY_CONVENTION = (
    "generators J are Hermitian and act as x -> (I + i eps J) x; "
    "structure_constants.npy holds a with [iJ_a, iJ_b] = sum_c a_abc iJ_c; "
    "physics_structure_constants.npy holds f = -a with [J_a, J_b] = i sum_c f_abc J_c"
)
REAL_CONVENTION = (
    "generators G act as x -> (I + eps G) x; structure_constants.npy holds C with "
    "[G_a, G_b] = sum_c C_abc G_c"
)


def physics_structure_constants(action_constants: np.ndarray) -> np.ndarray:
    """``f = −a``: from ``[iJ_α, iJ_β] = Σ a iJ_γ`` to ``[J_α, J_β] = i Σ f J_γ``.

    Parameters
    ----------
    action_constants : ndarray, shape (k, k, k)
        Real constants ``a`` of the actions ``iJ``.
    """
    return -np.asarray(action_constants)


def convention(field: str) -> dict:
    """State the convention of a result on ``field`` ("real" or "complex")."""
    if field == "complex":
        return {"convention": "unitary", "convention_text": UNITARY_CONVENTION}
    return {"convention": "real", "convention_text": REAL_CONVENTION}
