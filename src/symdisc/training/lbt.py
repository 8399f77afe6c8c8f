"""The Lie-bracket trick: most of an algebra comes from brackets, not training.

The commutator of two symmetries is a symmetry. After each trained generator
the brackets of the newest generators ``A_new`` (shape ``(p, n, n)``) with
every known one ``A_known`` (``(k, n, n)``) are formed at once,

.. math:: T_{aβ} = [A^{new}_a, A^{known}_β],

their components along the known span are removed (QR frame, twice), the
remaining directions are orthonormalised (SVD of the residuals), scaled to
``‖A‖² = 2`` and kept when they pass the invariance test on fresh points
(relative invariance error below a tolerance, tested as one batch). The
accepted directions are the next ``A_new``; the rounds stop when nothing new
appears, and greedy training resumes. A compact simple algebra is generated
by two generic elements, so g2, f4 and e6 need about two trained generators.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from symdisc import _jax  # noqa: F401
from symdisc.algebra.linalg import CANONICAL_NORM_SQ
from symdisc.config import TrainingConfig
from symdisc.oracles.base import Oracle
from symdisc.training.engine import Progress
from symdisc.training.greedy import (
    BUDGET,
    LOSS_THRESHOLD,
    SPAN_RTOL,
    InvarianceTest,
    KnownSpan,
    realify_actions,
    search,
    unrealify,
)
from symdisc.training.result import DiscoveryResult

logger = logging.getLogger(__name__)


def bracket_rows(known: KnownSpan, n_new: int) -> np.ndarray:
    """Brackets of the ``n_new`` newest actions with every known one, realified.

    Returns shape ``(n_new · k, N)``: rows ``[A_a, A_β]`` for the newest ``a``
    and all ``β`` (one batched product, no Python loop over pairs).
    """
    A = known.actions
    new = A[len(A) - n_new :]
    AB = np.einsum("aij,bjk->abik", new, A)
    BA = np.einsum("bij,ajk->abik", A, new)
    T = (AB - BA).reshape(-1, known.n, known.n)
    return realify_actions(T)


def expand_by_brackets(
    known: KnownSpan,
    n_new: int,
    test: InvarianceTest,
    rtol: float = SPAN_RTOL,
    rounds: list | None = None,
) -> int:
    """Grow ``known`` in place by brackets until nothing new appears.

    Parameters
    ----------
    known : KnownSpan
        The span found so far; its last ``n_new`` elements are new.
    n_new : int
    test : InvarianceTest
        Keeps a candidate when its relative invariance error on fresh points
        is below the test's tolerance.
    rtol : float
        Residuals below ``rtol`` times the bracket size count as known.
    rounds : list, optional
        Appended with one record per round (candidates, kept, worst error).

    Returns
    -------
    int
        Number of generators added.
    """
    added = 0
    while n_new and len(known) < known.size:
        D = known.new_directions(bracket_rows(known, n_new), rtol)
        if len(D) == 0:
            break
        A = unrealify(math.sqrt(CANONICAL_NORM_SQ) * D, known.n, known.complex_)
        errors, ok = test(A)
        if rounds is not None:
            worst = float(errors[ok].max()) if ok.any() else None
            rounds.append(
                {
                    "candidates": int(len(D)),
                    "kept": int(ok.sum()),
                    "worst_kept_error": worst,
                }
            )
        if not ok.any():
            logger.info("bracket round: %d candidate(s), none invariant", len(D))
            break
        known.add(D[ok], "bracket")
        n_new = int(ok.sum())
        added += n_new
        logger.info("bracket round: %d new generator(s), %d known", n_new, len(known))
    return added


def discover(
    oracle: Oracle,
    *,
    config: TrainingConfig | None = None,
    seed: int | None = None,
    loss_threshold: float = LOSS_THRESHOLD,
    budget: int = BUDGET,
    progress: Progress | None = None,
    exact: bool = True,
    **options,
) -> DiscoveryResult:
    """Greedy training accelerated by the Lie-bracket trick.

    Parameters as in :func:`symdisc.training.greedy.discover`: train one
    generator; close the known span under brackets with new generators
    (keeping what passes the invariance test, ``config.tol_invariance``);
    train the next; stop after ``budget`` consecutive failed trainings.

    Returns
    -------
    DiscoveryResult
        ``algorithm = "greedy+lbt"``; ``extra`` holds the stopping rule, the
        attempts, the bracket rounds and how many generators were trained
        versus obtained from brackets.
    """
    rounds: list[dict] = []

    def expand(known: KnownSpan, n_new: int, test: InvarianceTest) -> int:
        return expand_by_brackets(known, n_new, test, rounds=rounds)

    result = search(
        oracle,
        config=config,
        seed=seed,
        loss_threshold=loss_threshold,
        budget=budget,
        progress=progress,
        exact=exact,
        expand=expand,
        algorithm="greedy+lbt",
        **options,
    )
    result.extra["bracket_rounds"] = rounds
    return result
