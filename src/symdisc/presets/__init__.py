"""Named examples and oracle kinds, and experiment files that use them.

A preset is an oracle together with the training settings that suit it. An
experiment file (TOML) names a preset or an oracle kind with its parameters,
and overrides any training setting::

    name = "lorentz-subalgebra"
    [oracle]
    kind = "metric"
    p = 1
    q = 3
    [training]
    n_generators = 4
    epochs = 3000

Instead of ``[oracle]``, a ``[data]`` table takes the oracle from the user's
own table or function (:mod:`symdisc.userdata`); the keys are those of the
command line's ``--data``, ``--features``, ``--labels``, ``--copies``,
``--callable`` and ``--n`` options, and a relative path is read from the
experiment file's folder::

    name = "events"
    [data]
    path = "events.csv"                 # CSV/TSV, .npy, .npz or Parquet
    features = "E1,px1,py1,pz1,E2,px2,py2,pz2"
    labels = "m2"
    copies = "E1,px1,py1,pz1; E2,px2,py2,pz2"   # vectors that transform alike
    [data.surrogate]                    # optional: fit_surrogate's settings
    hidden = [64, 64]
    epochs = 2000
    [training]
    n_generators = 6

or ``callable = "path/to/file.py:function"`` with ``n = 4`` (and ``copies``
an integer, ``samples`` the points a function that JAX cannot trace is
evaluated on). A table always gets a fitted surrogate, and so then do the
training defaults of :data:`symdisc.userdata.SURROGATE_TRAINING` (loose
tolerances, loose exact-solve cut), which ``[training]`` can override.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from symdisc.config import TrainingConfig, check_keys
from symdisc.errors import InputError
from symdisc.oracles import (
    euclidean_norm,
    hermitian_norm,
    manhattan,
    piecewise,
    quadratic_form,
    squeeze,
)
from symdisc.oracles.base import Oracle


@dataclass(frozen=True)
class Preset:
    """A named example.

    Attributes
    ----------
    name : str
    description : str
        One line: the oracle and what should be found.
    build : callable
        ``build() -> Oracle``.
    training : dict
        Training settings that suit it (``n_generators`` at least).
    expected : str
        What a successful run finds, in words.
    """

    name: str
    description: str
    build: Callable[[], Oracle]
    training: dict = field(default_factory=dict)
    expected: str = ""


PRESETS: dict[str, Preset] = {}
ORACLE_KINDS: dict[str, Callable[..., Oracle]] = {}


def register(preset: Preset) -> Preset:
    """Add a preset to the registry (replacing one of the same name)."""
    PRESETS[preset.name] = preset
    return preset


def register_oracle_kind(kind: str, factory: Callable[..., Oracle]) -> None:
    """Make ``kind = "..."`` usable in experiment files."""
    ORACLE_KINDS[kind] = factory


def _unknown(what: str, name: str, known) -> InputError:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = (
        f"Did you mean {close[0]!r}?" if close else "Known: " + ", ".join(sorted(known))
    )
    return InputError(
        f"unknown {what} {name!r}. {hint} (`symdisc presets` lists the presets.)"
    )


def get_preset(name: str) -> Preset:
    """The preset called ``name``; a clear error with a suggestion otherwise."""
    try:
        return PRESETS[name]
    except KeyError:
        raise _unknown("preset", name, PRESETS) from None


def build_oracle(spec: dict, source: str = "[oracle]") -> Oracle:
    """An oracle from ``{"kind": ..., **parameters}`` or ``{"preset": ...}``."""
    spec = dict(spec)
    if "preset" in spec:
        check_keys(spec, f"key in {source}", ["preset"])
        return get_preset(spec["preset"]).build()
    if "kind" not in spec:
        for key in spec:  # a misspelt 'kind' or 'preset'
            close = difflib.get_close_matches(str(key), ["kind", "preset"], n=1)
            if close:
                raise InputError(
                    f"unknown key in {source} {key!r}. Did you mean {close[0]!r}?"
                )
        raise InputError(
            f"{source}: missing key 'kind' (one of "
            f"{', '.join(sorted(ORACLE_KINDS))}) or 'preset'."
        )
    kind = spec.pop("kind")
    if kind not in ORACLE_KINDS:
        raise _unknown(f"oracle kind in {source}", str(kind), ORACLE_KINDS)
    factory = ORACLE_KINDS[kind]
    allowed = [p for p in inspect.signature(factory).parameters]
    check_keys(spec, f"key in {source} for kind {kind!r}", allowed)
    try:
        return factory(**spec)
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    except TypeError as exc:
        raise InputError(f"{source}: {exc}") from None


@dataclass(frozen=True)
class Experiment:
    """What to run: a name, an oracle and training settings."""

    name: str
    oracle: Oracle
    training: TrainingConfig
    algorithm: str = "all-at-once"
    preset: Preset | None = None
    options: dict = field(default_factory=dict)
    data: object = None  # symdisc.userdata.DataOracle when built from user data


EXPERIMENT_KEYS = [
    "name",
    "preset",
    "oracle",
    "training",
    "algorithm",
    "options",
    "data",
]


def experiment_from_preset(name: str) -> Experiment:
    """The experiment a preset stands for."""
    preset = get_preset(name)
    training = dict(preset.training)
    algorithm = training.pop("algorithm", "all-at-once")
    oracle = dataclasses.replace(preset.build(), name=name)
    return Experiment(
        name=name,
        oracle=oracle,
        training=TrainingConfig().replace(**training),
        algorithm=algorithm,
        preset=preset,
    )


def load_experiment(path: str | Path, progress=None) -> Experiment:
    """Read and validate an experiment file (TOML).

    ``progress(step, epochs, loss)`` follows the fit of a surrogate, if any.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(
            f"{path}: no such file. Give a preset name "
            "(`symdisc presets`) or the path of a .toml experiment file."
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: not a text file; an experiment file is TOML."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"{path}: malformed TOML: {exc}. Fix the syntax "
            "(strings in quotes, one key = value per line)."
        ) from None
    check_keys(data, f"top-level key in {path}", EXPERIMENT_KEYS)
    for key in ("oracle", "training", "options"):
        if key in data and not isinstance(data[key], dict):
            raise InputError(
                f"{path}: '{key}' must be a table ([{key}]), "
                f"got {type(data[key]).__name__}."
            )
    if "data" in data:
        return _data_experiment(path, data, progress)
    base = experiment_from_preset(data["preset"]) if "preset" in data else None
    if "oracle" in data:
        oracle = build_oracle(data["oracle"], f"{path} [oracle]")
    elif base is not None:
        oracle = base.oracle
    else:
        raise InputError(
            f"{path}: needs a 'preset = \"...\"' line or an [oracle] table."
        )
    training = dict(data.get("training", {}))
    check_keys(training, f"key in {path} [training]")
    config = base.training if base is not None else TrainingConfig()
    try:
        config = config.replace(**training)
    except InputError as exc:
        raise InputError(f"{path} [training]: {exc}") from None
    algorithm = data.get("algorithm", base.algorithm if base else "all-at-once")
    name = str(data.get("name", path.stem))
    oracle = dataclasses.replace(oracle, name=name)
    return Experiment(
        name=name,
        oracle=oracle,
        training=config,
        algorithm=algorithm,
        preset=base.preset if base else None,
        options=dict(data.get("options", {})),
    )


def _data_experiment(path: Path, data: dict, progress) -> Experiment:
    """An experiment file with a ``[data]`` table instead of an oracle."""
    from symdisc.userdata import data_experiment, data_spec

    for key in ("preset", "oracle"):
        if key in data:
            raise InputError(
                f"{path}: '{key}' and [data] both say what the oracle is; keep one."
            )
    spec = data_spec(data["data"], f"{path} [data]", base=path.parent)
    training = dict(data.get("training", {}))
    check_keys(training, f"key in {path} [training]")
    try:
        TrainingConfig().replace(**training)
    except InputError as exc:
        raise InputError(f"{path} [training]: {exc}") from None
    experiment = data_experiment(
        spec,
        name=str(data.get("name", path.stem)),
        training=training,
        seed=training.get("seed", 0),
        progress=progress,
        options=dict(data.get("options", {})),
    )
    return dataclasses.replace(
        experiment, algorithm=data.get("algorithm", "all-at-once")
    )


def resolve(target: str, progress=None) -> Experiment:
    """A preset name or an experiment file path.

    ``progress`` follows the fit of a surrogate (experiment files with
    ``[data]``).
    """
    if target.endswith(".toml") or Path(target).is_file():
        return load_experiment(target, progress=progress)
    return experiment_from_preset(target)


for _kind, _factory in {
    "norm": euclidean_norm,
    "metric": quadratic_form,
    "squeeze": squeeze,
    "piecewise": piecewise,
    "manhattan": manhattan,
    "hermitian": hermitian_norm,
}.items():
    register_oracle_kind(_kind, _factory)

_BUILTIN = [
    Preset(
        "so2",
        "|x|² on R²: rotations of the plane",
        lambda: euclidean_norm(2),
        {"n_generators": 1},
        "so(2), 1 generator",
    ),
    Preset(
        "so3",
        "|x|² on R³: rotations in space",
        lambda: euclidean_norm(3),
        {"n_generators": 3},
        "so(3) ≅ su(2), 3 generators",
    ),
    Preset(
        "so4",
        "|x|² on R⁴",
        lambda: euclidean_norm(4),
        {"n_generators": 6},
        "so(4) ≅ su(2) ⊕ su(2), 6 generators",
    ),
    Preset(
        "so10",
        "|x|² on R¹⁰: 45 generators with closure",
        lambda: euclidean_norm(10),
        {"n_generators": 45, "learning_rate": 3e-2, "restarts": 1, "epochs": 1000},
        "so(10), 45 generators",
    ),
    Preset(
        "lorentz",
        "x0² − x1² − x2² − x3²: the Lorentz group",
        lambda: quadratic_form(1, 3),
        {"n_generators": 6},
        "so(1,3) ≅ sl(2,C): 3 rotations and 3 boosts",
    ),
    Preset(
        "squeeze",
        "x1·x2 on R²: the squeeze map",
        squeeze,
        {"n_generators": 1},
        "one generator diag(1, −1)",
    ),
    Preset(
        "piecewise",
        "x1 if x1 ≥ 0 else −x2: no linear symmetry",
        piecewise,
        {"n_generators": 1},
        "not found (only nonlinear flows preserve it)",
    ),
    Preset(
        "manhattan",
        "|x1| + |x2|: no linear symmetry",
        manhattan,
        {"n_generators": 1},
        "not found (only nonlinear flows preserve it)",
    ),
]
for _preset in _BUILTIN:
    register(_preset)

from symdisc.presets import breaking as _breaking  # noqa: E402, F401
from symdisc.presets import data as _data  # noqa: E402, F401
from symdisc.presets import exceptional as _exceptional  # noqa: E402, F401
from symdisc.presets import unitary as _unitary  # noqa: E402, F401  (registers u2…su6)
