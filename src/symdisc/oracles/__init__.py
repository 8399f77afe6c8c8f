"""What must be preserved: oracles and their common interface."""

from symdisc.oracles.base import Oracle, check_oracle
from symdisc.oracles.classical import (
    euclidean_norm,
    hermitian_norm,
    quadratic_form,
    squeeze,
)
from symdisc.oracles.nonsmooth import manhattan, piecewise

__all__ = [
    "Oracle",
    "check_oracle",
    "euclidean_norm",
    "hermitian_norm",
    "manhattan",
    "piecewise",
    "quadratic_form",
    "squeeze",
]
