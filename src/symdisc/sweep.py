"""Many independent runs: in this process, in local worker processes, or on Dask.

A sweep maps one top-level function over a list of plain-data tasks and
returns the results in task order. Tasks and results must be picklable
(dicts of numbers, strings and arrays), so that the same task gives the same
result wherever it runs: every random choice inside a task comes from the
seed it carries.

- ``workers=1`` and no scheduler: a plain loop (no extra processes).
- ``workers=N``: a ``ProcessPoolExecutor`` with the *spawn* start method (JAX
  is not fork-safe), each worker importing JAX on its own.
- ``scheduler="tcp://host:8786"``: a ``dask.distributed`` client connected to
  that cluster; ``workers`` is ignored (the cluster decides).
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from symdisc.errors import bad_input

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SweepTimings:
    """Wall time of a sweep and where it ran.

    Attributes
    ----------
    wall_s : float
    n_tasks : int
    backend : str
        ``"serial"``, ``"processes"`` or ``"dask"``.
    workers : int
        Worker processes used (Dask: workers of the cluster at submission).
    """

    wall_s: float
    n_tasks: int
    backend: str
    workers: int


def check_workers(workers: int) -> int:
    """Return ``workers`` if it is a positive integer; raise InputError otherwise."""
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise bad_input(
            "workers",
            "a positive integer",
            workers,
            "Use --workers 1 to run everything in this process.",
        )
    return workers


def run_all(
    function: Callable,
    tasks: Sequence,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> tuple[list, SweepTimings]:
    """Apply ``function`` to every task; results in task order.

    Parameters
    ----------
    function : callable
        A module-level function (importable by worker processes) of one task.
    tasks : sequence
        Picklable task descriptions.
    workers : int
        Local worker processes (1: run here).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:port``); overrides
        ``workers``.
    progress : callable, optional
        ``progress(done, total)`` whenever a task finishes.

    Returns
    -------
    results : list
    timings : SweepTimings
    """
    check_workers(workers)
    tasks = list(tasks)
    t0 = time.perf_counter()
    if scheduler is not None:
        results, used = _run_dask(function, tasks, scheduler, progress)
        backend = "dask"
    elif workers == 1 or len(tasks) <= 1:
        results, used, backend = [], 1, "serial"
        for i, task in enumerate(tasks):
            results.append(function(task))
            if progress is not None:
                progress(i + 1, len(tasks))
    else:
        used, backend = min(workers, len(tasks)), "processes"
        results = _run_processes(function, tasks, used, progress)
    wall = time.perf_counter() - t0
    logger.info("%d tasks in %.1f s (%s, %d workers)", len(tasks), wall, backend, used)
    return results, SweepTimings(
        wall_s=wall, n_tasks=len(tasks), backend=backend, workers=used
    )


def _run_processes(function, tasks, workers, progress):
    context = multiprocessing.get_context("spawn")
    results = [None] * len(tasks)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(function, task): i for i, task in enumerate(tasks)}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress is not None:
                progress(done, len(tasks))
    return results


def _run_dask(function, tasks, scheduler, progress):
    try:
        from distributed import Client
    except ImportError:
        raise bad_input(
            "scheduler",
            "dask.distributed installed",
            "not importable",
            "pip install 'dask[distributed]', or drop --scheduler.",
        ) from None
    if not isinstance(scheduler, str) or not scheduler:
        raise bad_input("scheduler", "an address such as tcp://host:8786", scheduler)
    try:
        client = Client(scheduler, timeout="20s", set_as_default=False)
    except OSError as exc:
        raise bad_input(
            "scheduler",
            "the address of a running Dask scheduler",
            scheduler,
            f"Start one with `dask scheduler` ({exc}).",
        ) from None
    try:
        used = len(client.scheduler_info().get("workers", {}))
        futures = client.map(function, tasks, pure=False)
        results = []
        for done, future in enumerate(futures, start=1):
            results.append(client.gather(future))
            if progress is not None:
                progress(done, len(tasks))
    finally:
        client.close()
    return results, used
