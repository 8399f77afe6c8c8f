"""Flow lines of latent vector fields, and what the classifier says along them.

A field ``f: R^ℓ → R^ℓ`` (a linear generator ``z ↦ Gz``, an MLP, …) moves a
code along ``dz/dt = f(z)``. If ``f`` is a symmetry of the logits ``s``, then
``Ds(z)[f(z)] = 0`` and ``s`` is constant along every flow line; decoded
images along the line should all be classified alike. Integration is
classical fourth-order Runge–Kutta with a fixed step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from symdisc import _jax  # noqa: F401  (float64)
from symdisc.errors import bad_input
from symdisc.latent.models import (
    Autoencoder,
    LatentClassifier,
    as_float64,
    classes_from_logits,
    decode,
    encode,
)
from symdisc.oracles.base import Oracle

VectorField = Callable[[jax.Array], jax.Array]


def _rk4(field: VectorField, start: jax.Array, step: float, n_steps: int) -> jax.Array:
    """``n_steps`` RK4 steps of size ``step`` from ``start``: ``(n_steps, ℓ)``."""

    def advance(z, _):
        k1 = field(z)
        k2 = field(z + 0.5 * step * k1)
        k3 = field(z + 0.5 * step * k2)
        k4 = field(z + step * k3)
        z = z + (step / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        return z, z

    _, path = jax.lax.scan(advance, start, None, length=n_steps)
    return path


def flow_times(t_max: float, n_steps: int) -> np.ndarray:
    """Return the times ``t_j = t_max (j − n_steps) / n_steps`` of a flow line."""
    return float(t_max) * np.arange(-n_steps, n_steps + 1) / n_steps


def flow_line(field: VectorField, start, t_max: float, n_steps: int) -> jax.Array:
    """Integrate ``dz/dt = f(z)`` from ``z(0) = start`` for ``t ∈ [−t_max, t_max]``.

    Parameters
    ----------
    field : callable
        ``f``: maps one point ``(ℓ,)`` to a velocity ``(ℓ,)``; any JAX
        function (a matrix ``G`` is used as ``z ↦ Gz`` when wrapped as
        ``lambda z: G @ z``).
    start : array of shape (ℓ,)
        ``z(0)``.
    t_max : float
        Flow time in each direction (arc length when ``|f| = 1``).
    n_steps : int
        RK4 steps in each direction.

    Returns
    -------
    jax.Array
        Shape ``(2 n_steps + 1, ℓ)``, float64: ``z(t_j)`` at the times of
        :func:`flow_times`, backward end first; row ``n_steps`` is ``start``.
    """
    z0 = jnp.asarray(start, jnp.float64)
    if z0.ndim != 1 or not bool(jnp.all(jnp.isfinite(z0))):
        raise bad_input("start", "a finite point of shape (ℓ,)", f"shape {z0.shape}")
    if not isinstance(n_steps, int | np.integer) or n_steps < 1:
        raise bad_input("n_steps", "a positive integer", n_steps)
    if not (np.isfinite(t_max) and t_max > 0):
        raise bad_input("t_max", "a positive finite number", t_max)
    velocity = jax.eval_shape(field, z0)
    if velocity.shape != z0.shape:
        raise bad_input(
            "field",
            f"a function returning shape {z0.shape}",
            f"shape {velocity.shape}",
            "The field maps one point (ℓ,) to its velocity (ℓ,).",
        )

    step = jnp.asarray(float(t_max) / int(n_steps), jnp.float64)
    return _two_sided(field, z0, step, int(n_steps))


@eqx.filter_jit
def _two_sided(
    field: VectorField, z0: jax.Array, step: jax.Array, n_steps: int
) -> jax.Array:
    """Compiled once per field and ``n_steps``; see :func:`flow_line`."""

    def f(z):
        return field(z).astype(jnp.float64)

    forward = _rk4(f, z0, step, n_steps)
    backward = _rk4(f, z0, -step, n_steps)
    return jnp.concatenate([backward[::-1], z0[None], forward])


# ---------------------------------------------------------------------------
# Fields in the plane


def _scalar(function) -> Callable[[jax.Array], jax.Array]:
    """``z ↦ s(z)`` as a scalar, from an oracle with one output or a callable."""
    if isinstance(function, Oracle):
        if function.outputs != 1 or function.copies != 1:
            raise bad_input(
                "function",
                "an oracle with one output and one copy",
                f"outputs={function.outputs}, copies={function.copies}",
            )
        return lambda z: jnp.reshape(function.fn(z[None]), ())
    return lambda z: jnp.reshape(function(z), ())


def rotate90(field: VectorField) -> VectorField:
    """Turn a plane field by a right angle: ``R f``, ``R = [[0, −1], [1, 0]]``.

    In two dimensions ``R f(z) ⟂ f(z)``: the direction orthogonal to a
    symmetry, along which the oracle changes fastest if ``f`` preserves it.
    """

    def turned(z):
        v = field(z)
        if v.shape != (2,):
            raise bad_input(
                "field", "a field on the plane (shape (2,))", f"shape {v.shape}"
            )
        return jnp.stack([-v[1], v[0]])

    return turned


def gradient_direction(function) -> VectorField:
    """Return the unit gradient field ``∇s / |∇s|`` of a scalar function.

    ``function`` is a callable ``(ℓ,) -> ()`` or an oracle with one output.
    """
    gradient = jax.grad(_scalar(function))

    def field(z):
        g = gradient(z)
        return g / (jnp.linalg.norm(g) + 1e-300)

    return field


def level_set_field(function) -> VectorField:
    """Return the unit field along the level sets of ``s``: ``R ∇s / |∇s|``.

    It preserves ``s`` exactly, ``∇s · R∇s = 0``, so it is the ideal
    one-generator symmetry of a single logit in two dimensions; useful as a
    reference for learned fields and for figures.
    """
    return rotate90(gradient_direction(function))


def tangent_field(oracle: Oracle, direction) -> VectorField:
    r"""Return a unit field that keeps every logit: ``v`` projected off ``∇φ_a``.

    .. math::  f(z) = P(z) v / |P(z) v|,\qquad P = I − J^+ J,\quad
               J = ∂φ/∂z ∈ R^{m×ℓ}

    ``J f = 0``, so each of the ``m`` logits is preserved to first order and
    exactly along the flow. A reference field for ``ℓ > m`` (for example the
    ten-digit setup, ``ℓ = 16``); in the plane with one logit it equals
    ``±R ∇s / |∇s|``.

    Parameters
    ----------
    oracle : Oracle
        With ``copies = 1``.
    direction : array of shape (ℓ,)
        ``v``, the direction to follow as far as the logits allow.
    """
    v = jnp.asarray(direction, jnp.float64)
    if v.shape != (oracle.n,) or oracle.copies != 1:
        raise bad_input(
            "direction",
            f"shape ({oracle.n},) for a one-copy oracle",
            f"shape {v.shape}, copies {oracle.copies}",
        )

    def field(z):
        J = jax.jacrev(lambda y: oracle.fn(y[None]))(z)
        projected = v - jnp.linalg.pinv(J) @ (J @ v)
        return projected / (jnp.linalg.norm(projected) + 1e-300)

    return field


# ---------------------------------------------------------------------------
# What the classifier says along a line


def logit_drift(oracle: Oracle, points, start_index: int | None = None) -> float:
    r"""Return the largest change of the logits along a line, relative to the start.

    .. math::  δ = \max_{j,a} |φ_a(z_j) − φ_a(z_s)| / \max_a |φ_a(z_s)|

    The vector-wise scale (rather than per logit) keeps ``δ`` meaningful when
    one of many logits is near zero at the start.

    Parameters
    ----------
    oracle : Oracle
        With ``copies = 1``.
    points : array of shape (b, ℓ) or (b, 1, ℓ)
    start_index : int, optional
        Row ``s`` of the reference point; the centre row ``b // 2`` (the start
        of a :func:`flow_line`) by default.
    """
    Z = jnp.asarray(points, jnp.float64)
    if Z.ndim == 2:
        Z = Z[:, None, :]
    if Z.ndim != 3 or Z.shape[1:] != oracle.point_shape:
        raise bad_input(
            "points",
            f"shape (b, {oracle.n}) or (b, 1, {oracle.n})",
            f"shape {jnp.shape(points)}",
        )
    s = Z.shape[0] // 2 if start_index is None else int(start_index)
    logits = np.asarray(oracle(Z))
    scale = np.max(np.abs(logits[s]))
    change = np.max(np.abs(logits - logits[s]))
    return float(change / scale) if scale > 0 else float(change)


@dataclass(frozen=True)
class DecodedLine:
    """Images decoded along a line of codes and how they are classified.

    Attributes
    ----------
    points : numpy.ndarray
        Codes ``z_j``, shape ``(b, ℓ)``.
    images : numpy.ndarray
        ``D(z_j)``, shape ``(b, p)``, pixels in ``[0, 1]``.
    logits : numpy.ndarray
        ``s(E(D(z_j)))``: logits of the re-encoded images, shape ``(b, m)``.
    classes : numpy.ndarray
        Digit labels predicted for the images, shape ``(b,)``.
    code_logits : numpy.ndarray
        ``s(z_j)``: logits at the codes themselves, shape ``(b, m)``.
    code_classes : numpy.ndarray
        Labels predicted from the codes themselves, shape ``(b,)``.
    """

    points: np.ndarray
    images: np.ndarray
    logits: np.ndarray
    classes: np.ndarray
    code_logits: np.ndarray
    code_classes: np.ndarray


def decode_and_classify(
    autoencoder: Autoencoder, classifier: LatentClassifier, points
) -> DecodedLine:
    """Decode codes to images and classify the images through the encoder.

    An image keeps its class when ``s(E(D(z)))`` does, which is a stronger
    check than ``s(z)``: it asks that the decoded picture itself looks like
    the digit, as far as the encoder and classifier can tell.
    """
    Z = np.asarray(points, np.float64)
    if Z.ndim != 2 or Z.shape[1] != autoencoder.latent_dim:
        raise bad_input(
            "points", f"shape (b, {autoencoder.latent_dim})", f"shape {Z.shape}"
        )
    s = as_float64(classifier)
    images = decode(autoencoder, Z)
    reencoded = encode(autoencoder, images)
    logits = np.asarray(jax.vmap(s)(jnp.asarray(reencoded)))
    code_logits = np.asarray(jax.vmap(s)(jnp.asarray(Z)))
    return DecodedLine(
        points=Z,
        images=images,
        logits=logits,
        classes=classes_from_logits(logits, classifier.classes),
        code_logits=code_logits,
        code_classes=classes_from_logits(code_logits, classifier.classes),
    )
