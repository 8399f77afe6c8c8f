"""Parametrisations of generators."""

from symdisc.models.linear import LinearModel

__all__ = ["LinearModel"]
