"""symdisc: discover the continuous symmetries of labelled data."""

from symdisc import _jax  # noqa: F401  (float64 before anything else)

__version__ = "0.1.0"

__all__ = ["__version__"]
