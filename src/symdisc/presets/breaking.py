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


#: Oracle kinds whose symmetry ``--vev`` breaks, and whether the broken
#: oracle keeps the volume (residual algebra inside su(n) rather than u(n)).
_BREAKABLE = {"unitary": False, "special_unitary": True, "special-unitary": True}


def with_vev(experiment, vev: str):
    """Return ``experiment`` with its oracle broken by ``V = diag(vev)``.

    Only unitary oracles can be broken so: ``u(n)`` presets keep one copy
    (residual inside ``u(n)``), ``su(n)`` presets keep the volume (residual
    inside ``su(n)``), breaking presets keep their own choice. ``vev`` needs
    one entry per complex dimension of the preset. The number of generators
    becomes the dimension of the residual algebra (the commutant of ``V``).

    Raises
    ------
    InputError
        ``vev`` is not numbers, has the wrong length, or the oracle is not
        unitary.
    """
    import dataclasses

    import numpy as np

    from symdisc.errors import bad_input
    from symdisc.oracles.breaking import parse_vev

    params = experiment.oracle.parameters
    kind = params.get("kind")
    if kind == "breaking":
        volume = bool(params.get("volume", True))
    elif kind in _BREAKABLE:
        volume = _BREAKABLE[kind]
    else:
        raise bad_input(
            "--vev",
            "a unitary oracle (presets u2…u6, su2…su6, su3-breaking, "
            "su5-breaking, u5-breaking)",
            f"{experiment.name} (oracle kind {kind!r})",
            "Drop --vev, or start from a unitary preset, e.g. "
            "`symdisc run su5 --vev 2,2,2,-3,-3`.",
        )
    values = parse_vev(vev)
    n = experiment.oracle.n
    if len(values) != n:
        raise bad_input(
            "--vev",
            f"{n} diagonal entries, one per complex dimension of {experiment.name}",
            f"{len(values)} entries ({vev})",
            f"Give {n} numbers, or start from a preset on C^{len(values)}.",
        )
    oracle = vev_breaking(values, volume=volume)
    _, counts = np.unique(np.asarray(values), return_counts=True)
    residual = int(np.sum(counts**2)) - (1 if volume else 0)
    training = experiment.training.replace(n_generators=max(residual, 1))
    return dataclasses.replace(
        experiment, name=f"{oracle.name}", oracle=oracle, training=training
    )
