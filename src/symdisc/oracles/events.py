r"""Collider-like example data: two massless four-momenta from a resonance decay.

An event is a point of shape ``(2, 4)``: the four-momenta ``p_a = (E, p_x, p_y,
p_z)`` of two massless particles. Its label is the pair's invariant mass
squared

.. math:: m^2 = (p_1 + p_2)^2 = η(p_1 + p_2,\, p_1 + p_2),
          \quad η = \mathrm{diag}(+1, −1, −1, −1),

a polynomial in the momenta, preserved by every Lorentz transformation acting
on both momenta at once: the linear symmetry algebra is so(1, 3), of
dimension 6.

Events are generated as follows: a resonance mass ``M`` is drawn uniformly
from ``mass_range`` (broad, so that the label varies across events); in the
rest frame the two particles fly back to back along an isotropic direction
with energy ``M/2`` each; the pair is then boosted along an isotropic
direction with rapidity uniform in ``[0, max_rapidity]``.
"""

from __future__ import annotations

from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from symdisc import _jax  # noqa: F401  (float64)
from symdisc.errors import bad_input
from symdisc.oracles.base import Oracle
from symdisc.oracles.tables import Table, table_from_arrays

#: Minkowski metric, signature (+, −, −, −).
MINKOWSKI = np.diag([1.0, -1.0, -1.0, -1.0])

#: CSV columns written by :func:`write_events_csv`.
EVENT_COLUMNS = ("E1", "px1", "py1", "pz1", "E2", "px2", "py2", "pz2", "m2")


def invariant_mass_squared(events) -> jax.Array:
    """``m² = (p_1 + p_2)²`` with metric (+, −, −, −).

    Parameters
    ----------
    events : array_like, shape (..., 2, 4)
        Pairs of four-momenta ``(E, p_x, p_y, p_z)``.

    Returns
    -------
    Array, shape (...,)
    """
    P = jnp.sum(jnp.asarray(events), axis=-2)
    return P[..., 0] ** 2 - jnp.sum(P[..., 1:] ** 2, axis=-1)


def sample_dimuon(
    key: jax.Array,
    n_events: int,
    mass_range: tuple[float, float] = (20.0, 120.0),
    max_rapidity: float = 1.5,
) -> jax.Array:
    """Draw resonance-decay events, shape ``(n_events, 2, 4)``.

    See the module docstring for the recipe. Masses are uniform in
    ``mass_range``; boost rapidities uniform in ``[0, max_rapidity]``.
    """
    mass_key, decay_key, boost_key, rapidity_key = jax.random.split(key, 4)
    M = jax.random.uniform(
        mass_key, (n_events,), minval=mass_range[0], maxval=mass_range[1]
    )
    n_hat = _unit_vectors(decay_key, n_events)
    half = 0.5 * M[:, None]
    p1 = jnp.concatenate([half, half * n_hat], axis=1)
    p2 = jnp.concatenate([half, -half * n_hat], axis=1)

    u = _unit_vectors(boost_key, n_events)
    y = jax.random.uniform(rapidity_key, (n_events,), maxval=max_rapidity)
    return jnp.stack([_boost(p1, u, y), _boost(p2, u, y)], axis=1)


def _unit_vectors(key: jax.Array, count: int) -> jax.Array:
    v = jax.random.normal(key, (count, 3))
    return v / jnp.linalg.norm(v, axis=1, keepdims=True)


def _boost(p: jax.Array, u: jax.Array, y: jax.Array) -> jax.Array:
    """Boost four-vectors ``p`` (b, 4) with rapidity ``y`` (b,) along ``u`` (b, 3).

    ``E' = cosh(y) E + sinh(y) p∥``, ``p∥' = sinh(y) E + cosh(y) p∥``, the
    transverse part unchanged.
    """
    E, vec = p[:, 0], p[:, 1:]
    par = jnp.sum(vec * u, axis=1)
    ch, sh = jnp.cosh(y), jnp.sinh(y)
    E_new = ch * E + sh * par
    par_new = sh * E + ch * par
    vec_new = vec + (par_new - par)[:, None] * u
    return jnp.concatenate([E_new[:, None], vec_new], axis=1)


def _check_count(n_events) -> None:
    if (
        isinstance(n_events, bool)
        or not isinstance(n_events, int | np.integer)
        or n_events < 1
    ):
        raise bad_input("n_events", "a positive integer", n_events)


def dimuon_events(n_events: int, seed: int = 0, **options) -> np.ndarray:
    """Generate events as a NumPy array of shape ``(n_events, 2, 4)``.

    ``options`` are passed to :func:`sample_dimuon` (``mass_range``,
    ``max_rapidity``). Labels: :func:`invariant_mass_squared`.
    """
    _check_count(n_events)
    return np.asarray(sample_dimuon(jax.random.PRNGKey(seed), int(n_events), **options))


def dimuon_table(n_events: int, seed: int = 0, **options) -> Table:
    """Events as a :class:`Table`: features ``(N, 2, 4)``, label ``m2``."""
    events = dimuon_events(n_events, seed, **options)
    return table_from_arrays(
        events,
        np.asarray(invariant_mass_squared(events)),
        feature_names=[EVENT_COLUMNS[:4], EVENT_COLUMNS[4:8]],
        label_names=["m2"],
        source=f"dimuon_events(n_events={n_events}, seed={seed})",
    )


def write_events_csv(path, n_events: int, seed: int = 0, **options) -> Path:
    """Write events to CSV with columns ``E1,px1,py1,pz1,E2,px2,py2,pz2,m2``.

    Returns the path written.
    """
    path = Path(path)
    events = dimuon_events(n_events, seed, **options)
    m2 = np.asarray(invariant_mass_squared(events))
    data = np.concatenate([events.reshape(len(events), 8), m2[:, None]], axis=1)
    np.savetxt(
        path,
        data,
        delimiter=",",
        header=",".join(EVENT_COLUMNS),
        comments="",
        fmt="%.17g",
    )
    return path


def dimuon(
    mass_range: tuple[float, float] = (20.0, 120.0), max_rapidity: float = 1.5
) -> Oracle:
    """Return the invariant mass squared of two four-momenta as an oracle.

    ``φ(x) = (x_1 + x_2)²`` for ``x`` of shape ``(2, 4)`` (copies 2, n 4, one
    output); its sampler draws resonance-decay events
    (:func:`sample_dimuon`). Linear symmetry algebra: so(1, 3).
    """

    def fn(x):
        return invariant_mass_squared(x)[None]

    def sampler(key, n_points):
        return sample_dimuon(key, n_points, mass_range, max_rapidity)

    return Oracle(
        name="dimuon",
        fn=fn,
        n=4,
        copies=2,
        outputs=1,
        description="invariant mass squared (p1 + p2)^2, metric (+,-,-,-)",
        sampler=sampler,
        parameters={
            "kind": "dimuon",
            "mass_range": list(mass_range),
            "max_rapidity": max_rapidity,
        },
    )
