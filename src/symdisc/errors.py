"""Exceptions that carry a message a user can act on.

Every public entry point raises :class:`InputError` for bad input; the command
line prints its message on one line and exits with status 2.
"""

from __future__ import annotations


class SymdiscError(Exception):
    """Base class of every error that symdisc raises on purpose."""


class InputError(SymdiscError, ValueError):
    """Bad input from the user: names what was wrong and how to fix it."""


def bad_input(name: str, expected: str, received: object, fix: str = "") -> InputError:
    """Build an :class:`InputError` naming argument, expectation, value and fix.

    Parameters
    ----------
    name : str
        The argument, option, file or key that was wrong.
    expected : str
        What a valid value looks like.
    received : object
        What was given (shown with ``repr`` when it is not a string).
    fix : str, optional
        One sentence on how to fix it.
    """
    shown = received if isinstance(received, str) else repr(received)
    message = f"{name}: expected {expected}, got {shown}"
    if fix:
        message += f". {fix}"
    return InputError(message)
