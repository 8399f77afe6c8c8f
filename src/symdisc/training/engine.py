"""Full-batch optimisation shared by every training algorithm.

Several restarts are trained together (``vmap``); Adam runs in jitted chunks
of steps (``lax.scan``) so that the caller can report progress and stop early,
then L-BFGS polishes every restart. Nothing here knows about oracles.
"""

from __future__ import annotations

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
) -> Outcome:
    """Minimise ``loss_fn`` from every restart in ``params``.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(p) -> (total, parts)`` for one restart's parameters ``p``;
        ``parts`` is a dict of scalar loss components.
    params : pytree
        Initial parameters with a leading restart axis ``R``.
    epochs : int
        Adam steps at most.
    learning_rate : float
    loss_floor : float
        Stop Adam once the best restart's total loss is below it.
    polish_steps : int
        L-BFGS steps after Adam.
    progress : callable, optional
        ``progress(step, total_steps, best_loss)`` after every chunk.
    """
    adam = optax.adam(learning_rate)
    chunk = min(CHUNK, epochs)

    def adam_step(carry, _):
        p, s = carry
        (total, parts), g = jax.value_and_grad(loss_fn, has_aux=True)(p)
        updates, s = adam.update(g, s, p)
        return (optax.apply_updates(p, updates), s), (total, parts)

    @jax.jit
    def run_chunk(p, s):
        return jax.vmap(
            lambda p1, s1: jax.lax.scan(adam_step, (p1, s1), None, length=chunk)
        )(p, s)

    t0 = time.perf_counter()
    state = jax.vmap(adam.init)(params)
    compiled = run_chunk.lower(params, state).compile()
    t_compile = time.perf_counter() - t0

    t0 = time.perf_counter()
    traces, snapshots, steps = [], [params], 0
    while steps < epochs:
        (params, state), (total, parts) = compiled(params, state)
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
    reached = np.asarray(jax.vmap(lambda p: loss_fn(p)[0])(params)).min() < loss_floor
    if polish_steps > 0 and not reached:
        t0 = time.perf_counter()
        run = _polisher(loss_fn, polish_steps).lower(params).compile()
        t_polish_compile = time.perf_counter() - t0
        t0 = time.perf_counter()
        (params, _), trace = run(params)
        polish_trace = {k: np.asarray(v) for k, v in trace.items()}
        t_polish = time.perf_counter() - t0

    history = {
        key: np.concatenate([np.asarray(t[key]) for t in traces], axis=1)
        for key in traces[0]
    }
    for key, values in polish_trace.items():
        history[key] = np.concatenate([history[key], values], axis=1)
    final = np.asarray(jax.vmap(lambda p: loss_fn(p)[0])(params))
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


def _polisher(loss_fn: Callable, n_steps: int):
    """Jitted L-BFGS from every restart.

    A step that does not lower the loss is not taken (a restart whose step
    goes non-finite stays put).
    """
    value_fn = lambda p: loss_fn(p)[0]  # noqa: E731
    solver = optax.lbfgs()
    value_and_grad = optax.value_and_grad_from_state(value_fn)

    def step(carry, _):
        p, s = carry
        value, g = value_and_grad(p, state=s)
        updates, s_new = solver.update(g, s, p, value=value, grad=g, value_fn=value_fn)
        p_new = optax.apply_updates(p, updates)
        new_value, parts = loss_fn(p_new)
        ok = jnp.isfinite(new_value) & (new_value <= value)
        p_next = jax.tree.map(lambda a, b: jnp.where(ok, a, b), p_new, p)
        s_next = jax.tree.map(lambda a, b: jnp.where(ok, a, b), s_new, s)
        total = jnp.where(ok, new_value, value)
        return (p_next, s_next), ({"total": total, **parts})

    @jax.jit
    def run(p):
        return jax.vmap(
            lambda p1: jax.lax.scan(step, (p1, solver.init(p1)), None, length=n_steps)
        )(p)

    return run
