"""Presets for the exceptional algebras g2, f4 and e6(-26).

They default to greedy training with the Lie-bracket trick, which needs about
two trained generators for a simple algebra; ``n_generators`` is the
dimension, for ``--algorithm all``. ``n_points`` gives four invariance
constraints per unknown (``b m ≥ 4 n²``), which keeps the loss well
conditioned.
"""

from __future__ import annotations

from symdisc.oracles.exceptional import e6, f4, g2
from symdisc.presets import Preset, register

EXCEPTIONAL = [
    Preset(
        "g2",
        "Re(x (y z)) on three imaginary octonions: the associative 3-form",
        g2,
        {"n_generators": 14, "algorithm": "lbt", "n_points": 256, "restarts": 2},
        "g2, 14 generators inside so(7)",
    ),
    Preset(
        "f4",
        "tr h, Tr h², det h on J3(O) = R²⁷: Jordan automorphisms",
        f4,
        {"n_generators": 52, "algorithm": "lbt", "n_points": 1024, "restarts": 2},
        "f4, 52 antisymmetric generators",
    ),
    Preset(
        "e6",
        "det h on J3(O) = R²⁷: the Freudenthal determinant",
        e6,
        {"n_generators": 78, "algorithm": "lbt", "n_points": 2916, "restarts": 2},
        "e6(-26), 78 generators: f4 (52) and 26 symmetric ones",
    ),
]

for _preset in EXCEPTIONAL:
    register(_preset)
