"""Learn nonlinear symmetries: ``k`` MLP vector fields, all at once.

The fields are trained with the invariance loss (finite-step for non-smooth
oracles), a normalisation that fixes the mean squared step, and orthogonality
between fields on the data (:mod:`symdisc.models.fields`). They are then
checked on fresh points: the relative invariance error away from where the
oracle is not smooth, and the normalisation within its tolerance.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import jax
import jax.numpy as jnp
import numpy as np
import optax

from symdisc import _jax  # noqa: F401
from symdisc.checks import failed_checks
from symdisc.config import TrainingConfig, check_keys
from symdisc.errors import bad_input
from symdisc.models import fields as F_
from symdisc.models.fields import FieldModel, TangentFieldModel
from symdisc.oracles.base import Oracle, check_oracle
from symdisc.training.engine import Progress, optimise
from symdisc.training.objective import invariance_form

logger = logging.getLogger(__name__)

#: Optimisation settings that suit MLP fields (``symdisc run --model mlp``).
FIELD_TRAINING = {
    "epochs": 10000,
    "learning_rate": 3e-3,
    "n_points": 1024,
    "polish_steps": 500,
    "restarts": 1,
}

#: ``δ`` of the relative invariance weight ``1 / (|f(x)|² + δ mean|f|²)``.
RELATIVE_FLOOR = 1e-3


@dataclass(frozen=True)
class FieldConfig:
    """The architecture of the fields and the thresholds of their checks.

    Parameters
    ----------
    depth, width : int
        Hidden layers and units per layer; depth 0 is the linear field ``Gx``.
    activation : str
        ``tanh``, ``gelu``, ``softplus`` or ``silu``.
    step_target : float
        ``s``: the mean over the data of ``|f(x)|²``. The default 2 matches
        the linear convention ``‖G‖_F² = 2`` for standard normal points.
    linear_path : bool
        Deep fields are ``Gx + MLP(x)`` (True) or ``MLP(x)`` alone (the
        default: the linear term slows the fit of fields that must turn
        sharply, as near a discontinuity).
    tangent : bool
        Project every field onto the level sets of the oracle,
        ``f̃ = (I − J⁺J) f`` with ``J = Dφ(x)``
        (:class:`~symdisc.models.fields.TangentFieldModel`): invariance holds
        by construction and training only chooses the directions. Smooth
        oracles only; off by default, so that the invariance is learned.
    final_learning_rate : float
        Adam's step decays along a cosine from the configured learning rate
        to this fraction of it at the last epoch (1: constant, the default;
        measured on piecewise and manhattan, decay did not help).
    relative : bool
        Weigh the invariance term per point by
        ``1 / (|f(x)|² + δ mean|f|²)`` and ``1 / (|∇φ(x)|² + δ mean|∇φ|²)``,
        ``δ = 10⁻³``: the term becomes the mean squared cosine between field
        and gradient, what the checks measure; the field cannot shrink where
        the oracle is hard to preserve, and flat regions of ``φ`` count.
        Without it a field tends to vanish near a discontinuity and point
        anywhere there.
    standardise : bool
        Feed the MLP ``(x − μ) / σ`` with the training data's mean and spread.
    calibration_points : int
        After training, each field is scaled so that ``mean |f|² = s`` holds
        on this many fresh points (0: no calibration). Scaling changes
        neither the directions nor the invariance; it removes the sampling
        error of the training points' mean, about ``std(|f|²) / √b`` (3 % for
        ``|f| ∝ |x|`` and ``b = 1024``).
    normalisation_check_points : int
        Fresh points of the normalisation check (its own sampling error must
        stay well under ``tol_normalisation``).
    margin : float
        Checks skip points closer than this to where the oracle is not smooth.
    check_epsilon : float
        Step ``ε`` of the finite check for non-smooth oracles.
    tol_invariance : float
        ``found`` needs the mean relative invariance error below this.
    tol_normalisation : float
        ``found`` needs ``|mean|f|² / s − 1|`` below this on fresh points.
    tol_orthogonality : float
        ``found`` (``k > 1``) needs every ``|cos|`` between fields below this.
    """

    depth: int = 3
    width: int = 64
    activation: str = "tanh"
    step_target: float = 2.0
    linear_path: bool = False
    tangent: bool = False
    final_learning_rate: float = 1.0
    relative: bool = True
    standardise: bool = True
    calibration_points: int = 2**17
    normalisation_check_points: int = 2**17
    margin: float = 0.1
    check_epsilon: float = 1e-4
    tol_invariance: float = 1e-3
    tol_normalisation: float = 0.01
    tol_orthogonality: float = 0.05

    def __post_init__(self) -> None:
        for name in (
            "step_target",
            "final_learning_rate",
            "check_epsilon",
            "tol_invariance",
            "tol_normalisation",
            "tol_orthogonality",
        ):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not value > 0
            ):
                raise bad_input(name, "a positive number", value)
        for name in ("calibration_points", "normalisation_check_points"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise bad_input(name, "a non-negative integer", value)
        if not (isinstance(self.margin, int | float) and self.margin >= 0):
            raise bad_input("margin", "a non-negative number", self.margin)

    def replace(self, **changes) -> FieldConfig:
        """Return a copy with ``changes`` applied (``None`` values are ignored)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        check_keys(changes, "field option", [f.name for f in dataclasses.fields(self)])
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain data for result files."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class FieldResult:
    """What a field discovery learned and how well it holds up.

    Attributes
    ----------
    status : {"found", "not found", "diverged"}
    model : FieldModel
        The architecture (rebuilds the fields with ``params``).
    params : pytree
        Weights of the kept restart (numpy leaves).
    history : dict of str to ndarray
        Loss components per step.
    metrics : dict
        :func:`field_checks` on fresh points, plus final losses.
    reasons : list of str
    timings : dict
    config, field_config, oracle : dict
    """

    status: str
    model: FieldModel
    params: object
    history: dict
    metrics: dict
    reasons: list
    timings: dict
    config: dict
    field_config: dict
    oracle: dict
    algorithm: str = "fields"
    extra: dict = field(default_factory=dict)

    @property
    def found(self) -> bool:
        """Whether every check passed."""
        return self.status == "found"

    @property
    def n_fields(self) -> int:
        """Number ``k`` of fields."""
        return self.model.n_fields

    def values(self, points) -> np.ndarray:
        """Every field at ``points`` ``(b, N)`` (or ``(b, c, n)``): ``(k, b, N)``."""
        X = jnp.asarray(points, jnp.float64).reshape(len(points), -1)
        return np.asarray(self.model.values(self.params, X))

    def field(self, index: int = 0) -> Callable[[jax.Array], jax.Array]:
        """Field ``f_index`` of one point ``(N,) -> (N,)`` (for flow lines)."""
        return self.model.field(self.params, index)

    def summary(self) -> str:
        """Summarise in a few human lines."""
        m = self.metrics
        lines = [
            f"{self.oracle.get('name', 'oracle')}: {self.status} "
            f"({self.n_fields} field(s), depth {self.model.depth})"
        ]
        if "invariance_error" in m:
            lines.append(
                f"  invariance {m['invariance_error']:.2e}  normalisation "
                f"{m['normalisation_error']:.2e}"
            )
        lines.extend(f"  {r}" for r in self.reasons)
        return "\n".join(lines)


Mask = Callable[[jax.Array], jax.Array]


def make_field_model(
    oracle: Oracle, n_fields: int, field_config: FieldConfig, X: jax.Array | None = None
) -> FieldModel | TangentFieldModel:
    """Build the field architecture for ``oracle``; ``X`` ``(b, N)`` sets ``μ, σ``.

    With ``field_config.tangent`` the fields are projected onto the oracle's
    level sets.
    """
    center, scale = None, 1.0
    if field_config.standardise and X is not None and field_config.depth > 0:
        Xn = np.asarray(X)
        center = tuple(float(v) for v in Xn.mean(axis=0))
        scale = float(np.sqrt(np.mean((Xn - Xn.mean(axis=0)) ** 2))) or 1.0
    model = FieldModel(
        n=oracle.n * oracle.copies,
        n_fields=n_fields,
        depth=field_config.depth,
        width=field_config.width,
        activation=field_config.activation,
        center=center,
        scale=scale,
        linear_path=field_config.linear_path,
    )
    if not field_config.tangent:
        return model
    if not oracle.smooth:
        raise bad_input(
            "tangent",
            "a smooth oracle (the projection needs its Jacobian everywhere)",
            f"the non-smooth oracle {oracle.name!r}",
            "Train without tangent=True.",
        )
    return TangentFieldModel(model, oracle.fn, oracle.point_shape)


def make_field_objective(
    oracle: Oracle,
    model: FieldModel,
    config: TrainingConfig,
    field_config: FieldConfig,
    X: jax.Array,
) -> Callable:
    """Build ``loss(params) -> (total, parts)``; ``X`` is ``(b, N)``.

    ``total = h_inv Σ_α L_inv,α + h_norm Σ_α L_norm,α + h_orth L_orth``.
    """
    form = invariance_form(oracle, config)
    shape = oracle.point_shape
    floor = RELATIVE_FLOOR if field_config.relative else None
    gw = (
        F_.gradient_weights(oracle.fn, X, shape, RELATIVE_FLOOR)
        if field_config.relative
        else None
    )

    values = model.values
    if isinstance(model, TangentFieldModel):
        # the training points do not move: project with fixed P(X)
        P = F_.level_set_projectors(oracle.fn, X, shape)

        def values(params, X):
            return jnp.einsum("bij,kbj->kbi", P, model.base.values(params, X))

    def objective(params):
        F = values(params, X)
        if form == "exact":
            inv = F_.invariance_exact(oracle.fn, F, X, shape, floor, gw)
        else:
            inv = F_.invariance_finite(
                oracle.fn, F, X, config.epsilon, shape, floor, gw
            )
        parts = {
            "invariance": jnp.sum(inv),
            "normalisation": jnp.sum(F_.normalisation(F, field_config.step_target)),
            "orthogonality": F_.orthogonality(F),
        }
        total = (
            config.h_invariance * parts["invariance"]
            + config.h_normalisation * parts["normalisation"]
            + config.h_orthogonality * parts["orthogonality"]
        )
        return total, parts

    return objective


def kept_points(
    oracle: Oracle, points: jax.Array, margin: float, mask: Mask | None = None
) -> np.ndarray:
    """Which points ``(b, c, n)`` the checks use, boolean ``(b,)``.

    ``mask(points)`` when given; otherwise points farther than ``margin``
    from the oracle's non-smooth set when it has ``distance_to_singular``;
    otherwise all.
    """
    if mask is not None:
        keep = np.asarray(mask(points), bool).reshape(-1)
        if keep.shape != (points.shape[0],):
            raise bad_input(
                "mask",
                f"a boolean per point, shape ({points.shape[0]},)",
                f"shape {keep.shape}",
            )
        return keep
    if oracle.distance_to_singular is not None:
        return np.asarray(jax.vmap(oracle.distance_to_singular)(points)) > margin
    return np.ones(points.shape[0], bool)


def relative_invariance(
    oracle: Oracle, F: jax.Array, points: jax.Array, epsilon: float | None
) -> np.ndarray:
    r"""Relative invariance error of each field at each point, ``(k, b)``.

    .. math::  r_α(x) = \frac{|φ(x + ε f_α(x)) − φ(x)|}{ε\, |∇φ(x)|\, |f_α(x)|}

    (``|∇φ|`` the Frobenius norm of the Jacobian). With ``epsilon=None`` the
    limit ``ε → 0`` is taken exactly, ``|Dφ(x)[f_α(x)]| / (|∇φ| |f_α|)``:
    the cosine between the field and the gradient for one label. NaN where
    the denominator vanishes.
    """
    b = points.shape[0]
    X = points.reshape(b, -1)
    shape = oracle.point_shape
    if epsilon is None:
        change = jnp.linalg.norm(
            F_.directional_derivatives(oracle.fn, F, X, shape), axis=-1
        )
        step = 1.0
    else:
        base = oracle(points)
        moved = (X[None] + epsilon * F).reshape(F.shape[0], b, *shape)
        change = jnp.linalg.norm(jax.vmap(oracle)(moved) - base[None], axis=-1)
        step = epsilon
    grads = jax.vmap(jax.jacrev(oracle.fn))(points).reshape(b, -1)
    den = step * jnp.linalg.norm(grads, axis=-1)[None] * jnp.linalg.norm(F, axis=-1)
    ratio = np.asarray(change) / np.where(np.asarray(den) > 0, np.asarray(den), np.nan)
    return ratio


def field_checks(
    oracle: Oracle,
    model: FieldModel,
    params,
    points: jax.Array,
    field_config: FieldConfig,
    mask: Mask | None = None,
    step_points: jax.Array | None = None,
) -> dict:
    """Every check of a set of fields on fresh points ``(b, c, n)``, as numbers.

    ``invariance_error``: the largest, over fields, of the mean of
    :func:`relative_invariance` over the kept points (see :func:`kept_points`;
    exact form for smooth oracles, finite step ``check_epsilon`` otherwise).
    ``normalisation_error``: ``max_α |mean_x |f_α|² / s − 1|``, over
    ``step_points`` ``(b', c, n)`` when given (a larger fresh sample, whose
    own sampling error stays well under the tolerances).
    ``orthogonality_error``: ``max_{α≠β} |M_αβ| / √(M_αα M_ββ)`` with
    ``M = mean_x ⟨f_α, f_β⟩``, over ``step_points`` too.
    """
    b = points.shape[0]
    F = model.values(params, points.reshape(b, -1))
    keep = kept_points(oracle, points, field_config.margin, mask)
    eps = None if oracle.smooth else field_config.check_epsilon
    ratio = relative_invariance(oracle, F, points, eps)[:, keep]
    with np.errstate(all="ignore"):
        mean = np.nanmean(ratio, axis=1) if ratio.size else np.full(len(F), np.nan)
        median = np.nanmedian(ratio, axis=1) if ratio.size else mean
        worst = np.nanmax(ratio, axis=1) if ratio.size else mean
    F_steps = F
    if step_points is not None:
        F_steps = model.values(params, step_points.reshape(step_points.shape[0], -1))
    steps = np.asarray(F_.mean_step(F_steps))
    M = np.asarray(F_.field_gram(F_steps))
    d = np.sqrt(np.abs(np.diag(M)))
    cos = M / np.where(np.outer(d, d) > 0, np.outer(d, d), 1.0)
    off = np.abs(cos[~np.eye(len(M), dtype=bool)])
    return {
        "invariance_error": float(np.max(mean)),
        "invariance_error_per_field": mean.tolist(),
        "invariance_error_median": median.tolist(),
        "invariance_error_max": worst.tolist(),
        "invariance_check": "exact (ε → 0)" if eps is None else f"finite, ε = {eps:g}",
        "mean_step": steps.tolist(),
        "normalisation_error": float(
            np.max(np.abs(steps / field_config.step_target - 1.0))
        ),
        "orthogonality_error": float(off.max()) if off.size else 0.0,
        "field_cosines": cos.tolist(),
        "n_check_points": int(b),
        "n_normalisation_check_points": int(
            b if step_points is None else step_points.shape[0]
        ),
        "n_kept_points": int(keep.sum()),
        "margin": float(field_config.margin),
    }


def calibrate(
    oracle: Oracle, model: FieldModel, params, field_config: FieldConfig, key: jax.Array
) -> object:
    """Scale each field so that ``mean |f|² = s`` on fresh calibration points."""
    if not field_config.calibration_points:
        return params
    P = oracle.sample(key, field_config.calibration_points)
    steps = F_.mean_step(model.values(params, P.reshape(P.shape[0], -1)))
    factors = jnp.sqrt(field_config.step_target / jnp.where(steps > 0, steps, 1.0))
    return jax.tree.map(np.asarray, model.rescale(params, factors))


def _status(metrics: dict, field_config: FieldConfig, k: int):
    checks = [
        (
            "relative invariance error",
            metrics["invariance_error"],
            field_config.tol_invariance,
        ),
        (
            "normalisation error",
            metrics["normalisation_error"],
            field_config.tol_normalisation,
        ),
    ]
    if k > 1:
        checks.append(
            (
                "orthogonality error (|cos| between fields)",
                metrics["orthogonality_error"],
                field_config.tol_orthogonality,
            )
        )
    failed = failed_checks(checks)
    if not failed:
        return "found", []
    return "not found", [
        f"no {k} field(s) that preserve the oracle and keep their "
        "step length were found: " + "; ".join(failed)
    ]


def discover_fields(
    oracle: Oracle,
    n_fields: int | None = None,
    *,
    config: TrainingConfig | None = None,
    field_config: FieldConfig | None = None,
    seed: int | None = None,
    progress: Progress | None = None,
    mask: Mask | None = None,
    points: jax.Array | None = None,
    **options,
) -> FieldResult:
    """Learn ``k`` vector fields whose flows preserve ``oracle``.

    Parameters
    ----------
    oracle : Oracle
        Real oracle; points of ``c`` copies are moved as one ``c·n`` vector.
    n_fields : int, optional
        Number ``k`` of fields (overrides ``config.n_generators``).
    config : TrainingConfig, optional
        Optimisation settings (epochs, learning rate, restarts, points, ε,
        weights ``h_invariance``, ``h_normalisation``, ``h_orthogonality``).
    field_config : FieldConfig, optional
        Architecture and check thresholds.
    seed : int, optional
    progress : callable, optional
        ``progress(step, total, best_loss)``.
    mask : callable, optional
        ``mask(points (b, c, n)) -> bool (b,)``: the fresh points to check on
        (default: away from the oracle's non-smooth set).
    points : array of shape (b, c, n), optional
        Training points (default: ``config.n_points`` sampled from the oracle).
    **options
        Any other :class:`TrainingConfig` field.

    Returns
    -------
    FieldResult
        ``found`` when the fields preserve the oracle on fresh points
        (relative error under ``tol_invariance``) and keep their step length.
    """
    config = (config or TrainingConfig()).replace(
        n_generators=n_fields, seed=seed, **options
    )
    field_config = field_config or FieldConfig()
    if not isinstance(oracle, Oracle):
        raise bad_input("oracle", "a symdisc Oracle", type(oracle).__name__)
    if oracle.field != "real":
        raise NotImplementedError("vector fields act on real oracles only")
    check_oracle(oracle, seed=config.seed)
    t_start = time.perf_counter()

    data_key, init_key, check_key = jax.random.split(jax.random.PRNGKey(config.seed), 3)
    if points is None:
        points = oracle.sample(data_key, config.n_points)
    X = jnp.asarray(points, jnp.float64).reshape(len(points), -1)
    model = make_field_model(oracle, config.n_generators, field_config, X)
    params = jax.vmap(model.init)(jax.random.split(init_key, config.restarts))
    objective = make_field_objective(oracle, model, config, field_config, X)
    schedule = optax.cosine_decay_schedule(
        config.learning_rate, config.epochs, alpha=field_config.final_learning_rate
    )
    outcome = optimise(
        objective,
        params,
        epochs=config.epochs,
        learning_rate=schedule,
        loss_floor=config.loss_floor,
        polish_steps=config.polish_steps,
        progress=progress,
    )

    finite = np.isfinite(outcome.final_loss)
    best = int(np.argmin(np.where(finite, outcome.final_loss, np.inf)))
    kept = jax.tree.map(lambda a: np.asarray(a[best]), outcome.params)
    history = {k: v[best] for k, v in outcome.history.items()}
    t0 = time.perf_counter()
    leaves_finite = all(np.all(np.isfinite(a)) for a in jax.tree.leaves(kept))
    if not finite.any() or not leaves_finite:
        status = "diverged"
        reasons = [
            "training diverged: the loss became NaN or infinite; lower "
            "--learning-rate or check the oracle's scale"
        ]
        metrics: dict = {"final_loss": float("nan")}
    else:
        calib_key, check_key, step_key = jax.random.split(check_key, 3)
        kept = calibrate(oracle, model, kept, field_config, calib_key)
        fresh = oracle.sample(check_key, config.n_check_points)
        step_points = (
            oracle.sample(step_key, field_config.normalisation_check_points)
            if field_config.normalisation_check_points
            else None
        )
        metrics = field_checks(
            oracle, model, kept, fresh, field_config, mask, step_points
        )
        metrics["final_loss"] = float(outcome.final_loss[best])
        metrics["final_loss_components"] = {k: float(v[-1]) for k, v in history.items()}
        metrics["invariance_form"] = invariance_form(oracle, config)
        status, reasons = _status(metrics, field_config, model.n_fields)
    timings = dict(outcome.timings)
    timings["checks_s"] = time.perf_counter() - t0
    timings["train_s"] = timings["adam_s"] + timings["polish_s"]
    timings["total_s"] = time.perf_counter() - t_start
    timings["adam_steps"] = outcome.steps
    logger.info("fields on %s: %s", oracle.name, status)
    return FieldResult(
        status=status,
        model=model,
        params=kept,
        history=history,
        metrics=metrics,
        reasons=reasons,
        timings=timings,
        config=config.to_dict(),
        field_config=field_config.to_dict(),
        oracle=oracle.summary(),
    )
