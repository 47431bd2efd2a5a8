"""Units: quantities parsed and converted by pint, checked against a parameter's dimension.

The pint registry is built on first use (it takes a fraction of a second), never at import.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import pint

# Sound levels are compared, never added, so a linear dimension is exact for our use and
# makes B(A) <-> dB(A) a plain factor of ten (pint's logarithmic units are for arithmetic).
_DEFINITIONS = (
    "bel_A = [sound_level_A] = B_A",
    "decibel_A = 0.1 * bel_A = dBA",
)

# Spellings used in criteria texts that pint's parser cannot read as written.
_SPELLINGS = (
    (re.compile(r"\bdB\s*\(\s*A\s*\)"), "dBA"),
    (re.compile(r"\bB\s*\(\s*A\s*\)"), "B_A"),
    (re.compile(r"\bwt\s*%|%\s*\(m/m\)|\bmass\s*%"), "percent"),
    (re.compile(r"%"), "percent"),
)


class UnitError(ValueError):
    """A unit that cannot be parsed, or that has the wrong dimension."""


@lru_cache(maxsize=1)
def registry() -> Any:
    """Return the shared pint unit registry, building it on first use."""
    ureg: Any = pint.UnitRegistry(cache_folder=None, autoconvert_offset_to_baseunit=True)
    for line in _DEFINITIONS:
        ureg.define(line)
    return ureg


def _normalise(unit: str) -> str:
    text = unit.strip()
    for pattern, replacement in _SPELLINGS:
        text = pattern.sub(replacement, text)
    return text


@lru_cache(maxsize=4096)
def parse_unit(unit: str) -> Any:
    """Parse a unit expression into a pint quantity of magnitude one (or a scale, e.g. '10 min')."""
    text = _normalise(unit)
    if not text:
        raise UnitError("empty unit")
    if not re.fullmatch(r"[A-Za-z0-9_ .*/^()\-]+", text):
        raise UnitError(f"unit {unit!r} contains characters no unit uses")
    try:
        parsed = registry().parse_expression(text)
    except (pint.errors.PintError, AttributeError, TypeError, ValueError, SyntaxError) as exc:
        raise UnitError(f"unknown unit {unit!r}: {exc}") from None
    if not hasattr(parsed, "dimensionality"):
        # A bare number such as "1" means a dimensionless ratio.
        parsed = registry().Quantity(parsed, "dimensionless")
    if not math.isfinite(parsed.magnitude) or parsed.magnitude <= 0:
        raise UnitError(f"unit {unit!r} has a scale that is not a positive finite number")
    return parsed


def dimension_of(unit: str) -> str:
    """Return the dimension of a unit in words, e.g. '[mass] / [time]'."""
    dims = parse_unit(unit).dimensionality
    return str(dims) if dims else "dimensionless"


def compatible(unit: str, canonical: str) -> bool:
    """Return whether a unit has the same dimension as the canonical unit."""
    return bool(parse_unit(unit).dimensionality == parse_unit(canonical).dimensionality)


def convert(value: float, unit: str, target: str) -> float:
    """Convert a value from one unit to another of the same dimension."""
    scale, offset = _factor(unit, target)
    return value * scale + offset


@lru_cache(maxsize=4096)
def _factor(unit: str, target: str) -> tuple[float, float]:
    """Return (scale, offset) taking values in ``unit`` to ``target``; pint is asked once per pair."""
    if not compatible(unit, target):
        raise UnitError(f"cannot convert {unit!r} ({dimension_of(unit)}) to {target!r} ({dimension_of(target)})")
    source, goal = parse_unit(unit), parse_unit(target)

    def at(x: float) -> float:
        return float((x * source).to(goal.units).magnitude / goal.magnitude)

    offset = at(0.0)
    return at(1.0) - offset, offset
