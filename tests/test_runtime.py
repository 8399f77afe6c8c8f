"""How the package configures JAX: float64, the CPU scheduler, the compile cache."""

from __future__ import annotations

import os
from pathlib import Path

import jax.numpy as jnp

from symdisc import _jax


def test_float64_is_the_default():
    assert jnp.ones(1).dtype == jnp.float64


def test_concurrency_optimised_scheduler_is_off():
    assert "--xla_cpu_enable_concurrency_optimized_scheduler" in os.environ["XLA_FLAGS"]


def test_compile_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SYMDISC_COMPILE_CACHE", str(tmp_path / "c"))
    assert _jax.compile_cache_dir() == tmp_path / "c"
    for off in ("off", "0", "OFF", "false"):
        monkeypatch.setenv("SYMDISC_COMPILE_CACHE", off)
        assert _jax.compile_cache_dir() is None
    monkeypatch.delenv("SYMDISC_COMPILE_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _jax.compile_cache_dir() == Path(tmp_path / "xdg" / "symdisc" / "xla")
