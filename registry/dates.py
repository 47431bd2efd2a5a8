"""Partial dates (YYYY, YYYY-MM, YYYY-MM-DD) as the sources give them, with safe ordering."""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache


class DateError(ValueError):
    """A date string that is not a real calendar date."""


def bounds(text: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day a partial date can mean ('2017-11' -> Nov 1 .. Nov 30)."""
    if not isinstance(text, str):  # a document refused by its schema may still be read by the rules
        raise DateError(f"{text!r} is not a calendar date (YYYY, YYYY-MM or YYYY-MM-DD)")
    return _bounds(text)


@lru_cache(maxsize=4096)
def _bounds(text: str) -> tuple[dt.date, dt.date]:
    parts = text.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        month = int(parts[1])
        if len(parts) == 2:
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last)
        day = dt.date(year, month, int(parts[2]))
    except (ValueError, IndexError, calendar.IllegalMonthError):
        raise DateError(f"{text!r} is not a calendar date (YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return day, day


def surely_before(earlier: str, later: str) -> bool:
    """Return whether ``later`` certainly falls before ``earlier`` (a definite order error)."""
    return bounds(later)[1] < bounds(earlier)[0]


def start(text: str) -> dt.date:
    """Return the first day a partial date can mean."""
    return bounds(text)[0]
