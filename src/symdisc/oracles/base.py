"""The oracle interface: what a symmetry must preserve.

An oracle ``φ`` maps one data point ``x`` of shape ``(c, n)`` (``c`` copies of
an ``n``-vector that transform alike) to ``m`` real labels, shape ``(m,)``.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import jax
import jax.numpy as jnp
import numpy as np

from symdisc import _jax  # noqa: F401  (float64)
from symdisc.errors import bad_input

Field = Literal["real", "complex"]


def _standard_normal(
    key: jax.Array, shape: tuple[int, ...], field_: Field
) -> jax.Array:
    """Standard normal points drawn by NumPy from a stream seeded by ``key``.

    NumPy rather than ``jax.random``: drawing eagerly with JAX compiles anew
    for every shape, which cost more than the whole training of a small
    algebra. The key still decides the points: same key, same points.
    """
    if jnp.issubdtype(key.dtype, jax.dtypes.prng_key):
        key = jax.random.key_data(key)
    rng = np.random.default_rng(np.asarray(key, dtype=np.uint32).ravel().tolist())
    if field_ == "real":
        return jnp.asarray(rng.standard_normal(shape))
    scale = 1.0 / np.sqrt(2.0)
    z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    return jnp.asarray(scale * z)


@dataclass(frozen=True, eq=False)
class Oracle:
    """A labelling function together with what it acts on.

    Parameters
    ----------
    name : str
        Short name used in reports.
    fn : callable
        ``fn(x) -> labels`` for one point ``x`` of shape ``(copies, n)``;
        returns shape ``(outputs,)``. Must be traceable by JAX.
    n : int
        Dimension of the space a generator acts on.
    copies : int
        Number ``c`` of vectors per point that transform with the same
        generator.
    outputs : int
        Number ``m`` of real labels.
    field : {"real", "complex"}
        Whether points live in ``R^n`` or ``C^n``.
    smooth : bool
        Whether ``fn`` is differentiable everywhere that matters; non-smooth
        oracles are trained with the finite-difference invariance loss.
    description : str
        One line for humans, with the formula.
    sampler : callable, optional
        ``sampler(key, n_points) -> (n_points, copies, n)``; standard normal
        (complex normal for ``field="complex"``) by default.
    parameters : dict
        The parameters that built the oracle, for the result record.
    distance_to_singular : callable, optional
        ``distance_to_singular(x) -> ()`` for one point ``(copies, n)``: how
        far ``x`` is from where ``fn`` is not smooth (a discontinuity or a
        kink). Checks of nonlinear fields skip points within a margin of it.
    """

    name: str
    fn: Callable[[jax.Array], jax.Array]
    n: int
    copies: int = 1
    outputs: int = 1
    field: Field = "real"
    smooth: bool = True
    description: str = ""
    sampler: Callable[[jax.Array, int], jax.Array] | None = None
    parameters: dict = dataclasses.field(default_factory=dict)
    distance_to_singular: Callable[[jax.Array], jax.Array] | None = None

    def __post_init__(self) -> None:
        for attr in ("n", "copies", "outputs"):
            value = getattr(self, attr)
            if not isinstance(value, int | np.integer) or value < 1:
                raise bad_input(f"Oracle.{attr}", "a positive integer", value)
        if self.field not in ("real", "complex"):
            raise bad_input("Oracle.field", '"real" or "complex"', self.field)

    @property
    def point_shape(self) -> tuple[int, int]:
        """Shape ``(copies, n)`` of one data point."""
        return (self.copies, self.n)

    def sample(self, key: jax.Array | int, n_points: int) -> jax.Array:
        """Draw ``n_points`` points, shape ``(n_points, copies, n)``."""
        if isinstance(key, int | np.integer):
            key = jax.random.PRNGKey(int(key))
        if self.sampler is not None:
            return jnp.asarray(self.sampler(key, n_points))
        return _standard_normal(key, (n_points, *self.point_shape), self.field)

    def __call__(self, points: jax.Array) -> jax.Array:
        """Labels of a batch of points: ``(b, copies, n) -> (b, outputs)``."""
        return jax.vmap(self.fn)(points)

    def summary(self) -> dict:
        """Plain-data description for result files."""
        return {
            "name": self.name,
            "description": self.description,
            "n": int(self.n),
            "copies": int(self.copies),
            "outputs": int(self.outputs),
            "field": self.field,
            "smooth": bool(self.smooth),
            "parameters": dict(self.parameters),
        }


@functools.lru_cache(maxsize=64)
def check_oracle(oracle: Oracle, seed: int = 0, n_points: int = 4) -> None:
    """Call the oracle on a few points and fail clearly if it misbehaves.

    A check that passed is remembered for the same oracle object, seed and
    number of points (oracles are immutable).

    Raises
    ------
    InputError
        If the oracle raises, returns the wrong shape, or returns non-finite or
        complex labels.
    """
    points = oracle.sample(seed, n_points)
    try:
        labels = oracle(points)
    except Exception as exc:  # the user's function: report whatever it raised
        raise bad_input(
            f"oracle {oracle.name!r}",
            f"a function of one point of shape {oracle.point_shape}",
            f"an exception: {type(exc).__name__}: {exc}",
            "Check that it accepts one point (not a batch) and uses jax.numpy.",
        ) from exc
    if labels.shape != (n_points, oracle.outputs):
        raise bad_input(
            f"oracle {oracle.name!r}",
            f"labels of shape ({oracle.outputs},) per point",
            f"shape {tuple(labels.shape[1:])}",
            "Return a 1-D array with one entry per label, or set `outputs`.",
        )
    if jnp.iscomplexobj(labels):
        raise bad_input(
            f"oracle {oracle.name!r}",
            "real labels",
            "complex labels",
            "Return real and imaginary parts as separate outputs.",
        )
    if not bool(jnp.all(jnp.isfinite(labels))):
        raise bad_input(f"oracle {oracle.name!r}", "finite labels", "NaN or inf")
