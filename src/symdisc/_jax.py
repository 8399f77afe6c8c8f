"""Configure JAX once for the whole package: float64 by default."""

from __future__ import annotations

import jax

jax.config.update("jax_enable_x64", True)

__all__ = ["jax"]
