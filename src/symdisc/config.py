"""Training configuration: every knob with its default, validated on creation."""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass, fields

from symdisc.errors import InputError, bad_input

INVARIANCE_FORMS = ("auto", "exact", "finite")
CLOSURE_FORMS = ("learned", "projection", "none")


@dataclass(frozen=True)
class TrainingConfig:
    """How to learn generators; the defaults suit the classical presets.

    Parameters
    ----------
    n_generators : int
        Number ``k`` of generators learned together.
    epochs : int
        Adam steps at most (full batch).
    learning_rate : float
        Adam step size.
    n_points : int
        Number ``b`` of training points.
    restarts : int
        Independent random initialisations trained together; the best is kept.
    invariance : {"auto", "exact", "finite"}
        Jacobian-vector-product form, finite-step form, or ``auto`` (exact for
        smooth oracles, finite otherwise).
    epsilon : float
        Step ``ε`` of the finite form.
    closure : {"learned", "projection", "none"}
        Closure term with learned structure constants, as the residual outside
        the span, or off.
    h_invariance, h_normalisation, h_orthogonality, h_closure, h_sparsity : float
        Weights of the loss terms.
    loss_floor : float
        Adam stops early once the total loss is below this value.
    polish_steps : int
        L-BFGS steps after Adam when Adam did not reach ``loss_floor``
        (0 to skip).
    seed : int
        Seed of every random choice (points, initialisation, checks).
    tol_invariance, tol_closure, tol_orthonormality, tol_span : float
        A result is ``found`` only when every check on fresh points is below
        its tolerance.
    n_check_points : int
        Fresh points for the checks.
    exact_rtol, exact_min_gap : float
        Settings of the exact solve the result is compared with
        (:func:`symdisc.exact.solve`): relative singular value above which
        nothing counts as zero, and the gap ratio called decisive. Oracles
        fitted to data need loose values (see :mod:`symdisc.userdata`).
    """

    n_generators: int = 1
    epochs: int = 2000
    learning_rate: float = 1e-2
    n_points: int = 256
    restarts: int = 4
    invariance: str = "auto"
    epsilon: float = 1e-3
    closure: str = "learned"
    h_invariance: float = 1.0
    h_normalisation: float = 1.0
    h_orthogonality: float = 1.0
    h_closure: float = 1.0
    h_sparsity: float = 0.0
    loss_floor: float = 1e-20
    polish_steps: int = 300
    seed: int = 0
    tol_invariance: float = 1e-6
    tol_closure: float = 1e-6
    tol_orthonormality: float = 1e-6
    tol_span: float = 1e-6
    n_check_points: int = 512
    exact_rtol: float = 1e-8
    exact_min_gap: float = 1e3

    def __post_init__(self) -> None:
        positive_int = (
            "n_generators",
            "epochs",
            "n_points",
            "restarts",
            "n_check_points",
        )
        for name in positive_int:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise bad_input(name, "a positive integer", value)
        for name in ("polish_steps", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise bad_input(name, "a non-negative integer", value)
        if self.seed >= 2**32:
            raise bad_input("seed", "an integer below 2^32", self.seed)
        positive_float = (
            "learning_rate",
            "epsilon",
            "loss_floor",
            "tol_invariance",
            "tol_closure",
            "tol_orthonormality",
            "tol_span",
            "exact_rtol",
            "exact_min_gap",
        )
        for name in positive_float:
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 < value < float("inf")
            ):
                raise bad_input(name, "a positive, finite number", value)
        for name in (
            "h_invariance",
            "h_normalisation",
            "h_orthogonality",
            "h_closure",
            "h_sparsity",
        ):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value < float("inf")
            ):
                raise bad_input(name, "a non-negative, finite weight", value)
        if self.invariance not in INVARIANCE_FORMS:
            raise bad_input(
                "invariance", f"one of {', '.join(INVARIANCE_FORMS)}", self.invariance
            )
        if self.closure not in CLOSURE_FORMS:
            raise bad_input(
                "closure", f"one of {', '.join(CLOSURE_FORMS)}", self.closure
            )

    def replace(self, **changes) -> TrainingConfig:
        """A copy with ``changes`` applied (``None`` values are ignored)."""
        changes = {k: v for k, v in changes.items() if v is not None}
        check_keys(changes, "training option")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain data for result files."""
        return dataclasses.asdict(self)


def known_keys() -> list[str]:
    """Names of every training option."""
    return [f.name for f in fields(TrainingConfig)]


def check_keys(mapping: dict, what: str, allowed: list[str] | None = None) -> None:
    """Fail on any key not in ``allowed``, suggesting the closest known key."""
    allowed = known_keys() if allowed is None else allowed
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = (
                f"Did you mean {close[0]!r}?"
                if close
                else ("Known: " + ", ".join(allowed) + ".")
            )
            raise InputError(f"unknown {what} {key!r}. {hint}")
