"""A small smooth network fitted to a table's labels, used as an oracle.

Symmetries of a surrogate are symmetries of the data only where the fit is
good, so the fit quality (``R²`` per label on held-out rows) is part of the
result, and a poor fit raises a warning flag.

The surrogate is a function of *raw* coordinates. Inside it the point is
standardised, ``z_aj = (x_aj − μ_j) / σ_j``, with one mean and scale per
coordinate ``j`` pooled over all copies ``a`` and rows; then an MLP with a
smooth activation maps ``z`` (flattened) to standardised labels, which are
mapped back, ``φ(x) = s ⊙ MLP(z) + t``. A generator ``G`` learned on this
oracle acts on the raw ``x``, as the user's data do; the standardisation is
just part of the function.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from symdisc import _jax  # noqa: F401  (float64)
from symdisc.errors import bad_input
from symdisc.oracles.base import Oracle
from symdisc.oracles.tables import Table

logger = logging.getLogger(__name__)

#: Held-out R² below which a surrogate's symmetries are not trusted.
MIN_R2 = 0.9

_ACTIVATIONS = {
    "tanh": jnp.tanh,
    "silu": jax.nn.silu,
    "softplus": jax.nn.softplus,
    "gelu": jax.nn.gelu,
}


class MLP(eqx.Module):
    """Fully connected network ``R^d → R^m`` with a smooth activation."""

    layers: list
    activation: str = eqx.field(static=True)

    def __init__(self, in_size: int, out_size: int, hidden, activation, key):
        sizes = [in_size, *hidden, out_size]
        keys = jax.random.split(key, len(sizes) - 1)
        self.layers = [
            eqx.nn.Linear(a, b, key=k)
            for a, b, k in zip(sizes[:-1], sizes[1:], keys, strict=True)
        ]
        self.activation = activation

    def __call__(self, z: jax.Array) -> jax.Array:
        """Map one input ``z`` of shape ``(d,)`` to shape ``(m,)``."""
        act = _ACTIVATIONS[self.activation]
        for layer in self.layers[:-1]:
            z = act(layer(z))
        return self.layers[-1](z)


@dataclass(frozen=True, eq=False)
class Surrogate:
    """A fitted surrogate and how well it fits.

    Attributes
    ----------
    oracle : Oracle
        ``fn(x)`` for one raw point ``x`` of shape ``(c, n)`` returns the
        ``(m,)`` predicted labels; differentiable in JAX. Its sampler draws
        rows of the table (see :func:`fit_surrogate`).
    model : MLP
        The network on standardised inputs and labels.
    r2 : tuple of float, length m
        Coefficient of determination ``1 − Σ(y − ŷ)² / Σ(y − ȳ)²`` of each
        label on the held-out rows.
    r2_train : tuple of float, length m
        The same on the training rows.
    label_names : tuple of str
        Names of the labels, in the order of ``r2``.
    poor_fit : bool
        Whether some held-out ``R²`` is below ``min_r2``.
    warning : str
        Why the fit is not trusted; empty when it is.
    fit_seconds : float
        Wall time of the fit, compilation included.
    epochs : int
        Optimisation steps taken.
    n_train, n_val : int
        Rows used for fitting and for the held-out score.
    config : dict
        The settings of the fit.
    """

    oracle: Oracle
    model: MLP
    r2: tuple[float, ...]
    r2_train: tuple[float, ...]
    label_names: tuple[str, ...]
    poor_fit: bool
    warning: str
    fit_seconds: float
    epochs: int
    n_train: int
    n_val: int
    config: dict

    def summary(self) -> dict:
        """Plain-data description of the fit for result files."""
        return {
            "r2_heldout": dict(zip(self.label_names, self.r2, strict=True)),
            "r2_train": dict(zip(self.label_names, self.r2_train, strict=True)),
            "poor_fit": self.poor_fit,
            "warning": self.warning,
            "fit_seconds": self.fit_seconds,
            "epochs": self.epochs,
            "n_train": self.n_train,
            "n_val": self.n_val,
            "config": dict(self.config),
        }


def fit_surrogate(
    table: Table,
    *,
    hidden: tuple[int, ...] = (64, 64),
    activation: str = "silu",
    seed: int = 0,
    val_fraction: float = 0.2,
    epochs: int = 2000,
    learning_rate: float = 3e-3,
    batch_size: int | None = None,
    patience: int = 500,
    min_r2: float = MIN_R2,
    jitter: float = 0.0,
    name: str | None = None,
    progress=None,
) -> Surrogate:
    """Fit a smooth MLP to a table's labels and wrap it as an oracle.

    Minimises the mean squared error on standardised labels with Adam and a
    cosine-decayed learning rate, keeping the parameters of lowest held-out
    error (checked every 100 steps; stops after ``patience`` steps without
    improvement).

    Parameters
    ----------
    table : Table
        Points ``(N, c, n)`` and labels ``(N, m)``.
    hidden : tuple of int
        Widths of the hidden layers.
    activation : {"tanh", "silu", "softplus", "gelu"}
        A smooth activation, so that gradients of the oracle mean something.
    seed : int
        Seeds the split, the initialisation and mini-batches.
    val_fraction : float
        Fraction of rows held out for ``R²``, in ``(0, 0.5]``.
    epochs : int
        Maximum optimisation steps (full batch unless ``batch_size``).
    learning_rate : float
        Peak Adam step size.
    batch_size : int, optional
        Rows per step; ``None`` for full batch.
    patience : int
        Steps without held-out improvement before stopping.
    min_r2 : float
        Held-out ``R²`` below which ``poor_fit`` is set and a warning logged.
    jitter : float
        The oracle's sampler draws table rows uniformly with replacement and
        adds Gaussian noise of ``jitter × σ_j`` to coordinate ``j``; the
        default 0 draws exactly the rows, so symmetries are sought where the
        data live.
    name : str, optional
        Oracle name; default ``"surrogate:<file name>"``.
    progress : callable, optional
        ``progress(step, epochs, heldout_loss)`` after every 100 steps; the
        library itself is silent.

    Returns
    -------
    Surrogate

    Raises
    ------
    InputError
        For bad settings or a constant label.
    """
    _check_settings(
        table,
        hidden,
        activation,
        val_fraction,
        epochs,
        learning_rate,
        batch_size,
        jitter,
    )
    start = time.perf_counter()
    X = table.features.reshape(table.n_rows, -1)
    Y = table.labels
    train, val = _split(table.n_rows, val_fraction, seed)

    # Standardisation: per coordinate j pooled over copies; per label.
    mu = table.features[train].mean(axis=(0, 1))
    sigma = _floor(table.features[train].std(axis=(0, 1)))
    t, s = Y[train].mean(axis=0), _floor(Y[train].std(axis=0))
    Z = ((table.features - mu) / sigma).reshape(table.n_rows, -1)
    U = (Y - t) / s

    key = jax.random.PRNGKey(seed)
    init_key, batch_key = jax.random.split(key)
    model = MLP(X.shape[1], Y.shape[1], hidden, activation, init_key)
    model, steps = _train(
        model,
        Z[train],
        U[train],
        Z[val],
        U[val],
        epochs,
        learning_rate,
        batch_size,
        patience,
        batch_key,
        progress,
    )

    U_hat = np.asarray(jax.vmap(model)(jnp.asarray(Z)))
    Y_hat = U_hat * s + t
    r2 = _r2(Y[val], Y_hat[val])
    r2_train = _r2(Y[train], Y_hat[train])
    elapsed = time.perf_counter() - start

    warning = ""
    worst = int(np.argmin(r2))
    if r2[worst] < min_r2:
        warning = (
            f"surrogate of {table.source} fits label {table.label_names[worst]!r} "
            f"with held-out R² = {r2[worst]:.3f} < {min_r2}; its symmetries need "
            "not be symmetries of the data. Try more rows, a wider network or "
            "more epochs."
        )
        logger.warning(warning)
    logger.info(
        "surrogate of %s: held-out R² %s in %.2f s (%d steps)",
        table.source,
        np.round(r2, 4).tolist(),
        elapsed,
        steps,
    )

    config = {
        "hidden": list(hidden),
        "activation": activation,
        "seed": seed,
        "val_fraction": val_fraction,
        "epochs": epochs,
        "learning_rate": learning_rate,
        "batch_size": batch_size,
        "patience": patience,
        "min_r2": min_r2,
        "jitter": jitter,
    }
    oracle = _as_oracle(table, model, (mu, sigma, t, s), jitter, name, config, r2)
    return Surrogate(
        oracle=oracle,
        model=model,
        r2=tuple(float(v) for v in r2),
        r2_train=tuple(float(v) for v in r2_train),
        label_names=table.label_names,
        poor_fit=bool(warning),
        warning=warning,
        fit_seconds=elapsed,
        epochs=steps,
        n_train=train.size,
        n_val=val.size,
        config=config,
    )


def _check_settings(
    table, hidden, activation, val_fraction, epochs, learning_rate, batch_size, jitter
) -> None:
    if not isinstance(table, Table):
        raise bad_input(
            "table",
            "a Table (see symdisc.oracles.tables.load_table)",
            type(table).__name__,
        )
    if activation not in _ACTIVATIONS:
        raise bad_input("activation", f"one of {sorted(_ACTIVATIONS)}", activation)
    if not all(isinstance(w, int) and w > 0 for w in hidden):
        raise bad_input("hidden", "a tuple of positive layer widths", hidden)
    if not 0.0 < val_fraction <= 0.5:
        raise bad_input("val_fraction", "a fraction in (0, 0.5]", val_fraction)
    if not isinstance(epochs, int) or epochs < 1:
        raise bad_input("epochs", "a positive integer", epochs)
    if not learning_rate > 0:
        raise bad_input("learning_rate", "a positive number", learning_rate)
    if batch_size is not None and (not isinstance(batch_size, int) or batch_size < 1):
        raise bad_input("batch_size", "a positive integer or None", batch_size)
    if not jitter >= 0:
        raise bad_input("jitter", "a non-negative number", jitter)
    spread = table.labels.max(axis=0) - table.labels.min(axis=0)
    for name, width in zip(table.label_names, spread, strict=True):
        if width == 0:
            raise bad_input(
                f"label {name!r} of {table.source}",
                "a label that varies",
                "the same value in every row",
                "A constant label is kept by every transformation; choose another.",
            )


def _split(n_rows: int, val_fraction: float, seed: int):
    order = np.random.default_rng(seed).permutation(n_rows)
    n_val = max(1, int(round(val_fraction * n_rows)))
    return np.sort(order[n_val:]), np.sort(order[:n_val])


def _floor(scale: np.ndarray) -> np.ndarray:
    """Scales with zeros replaced by one (a constant coordinate is not scaled)."""
    return np.where(scale > 0, scale, 1.0)


def _r2(Y: np.ndarray, Y_hat: np.ndarray) -> np.ndarray:
    residual = np.sum((Y - Y_hat) ** 2, axis=0)
    total = np.sum((Y - Y.mean(axis=0)) ** 2, axis=0)
    return 1.0 - residual / np.where(total > 0, total, np.inf)


def _train(
    model,
    Z,
    U,
    Z_val,
    U_val,
    epochs,
    learning_rate,
    batch_size,
    patience,
    key,
    progress=None,
):
    """Adam on the mean squared error; returns the best model by held-out loss."""
    chunk = min(100, epochs)
    n_chunks = -(-epochs // chunk)
    schedule = optax.cosine_decay_schedule(learning_rate, n_chunks * chunk, alpha=0.01)
    optimiser = optax.adam(schedule)
    params, static = eqx.partition(model, eqx.is_inexact_array)
    Z, U, Z_val, U_val = map(jnp.asarray, (Z, U, Z_val, U_val))

    def loss(params, Zb, Ub):
        net = eqx.combine(params, static)
        return jnp.mean((jax.vmap(net)(Zb) - Ub) ** 2)

    def step(carry, step_key):
        params, state = carry
        if batch_size is None or batch_size >= Z.shape[0]:
            Zb, Ub = Z, U
        else:
            idx = jax.random.randint(step_key, (batch_size,), 0, Z.shape[0])
            Zb, Ub = Z[idx], U[idx]
        grads = jax.grad(loss)(params, Zb, Ub)
        updates, state = optimiser.update(grads, state, params)
        return (optax.apply_updates(params, updates), state), None

    @jax.jit
    def run_chunk(params, state, chunk_key):
        keys = jax.random.split(chunk_key, chunk)
        (params, state), _ = jax.lax.scan(step, (params, state), keys)
        return params, state, loss(params, Z_val, U_val)

    state = optimiser.init(params)
    best, best_loss, since, steps = params, np.inf, 0, 0
    for chunk_key in jax.random.split(key, n_chunks):
        params, state, val_loss = run_chunk(params, state, chunk_key)
        steps += chunk
        val_loss = float(val_loss)
        if progress is not None:
            progress(steps, n_chunks * chunk, val_loss)
        if not np.isfinite(val_loss):
            break
        if val_loss < best_loss:
            best, best_loss, since = params, val_loss, 0
        else:
            since += chunk
            if since >= patience:
                break
    return eqx.combine(best, static), steps


def _as_oracle(
    table: Table, model: MLP, scales, jitter: float, name, config, r2
) -> Oracle:
    mu, sigma, t, s = (jnp.asarray(a) for a in scales)
    rows = jnp.asarray(table.features)

    def fn(x):
        z = ((x - mu) / sigma).reshape(-1)
        return model(z) * s + t

    def sampler(key, n_points):
        pick_key, noise_key = jax.random.split(key)
        idx = jax.random.randint(pick_key, (n_points,), 0, rows.shape[0])
        points = rows[idx]
        if jitter > 0:
            points = points + jitter * sigma * jax.random.normal(
                noise_key, points.shape
            )
        return points

    label = Path(table.source).name or table.source
    return Oracle(
        name=name or f"surrogate:{label}",
        fn=fn,
        n=table.n,
        copies=table.copies,
        outputs=table.outputs,
        description=(
            f"MLP surrogate of {', '.join(table.label_names)} from "
            f"{table.source} (held-out R² "
            f"{', '.join(f'{v:.4f}' for v in r2)})"
        ),
        sampler=sampler,
        parameters={
            "kind": "surrogate",
            "source": table.source,
            "features": [list(g) for g in table.feature_names],
            "labels": list(table.label_names),
            "r2_heldout": [float(v) for v in r2],
            **config,
        },
    )
