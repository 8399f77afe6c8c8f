"""Symmetry breaking by a vacuum expectation value on ``C^n``.

Next to the Hermitian norm ``|x|²`` (preserved by ``U(n)``) the oracle also
reports ``x†Vx`` for a Hermitian ``V``; a generator ``J`` preserves both iff
``[J, V] = 0``, so what survives is the commutant of ``V``. With
``volume=True`` a point is ``n`` copies ``x_1 … x_n`` and the complex volume
``det[x_1 … x_n]`` (real and imaginary parts) is reported too; it is preserved
iff ``tr J = 0``, which removes the overall phase (``U(n) → SU(n)``).

Labels, for ``c`` copies: ``|x_a|²`` and ``x_a†Vx_a`` for each copy ``a``,
then ``Re det`` and ``Im det`` when ``volume=True`` (``m = 2c`` or ``2c + 2``).
"""

from __future__ import annotations

from collections.abc import Sequence

import jax.numpy as jnp
import numpy as np

from symdisc.errors import bad_input
from symdisc.oracles.base import Oracle


def parse_vev(text: str | Sequence[float]) -> tuple[float, ...]:
    """Diagonal entries of ``V`` from ``"2,2,2,-3,-3"`` or a sequence of numbers."""
    if isinstance(text, str):
        try:
            values = tuple(float(v) for v in text.replace(" ", "").split(","))
        except ValueError:
            raise bad_input(
                "vev", "comma-separated numbers such as 2,2,2,-3,-3", text
            ) from None
    else:
        values = tuple(float(v) for v in np.ravel(np.asarray(text, dtype=float)))
    if len(values) < 2:
        raise bad_input(
            "vev",
            "at least two diagonal entries",
            text,
            "Give one entry per complex dimension, e.g. 1,1,-2.",
        )
    if not all(np.isfinite(values)):
        raise bad_input("vev", "finite numbers", text)
    return values


def vev_breaking(vev: str | Sequence[float], volume: bool = True) -> Oracle:
    """Hermitian norm, ``x†Vx`` for ``V = diag(vev)`` and optionally the volume.

    Parameters
    ----------
    vev : str or sequence of float
        Diagonal of ``V``, length ``n``.
    volume : bool
        Use ``n`` copies and add ``Re/Im det[x_1 … x_n]`` (residual inside
        ``su(n)``); otherwise one copy (residual inside ``u(n)``, one more
        generator: the overall phase).

    Returns
    -------
    Oracle
        Complex oracle on ``C^n``; its symmetry algebra is the commutant of
        ``V`` in ``u(n)`` (or ``su(n)``).
    """
    if not isinstance(volume, bool):
        raise bad_input("volume", "true or false", volume)
    v = parse_vev(vev)
    n = len(v)
    V = jnp.asarray(v)
    copies = n if volume else 1

    def fn(x):
        norms = jnp.sum(jnp.abs(x) ** 2, axis=-1)
        vevs = jnp.sum(V * jnp.abs(x) ** 2, axis=-1)
        labels = [norms, vevs]
        if volume:
            det = jnp.linalg.det(x)
            labels.append(jnp.stack([jnp.real(det), jnp.imag(det)]))
        return jnp.concatenate(labels)

    text = ",".join(f"{e:g}" for e in v)
    group = "SU" if volume else "U"
    return Oracle(
        name=f"{'su' if volume else 'u'}{n}-vev",
        fn=fn,
        n=n,
        copies=copies,
        outputs=2 * copies + (2 if volume else 0),
        field="complex",
        description=f"{group}({n}) broken by V = diag({text}): |x|², x†Vx"
        + (", Re/Im det" if volume else ""),
        parameters={"kind": "breaking", "vev": list(v), "volume": volume},
    )


def special_unitary(n: int) -> Oracle:
    """``SU(n)`` invariants: the norm of each of ``n`` copies and their volume.

    The breaking oracle with ``V = 0`` would repeat the norm; this one has
    ``m = n + 2`` labels: ``|x_a|²`` and ``Re/Im det[x_1 … x_n]``.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 2:
        raise bad_input("n", "an integer >= 2", n)

    def fn(x):
        det = jnp.linalg.det(x)
        return jnp.concatenate(
            [
                jnp.sum(jnp.abs(x) ** 2, axis=-1),
                jnp.stack([jnp.real(det), jnp.imag(det)]),
            ]
        )

    return Oracle(
        name=f"su{n}-volume",
        fn=fn,
        n=n,
        copies=n,
        outputs=n + 2,
        field="complex",
        description=f"|x_a|² of {n} copies and Re/Im det on C^{n}: SU({n})",
        parameters={"kind": "special-unitary", "n": n},
    )
