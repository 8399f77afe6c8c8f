"""Configure JAX once for the whole package: float64 by default.

XLA's CPU backend may run independent parts of one compiled program at the
same time ("concurrency-optimised scheduler"). On small machines this was
seen to deadlock, with every thread idle, in programs that hold several
LAPACK calls (the determinant of the SU(n) oracle under ``jacrev`` and
``jvp`` side by side); the plain scheduler never did in the same runs. The
flag is added to ``XLA_FLAGS`` unless the user set it there already, and
must be in place before the backend starts.
"""

from __future__ import annotations

import os

_SCHEDULER_FLAG = "--xla_cpu_enable_concurrency_optimized_scheduler"
if _SCHEDULER_FLAG not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + f" {_SCHEDULER_FLAG}=false"
    ).strip()

import jax  # noqa: E402  (after XLA_FLAGS)

jax.config.update("jax_enable_x64", True)

__all__ = ["jax"]
