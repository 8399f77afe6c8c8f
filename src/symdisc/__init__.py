"""symdisc: discover the continuous symmetries of labelled data.

>>> import symdisc
>>> result = symdisc.discover(symdisc.oracles.euclidean_norm(3), n_generators=3)
>>> result.status
'found'
"""

from symdisc import (
    _jax,  # noqa: F401  (float64 before anything else)
    oracles,
)
from symdisc.config import TrainingConfig
from symdisc.errors import InputError, SymdiscError
from symdisc.exact import ExactAlgebra, solve
from symdisc.oracles.base import Oracle
from symdisc.training.allatonce import discover
from symdisc.training.result import DiscoveryResult

__version__ = "0.1.0"

__all__ = [
    "DiscoveryResult",
    "ExactAlgebra",
    "InputError",
    "Oracle",
    "SymdiscError",
    "TrainingConfig",
    "__version__",
    "discover",
    "oracles",
    "solve",
]
