"""Checks for keyword options, in one place, with scikit-learn style messages.

"The 'cv' parameter of train must be an int in [2, 20]. Got 1 instead."
"""

from __future__ import annotations

import numbers
from collections.abc import Collection
from typing import Any

from .errors import ParameterError

__all__ = ["check_choice", "check_float", "check_int", "check_text"]


def _fail(name: str, owner: str, expected: str, value: Any) -> ParameterError:
    return ParameterError(f"The {name!r} parameter of {owner} must be {expected}. Got {value!r} instead.")


def check_int(value: Any, name: str, owner: str, *, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` if it is an int (not a bool) within ``[low, high]``; otherwise raise ParameterError."""
    expected = "an int" + _range(low, high)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _fail(name, owner, expected, value)
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise _fail(name, owner, expected, value)
    return number


def check_float(value: Any, name: str, owner: str, *, low: float | None = None, high: float | None = None) -> float:
    """Return ``value`` as a float if it is a real number within ``[low, high]``; otherwise raise ParameterError."""
    expected = "a float" + _range(low, high)
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value:
        raise _fail(name, owner, expected, value)
    number = float(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise _fail(name, owner, expected, value)
    return number


def check_choice(value: Any, name: str, owner: str, choices: Collection[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``; otherwise raise ParameterError listing them."""
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise _fail(name, owner, f"one of {{{listed}}}", value)
    return value


def check_text(text: Any, owner: str = "tag") -> str:
    """Return ``text`` if it is a str; otherwise raise TypeError naming the type that was given."""
    if not isinstance(text, str):
        raise TypeError(f"{owner}() expects the article text as a str, got {type(text).__name__}.")
    return text


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" in [{low}, {high}]"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""
