"""The frozen record every training run returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Version of the layout of ``result.json``; bump on incompatible change.
SCHEMA_VERSION = 1

STATUSES = ("found", "not found", "diverged")


@dataclass(frozen=True)
class DiscoveryResult:
    """What a discovery run learned and how well it holds up.

    Attributes
    ----------
    status : {"found", "not found", "diverged"}
        ``found`` only when every check on fresh points passed.
    generators : ndarray, shape (k, n, n)
        Learned generators (complex for unitary runs: the Hermitian ``J``).
    structure_constants : ndarray, shape (k, k, k)
        Recomputed by least squares from the final generators.
    learned_constants : ndarray, shape (k, k, k)
        The structure constants the closure term learned (may be empty).
    history : dict of str to ndarray
        Loss components per Adam/L-BFGS step of the kept restart.
    angle_history : ndarray, shape (t, k, k)
        Pairwise angles (degrees) at regular steps of the kept restart.
    metrics : dict
        Checks on fresh points (see :func:`symdisc.checks.evaluate`).
    reasons : list of str
        Why the status is what it is, in words.
    timings : dict
        Seconds: compile, train, polish, checks, total.
    config : dict
        The training configuration.
    oracle : dict
        Summary of the oracle.
    exact : dict
        The exact algebra's dimension and the learned span's distance from it.
    identification : dict or None
        The name of the learned algebra and the numbers behind it.
    """

    status: str
    generators: np.ndarray
    structure_constants: np.ndarray
    learned_constants: np.ndarray
    history: dict
    angle_history: np.ndarray
    metrics: dict
    reasons: list
    timings: dict
    config: dict
    oracle: dict
    exact: dict = field(default_factory=dict)
    identification: dict | None = None
    algorithm: str = "all-at-once"
    extra: dict = field(default_factory=dict)

    @property
    def found(self) -> bool:
        """Whether every check passed."""
        return self.status == "found"

    @property
    def n_generators(self) -> int:
        """Number of generators ``k``."""
        return int(self.generators.shape[0])

    def summary(self) -> str:
        """A few human lines."""
        m = self.metrics
        lines = [
            f"{self.oracle.get('name', 'oracle')}: {self.status} "
            f"({self.n_generators} generator(s), {self.algorithm})"
        ]
        if "invariance_error" in m:
            lines.append(
                f"  invariance {m['invariance_error']:.2e}"
                f"  closure {m['closure_error']:.2e}"
                f"  orthonormality {m['orthonormality_error']:.2e}"
            )
        if self.exact:
            lines.append(
                f"  exact algebra dimension {self.exact.get('dimension')}, "
                f"span distance {self.exact.get('span_distance', float('nan')):.2e}"
            )
        if self.identification:
            lines.append(f"  algebra: {self.identification.get('name')}")
        lines.extend(f"  {r}" for r in self.reasons)
        return "\n".join(lines)
