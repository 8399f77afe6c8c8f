"""All-at-once training: ``k`` generators and their structure constants jointly.

Full-batch Adam from several random restarts at once, an L-BFGS polish, then
checks on fresh points and a comparison with the exact algebra. Whether ``k``
generators that close exist at all is itself the result: so(3) has no closed
two-generator subalgebra, so ``k = 2`` must come out ``not found``.
"""

from __future__ import annotations

import logging
import time

import jax
import numpy as np

from symdisc import _jax  # noqa: F401
from symdisc.algebra.conventions import convention
from symdisc.algebra.identify import identify
from symdisc.algebra.linalg import pairwise_angles
from symdisc.checks import evaluate, failed_checks, learned_span_distance
from symdisc.config import TrainingConfig
from symdisc.errors import bad_input
from symdisc.exact import solve
from symdisc.models.linear import HermitianModel, LinearModel
from symdisc.oracles.base import Oracle, check_oracle
from symdisc.training.engine import Progress, optimise
from symdisc.training.objective import invariance_form, reusable_objective
from symdisc.training.result import DiscoveryResult

logger = logging.getLogger(__name__)


#: Generators normalised to squared norm 2 that grow past this norm have
#: diverged, whatever the loss says.
BLOW_UP = 1e4


def max_generators(oracle: Oracle) -> int:
    """Largest meaningful ``k``: the dimension of the space of ``n × n`` maps."""
    return oracle.n**2 * (2 if oracle.field == "complex" else 1)


def validate(oracle: Oracle, config: TrainingConfig) -> None:
    """Fail clearly on a configuration that cannot fit the oracle."""
    if not isinstance(oracle, Oracle):
        raise bad_input(
            "oracle",
            "a symdisc Oracle",
            type(oracle).__name__,
            "Build one with symdisc.oracles or symdisc.Oracle(fn, n=...).",
        )
    limit = max_generators(oracle)
    if config.n_generators > limit:
        raise bad_input(
            "n_generators",
            f"at most n² = {limit} for n = {oracle.n}",
            config.n_generators,
            "There are no more independent n × n matrices.",
        )


def make_model(oracle: Oracle, config: TrainingConfig):
    """The generator parametrisation for this oracle."""
    if oracle.field == "complex":
        return HermitianModel(n=oracle.n, n_generators=config.n_generators)
    return LinearModel(n=oracle.n, n_generators=config.n_generators)


def discover(
    oracle: Oracle,
    n_generators: int | None = None,
    *,
    config: TrainingConfig | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    exact: bool = True,
    **options,
) -> DiscoveryResult:
    """Learn ``k`` generators of linear symmetries of ``oracle``, all at once.

    Parameters
    ----------
    oracle : Oracle
        What must be preserved.
    n_generators : int, optional
        Number ``k`` of generators (overrides ``config``).
    config : TrainingConfig, optional
        Every training knob; defaults otherwise.
    seed : int, optional
        Overrides ``config.seed``.
    progress : callable, optional
        ``progress(step, total, best_loss)``; the library itself is silent.
    exact : bool
        Also compute the exact algebra and the learned span's distance from
        it (recommended: a generator outside it is not a symmetry).
    **options
        Any other :class:`TrainingConfig` field.

    Returns
    -------
    DiscoveryResult
        Status ``found`` only when every check on fresh points passes.
    """
    config = (config or TrainingConfig()).replace(
        n_generators=n_generators, seed=seed, **options
    )
    validate(oracle, config)
    check_oracle(oracle, seed=config.seed)
    model = make_model(oracle, config)
    t_start = time.perf_counter()

    data_key, init_key, check_key = jax.random.split(jax.random.PRNGKey(config.seed), 3)
    X = oracle.sample(data_key, config.n_points)
    params = jax.vmap(model.init)(jax.random.split(init_key, config.restarts))
    outcome = optimise(
        reusable_objective(oracle, model, config),
        params,
        epochs=config.epochs,
        learning_rate=config.learning_rate,
        loss_floor=config.loss_floor,
        polish_steps=config.polish_steps,
        progress=progress,
        data=X,
    )
    return finish(oracle, model, config, outcome, check_key, t_start, exact=exact)


def finish(
    oracle: Oracle,
    model,
    config: TrainingConfig,
    outcome,
    check_key,
    t_start: float,
    *,
    exact: bool = True,
    algorithm: str = "all-at-once",
    extra: dict | None = None,
) -> DiscoveryResult:
    """Pick the best restart, check it on fresh points and set the status."""
    finite = np.isfinite(outcome.final_loss)
    best = int(np.argmin(np.where(finite, outcome.final_loss, np.inf)))
    pick = lambda tree: jax.tree.map(lambda a: a[best], tree)  # noqa: E731
    params = pick(outcome.params)
    G = np.asarray(model.generators(params))
    A = np.asarray(model.actions(params))
    history = {k: v[best] for k, v in outcome.history.items()}
    angle_history = (
        np.stack(
            [
                pairwise_angles(np.asarray(model.generators(pick(s))))
                for s in outcome.snapshots
            ]
        )
        if outcome.snapshots
        else np.zeros((0,) * 3)
    )
    learned = (
        np.asarray(params.get("a", np.zeros((0, 0, 0))))
        if isinstance(params, dict)
        else np.zeros((0, 0, 0))
    )
    if learned.size:
        learned = 0.5 * (learned - learned.transpose(1, 0, 2))

    t0 = time.perf_counter()
    reasons: list[str] = []
    identification = None
    norms = np.linalg.norm(G.reshape(G.shape[0], -1), axis=1)
    if not finite.any() or not np.all(np.isfinite(G)) or norms.max() > BLOW_UP:
        status = "diverged"
        reasons.append(
            "training diverged: the loss became NaN or infinite or the generators "
            f"grew without bound (largest norm {norms.max():.3g}); lower "
            "--learning-rate or check the oracle's scale"
        )
        metrics: dict = {
            "final_loss": float(outcome.final_loss[best])
            if finite.any()
            else float("nan")
        }
        C = np.full((G.shape[0],) * 3, np.nan)
        exact_info: dict = {}
    else:
        X = oracle.sample(check_key, config.n_check_points)
        metrics = evaluate(oracle, G, A, X)
        C = metrics.pop("_structure_constants")
        metrics["final_loss"] = float(outcome.final_loss[best])
        metrics["final_loss_components"] = {k: float(v[-1]) for k, v in history.items()}
        metrics["invariance_form"] = invariance_form(oracle, config)
        exact_info = _exact_comparison(oracle, A, config) if exact else {}
        status, reasons = _status(metrics, exact_info, config, G.shape[0])
        if status == "found":
            identification = name_algebra(A, metrics["closure_error"])
    t_checks = time.perf_counter() - t0

    timings = dict(outcome.timings)
    timings["checks_s"] = t_checks
    timings["total_s"] = time.perf_counter() - t_start
    timings["train_s"] = timings["adam_s"] + timings["polish_s"]
    timings["adam_steps"] = outcome.steps
    return DiscoveryResult(
        status=status,
        generators=G,
        structure_constants=C,
        learned_constants=learned,
        history=history,
        angle_history=angle_history,
        metrics=metrics,
        reasons=reasons,
        timings=timings,
        config=config.to_dict(),
        oracle=oracle.summary(),
        exact=exact_info,
        identification=identification,
        algorithm=algorithm,
        extra={**convention(oracle.field), **(extra or {})},
    )


def name_algebra(actions: np.ndarray, closure: float, max_closure: float = 1e-2):
    """The identification of ``span{A}`` as plain data, or ``None``.

    Only attempted when the learned set nearly closes; a set that does not
    close has no algebra to name.
    """
    if not closure < max_closure:
        return None
    try:
        return identify(actions).to_dict()
    except Exception as exc:  # naming is a bonus; never lose a training run
        logger.warning("identification failed: %s", exc)
        return None


def _exact_comparison(oracle: Oracle, A: np.ndarray, config: TrainingConfig) -> dict:
    """The exact algebra's dimension and the learned span's distance from it."""
    try:
        algebra = solve(
            oracle,
            seed=config.seed + 1,
            rtol=config.exact_rtol,
            min_gap=config.exact_min_gap,
        )
    except Exception as exc:  # the comparison is a bonus; never lose a training run
        logger.warning("exact algebra not computed: %s", exc)
        return {"error": str(exc)}
    return {
        "dimension": algebra.dimension,
        "span_distance": learned_span_distance(A, algebra.basis),
        "n_trivial": algebra.n_trivial,
        "gap_decisive": algebra.decision.decisive,
    }


def _status(metrics: dict, exact_info: dict, config: TrainingConfig, k: int):
    """``found`` when every check is under its tolerance; reasons otherwise."""
    checks = [
        ("invariance error", metrics["invariance_error"], config.tol_invariance),
        (
            "orthonormality error",
            metrics["orthonormality_error"],
            config.tol_orthonormality,
        ),
    ]
    if k > 1 and config.closure != "none":
        checks.append(("closure error", metrics["closure_error"], config.tol_closure))
    if "span_distance" in exact_info:
        checks.append(
            (
                "distance from the exact algebra",
                exact_info["span_distance"],
                config.tol_span,
            )
        )
    failed = failed_checks(checks)
    if not failed:
        return "found", []
    comps = metrics.get("final_loss_components", {})
    loss_text = ", ".join(f"{k} {v:.2e}" for k, v in comps.items() if v)
    reasons = [
        f"no {k} generator(s) that are symmetries, orthonormal and closed were "
        f"found: " + "; ".join(failed)
    ]
    if loss_text:
        reasons.append(f"final losses: {loss_text}")
    return "not found", reasons
