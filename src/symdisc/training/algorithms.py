"""The training algorithms by name, as the command line and presets give them."""

from __future__ import annotations

from collections.abc import Callable

from symdisc.errors import bad_input

#: Accepted names (and spellings) of each algorithm.
ALIASES = {
    "all": "all",
    "all-at-once": "all",
    "greedy": "greedy",
    "lbt": "lbt",
    "greedy+lbt": "lbt",
}


def algorithm_runner(name: str, all_at_once: Callable) -> tuple[str, Callable]:
    """``(canonical name, discover function)`` for ``all``, ``greedy`` or ``lbt``.

    ``all_at_once`` is the all-at-once ``discover`` (passed in so that callers
    keep their own import of it). Every returned function takes
    ``(oracle, config=..., progress=...)``.
    """
    key = ALIASES.get(str(name).strip().lower())
    if key is None:
        raise bad_input(
            "algorithm",
            "one of all, greedy, lbt",
            name,
            "all trains k generators at once; greedy and lbt find "
            "the dimension themselves.",
        )
    if key == "greedy":
        from symdisc.training.greedy import discover
    elif key == "lbt":
        from symdisc.training.lbt import discover
    else:
        discover = all_at_once
    return key, discover
