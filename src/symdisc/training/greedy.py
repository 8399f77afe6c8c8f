"""Greedy training: one generator at a time until no new one can be found.

Each attempt trains a single generator ``G`` against the generators already
found ``F_1 … F_k`` (frozen), minimising the greedy loss

.. math::

    L(G) = h_{inv} L_{inv}(G) + h_{norm} (‖G‖_F² − 2)²
           + h_{orth} Σ_β |⟨G, F_β⟩|².

When the best restart's loss drops below ``L_min`` (``loss_threshold``) and
the generator passes the invariance test on fresh points, it is
orthogonalised against the known span, scaled to ``‖G‖² = 2``, frozen, and
the next attempt starts from a new random initialisation. The search stops
after ``budget`` consecutive failed attempts; the number of generators found
is the dimension of the algebra.

Every attempt of one run has the same shapes (the frozen set is padded with
zero rows up to the largest possible dimension), so the Adam chunk and the
L-BFGS polish are compiled once per run instead of once per attempt.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import jax
import jax.numpy as jnp
import numpy as np
import optax

from symdisc import _jax  # noqa: F401
from symdisc.algebra.linalg import CANONICAL_NORM_SQ
from symdisc.config import TrainingConfig
from symdisc.errors import bad_input
from symdisc.exact import InvarianceProbe
from symdisc.models.linear import HermitianModel, LinearModel
from symdisc.oracles.base import Oracle, check_oracle
from symdisc.training.allatonce import finish, max_generators, validate
from symdisc.training.engine import CHUNK, Outcome, Progress
from symdisc.training.objective import make_objective
from symdisc.training.result import DiscoveryResult

logger = logging.getLogger(__name__)

#: Default ``L_min``: a trained generator whose greedy loss is below it is kept.
LOSS_THRESHOLD = 1e-10

#: Default number of consecutive failed attempts after which the search stops.
BUDGET = 2

#: A direction whose residual outside the known span is below this fraction of
#: its norm counts as already known.
SPAN_RTOL = 1e-6

#: Adam gives up on an attempt whose lowest loss so far, above ``L_min``, has
#: not halved over this many chunks of steps (it sits at a non-symmetry).
STALL_CHUNKS = 3

#: Invariance constraints (points × outputs) per unknown matrix entry.
POINTS_PER_UNKNOWN = 4

#: Expander hook: ``expand(known, n_new, test) -> n_added`` (see ``lbt``).
Expander = Callable[["KnownSpan", int, "InvarianceTest"], int]


# --- the known span ----------------------------------------------------------


def realify_actions(A: np.ndarray) -> np.ndarray:
    """Real coordinates of action matrices: ``(k, n, n) -> (k, N)``.

    ``N = n²`` for real matrices, ``2n²`` (real parts, then imaginary parts)
    for complex ones. The Euclidean product of these rows is
    ``Re⟨A_α, A_β⟩_F``, the inner product of the real Lie algebra.
    """
    V = np.asarray(A).reshape(len(A), -1)
    if np.iscomplexobj(V):
        return np.concatenate([V.real, V.imag], axis=1)
    return V


def unrealify(V: np.ndarray, n: int, complex_: bool) -> np.ndarray:
    """Inverse of :func:`realify_actions`: ``(k, N) -> (k, n, n)``."""
    V = np.asarray(V)
    if complex_:
        V = V[:, : n * n] + 1j * V[:, n * n :]
    return V.reshape(len(V), n, n)


class KnownSpan:
    """The generators found so far, as action matrices with an orthonormal frame.

    Rows of ``Q`` (shape ``(k, N)``) are an orthonormal basis of the real span
    of the found actions ``A_α`` in real coordinates; the actions themselves are
    ``√2 Q`` (``‖A_α‖² = 2``).

    Parameters
    ----------
    n : int
        Matrix size.
    complex_ : bool
        Whether the actions are complex (``A = iJ``, ``J`` Hermitian).
    """

    def __init__(self, n: int, complex_: bool):
        self.n = n
        self.complex_ = complex_
        self.size = n * n * (2 if complex_ else 1)
        self.Q = np.zeros((0, self.size))
        self.origin: list[str] = []

    def __len__(self) -> int:
        return self.Q.shape[0]

    @property
    def actions(self) -> np.ndarray:
        """The found actions ``A``, shape ``(k, n, n)``, each of norm² 2."""
        return unrealify(math.sqrt(CANONICAL_NORM_SQ) * self.Q, self.n, self.complex_)

    def residual(self, V: np.ndarray) -> np.ndarray:
        """``V − (V Qᵀ) Q`` applied twice (Gram–Schmidt, re-orthogonalised)."""
        for _ in range(2):
            V = V - (V @ self.Q.T) @ self.Q
        return V

    def new_directions(self, V: np.ndarray, rtol: float = SPAN_RTOL) -> np.ndarray:
        """Orthonormal directions that ``V`` adds to the span, shape ``(d, N)``.

        ``V`` has shape ``(t, N)``; directions are the right singular vectors of
        the residual ``(I − P) V`` whose singular value exceeds ``rtol`` times
        the largest row norm of ``V``.
        """
        if len(V) == 0:
            return np.zeros((0, self.size))
        scale = float(np.max(np.linalg.norm(V, axis=1)))
        R = self.residual(V)
        if scale == 0.0 or float(np.max(np.linalg.norm(R, axis=1))) <= rtol * scale:
            return np.zeros((0, self.size))
        _, s, Vt = np.linalg.svd(R, full_matrices=False)
        d = min(int(np.sum(s > rtol * scale)), self.size - len(self))
        return self.residual(Vt[:d])  # orthogonal to Q to rounding

    def add(self, directions: np.ndarray, origin: str) -> None:
        """Append orthonormal ``directions`` (rows, orthogonal to the span)."""
        D = self.residual(np.asarray(directions))
        D = D / np.linalg.norm(D, axis=1, keepdims=True)
        self.Q = np.concatenate([self.Q, D], axis=0)
        self.origin += [origin] * len(D)


class InvarianceTest:
    """Which candidate actions leave the oracle invariant, on fixed points.

    The error is that of :func:`symdisc.checks.invariance_errors`, from an
    :class:`~symdisc.exact.InvarianceProbe` built once: testing a candidate
    costs two small matrix products, however many are tested.

    Parameters
    ----------
    oracle : Oracle
    X : jax.Array, shape (b, c, n)
        Fresh points, not the training points.
    tol : float
        A candidate passes when ``e_α < tol``.
    """

    def __init__(self, oracle: Oracle, X: jax.Array, tol: float):
        self.tol = tol
        self.X = X
        self._errors = InvarianceProbe(oracle, X)

    def __call__(self, actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Errors ``e``, shape ``(t,)``, and the mask ``e < tol`` of ``actions``."""
        errors = self._errors(np.asarray(actions))
        return errors, errors < self.tol


# --- one generator at a time ---------------------------------------------------


def _model(oracle: Oracle, k: int):
    if oracle.field == "complex":
        return HermitianModel(n=oracle.n, n_generators=k)
    return LinearModel(n=oracle.n, n_generators=k)


def _params_for(oracle: Oracle, A: np.ndarray) -> dict:
    """Model parameters (restart axis of length 1) whose actions are ``A``."""
    k = len(A)
    a = np.zeros((1, k, k, k))
    if oracle.field == "complex":
        J = -1j * A
        J = 0.5 * (J + np.conj(np.swapaxes(J, 1, 2)))
        return {"W_re": J.real[None], "W_im": J.imag[None], "a": a}
    return {"G": np.asarray(A)[None], "a": a}


@dataclass(frozen=True)
class AttemptOutcome:
    """One trained generator candidate.

    Attributes
    ----------
    action : ndarray, shape (n, n)
        The best restart's action matrix.
    loss : float
        Its greedy loss (``nan`` when every restart diverged).
    history : dict of str to ndarray
        Loss components per step of the best restart.
    steps : int
        Adam steps run.
    """

    action: np.ndarray
    loss: float
    history: dict
    steps: int


class OneGeneratorTrainer:
    """Trains one generator against a frozen set, compiled once.

    The frozen set enters as a real array ``F`` of shape ``(capacity, N)``
    (rows: realified frozen actions, zero rows unused), so that every attempt
    of a run reuses the same compiled Adam chunk and L-BFGS polish.
    """

    def __init__(
        self, oracle: Oracle, config: TrainingConfig, X: jax.Array, capacity: int
    ):
        self.model = _model(oracle, 1)
        self.config = config
        self.capacity = capacity
        self.complex_ = oracle.field == "complex"
        base = make_objective(
            oracle, self.model, config.replace(n_generators=1, closure="none"), X
        )
        h_orth = config.h_orthogonality
        model, complex_ = self.model, self.complex_

        def loss(p, F):
            total, parts = base(p)
            v = model.actions(p).reshape(1, -1)
            if complex_:
                v = jnp.concatenate([v.real, v.imag], axis=1)
            overlap = jnp.sum((v @ F.T) ** 2)
            parts = dict(parts, orthogonality=parts["orthogonality"] + overlap)
            return total + h_orth * overlap, parts

        self._loss = loss
        adam = optax.adam(config.learning_rate)
        self._adam = adam
        self._chunk = min(CHUNK, config.epochs)

        def adam_step(F):
            def step(carry, _):
                p, s = carry
                (total, parts), g = jax.value_and_grad(loss, has_aux=True)(p, F)
                updates, s = adam.update(g, s, p)
                return (optax.apply_updates(p, updates), s), (total, parts)

            return step

        chunk = self._chunk

        @jax.jit
        def run_chunk(p, s, F):
            return jax.vmap(
                lambda p1, s1: jax.lax.scan(adam_step(F), (p1, s1), None, length=chunk)
            )(p, s)

        self._run_chunk = run_chunk
        restarts = config.restarts

        @jax.jit
        def init(key):
            params = jax.vmap(model.init)(jax.random.split(key, restarts))
            return params, jax.vmap(adam.init)(params)

        self._init = init
        self._polish = _polisher(loss, config.polish_steps)
        self._values = jax.jit(jax.vmap(lambda p, F: loss(p, F)[0], in_axes=(0, None)))
        self.timings = {"compile_s": 0.0, "adam_s": 0.0, "polish_s": 0.0}
        self._compiled: set[str] = set()

    def frozen_matrix(self, known: KnownSpan) -> jax.Array:
        """Return the padded frozen set ``F``: ``√2 Q`` in its first rows."""
        F = np.zeros((self.capacity, known.size))
        F[: len(known)] = math.sqrt(CANONICAL_NORM_SQ) * known.Q
        return jnp.asarray(F)

    def _timed(self, name: str, fn, *args):
        t0 = time.perf_counter()
        out = jax.block_until_ready(fn(*args))
        dt = time.perf_counter() - t0
        key = "compile_s" if name not in self._compiled else f"{name}_s"
        self._compiled.add(name)
        self.timings[key] += dt
        return out

    def train(
        self,
        key: jax.Array,
        known: KnownSpan,
        progress: Progress | None = None,
        give_up_above: float = 0.0,
    ) -> AttemptOutcome:
        """Train one generator from ``config.restarts`` random starts.

        Adam stops early at ``config.loss_floor``, or when the lowest loss so
        far is above ``give_up_above`` and has stalled (see
        :data:`STALL_CHUNKS`). An attempt that did not stall and did not reach
        the floor is polished by L-BFGS (Adam is slow on the last digits of
        these nearly quadratic losses); a stalled one sits at a
        non-symmetry, which polishing cannot change.
        """
        cfg = self.config
        F = self.frozen_matrix(known)
        params, state = self._init(key)
        traces, bests, steps, stalled = [], [], 0, False
        while steps < cfg.epochs:
            (params, state), (total, parts) = self._timed(
                "adam", self._run_chunk, params, state, F
            )
            steps += self._chunk
            traces.append({"total": total, **parts})
            last = np.asarray(total[:, -1])
            best = float(np.nanmin(last)) if np.isfinite(last).any() else float("nan")
            seen = np.asarray(total)[np.isfinite(np.asarray(total))]
            bests.append(
                min(
                    float(seen.min()) if seen.size else np.inf,
                    bests[-1] if bests else np.inf,
                )
            )
            if progress is not None:
                progress(steps, cfg.epochs, best)
            if not np.isfinite(last).any() or best < cfg.loss_floor:
                break
            if _stalled(bests, give_up_above):
                stalled = True
                break
        history = {
            k: np.concatenate([np.asarray(t[k]) for t in traces], axis=1)
            for k in traces[0]
        }
        values = np.asarray(self._values(params, F))
        best = np.nanmin(values) if np.isfinite(values).any() else np.inf
        if cfg.polish_steps > 0 and not stalled and not best < cfg.loss_floor:
            (params, _), trace = self._timed("polish", self._polish, params, F)
            for k, v in trace.items():
                history[k] = np.concatenate([history[k], np.asarray(v)], axis=1)
            values = np.asarray(self._values(params, F))
        finite = np.isfinite(values)
        best = int(np.argmin(np.where(finite, values, np.inf)))
        action = np.asarray(self.model.actions(jax.tree.map(lambda a: a[best], params)))
        return AttemptOutcome(
            action=action[0],
            loss=float(values[best]) if finite.any() else float("nan"),
            history={k: v[best] for k, v in history.items()},
            steps=steps,
        )


def _stalled(bests: list[float], give_up_above: float) -> bool:
    """Whether the best loss, still above ``give_up_above``, stopped falling."""
    if len(bests) <= STALL_CHUNKS or not bests[-1] > give_up_above:
        return False
    return bests[-1] > 0.5 * bests[-1 - STALL_CHUNKS]


def _polisher(loss: Callable, n_steps: int):
    """Jitted L-BFGS of ``loss(p, F)`` from every restart (``F`` fixed).

    A step that does not lower the loss is not taken.
    """
    solver = optax.lbfgs()

    @jax.jit
    def run(params, F):
        value_fn = lambda p: loss(p, F)[0]  # noqa: E731
        value_and_grad = optax.value_and_grad_from_state(value_fn)

        def step(carry, _):
            p, s = carry
            value, g = value_and_grad(p, state=s)
            updates, s_new = solver.update(
                g, s, p, value=value, grad=g, value_fn=value_fn
            )
            p_new = optax.apply_updates(p, updates)
            new_value, parts = loss(p_new, F)
            ok = jnp.isfinite(new_value) & (new_value <= value)
            p_next = jax.tree.map(lambda a, b: jnp.where(ok, a, b), p_new, p)
            s_next = jax.tree.map(lambda a, b: jnp.where(ok, a, b), s_new, s)
            return (p_next, s_next), {"total": jnp.where(ok, new_value, value), **parts}

        return jax.vmap(
            lambda p1: jax.lax.scan(step, (p1, solver.init(p1)), None, length=n_steps)
        )(params)

    return run


# --- the search ------------------------------------------------------------------


def needed_points(oracle: Oracle) -> int:
    """Training points so that the invariance constraints well outnumber the unknowns.

    ``b m ≥ 4 N`` with ``N = n²`` real unknowns (``2n²`` complex). With
    ``b m < N`` the training points admit spurious null directions; near
    ``b m ≈ N`` the loss is so badly conditioned (measured for f4: smallest
    non-zero curvature 10⁴ times below the largest at ``b m = 1.6 N``, 300
    times at ``4 N``) that trained generators stay imprecise, and their
    brackets fail the invariance test.
    """
    unknowns = oracle.n**2 * (2 if oracle.field == "complex" else 1)
    return int(math.ceil(POINTS_PER_UNKNOWN * unknowns / oracle.outputs))


def search(
    oracle: Oracle,
    *,
    config: TrainingConfig | None = None,
    seed: int | None = None,
    loss_threshold: float = LOSS_THRESHOLD,
    budget: int = BUDGET,
    progress: Progress | None = None,
    exact: bool = True,
    expand: Expander | None = None,
    algorithm: str = "greedy",
    **options,
) -> DiscoveryResult:
    """Greedy search, optionally expanding the span after each trained generator.

    Shared by :func:`discover` (``expand=None``) and
    :func:`symdisc.training.lbt.discover` (Lie-bracket expansion). Parameters
    as in :func:`discover`; ``expand(known, n_new, test) -> n_added`` grows
    ``known`` in place after ``n_new`` generators were appended, keeping what
    passes ``test`` (an :class:`InvarianceTest` on fresh points).
    """
    config = (config or TrainingConfig()).replace(seed=seed, **options)
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise bad_input("budget", "a positive number of failed attempts", budget)
    if not isinstance(loss_threshold, int | float) or not loss_threshold > 0:
        raise bad_input("loss_threshold", "a positive number (L_min)", loss_threshold)
    validate(oracle, config.replace(n_generators=1))
    check_oracle(oracle, seed=config.seed)
    if config.n_points < needed_points(oracle):
        logger.info(
            "raising n_points from %d to %d (4 constraints per unknown)",
            config.n_points,
            needed_points(oracle),
        )
        config = config.replace(n_points=needed_points(oracle))
    t_start = time.perf_counter()
    capacity = max_generators(oracle)

    data_key, init_key, test_key, check_key = jax.random.split(
        jax.random.PRNGKey(config.seed), 4
    )
    X = oracle.sample(data_key, config.n_points)
    test = InvarianceTest(
        oracle, oracle.sample(test_key, config.n_check_points), config.tol_invariance
    )
    trainer = OneGeneratorTrainer(oracle, config, X, capacity)
    known = KnownSpan(oracle.n, oracle.field == "complex")

    attempts: list[dict] = []
    histories: list[dict] = []
    failures = failed_total = 0
    t_expand = 0.0
    while failures < budget and len(known) < capacity:
        key = jax.random.fold_in(init_key, len(attempts))
        out = trainer.train(key, known, progress, give_up_above=loss_threshold)
        histories.append(out.history)
        record = {
            "loss": out.loss,
            "steps": out.steps,
            "history_steps": len(out.history["total"]),
            "accepted": False,
            "known_before": len(known),
        }
        if np.isfinite(out.loss) and out.loss < loss_threshold:
            direction = known.new_directions(realify_actions(out.action[None]))
            if len(direction):
                A = unrealify(
                    math.sqrt(CANONICAL_NORM_SQ) * direction, oracle.n, known.complex_
                )
                errors, ok = test(A)
                record["invariance_error"] = float(errors[0])
                record["accepted"] = bool(ok[0])
        attempts.append(record)
        if not record["accepted"]:
            failures += 1
            failed_total += 1
            logger.info("attempt %d failed: loss %.3e", len(attempts), out.loss)
            continue
        failures = 0
        known.add(direction, "trained")
        logger.info(
            "attempt %d: generator %d (loss %.3e)", len(attempts), len(known), out.loss
        )
        if expand is not None:
            t0 = time.perf_counter()
            record["from_brackets"] = expand(known, 1, test)
            t_expand += time.perf_counter() - t0

    stop = "budget" if failures >= budget else "capacity"
    rule = {
        "loss_threshold": loss_threshold,
        "budget": budget,
        "failed_attempts": failed_total,
        "attempts": len(attempts),
        "stopped_by": stop,
        "rule": (
            f"stop after {budget} consecutive attempt(s) that do not reach "
            f"L_min = {loss_threshold:.0e}"
            if stop == "budget"
            else "stop when the span fills all n × n maps"
        ),
    }
    extra = {
        "stopping_rule": rule,
        "attempts": attempts,
        "n_trained": known.origin.count("trained"),
        "n_from_brackets": known.origin.count("bracket"),
        "origin": list(known.origin),
    }
    timings = dict(trainer.timings, expand_s=t_expand)
    return _result(
        oracle,
        config,
        known,
        histories,
        attempts,
        timings,
        check_key,
        t_start,
        exact=exact,
        algorithm=algorithm,
        extra=extra,
    )


def _result(
    oracle,
    config,
    known,
    histories,
    attempts,
    timings,
    check_key,
    t_start,
    *,
    exact,
    algorithm,
    extra,
) -> DiscoveryResult:
    """Check the found set on fresh points (``allatonce.finish``) and its size."""
    k = len(known)
    steps = int(sum(a["steps"] for a in attempts))
    keys = histories[0].keys() if histories else ["total"]
    history = {
        key: np.concatenate([h[key] for h in histories])[None]
        if histories
        else np.zeros((1, 0))
        for key in keys
    }
    accepted = [a["loss"] for a in attempts if a["accepted"]]
    final = max(accepted) if accepted else (attempts[-1]["loss"] if attempts else 0.0)
    if k == 0:
        return _nothing_found(
            oracle, config, history, timings, t_start, algorithm, extra, final
        )
    A = known.actions
    params = _params_for(oracle, A)
    outcome = Outcome(
        params=params,
        final_loss=np.array([final]),
        history=history,
        snapshots=[params],
        timings=timings,
        steps=steps,
    )
    result = finish(
        oracle,
        _model(oracle, k),
        config.replace(n_generators=k),
        outcome,
        check_key,
        t_start,
        exact=exact,
        algorithm=algorithm,
        extra=extra,
    )
    dim = result.exact.get("dimension")
    if result.found and dim is not None and dim != k:
        reasons = [
            f"found {k} generator(s) but the exact algebra has dimension {dim}: "
            f"the search stopped early (raise the budget)"
        ]
        result = replace(result, status="not found", reasons=reasons)
    return result


def _nothing_found(
    oracle, config, history, timings, t_start, algorithm, extra, final
) -> DiscoveryResult:
    """Record a search in which no attempt reached ``L_min``."""
    n = oracle.n
    dtype = complex if oracle.field == "complex" else float
    diverged = not np.isfinite(final)
    timings = dict(
        timings,
        checks_s=0.0,
        total_s=time.perf_counter() - t_start,
        train_s=timings["adam_s"] + timings["polish_s"],
    )
    rule = extra["stopping_rule"]
    reason = (
        f"no generator reached L_min = {rule['loss_threshold']:.0e} in "
        f"{rule['failed_attempts']} attempt(s)"
    )
    return DiscoveryResult(
        status="diverged" if diverged else "not found",
        generators=np.zeros((0, n, n), dtype=dtype),
        structure_constants=np.zeros((0, 0, 0)),
        learned_constants=np.zeros((0, 0, 0)),
        history={k: v[0] for k, v in history.items()},
        angle_history=np.zeros((0, 0, 0)),
        metrics={"final_loss": float(final)},
        reasons=[reason],
        timings=timings,
        config=config.to_dict(),
        oracle=oracle.summary(),
        algorithm=algorithm,
        extra=extra,
    )


def discover(
    oracle: Oracle,
    *,
    config: TrainingConfig | None = None,
    seed: int | None = None,
    loss_threshold: float = LOSS_THRESHOLD,
    budget: int = BUDGET,
    progress: Progress | None = None,
    exact: bool = True,
    **options,
) -> DiscoveryResult:
    """Learn the whole linear symmetry algebra, one generator at a time.

    Parameters
    ----------
    oracle : Oracle
        What must be preserved (real, or complex with Hermitian generators).
    config : TrainingConfig, optional
        Training knobs for each attempt (``n_generators`` and ``closure`` are
        not used: one generator is trained at a time).
    seed : int, optional
        Overrides ``config.seed``.
    loss_threshold : float
        ``L_min``: an attempt succeeds when its greedy loss is below it and the
        generator passes the invariance test on fresh points
        (``config.tol_invariance``).
    budget : int
        Consecutive failed attempts after which the search stops.
    progress : callable, optional
        ``progress(step, total, best_loss)`` during each attempt.
    exact : bool
        Compare with the exact algebra (dimension and span distance).
    **options
        Any other :class:`TrainingConfig` field.

    Returns
    -------
    DiscoveryResult
        ``algorithm = "greedy"``; ``found`` when every check passes on the
        found set (closure included) and its size equals the exact dimension.
        ``extra["stopping_rule"]`` states ``L_min``, the budget and the failed
        attempts.
    """
    return search(
        oracle,
        config=config,
        seed=seed,
        loss_threshold=loss_threshold,
        budget=budget,
        progress=progress,
        exact=exact,
        expand=None,
        algorithm="greedy",
        **options,
    )
