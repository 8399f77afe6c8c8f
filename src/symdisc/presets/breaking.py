"""Presets and oracle kinds for symmetry breaking by a vacuum expectation value."""

from __future__ import annotations

from symdisc.oracles.breaking import special_unitary, vev_breaking
from symdisc.presets import Preset, register, register_oracle_kind

register_oracle_kind("breaking", vev_breaking)
register_oracle_kind("special-unitary", special_unitary)

for _preset in [
    Preset(
        "su3-breaking",
        "SU(3) with V = diag(1, 1, −2): norm, x†Vx, volume",
        lambda: vev_breaking((1, 1, -2)),
        {"n_generators": 4},
        "su(2) ⊕ u(1), 4 generators",
    ),
    Preset(
        "su5-breaking",
        "SU(5) with V = diag(2, 2, 2, −3, −3): norm, x†Vx, volume",
        lambda: vev_breaking((2, 2, 2, -3, -3)),
        {"n_generators": 12, "learning_rate": 2e-2},
        "su(3) ⊕ su(2) ⊕ u(1), 12 generators",
    ),
    Preset(
        "u5-breaking",
        "U(5) with V = diag(2, 2, 2, −3, −3): norm and x†Vx",
        lambda: vev_breaking((2, 2, 2, -3, -3), volume=False),
        {"n_generators": 13, "learning_rate": 2e-2},
        "su(3) ⊕ su(2) ⊕ u(1) ⊕ u(1), 13 generators (the overall phase too)",
    ),
]:
    register(_preset)


def with_vev(experiment, vev: str):
    """Return ``experiment`` with its oracle broken by ``V = diag(vev)``.

    The volume constraint (``su(n)`` rather than ``u(n)``) is kept from a
    breaking preset and used otherwise; the number of generators becomes the
    dimension of the residual algebra (the commutant of ``V``).
    """
    import dataclasses

    import numpy as np

    from symdisc.oracles.breaking import parse_vev

    values = parse_vev(vev)
    params = experiment.oracle.parameters
    volume = (
        bool(params.get("volume", True)) if params.get("kind") == "breaking" else True
    )
    oracle = vev_breaking(values, volume=volume)
    _, counts = np.unique(np.asarray(values), return_counts=True)
    residual = int(np.sum(counts**2)) - (1 if volume else 0)
    training = experiment.training.replace(n_generators=max(residual, 1))
    return dataclasses.replace(
        experiment, name=f"{oracle.name}", oracle=oracle, training=training
    )
