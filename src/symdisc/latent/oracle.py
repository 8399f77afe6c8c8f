r"""The latent classifier's logits as an oracle for symmetry discovery.

The oracle is ``φ(z) = s(z) ∈ R^m`` on the latent space ``R^ℓ`` (``n = ℓ``,
one copy), where ``s`` is the classifier of :mod:`symdisc.latent.models`. Its
sampler draws from the empirical distribution of latent codes, smoothed by a
little Gaussian noise, so that symmetries are sought where the data live:

.. math::  z = z_i + η\,σ ⊙ ξ,\qquad i \sim U\{1..N\},\ ξ \sim N(0, I_ℓ),

with ``σ`` the per-coordinate standard deviation of the codes and ``η`` the
relative jitter.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from symdisc import _jax  # noqa: F401  (float64)
from symdisc.errors import bad_input
from symdisc.latent.models import LatentClassifier, as_float64
from symdisc.oracles.base import Oracle


def code_sampler(codes: np.ndarray, jitter: float = 0.05):
    """Sampler ``(key, b) -> (b, 1, ℓ)`` of jittered codes (see module docstring).

    Parameters
    ----------
    codes : array of shape (N, ℓ)
        Latent codes of the data, typically the training images'.
    jitter : float
        ``η``: noise standard deviation relative to the codes' spread per
        coordinate; 0 draws the codes themselves.
    """
    codes = np.asarray(codes, np.float64)
    if codes.ndim != 2 or len(codes) < 1 or not np.all(np.isfinite(codes)):
        raise bad_input(
            "codes",
            "a finite array of shape (N, ℓ) with N >= 1",
            f"shape {codes.shape}",
        )
    if not jitter >= 0:
        raise bad_input("jitter", "a non-negative number", jitter)
    Z = jnp.asarray(codes)
    noise_scale = jitter * jnp.asarray(codes.std(axis=0))

    def sampler(key: jax.Array, n_points: int) -> jax.Array:
        index_key, noise_key = jax.random.split(key)
        rows = jax.random.randint(index_key, (n_points,), 0, Z.shape[0])
        noise = jax.random.normal(noise_key, (n_points, Z.shape[1]))
        return (Z[rows] + noise_scale * noise)[:, None, :]

    return sampler


def latent_oracle(
    classifier: LatentClassifier,
    codes: np.ndarray,
    jitter: float = 0.05,
    name: str = "latent",
) -> Oracle:
    """Oracle ``φ(z) = s(z)``: the classifier's logits on the latent space.

    Parameters
    ----------
    classifier : LatentClassifier
        Evaluated in float64 whatever precision it was trained in.
    codes : array of shape (N, ℓ)
        Latent codes the sampler draws from.
    jitter : float
        Relative noise of the sampler, see :func:`code_sampler`.
    name : str
        Oracle name in reports.

    Returns
    -------
    Oracle
        ``n = ℓ``, ``copies = 1``, ``outputs = m`` (1 for two classes), smooth;
        ``fn`` maps ``(1, ℓ) -> (m,)`` and is differentiable in JAX.
    """
    if not isinstance(classifier, LatentClassifier):
        raise bad_input("classifier", "a LatentClassifier", type(classifier).__name__)
    codes = np.asarray(codes)
    if codes.ndim != 2 or codes.shape[1] != classifier.latent_dim:
        raise bad_input(
            "codes",
            f"shape (N, {classifier.latent_dim})",
            f"shape {codes.shape}",
            "Pass the codes the classifier was trained on.",
        )
    s = as_float64(classifier)

    def fn(x: jax.Array) -> jax.Array:
        return s(x[0])

    classes = list(classifier.classes)
    return Oracle(
        name=name,
        fn=fn,
        n=classifier.latent_dim,
        copies=1,
        outputs=classifier.n_logits,
        smooth=True,
        description=(
            f"logits of a classifier of digits {classes} on a "
            f"{classifier.latent_dim}-dimensional latent space"
        ),
        sampler=code_sampler(codes, jitter),
        parameters={
            "kind": "latent-classifier",
            "latent_dim": classifier.latent_dim,
            "classes": classes,
            "jitter": float(jitter),
            "n_codes": int(len(codes)),
        },
    )
