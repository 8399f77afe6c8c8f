"""Parametrisations of generators."""

from symdisc.models.linear import HermitianModel, LinearModel

__all__ = ["HermitianModel", "LinearModel"]
