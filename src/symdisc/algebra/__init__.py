"""Pure array maths on stacks of matrices; no training."""

from symdisc.algebra.linalg import (
    bracket_table,
    closure_error,
    commutator,
    gram,
    jacobi_error,
    orthonormal_basis,
    orthonormality_error,
    pairwise_angles,
    projection_residual,
    span_distance,
    structure_constants,
)

__all__ = [
    "bracket_table",
    "closure_error",
    "commutator",
    "gram",
    "jacobi_error",
    "orthonormal_basis",
    "orthonormality_error",
    "pairwise_angles",
    "projection_residual",
    "span_distance",
    "structure_constants",
]
