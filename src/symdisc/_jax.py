"""Configure JAX once for the whole package.

* Float64 by default.
* XLA's CPU backend may run independent parts of one compiled program at the
  same time ("concurrency-optimised scheduler"). On small machines this was
  seen to deadlock, with every thread idle, in programs that hold several
  LAPACK calls (the determinant of the SU(n) oracle under ``jacrev`` and
  ``jvp`` side by side); the plain scheduler never did in the same runs. The
  flag is added to ``XLA_FLAGS`` unless the user set it there already, and
  must be in place before the backend starts.
* Compiled programs are kept on disk (JAX's persistent compilation cache),
  so that a second run of the same problem skips most compilation, which
  dominates small runs. The folder is ``$SYMDISC_COMPILE_CACHE`` if set
  (``off`` turns the cache off), else ``$XDG_CACHE_HOME/symdisc/xla`` or
  ``~/.cache/symdisc/xla``; a ``JAX_COMPILATION_CACHE_DIR`` of the user's
  own takes precedence. An unwritable folder just means no cache. It is
  bounded (:data:`CACHE_MAX_BYTES`) and locked while written.
"""

from __future__ import annotations

import os
from pathlib import Path

_SCHEDULER_FLAG = "--xla_cpu_enable_concurrency_optimized_scheduler"
if _SCHEDULER_FLAG not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + f" {_SCHEDULER_FLAG}=false"
    ).strip()

import jax  # noqa: E402  (after XLA_FLAGS)

jax.config.update("jax_enable_x64", True)

#: Compilations shorter than this are not kept (even small eager ones add up).
CACHE_MIN_COMPILE_S = 0.0

#: Size bound of the cache: least recently used programs go first. With a
#: bound JAX also locks the folder, so parallel workers share it safely.
CACHE_MAX_BYTES = 1 << 30


def compile_cache_dir() -> Path | None:
    """The folder of the persistent compilation cache, or None when off."""
    chosen = os.environ.get("SYMDISC_COMPILE_CACHE", "").strip()
    if chosen.lower() in ("off", "0", "no", "false"):
        return None
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "symdisc" / "xla"


def _enable_compile_cache() -> None:
    if os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return  # the user's own setting
    folder = compile_cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    if not os.access(folder, os.W_OK):
        return
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", CACHE_MIN_COMPILE_S)
    jax.config.update("jax_compilation_cache_max_size", CACHE_MAX_BYTES)


_enable_compile_cache()

__all__ = ["jax", "compile_cache_dir"]
