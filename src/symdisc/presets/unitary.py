"""Named examples u2…u6 and su2…su6, and the oracle kinds behind them.

u(n) comes from the Hermitian norm of one vector of C^n, su(n) from the
norms of n copies together with the complex volume (determinant) they span;
see :mod:`symdisc.oracles.unitary`.
"""

from __future__ import annotations

import functools

from symdisc.oracles.unitary import special_unitary, unitary
from symdisc.presets import Preset, register, register_oracle_kind

#: Training settings by n: small algebras have poor local minima (su(2) from
#: one start can stall with dependent generators), so several restarts are
#: cheap insurance; from n = 4 on one restart has been enough. Adam brings
#: the loss low and the L-BFGS polish finishes it.
_TRAINING = {
    2: {"epochs": 1000, "restarts": 2, "polish_steps": 100},
    3: {"epochs": 1500, "restarts": 2, "polish_steps": 100},
    4: {"epochs": 1500},
    5: {"epochs": 1500, "learning_rate": 2e-2},
    6: {"epochs": 1500, "learning_rate": 2e-2},
}

register_oracle_kind("unitary", unitary)
register_oracle_kind("special_unitary", special_unitary)

for _n, _settings in _TRAINING.items():
    register(Preset(
        f"u{_n}", f"|x|² on C^{_n}: the unitary group U({_n})",
        functools.partial(unitary, _n),
        {"n_generators": _n * _n, "restarts": 1} | _settings,
        f"u({_n}), {_n * _n} Hermitian generators",
    ))
    register(Preset(
        f"su{_n}",
        f"|x_c|² of {_n} copies in C^{_n} and their complex volume det: SU({_n})",
        functools.partial(special_unitary, _n),
        {"n_generators": _n * _n - 1, "restarts": 1} | _settings,
        f"su({_n}), {_n * _n - 1} traceless Hermitian generators",
    ))
