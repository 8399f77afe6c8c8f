"""Experiments on the user's own data or code: a table or a function as the oracle.

A table (CSV, ``.npy``/``.npz``, Parquet) is replaced by a smooth surrogate
fitted to its labels (:mod:`symdisc.oracles.surrogate`); a function given as
``module:function`` is used as it is when JAX can trace it, else it also gets a
surrogate (:mod:`symdisc.oracles.user`). The training then draws its points
from the table's rows (or the function's sampler).

A surrogate is never exactly invariant: its labels carry fit error, so the
checks of a run on it use the looser tolerances :data:`SURROGATE_TRAINING`
(relative errors of a few per cent instead of ``1e-6``), and the exact solve
it is compared with cuts the singular values at ``0.1`` of the largest, with
a gap ratio of 10 called decisive. Each can be overridden in ``[training]``;
the values used are in every result's ``config``.

Experiment files describe the data in a ``[data]`` table (see
:mod:`symdisc.presets`); the command line takes the same keys as options
(``--data``, ``--features``, ``--labels``, ``--copies``, ``--callable``,
``--n``).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from pathlib import Path

import jax
import numpy as np

from symdisc import _jax  # noqa: F401  (float64)
from symdisc.config import TrainingConfig, check_keys
from symdisc.errors import InputError, bad_input
from symdisc.oracles.base import Oracle

logger = logging.getLogger(__name__)

#: Training settings for oracles fitted to data (overridable in ``[training]``).
#: Measured on a surrogate of x0² − x1² − x2² − x3² (2,000 rows, 1 % label
#: noise, held-out R² 0.9998): invariance error 0.007–0.02, closure error
#: 0.004–0.007, orthonormality error 4e-4–2e-3 and span distance 0.01 from the
#: exact so(1,3); the surrogate's near-null singular values sit at 0.5–1 % of
#: the largest, the rest above 35 %.
SURROGATE_TRAINING = {
    "tol_invariance": 0.05,
    "tol_closure": 0.05,
    "tol_orthonormality": 0.01,
    "tol_span": 0.05,
    "exact_rtol": 0.1,
    "exact_min_gap": 10.0,
}

#: Target of ``h_invariance × E‖∇φ‖²‖x‖²`` for surrogates: the invariance
#: loss of a unit generator weighs this many times the normalisation term,
#: whatever the data's units (see :func:`invariance_scale`). The classical
#: presets on unit-scale points sit at 100; events on light cones need more.
INVARIANCE_BALANCE = 500.0

#: Keys of a ``[data]`` table, and of its ``[data.surrogate]`` sub-table.
DATA_KEYS = [
    "path",
    "features",
    "labels",
    "copies",
    "callable",
    "n",
    "samples",
    "surrogate",
]
SURROGATE_KEYS = [
    "hidden",
    "activation",
    "epochs",
    "learning_rate",
    "batch_size",
    "patience",
    "val_fraction",
    "min_r2",
    "jitter",
]

#: Relative singular value under which the table's rows are said to lie on a
#: quadric (see :func:`row_quadrics`).
QUADRIC_RTOL = 1e-6


@dataclass(frozen=True)
class DataSpec:
    """Where a user-data oracle comes from: a table or a function.

    Attributes
    ----------
    path : str or None
        Table file (CSV/TSV, ``.npy``, ``.npz``, Parquet).
    features, labels : str or list or None
        Columns (a comma-separated string or a list); see
        :func:`symdisc.oracles.tables.load_table` for the defaults.
    copies : str, list, int or None
        For a table: groups of feature columns that transform alike
        (``"E1,px1;E2,px2"``) or their number. For a function: the number
        ``c`` of vectors per point.
    callable : str or None
        ``module:function`` or ``path/to/file.py:function``.
    n : int or None
        Dimension of each vector a function receives (required with
        ``callable``).
    samples : int
        Points on which a function that JAX cannot trace is evaluated.
    surrogate : dict
        Options of :func:`symdisc.oracles.surrogate.fit_surrogate`.
    """

    path: str | None = None
    features: object = None
    labels: object = None
    copies: object = None
    callable: str | None = None
    n: int | None = None
    samples: int = 2000
    surrogate: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.path is None) == (self.callable is None):
            raise InputError(
                "data: give exactly one of a table file (--data / "
                "path = ...) and a function (--callable / callable = "
                f"...); got {'both' if self.path else 'neither'}."
            )
        if self.callable is not None:
            if self.features is not None or self.labels is not None:
                raise InputError(
                    "data: --features and --labels select table "
                    "columns; a --callable has none. Drop them."
                )
            if self.n is None:
                raise bad_input(
                    "n",
                    "the dimension of each vector the function receives",
                    None,
                    "Give --n N (and --copies C).",
                )
            for name in ("n", "samples"):
                value = getattr(self, name)
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    raise bad_input(name, "a positive integer", value)
            if self.copies is not None and (
                isinstance(self.copies, bool)
                or not isinstance(self.copies, int)
                or self.copies < 1
            ):
                raise bad_input(
                    "copies",
                    "a positive number of vectors per point for a --callable",
                    self.copies,
                )
        elif self.n is not None:
            raise InputError(
                "data: --n is the dimension of a --callable's points; "
                "a table's dimension comes from its columns. Drop it."
            )
        check_keys(self.surrogate, "surrogate option", SURROGATE_KEYS)

    @property
    def name(self) -> str:
        """A short name for result folders: the file's or the function's."""
        if self.path is not None:
            return Path(self.path).stem or "data"
        return self.callable.rpartition(":")[2] or "callable"

    def to_dict(self) -> dict:
        """Plain data for result files."""
        return {
            k: v
            for k, v in dataclasses.asdict(self).items()
            if v is not None and v != {}
        }


def data_spec(
    mapping: dict, source: str = "[data]", base: Path | None = None
) -> DataSpec:
    """Read a ``[data]`` table into a :class:`DataSpec` (paths relative to ``base``)."""
    if not isinstance(mapping, dict):
        raise InputError(
            f"{source}: must be a table ([data]), got {type(mapping).__name__}."
        )
    check_keys(mapping, f"key in {source}", DATA_KEYS)
    spec = dict(mapping)
    surrogate = spec.get("surrogate", {})
    if not isinstance(surrogate, dict):
        raise InputError(f"{source}: 'surrogate' must be a table ([data.surrogate]).")
    if isinstance(surrogate.get("hidden"), list):
        surrogate = {**surrogate, "hidden": tuple(surrogate["hidden"])}
    spec["surrogate"] = surrogate
    for key in ("path", "callable"):
        value = spec.get(key)
        if value is not None and not isinstance(value, str):
            raise InputError(f"{source}: '{key}' must be a string, got {value!r}.")
    if base is not None and spec.get("path") and not Path(spec["path"]).is_absolute():
        spec["path"] = str(base / spec["path"])
    if base is not None and spec.get("callable"):
        module, _, function = spec["callable"].rpartition(":")
        if module.endswith(".py") and not Path(module).is_absolute():
            spec["callable"] = f"{base / module}:{function}"
    try:
        return DataSpec(**spec)
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None


@dataclass(frozen=True, eq=False)
class DataOracle:
    """An oracle built from the user's data or code, with how it was built.

    Attributes
    ----------
    oracle : Oracle
        The differentiable oracle (the function itself or a surrogate).
    spec : DataSpec
    surrogate : Surrogate or None
        The fitted surrogate, when there is one.
    table : dict or None
        Summary of the table read (rows, columns).
    notes : list of str
        Facts about the data that bear on the result (e.g. the rows lie on a
        quadric).
    warnings : list of str
        Reasons not to trust the result (e.g. a poor fit).
    """

    oracle: Oracle
    spec: DataSpec
    surrogate: object = None
    table: dict | None = None
    notes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def uses_surrogate(self) -> bool:
        """Whether the oracle is a fitted surrogate."""
        return self.surrogate is not None

    def summary(self) -> dict:
        """Plain data for ``result.extra``."""
        out = {
            "source": self.spec.to_dict(),
            "uses_surrogate": self.uses_surrogate,
            "notes": list(self.notes),
            "warnings": list(self.warnings),
        }
        if self.table is not None:
            out["table"] = self.table
        if self.surrogate is not None:
            out["surrogate"] = self.surrogate.summary()
        return out


def build_data_oracle(spec: DataSpec, *, seed: int = 0, progress=None) -> DataOracle:
    """Read the table (or import the function) and fit a surrogate if needed.

    Parameters
    ----------
    spec : DataSpec
    seed : int
        Seeds the surrogate's split, initialisation and the function's samples.
    progress : callable, optional
        ``progress(step, epochs, heldout_loss)`` during a surrogate fit.

    Raises
    ------
    InputError
        Bad file, columns, cells, row count, or a function that raises or
        returns the wrong shape (all before any training).
    """
    from symdisc.oracles.surrogate import fit_surrogate
    from symdisc.oracles.tables import load_table
    from symdisc.oracles.user import oracle_from_callable

    options = {**spec.surrogate, "progress": progress}
    if spec.callable is not None:
        record = oracle_from_callable(
            spec.callable,
            n=spec.n,
            copies=spec.copies or 1,
            n_samples=spec.samples,
            seed=seed,
            **options,
        )
        warnings = [record.message] if record.message else []
        if record.surrogate is not None and record.surrogate.warning:
            warnings.append(record.surrogate.warning)
        return DataOracle(record.oracle, spec, record.surrogate, None, [], warnings)

    table = load_table(
        spec.path, features=spec.features, labels=spec.labels, copies=spec.copies
    )
    surrogate = fit_surrogate(table, seed=seed, **options)
    notes = [
        _quadric_note(q, table.feature_names[0], table.copies)
        for q in row_quadrics(table.features)
    ]
    warnings = [surrogate.warning] if surrogate.warning else []
    return DataOracle(
        surrogate.oracle, spec, surrogate, table.summary(), notes, warnings
    )


def training_for(
    data: DataOracle, base: TrainingConfig | None = None, overrides: dict | None = None
) -> TrainingConfig:
    """Training settings for a data oracle: surrogate defaults, then overrides.

    A surrogate gets :data:`SURROGATE_TRAINING` and an invariance weight
    ``h_invariance = INVARIANCE_BALANCE / E‖∇φ‖²‖x‖²`` over the table's rows,
    so that the data's units do not decide the balance of the loss terms.
    """
    config = base or TrainingConfig()
    if data.uses_surrogate:
        weight = INVARIANCE_BALANCE / max(invariance_scale(data.oracle), 1e-300)
        config = config.replace(**SURROGATE_TRAINING, h_invariance=float(weight))
    return config.replace(**(overrides or {}))


def data_experiment(
    spec: DataSpec,
    *,
    name: str | None = None,
    training: dict | None = None,
    seed: int = 0,
    progress=None,
    options: dict | None = None,
):
    """Build an :class:`~symdisc.presets.Experiment` whose oracle comes from data."""
    from symdisc.presets import Experiment

    data = build_data_oracle(spec, seed=seed, progress=progress)
    config = training_for(data, overrides=training)
    return Experiment(
        name=name or spec.name,
        oracle=data.oracle,
        training=config,
        options=dict(options or {}),
        data=data,
    )


def with_data_record(result, data: DataOracle | None):
    """Add the data's record to a result's ``extra``.

    The record goes to ``extra["data"]`` and the surrogate's fit also to
    ``extra["surrogate"]``; the result is returned unchanged without data.
    """
    if data is None:
        return result
    summary = data.summary()
    extra = {**result.extra, "data": summary}
    if "surrogate" in summary:
        extra["surrogate"] = summary["surrogate"]
    return dataclasses.replace(result, extra=extra)


# ----------------------------------------------------------------------------
# what the rows' geometry says


def row_quadrics(features: np.ndarray, rtol: float = QUADRIC_RTOL) -> list[dict]:
    r"""Quadrics that every row's every copy lies on.

    Fits ``q(x) = xᵀ Q x + bᵀ x + c = 0`` to the vectors ``x_a`` of every row
    (pooled over copies) by the null space of the matrix of monomials
    ``(x_i x_j)_{i ≤ j}, x_i, 1`` with columns scaled to unit norm. A relative
    singular value below ``rtol`` is a constraint the data satisfy exactly,
    e.g. massless momenta on the light cone ``E² − p² = 0``. A surrogate is
    fitted only on such a set, so its values (and symmetries) off it are not
    constrained by the data.

    Parameters
    ----------
    features : ndarray, shape (N, c, n)
    rtol : float

    Returns
    -------
    list of dict
        ``{"Q": (n, n), "b": (n,), "c": float, "residual": float}`` per
        quadric, scaled so that the largest coefficient is 1.
    """
    X = np.asarray(features, dtype=float).reshape(-1, np.shape(features)[-1])
    n = X.shape[1]
    if X.shape[0] > 20000:
        X = X[np.random.default_rng(0).choice(X.shape[0], 20000, replace=False)]
    iu = np.triu_indices(n)
    M = np.concatenate(
        [(X[:, :, None] * X[:, None, :])[:, iu[0], iu[1]], X, np.ones((X.shape[0], 1))],
        axis=1,
    )
    scale = np.linalg.norm(M, axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    _, s, Vt = np.linalg.svd(M / scale, full_matrices=False)
    rel = s / s[0]
    out = []
    for value, v in zip(rel, Vt, strict=True):
        if value >= rtol:
            continue
        coef = v / scale
        coef = coef / np.max(np.abs(coef))
        coef = coef * np.sign(coef[np.nonzero(np.abs(coef) > 1e-6)[0][0]])
        Q = np.zeros((n, n))
        Q[iu] = coef[: len(iu[0])]
        Q = 0.5 * (Q + Q.T)
        out.append(
            {
                "Q": Q,
                "b": coef[len(iu[0]) : -1],
                "c": float(coef[-1]),
                "residual": float(value),
            }
        )
    return out


def _quadric_note(quadric: dict, names, copies: int) -> str:
    Q, b, c = quadric["Q"], quadric["b"], quadric["c"]
    terms = []
    n = len(names)
    for i in range(n):
        for j in range(i, n):
            coef = Q[i, j] * (1 if i == j else 2)
            if abs(coef) > 1e-6:
                terms.append(
                    (coef, f"{names[i]}²" if i == j else f"{names[i]}·{names[j]}")
                )
    terms += [(b[i], names[i]) for i in range(n) if abs(b[i]) > 1e-6]
    if abs(c) > 1e-6:
        terms.append((c, "1"))
    text = " ".join(f"{'−' if v < 0 else '+'} {abs(v):.3g}·{t}" for v, t in terms)
    text = text.lstrip("+ ")
    which = "every copy of every row" if copies > 1 else "every row"
    return (
        f"{which} lies on the quadric {text} = 0 (relative residual "
        f"{quadric['residual']:.1e}; e.g. massless momenta on their light cone). "
        "The surrogate is fitted and probed only there: its values off that set "
        "are unconstrained, so directions that leave it carry fit error and the "
        "learned span can differ from the symmetry of the formula that made the "
        "labels by more than on data that fill space."
    )


def invariance_scale(oracle: Oracle, n_points: int = 256, seed: int = 0) -> float:
    """Return ``E‖∇φ(x)‖² ‖x‖²`` over sampled points.

    It is the size of the invariance loss of a generator of unit norm, and
    grows with the data's units.
    """
    X = oracle.sample(jax.random.PRNGKey(seed), n_points)
    g = np.asarray(jax.vmap(jax.jacrev(oracle.fn))(X))
    x = np.asarray(X)
    return float(
        np.mean(
            np.sum(np.abs(g) ** 2, axis=(1, 2, 3)) * np.sum(np.abs(x) ** 2, axis=(1, 2))
        )
    )
