"""Oracles from the user's own Python functions, given as ``module:function``.

The function takes one point of shape ``(copies, n)`` and returns its labels,
shape ``(outputs,)`` or a scalar when there is one label. A function written
in ``jax.numpy`` is used as it is. Any other (NumPy, SciPy, a call into
compiled code) cannot be differentiated by JAX: it is evaluated on sampled
points and replaced by a fitted surrogate (:mod:`symdisc.oracles.surrogate`),
which the returned record says, and which is logged as a warning.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import importlib.util
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from symdisc import _jax  # noqa: F401  (float64)
from symdisc.errors import InputError, bad_input
from symdisc.oracles.base import Oracle, check_oracle
from symdisc.oracles.surrogate import Surrogate, fit_surrogate
from symdisc.oracles.tables import table_from_arrays

logger = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class CallableOracle:
    """An oracle built from a user's function.

    Attributes
    ----------
    oracle : Oracle
        Differentiable oracle: the function itself when JAX can trace it,
        else its surrogate.
    spec : str
        The ``module:function`` it came from.
    traceable : bool
        Whether JAX could trace the function.
    surrogate : Surrogate or None
        The fitted surrogate when the function was not traceable.
    message : str
        Why a surrogate was fitted; empty when it was not.
    """

    oracle: Oracle
    spec: str
    traceable: bool
    surrogate: Surrogate | None
    message: str

    @property
    def uses_surrogate(self) -> bool:
        """Whether the oracle is a fitted surrogate, not the function itself."""
        return self.surrogate is not None


def load_callable(spec: str) -> Callable:
    """Import ``module:function`` or ``path/to/file.py:function``.

    A dotted attribute path after the colon (``module:Class.method``) is
    followed. Raises :class:`InputError` naming what could not be found.
    """
    if not isinstance(spec, str) or ":" not in spec:
        raise bad_input(
            "callable",
            '"module:function" or "path/to/file.py:function"',
            spec,
            "Separate the module and the function with a colon.",
        )
    module_part, _, attr_path = spec.rpartition(":")
    if not module_part or not attr_path:
        raise bad_input("callable", '"module:function"', spec)
    obj = _import_module(module_part, spec)
    for attr in attr_path.split("."):
        if not hasattr(obj, attr):
            names = [n for n in dir(obj) if not n.startswith("_")]
            close = difflib.get_close_matches(attr, names, n=1, cutoff=0.5)
            hint = f"Did you mean {close[0]!r}?" if close else ""
            raise bad_input(
                f"callable {spec!r}",
                f"a name {attr!r} in {module_part}",
                "no such name",
                hint,
            )
        obj = getattr(obj, attr)
    if not callable(obj):
        raise bad_input(f"callable {spec!r}", "a function", type(obj).__name__)
    return obj


def _import_module(module_part: str, spec: str):
    looks_like_file = (
        module_part.endswith(".py") or "/" in module_part or "\\" in module_part
    )
    if looks_like_file:
        path = Path(module_part)
        if not path.is_file():
            raise bad_input(
                f"callable {spec!r}",
                "an existing Python file",
                f"no file {str(path)!r}",
            )
        name = f"_symdisc_user_{path.stem}_{abs(hash(str(path.resolve())))}"
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        try:
            module_spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[name]
            raise bad_input(
                f"callable {spec!r}",
                f"a file {path} that imports",
                f"{type(exc).__name__}: {exc}",
            ) from exc
        return module
    try:
        return importlib.import_module(module_part)
    except ModuleNotFoundError as exc:
        raise bad_input(
            f"callable {spec!r}",
            "an importable module",
            f"no module {exc.name!r}",
            "Give a file path (path/to/file.py:function) or add its "
            "folder to PYTHONPATH.",
        ) from exc
    except Exception as exc:
        raise bad_input(
            f"callable {spec!r}",
            f"a module {module_part} that imports",
            f"{type(exc).__name__}: {exc}",
        ) from exc


def oracle_from_callable(
    function,
    n: int,
    copies: int = 1,
    outputs: int | None = None,
    *,
    name: str | None = None,
    sampler: Callable[[jax.Array, int], jax.Array] | None = None,
    n_samples: int = 2000,
    seed: int = 0,
    **surrogate_options,
) -> CallableOracle:
    """Wrap a user's function of one point as an :class:`Oracle`.

    The function is called on one point to learn its output shape, then traced
    with ``jax.make_jaxpr``. If tracing fails, it is evaluated point by point
    on ``n_samples`` points from ``sampler`` (standard normal by default) and a
    surrogate is fitted to those values with :func:`fit_surrogate`.

    Parameters
    ----------
    function : str or callable
        ``"module:function"``, ``"path/to/file.py:function"`` or the function.
    n : int
        Dimension of each vector.
    copies : int
        Vectors per point; the function receives shape ``(copies, n)``.
    outputs : int, optional
        Number of labels; found from one call when omitted.
    name : str, optional
        Oracle name; default the function's name.
    sampler : callable, optional
        ``sampler(key, n_points) -> (n_points, copies, n)``, where the
        symmetries are sought and, for a surrogate, where it is fitted.
    n_samples : int
        Points on which a non-traceable function is evaluated.
    seed : int
        Seeds those points and the surrogate.
    **surrogate_options
        Passed to :func:`fit_surrogate` (``hidden``, ``epochs``, …).

    Returns
    -------
    CallableOracle

    Raises
    ------
    InputError
        If the function cannot be imported, raises, returns the wrong shape or
        non-finite values.
    """
    spec = function if isinstance(function, str) else _describe(function)
    fn = load_callable(function) if isinstance(function, str) else function
    if not callable(fn):
        raise bad_input(
            "function", 'a callable or "module:function"', type(fn).__name__
        )
    probe = Oracle(name="probe", fn=lambda x: x, n=n, copies=copies, sampler=sampler)
    name = name or getattr(fn, "__name__", "user")

    point = np.asarray(probe.sample(seed, 1)[0])
    m, scalar = _output_shape(fn, point, spec, outputs)
    wrapped = _vector_valued(fn, scalar)
    try:
        jax.make_jaxpr(wrapped)(jnp.asarray(point))
        traceable = True
    except Exception as exc:  # any failure to trace means: not JAX code
        traceable = False
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"

    if traceable:
        oracle = Oracle(
            name=name,
            fn=wrapped,
            n=n,
            copies=copies,
            outputs=m,
            description=f"user function {spec}",
            sampler=sampler,
            parameters={"kind": "callable", "spec": spec},
        )
        check_oracle(oracle, seed=seed)
        return CallableOracle(oracle, spec, True, None, "")

    points = np.asarray(probe.sample(seed, n_samples))
    labels = _evaluate(fn, points, spec, m, scalar)
    table = table_from_arrays(points, labels, source=f"samples of {spec}")
    surrogate = fit_surrogate(
        table, seed=seed, name=f"surrogate:{name}", **surrogate_options
    )
    message = (
        f"{spec} is not traceable by JAX ({reason}); fitted a surrogate on "
        f"{n_samples} sampled points (held-out R² "
        f"{', '.join(f'{v:.4f}' for v in surrogate.r2)}). Write it with jax.numpy "
        "to use it exactly."
    )
    logger.warning(message)
    oracle = surrogate.oracle
    if sampler is not None:
        oracle = _with_sampler(oracle, sampler)
    check_oracle(oracle, seed=seed)
    return CallableOracle(oracle, spec, False, surrogate, message)


def _describe(fn) -> str:
    module = getattr(fn, "__module__", None) or "?"
    return f"{module}:{getattr(fn, '__qualname__', repr(fn))}"


def _output_shape(fn, point: np.ndarray, spec: str, outputs):
    """Call once; return ``(m, scalar)`` or raise naming the problem."""
    try:
        value = fn(point)
    except Exception as exc:  # the user's function: report whatever it raised
        raise bad_input(
            f"callable {spec!r}",
            f"a function of one point of shape {point.shape}",
            f"an exception: {type(exc).__name__}: {exc}",
            "It receives one point (not a batch); check its indexing.",
        ) from exc
    shape = np.shape(value)
    if shape not in ((), (1,)) and len(shape) != 1:
        raise bad_input(
            f"callable {spec!r}",
            "a scalar or a 1-D array of labels per point",
            f"shape {shape}",
            "Return one value per label, e.g. jnp.stack([...]).",
        )
    m = 1 if shape == () else shape[0]
    if outputs is not None and outputs != m:
        raise bad_input(
            f"callable {spec!r}",
            f"{outputs} outputs (as requested)",
            f"{m} outputs",
            "Drop `outputs` or fix the function.",
        )
    return m, shape == ()


def _vector_valued(fn, scalar: bool):
    if scalar:
        return lambda x: jnp.reshape(fn(x), (1,))
    return fn


def _evaluate(fn, points: np.ndarray, spec: str, m: int, scalar: bool) -> np.ndarray:
    labels = np.empty((points.shape[0], m))
    for i, x in enumerate(points):
        try:
            value = np.asarray(fn(x), dtype=np.float64).reshape(-1)
        except Exception as exc:
            raise bad_input(
                f"callable {spec!r}",
                "a function defined on every sampled point",
                f"{type(exc).__name__}: {exc} at sample {i}",
                "Give a sampler inside its domain.",
            ) from exc
        if value.shape != (m,):
            raise bad_input(
                f"callable {spec!r}",
                f"{m} labels per point",
                f"{value.size} at sample {i}",
            )
        labels[i] = value
    if not np.all(np.isfinite(labels)):
        bad = int(np.sum(~np.all(np.isfinite(labels), axis=1)))
        raise InputError(
            f"callable {spec!r}: expected finite labels, got NaN or inf "
            f"on {bad} of {len(labels)} sampled points. Give a sampler "
            "inside its domain."
        )
    return labels


def _with_sampler(oracle: Oracle, sampler) -> Oracle:
    return dataclasses.replace(oracle, sampler=sampler)
