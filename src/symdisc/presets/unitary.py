"""Named examples u2…u6 and su2…su6, and the oracle kinds behind them.

u(n) comes from the Hermitian norm of one vector of C^n, su(n) from the
norms of n copies together with the complex volume (determinant) they span;
see :mod:`symdisc.oracles.unitary`.
"""

from __future__ import annotations

import functools

from symdisc.oracles.unitary import special_unitary, unitary
from symdisc.presets import Preset, register, register_oracle_kind

#: Training settings. Closure as the residual outside the span (no learned
#: constants) lets plain Adam reach the loss floor in a few hundred steps, so
#: no L-BFGS polish is needed (on su(4) the polish has also been seen to stall
#: the CPU runtime). Small algebras have poor local minima (su(2) from one
#: start can end with dependent generators), so they get two restarts.
_COMMON = {
    "closure": "projection",
    "learning_rate": 3e-3,
    "epochs": 3000,
    "polish_steps": 0,
}
_TRAINING = {n: _COMMON | {"restarts": 2 if n <= 3 else 1} for n in range(2, 7)}

register_oracle_kind("unitary", unitary)
register_oracle_kind("special_unitary", special_unitary)

for _n, _settings in _TRAINING.items():
    register(
        Preset(
            f"u{_n}",
            f"|x|² on C^{_n}: the unitary group U({_n})",
            functools.partial(unitary, _n),
            {"n_generators": _n * _n} | _settings,
            f"u({_n}), {_n * _n} Hermitian generators",
        )
    )
    register(
        Preset(
            f"su{_n}",
            f"|x_c|² of {_n} copies in C^{_n} and their complex volume det: SU({_n})",
            functools.partial(special_unitary, _n),
            {"n_generators": _n * _n - 1} | _settings,
            f"su({_n}), {_n * _n - 1} traceless Hermitian generators",
        )
    )
