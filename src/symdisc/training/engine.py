"""Full-batch optimisation shared by every training algorithm.

Several restarts are trained together (``vmap``); Adam runs in jitted chunks
of steps (``lax.scan``) so that the caller can report progress and stop early,
then L-BFGS polishes every restart. Nothing here knows about oracles.

A loss that takes its arrays (training points, masks) as an argument,
``loss_fn(p, data)``, is compiled once per shape: many trainings with the
same loss function and shapes (the cells of a sweep) reuse the executables.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
import optax

#: Adam steps per compiled chunk (progress and early stopping in between).
CHUNK = 100

Progress = Callable[[int, int, float], None]


@dataclass(frozen=True)
class Outcome:
    """Parameters and traces of every restart after optimisation.

    Attributes
    ----------
    params : pytree
        Final parameters, leading axis the restart.
    final_loss : ndarray, shape (R,)
    history : dict of str to ndarray, shape (R, steps)
    snapshots : list of pytree
        Parameters at the start and at the end of each Adam chunk (for angle
        traces), ``CHUNK`` steps apart.
    timings : dict
    steps : int
        Adam steps actually run.
    """

    params: object
    final_loss: np.ndarray
    history: dict
    snapshots: list
    timings: dict
    steps: int


def optimise(
    loss_fn: Callable,
    params,
    *,
    epochs: int,
    learning_rate: float,
    loss_floor: float,
    polish_steps: int,
    progress: Progress | None = None,
    data=None,
) -> Outcome:
    """Minimise ``loss_fn`` from every restart in ``params``.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(p) -> (total, parts)`` for one restart's parameters ``p``;
        ``parts`` is a dict of scalar loss components. With ``data``:
        ``loss_fn(p, data)``, compiled once per shape of ``params`` and
        ``data`` and reused by later calls with the same ``loss_fn``.
    params : pytree
        Initial parameters with a leading restart axis ``R``.
    epochs : int
        Adam steps at most.
    learning_rate : float or optax schedule
    loss_floor : float
        Stop Adam once the best restart's total loss is below it.
    polish_steps : int
        L-BFGS steps after Adam.
    progress : callable, optional
        ``progress(step, total_steps, best_loss)`` after every chunk.
    data : pytree, optional
        Arrays shared by every restart, passed to ``loss_fn``.
    """
    if data is None:
        plain = loss_fn
        loss_fn = lambda p, _: plain(p)  # noqa: E731
        kernels_for = _Kernels  # a fresh closure: nothing to reuse
    else:
        kernels_for = _kernels
    chunk = min(CHUNK, epochs)
    kernels = kernels_for(loss_fn, chunk, learning_rate)

    t0 = time.perf_counter()
    state = jax.vmap(kernels.adam.init)(params)
    compiled = kernels.compiled("adam", params, state, data)
    evaluate = kernels.compiled("value", params, data)
    t_compile = time.perf_counter() - t0

    t0 = time.perf_counter()
    traces, snapshots, steps = [], [params], 0
    while steps < epochs:
        (params, state), (total, parts) = compiled(params, state, data)
        steps += chunk
        traces.append({"total": total, **parts})
        snapshots.append(params)
        last = np.asarray(total[:, -1])
        finite = np.isfinite(last)
        best = float(last[finite].min()) if finite.any() else float("nan")
        if progress is not None:
            progress(steps, epochs, best)
        if not finite.any() or best < loss_floor:
            break
    t_adam = time.perf_counter() - t0

    polish_trace, t_polish_compile, t_polish = {}, 0.0, 0.0
    reached = np.asarray(evaluate(params, data)).min() < loss_floor
    if polish_steps > 0 and not reached:
        t0 = time.perf_counter()
        polish = kernels_for(loss_fn, polish_steps, None)
        run = polish.compiled("polish", params, data)
        t_polish_compile = time.perf_counter() - t0
        t0 = time.perf_counter()
        (params, _), trace = run(params, data)
        polish_trace = {k: np.asarray(v) for k, v in trace.items()}
        t_polish = time.perf_counter() - t0

    history = {
        key: np.concatenate([np.asarray(t[key]) for t in traces], axis=1)
        for key in traces[0]
    }
    for key, values in polish_trace.items():
        history[key] = np.concatenate([history[key], values], axis=1)
    final = np.asarray(evaluate(params, data))
    return Outcome(
        params=params,
        final_loss=final,
        history=history,
        snapshots=snapshots,
        timings={
            "compile_s": t_compile + t_polish_compile,
            "adam_s": t_adam,
            "polish_s": t_polish,
        },
        steps=steps,
    )


class _Kernels:
    """Jitted Adam chunk, loss value and L-BFGS polish of one loss function.

    ``compiled(which, *args)`` compiles for the shapes of ``args`` once and
    keeps the executable.
    """

    def __init__(self, loss_fn: Callable, length: int, learning_rate):
        # learning_rate None: L-BFGS polish of ``length`` steps, no Adam
        self.adam = optax.adam(learning_rate) if learning_rate is not None else None
        self.jitted = {
            "value": jax.jit(
                jax.vmap(lambda p, d: loss_fn(p, d)[0], in_axes=(0, None))
            ),
        }
        if self.adam is not None:
            self.jitted["adam"] = _adam_chunk(loss_fn, self.adam, length)
        else:
            self.jitted["polish"] = _polisher(loss_fn, length)
        self.executables: dict = {}

    def compiled(self, which: str, *args):
        shapes = tuple(_shape(a) for a in jax.tree.leaves(args))
        key = (which, jax.tree.structure(args), shapes)
        if key not in self.executables:
            self.executables[key] = self.jitted[which].lower(*args).compile()
        return self.executables[key]


def _shape(a) -> tuple:
    dtype = getattr(a, "dtype", None)
    return np.shape(a), str(dtype) if dtype is not None else type(a).__name__


@functools.lru_cache(maxsize=32)
def _kernels(loss_fn: Callable, length: int, learning_rate) -> _Kernels:
    """Kernels kept for reuse by later trainings with the same ``loss_fn``."""
    return _Kernels(loss_fn, length, learning_rate)


def _adam_chunk(loss_fn: Callable, adam, length: int):
    """Jitted ``length`` Adam steps from every restart."""

    def adam_step(carry, _, d):
        p, s = carry
        (total, parts), g = jax.value_and_grad(loss_fn, has_aux=True)(p, d)
        updates, s = adam.update(g, s, p)
        return (optax.apply_updates(p, updates), s), (total, parts)

    @jax.jit
    def run_chunk(p, s, d):
        return jax.vmap(
            lambda p1, s1: jax.lax.scan(
                lambda c, x: adam_step(c, x, d), (p1, s1), None, length=length
            )
        )(p, s)

    return run_chunk


def _polisher(loss_fn: Callable, n_steps: int):
    """Jitted L-BFGS from every restart, ``run(p, data)``.

    A step that does not lower the loss is not taken (a restart whose step
    goes non-finite stays put).
    """
    solver = optax.lbfgs()

    def run_one(p1, d):
        value_fn = lambda p: loss_fn(p, d)[0]  # noqa: E731
        value_and_grad = optax.value_and_grad_from_state(value_fn)

        def step(carry, _):
            p, s = carry
            value, g = value_and_grad(p, state=s)
            updates, s_new = solver.update(
                g, s, p, value=value, grad=g, value_fn=value_fn
            )
            p_new = optax.apply_updates(p, updates)
            new_value, parts = loss_fn(p_new, d)
            ok = jnp.isfinite(new_value) & (new_value <= value)
            p_next = jax.tree.map(lambda a, b: jnp.where(ok, a, b), p_new, p)
            s_next = jax.tree.map(lambda a, b: jnp.where(ok, a, b), s_new, s)
            total = jnp.where(ok, new_value, value)
            return (p_next, s_next), ({"total": total, **parts})

        return jax.lax.scan(step, (p1, solver.init(p1)), None, length=n_steps)

    return jax.jit(jax.vmap(run_one, in_axes=(0, None)))
