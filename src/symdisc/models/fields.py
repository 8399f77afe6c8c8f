"""Nonlinear symmetries: ``k`` neural vector fields acting as ``x ↦ x + ε f(x)``.

Each field ``f_α: R^N → R^N`` is an equinox MLP, optionally plus a linear
term, ``f(x) = [Gx +] MLP(x)`` (``N = c·n``: a point of ``c`` copies is moved
as one vector). Depth 0 (no MLP) is the linear case ``f(x) = Gx``. The loss
terms below act on field values ``F`` of shape ``(k, b, N)`` at points ``X``
of shape ``(b, N)``:

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
        Hidden layers of the MLP; 0 is the linear field ``x ↦ Gx`` alone.
    width : int
        Units per hidden layer (ignored for depth 0).
    activation : str
        One of :data:`ACTIVATIONS`.
    center : tuple of float, optional
        ``μ``: inputs are standardised as ``(x − μ) / σ`` before the MLP
        (deep fields only; the linear field always sees ``x``).
    scale : float
        ``σ`` of that standardisation.
    linear_path : bool
        Add the linear term ``Gx`` to a deep field (``f = Gx + MLP``), so that
        linear symmetries are represented exactly; without it ``f = MLP``.
    """

    n: int
    n_fields: int = 1
    depth: int = 3
    width: int = 64
    activation: str = "tanh"
    center: tuple | None = None
    scale: float = 1.0
    linear_path: bool = True

    name = "mlp"

    def __post_init__(self) -> None:
        for attr, low in (("n", 1), ("n_fields", 1), ("depth", 0), ("width", 1)):
            value = getattr(self, attr)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | np.integer)
                or value < low
            ):
                raise bad_input(f"FieldModel.{attr}", f"an integer >= {low}", value)
        if self.activation not in ACTIVATIONS:
            raise bad_input(
                "activation", f"one of {', '.join(ACTIVATIONS)}", self.activation
            )
        if self.center is not None and len(self.center) != self.n:
            raise bad_input("center", f"{self.n} numbers", len(self.center))
        if not (np.isfinite(self.scale) and self.scale > 0):
            raise bad_input("scale", "a positive number", self.scale)

    @property
    def linear(self) -> bool:
        """Whether the fields are linear maps ``x ↦ Gx`` (depth 0)."""
        return self.depth == 0

    def _mlp(self, key: Array) -> eqx.nn.MLP:
        return eqx.nn.MLP(
            self.n,
            self.n,
            self.width,
            self.depth,
            activation=ACTIVATIONS[self.activation],
            dtype=jnp.float64,
            key=key,
        )

    def _stack(self, key: Array) -> eqx.nn.MLP:
        """``k`` MLPs with their weights stacked along a leading axis."""
        return eqx.filter_vmap(self._mlp)(jax.random.split(key, self.n_fields))

    @functools.cached_property
    def _static(self):
        return eqx.partition(self._stack(jax.random.PRNGKey(0)), eqx.is_array)[1]

    def init(self, key: Array) -> dict:
        """Random parameters ``{"linear": G (k, N, N), "mlp": stacked MLP leaves}``.

        ``G`` starts with squared norm about 2, as linear generators do.
        """
        k_lin, k_mlp = jax.random.split(key)
        scale = jnp.sqrt(2.0) / self.n
        params = {
            "linear": scale * jax.random.normal(k_lin, (self.n_fields, self.n, self.n))
        }
        if not self.linear:
            params["mlp"] = eqx.filter(self._stack(k_mlp), eqx.is_array)
        return params

    @staticmethod
    def _scale_last(mlp, c: Array):
        last = mlp.layers[-1]
        mlp = eqx.tree_at(
            lambda p: p.layers[-1].weight, mlp, last.weight * c[:, None, None]
        )
        return eqx.tree_at(lambda p: p.layers[-1].bias, mlp, last.bias * c[:, None])

    def values(self, params: dict, X: Array) -> Array:
        """Every field at every point: ``(b, N) -> (k, b, N)``.

        ``f_α(x) = G_α x + MLP_α((x − μ) / σ)`` with the linear path,
        ``MLP_α((x − μ) / σ)`` without it, ``G_α x`` at depth 0.
        """
        F = jnp.einsum("kij,bj->kbi", params["linear"], X)
        if not self.linear_path and not self.linear:
            F = jnp.zeros_like(F)
        if self.linear:
            return F
        mlps = eqx.combine(params["mlp"], self._static)
        center = 0.0 if self.center is None else jnp.asarray(self.center)
        U = (X - center) / self.scale
        return F + eqx.filter_vmap(lambda mlp: jax.vmap(mlp)(U))(mlps)

    def field(self, params: dict, index: int = 0) -> Callable[[Array], Array]:
        """Field ``f_index`` as a function of one point, ``(N,) -> (N,)``."""
        if not 0 <= index < self.n_fields:
            raise bad_input("index", f"0 … {self.n_fields - 1}", index)
        return lambda x: self.values(params, x[None])[index, 0]

    def rescale(self, params: dict, factors) -> dict:
        """Parameters of the fields ``c_α f_α``, ``factors`` of shape ``(k,)``."""
        c = jnp.asarray(factors, jnp.float64)
        out = dict(params)
        out["linear"] = params["linear"] * c[:, None, None]
        if "mlp" in params:
            out["mlp"] = self._scale_last(params["mlp"], c)
        return out

    def matrices(self, params: dict) -> np.ndarray:
        """Return the matrices ``G`` of linear fields, shape ``(k, N, N)``."""
        if not self.linear:
            raise NotImplementedError("only depth-0 fields are matrices")
        return np.asarray(params["linear"])

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


@functools.partial(jax.jit, static_argnums=(0, 2))
def level_set_projectors(fn: Callable, X: Array, point_shape: tuple) -> Array:
    r"""Orthogonal projectors onto the level sets of ``φ`` at each point.

    .. math::  P(x) = I − J^+ J,\qquad J = Dφ(x) ∈ R^{m×N}

    ``J P = 0``: a velocity ``P v`` changes none of the ``m`` labels to first
    order. ``X`` is ``(b, N)``; returns ``(b, N, N)``. Compiled once per
    ``φ`` and shape.
    """
    shaped = X.reshape(X.shape[0], *point_shape)
    J = jax.vmap(jax.jacrev(fn))(shaped).reshape(X.shape[0], -1, X.shape[1])
    eye = jnp.eye(X.shape[1], dtype=X.dtype)
    return eye[None] - jnp.linalg.pinv(J) @ J


@dataclass(frozen=True)
class TangentFieldModel:
    r"""Fields of ``base`` projected onto the level sets of the oracle.

    .. math::  \tilde f_α(x) = P(x)\, f_α(x),\qquad P = I − J^+ J

    (:func:`level_set_projectors`). Every field preserves the oracle exactly
    to first order, so the invariance holds by construction and training
    only chooses the directions within the level sets (normalisation,
    orthogonality). Smooth oracles only: ``J`` must exist everywhere.

    Parameters
    ----------
    base : FieldModel
        The MLP (or linear) fields before projection; they own the weights.
    fn : callable
        ``φ``: one point of ``point_shape`` to its ``(m,)`` labels.
    point_shape : tuple of int
        ``(c, n)`` with ``c·n = base.n``.
    """

    base: FieldModel
    fn: Callable
    point_shape: tuple

    name = "tangent-mlp"

    @property
    def n(self) -> int:
        """Dimension ``N`` of the space the fields act on."""
        return self.base.n

    @property
    def n_fields(self) -> int:
        """Number ``k`` of fields."""
        return self.base.n_fields

    @property
    def depth(self) -> int:
        """Hidden layers of the base MLP."""
        return self.base.depth

    @property
    def width(self) -> int:
        """Units per hidden layer of the base MLP."""
        return self.base.width

    @property
    def linear(self) -> bool:
        """Projected fields are never linear maps."""
        return False

    def init(self, key: Array) -> dict:
        """Random parameters of the base fields."""
        return self.base.init(key)

    def values(self, params: dict, X: Array) -> Array:
        """Every projected field at every point: ``(b, N) -> (k, b, N)``."""
        P = level_set_projectors(self.fn, X, self.point_shape)
        return jnp.einsum("bij,kbj->kbi", P, self.base.values(params, X))

    def field(self, params: dict, index: int = 0) -> Callable[[Array], Array]:
        """Projected field ``f̃_index`` of one point, ``(N,) -> (N,)``."""
        if not 0 <= index < self.n_fields:
            raise bad_input("index", f"0 … {self.n_fields - 1}", index)
        return lambda x: self.values(params, x[None])[index, 0]

    def rescale(self, params: dict, factors) -> dict:
        """Parameters of ``c_α f̃_α`` (the projection is linear)."""
        return self.base.rescale(params, factors)

    def matrices(self, params: dict) -> np.ndarray:
        """Projected fields are not matrices."""
        raise NotImplementedError("fields projected onto level sets are not linear")

    def to_dict(self) -> dict:
        """Hyperparameters of the base and the projection (``model.json``)."""
        return {**self.base.to_dict(), "kind": self.name, "projected": "level sets"}


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
        raise bad_input(
            "--hidden",
            "DEPTHxWIDTH such as 3x64 (or 0 for linear)",
            text,
            "Give hidden layers times units per layer.",
        )
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
            raise bad_input(
                "weights",
                f"an array named {name!r}",
                sorted(leaves),
                "The weights do not belong to this model.json.",
            )
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


def invariance_finite(
    fn: Callable,
    F: Array,
    X: Array,
    eps: float,
    point_shape: tuple,
    floor: float | None = None,
    point_weights: Array | None = None,
) -> Array:
    """``mean_x w(x) |φ(x + ε f_α(x)) − φ(x)|² / ε²`` per field, shape ``(k,)``.

    ``F`` is ``(k, b, N)``, ``X`` is ``(b, N)``; ``φ`` takes one point of
    ``point_shape`` (``N`` entries). With ``floor = δ`` the weight
    ``w = 1 / (|f(x)|² + δ mean|f|²)`` makes the term depend on the field's
    direction only, so a field cannot lower it by shrinking where preserving
    the oracle is hard (near a discontinuity); otherwise ``w = 1``.
    ``point_weights`` ``(b,)`` multiply ``w`` (e.g. ``1 / |∇φ(x)|²``).
    """
    shaped = X.reshape(X.shape[0], *point_shape)
    base = jax.vmap(fn)(shaped)
    moved = (X[None] + eps * F).reshape(F.shape[0], X.shape[0], *point_shape)
    labels = jax.vmap(jax.vmap(fn))(moved)
    change = jnp.sum((labels - base[None]) ** 2, axis=-1) / eps**2
    w = _weights(F, floor)
    if point_weights is not None:
        w = w * point_weights
    return jnp.mean(w * change, axis=-1)


def directional_derivatives(
    fn: Callable, F: Array, X: Array, point_shape: tuple
) -> Array:
    """``Dφ(x)[f_α(x)]`` by Jacobian-vector products, shape ``(k, b, m)``."""
    shaped = X.reshape(X.shape[0], *point_shape)

    def along(tangents):
        T = tangents.reshape(shaped.shape)
        return jax.vmap(lambda x, t: jax.jvp(fn, (x,), (t,))[1])(shaped, T)

    return jax.vmap(along)(F)


def invariance_exact(
    fn: Callable,
    F: Array,
    X: Array,
    point_shape: tuple,
    floor: float | None = None,
    point_weights: Array | None = None,
) -> Array:
    """``mean_x w(x) |Dφ(x)[f_α(x)]|²`` per field, shape ``(k,)``.

    ``w`` and ``point_weights`` as in :func:`invariance_finite`.
    """
    D = directional_derivatives(fn, F, X, point_shape)
    w = _weights(F, floor)
    if point_weights is not None:
        w = w * point_weights
    return jnp.mean(w * jnp.sum(D**2, axis=-1), axis=-1)


def gradient_weights(fn: Callable, X: Array, point_shape: tuple, floor: float) -> Array:
    """``1 / (|∇φ(x)|² + δ mean_x |∇φ|²)`` per point, shape ``(b,)``.

    With these and the field weights the invariance term is the mean squared
    cosine between ``f`` and ``∇φ`` (one label), the quantity that the checks
    measure; without them points where ``φ`` is flat count for little.
    """
    shaped = X.reshape(X.shape[0], *point_shape)
    g = jnp.sum(jax.vmap(jax.jacrev(fn))(shaped).reshape(X.shape[0], -1) ** 2, axis=-1)
    return 1.0 / (g + floor * jnp.mean(g))


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
