"""Nonlinear symmetries: ``k`` neural vector fields acting as ``x ↦ x + ε f(x)``.

Each field ``f_α: R^N → R^N`` is an equinox MLP (``N = c·n``: a point of ``c``
copies is moved as one vector). Depth 0 with no bias is the linear case
``f(x) = Gx``. The loss terms below act on field values ``F`` of shape
``(k, b, N)`` at points ``X`` of shape ``(b, N)``:

* invariance, finite: ``mean_x |φ(x + ε f(x)) − φ(x)|² / ε²``, or exact:
  ``mean_x |Dφ(x)[f(x)]|²``;
* normalisation: ``(mean_x |f(x)|² − s)²``, the mean squared step fixed to a
  target ``s`` so that ``f = 0`` is no solution;
* orthogonality: ``Σ_{α<β} (mean_x ⟨f_α(x), f_β(x)⟩)²``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict, dataclass

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from symdisc import _jax  # noqa: F401  (float64)
from symdisc.errors import bad_input

Array = jax.Array

#: Activations a field may use (smooth ones, so that L-BFGS polishing works).
ACTIVATIONS: dict[str, Callable[[Array], Array]] = {
    "tanh": jnp.tanh,
    "gelu": jax.nn.gelu,
    "softplus": jax.nn.softplus,
    "silu": jax.nn.silu,
}


@dataclass(frozen=True)
class FieldModel:
    """``k`` MLP vector fields on ``R^N``.

    Parameters
    ----------
    n : int
        Dimension ``N`` of the space the fields act on.
    n_fields : int
        Number ``k`` of fields.
    depth : int
        Hidden layers; 0 is the linear field ``x ↦ Gx`` (no bias).
    width : int
        Units per hidden layer (ignored for depth 0).
    activation : str
        One of :data:`ACTIVATIONS`.
    center : tuple of float, optional
        ``μ``: inputs are standardised as ``(x − μ) / σ`` before the MLP
        (deep fields only; the linear field always sees ``x``).
    scale : float
        ``σ`` of that standardisation.
    """

    n: int
    n_fields: int = 1
    depth: int = 3
    width: int = 64
    activation: str = "tanh"
    center: tuple | None = None
    scale: float = 1.0

    name = "mlp"

    def __post_init__(self) -> None:
        for attr, low in (("n", 1), ("n_fields", 1), ("depth", 0), ("width", 1)):
            value = getattr(self, attr)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) \
                    or value < low:
                raise bad_input(f"FieldModel.{attr}", f"an integer >= {low}", value)
        if self.activation not in ACTIVATIONS:
            raise bad_input("activation", f"one of {', '.join(ACTIVATIONS)}",
                            self.activation)
        if self.center is not None and len(self.center) != self.n:
            raise bad_input("center", f"{self.n} numbers", len(self.center))
        if not (np.isfinite(self.scale) and self.scale > 0):
            raise bad_input("scale", "a positive number", self.scale)

    @property
    def linear(self) -> bool:
        """Whether the fields are linear maps ``x ↦ Gx`` (depth 0)."""
        return self.depth == 0

    def _mlp(self, key: Array) -> eqx.nn.MLP:
        return eqx.nn.MLP(self.n, self.n, self.width, self.depth,
                          activation=ACTIVATIONS[self.activation],
                          use_bias=not self.linear, use_final_bias=not self.linear,
                          dtype=jnp.float64, key=key)

    def _stack(self, key: Array) -> eqx.nn.MLP:
        """``k`` MLPs with their weights stacked along a leading axis."""
        return eqx.filter_vmap(self._mlp)(jax.random.split(key, self.n_fields))

    @functools.cached_property
    def _static(self):
        return eqx.partition(self._stack(jax.random.PRNGKey(0)), eqx.is_array)[1]

    def init(self, key: Array):
        """Random parameters: the array leaves of the stacked MLPs (a pytree)."""
        return eqx.filter(self._stack(key), eqx.is_array)

    def values(self, params, X: Array) -> Array:
        """Every field at every point: ``(b, N) -> (k, b, N)``."""
        mlps = eqx.combine(params, self._static)
        U = X
        if not self.linear and self.center is not None:
            U = (X - jnp.asarray(self.center)) / self.scale
        elif not self.linear:
            U = X / self.scale
        return eqx.filter_vmap(lambda mlp: jax.vmap(mlp)(U))(mlps)

    def field(self, params, index: int = 0) -> Callable[[Array], Array]:
        """Field ``f_index`` as a function of one point, ``(N,) -> (N,)``."""
        if not 0 <= index < self.n_fields:
            raise bad_input("index", f"0 … {self.n_fields - 1}", index)
        return lambda x: self.values(params, x[None])[index, 0]

    def rescale(self, params, factors) -> object:
        """Parameters of the fields ``c_α f_α`` (last layer scaled), ``factors (k,)``."""
        c = jnp.asarray(factors, jnp.float64)
        last = params.layers[-1]
        params = eqx.tree_at(lambda p: p.layers[-1].weight, params,
                             last.weight * c[:, None, None])
        if last.bias is not None:
            params = eqx.tree_at(lambda p: p.layers[-1].bias, params,
                                 last.bias * c[:, None])
        return params

    def matrices(self, params) -> np.ndarray:
        """The matrices ``G`` of linear fields, shape ``(k, N, N)``."""
        if not self.linear:
            raise NotImplementedError("only depth-0 fields are matrices")
        mlps = eqx.combine(params, self._static)
        return np.asarray(mlps.layers[0].weight)

    def to_dict(self) -> dict:
        """Hyperparameters as plain data (``model.json``)."""
        out = asdict(self)
        out["center"] = None if self.center is None else [float(c) for c in self.center]
        out["kind"] = self.name
        return out

    @classmethod
    def from_dict(cls, data: dict) -> FieldModel:
        """Inverse of :meth:`to_dict`."""
        data = {k: v for k, v in data.items() if k != "kind"}
        if data.get("center") is not None:
            data["center"] = tuple(float(c) for c in data["center"])
        return cls(**data)


def parse_hidden(text: str) -> tuple[int, int]:
    """``"3x64"`` → ``(depth, width) = (3, 64)``; ``"0"`` is the linear field."""
    parts = str(text).lower().replace("×", "x").split("x")
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        numbers = []
    if len(numbers) == 1 and numbers[0] == 0:
        return 0, 1
    if len(numbers) != 2 or numbers[0] < 0 or numbers[1] < 1:
        raise bad_input("--hidden", "DEPTHxWIDTH such as 3x64 (or 0 for linear)",
                        text, "Give hidden layers times units per layer.")
    return numbers[0], numbers[1]


# ---------------------------------------------------------------------------
# Saving and loading: leaves in an npz, hyperparameters in JSON


def named_leaves(params) -> dict[str, np.ndarray]:
    """Parameter leaves by their path in the pytree (keys of ``weights.npz``)."""
    flat, _ = jax.tree_util.tree_flatten_with_path(params)
    return {jax.tree_util.keystr(path): np.asarray(leaf) for path, leaf in flat}


def params_from_leaves(model: FieldModel, leaves: dict) -> object:
    """Rebuild parameters of ``model`` from :func:`named_leaves` output."""
    template = model.init(jax.random.PRNGKey(0))
    flat, treedef = jax.tree_util.tree_flatten_with_path(template)
    out = []
    for path, leaf in flat:
        name = jax.tree_util.keystr(path)
        if name not in leaves:
            raise bad_input("weights", f"an array named {name!r}", sorted(leaves),
                            "The weights do not belong to this model.json.")
        value = np.asarray(leaves[name])
        if value.shape != leaf.shape:
            raise bad_input(f"weights[{name!r}]", f"shape {leaf.shape}", value.shape)
        out.append(jnp.asarray(value, jnp.float64))
    return jax.tree_util.tree_unflatten(treedef, out)


# ---------------------------------------------------------------------------
# Loss terms on field values


def _weights(F: Array, floor: float | None) -> Array:
    """Per-point weights ``w = 1 / (|f(x)|² + δ mean_x |f|²)``, shape ``(k, b)``.

    All ones when ``δ`` is None. ``w |Dφ f|²`` does not change when the whole
    field is scaled, so shrinking the field never lowers it (no pull towards
    ``f = 0``), and it weighs every point by direction, not by step length.
    """
    if floor is None:
        return jnp.ones(F.shape[:2])
    sq = jnp.sum(F**2, axis=-1)
    return 1.0 / (sq + floor * jnp.mean(sq, axis=-1, keepdims=True))


def invariance_finite(fn: Callable, F: Array, X: Array, eps: float,
                      point_shape: tuple, floor: float | None = None) -> Array:
    """``mean_x w(x) |φ(x + ε f_α(x)) − φ(x)|² / ε²`` per field, shape ``(k,)``.

    ``F`` is ``(k, b, N)``, ``X`` is ``(b, N)``; ``φ`` takes one point of
    ``point_shape`` (``N`` entries). With ``floor = δ`` the weight
    ``w = 1 / (|f(x)|² + δ mean|f|²)`` makes the term depend on the field's
    direction only, so a field cannot lower it by shrinking where preserving
    the oracle is hard (near a discontinuity); otherwise ``w = 1``.
    """
    shaped = X.reshape(X.shape[0], *point_shape)
    base = jax.vmap(fn)(shaped)
    moved = (X[None] + eps * F).reshape(F.shape[0], X.shape[0], *point_shape)
    labels = jax.vmap(jax.vmap(fn))(moved)
    change = jnp.sum((labels - base[None]) ** 2, axis=-1) / eps**2
    return jnp.mean(_weights(F, floor) * change, axis=-1)


def directional_derivatives(fn: Callable, F: Array, X: Array,
                            point_shape: tuple) -> Array:
    """``Dφ(x)[f_α(x)]`` by Jacobian-vector products, shape ``(k, b, m)``."""
    shaped = X.reshape(X.shape[0], *point_shape)

    def along(tangents):
        T = tangents.reshape(shaped.shape)
        return jax.vmap(lambda x, t: jax.jvp(fn, (x,), (t,))[1])(shaped, T)

    return jax.vmap(along)(F)


def invariance_exact(fn: Callable, F: Array, X: Array, point_shape: tuple,
                     floor: float | None = None) -> Array:
    """``mean_x w(x) |Dφ(x)[f_α(x)]|²`` per field, shape ``(k,)`` (``w`` as in
    :func:`invariance_finite`)."""
    D = directional_derivatives(fn, F, X, point_shape)
    return jnp.mean(_weights(F, floor) * jnp.sum(D**2, axis=-1), axis=-1)


def mean_step(F: Array) -> Array:
    """``mean_x |f_α(x)|²`` per field, shape ``(k,)``."""
    return jnp.mean(jnp.sum(F**2, axis=-1), axis=-1)


def normalisation(F: Array, target: float) -> Array:
    """``(mean_x |f_α(x)|² − s)²`` per field, shape ``(k,)``."""
    return (mean_step(F) - target) ** 2


def field_gram(F: Array) -> Array:
    """``M_αβ = mean_x ⟨f_α(x), f_β(x)⟩``, shape ``(k, k)``."""
    return jnp.einsum("abi,cbi->ac", F, F) / F.shape[1]


def orthogonality(F: Array) -> Array:
    """``Σ_{α<β} (mean_x ⟨f_α(x), f_β(x)⟩)²``, a scalar."""
    return jnp.sum(jnp.triu(field_gram(F) ** 2, k=1))
