"""What must be preserved: oracles and their common interface."""

from symdisc.oracles.base import Oracle, check_oracle
from symdisc.oracles.classical import (
    euclidean_norm,
    hermitian_norm,
    quadratic_form,
    squeeze,
)
from symdisc.oracles.events import (
    dimuon,
    dimuon_events,
    dimuon_table,
    invariant_mass_squared,
    write_events_csv,
)
from symdisc.oracles.exceptional import e6, f4, g2
from symdisc.oracles.nonsmooth import manhattan, piecewise
from symdisc.oracles.surrogate import Surrogate, fit_surrogate
from symdisc.oracles.tables import Table, load_table, table_from_arrays
from symdisc.oracles.user import CallableOracle, load_callable, oracle_from_callable

__all__ = [
    "CallableOracle",
    "Oracle",
    "Surrogate",
    "Table",
    "check_oracle",
    "dimuon",
    "dimuon_events",
    "dimuon_table",
    "e6",
    "euclidean_norm",
    "f4",
    "fit_surrogate",
    "g2",
    "hermitian_norm",
    "invariant_mass_squared",
    "load_callable",
    "load_table",
    "manhattan",
    "oracle_from_callable",
    "piecewise",
    "quadratic_form",
    "squeeze",
    "table_from_arrays",
    "write_events_csv",
]
