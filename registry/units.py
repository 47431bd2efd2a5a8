"""Units: quantities parsed and converted by pint, checked against a parameter's dimension.

The pint registry is built on first use (it takes a fraction of a second), never at import.
"""

from __future__ import annotations

import math
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy
import pint

from registry import settings

# Sound levels are compared, never added, so a linear dimension is exact for our use and
# makes B(A) <-> dB(A) a plain factor of ten (pint's logarithmic units are for arithmetic).
_DEFINITIONS = (
    "bel_A = [sound_level_A] = B_A",
    "decibel_A = 0.1 * bel_A = dBA",
)

# Spellings used in criteria texts that pint's parser cannot read as written.
_SPELLINGS = (
    (re.compile(r"(?<![A-Za-z_])dB\s*\(\s*A\s*\)"), "dBA"),
    (re.compile(r"(?<![A-Za-z_])B\s*\(\s*A\s*\)"), "B_A"),
    (re.compile(r"\bwt\s*%|%\s*\(m/m\)|\bmass\s*%"), "percent"),
    (re.compile(r"%"), "percent"),
)


class UnitError(ValueError):
    """A unit that cannot be parsed, or that has the wrong dimension."""


def cache_folder() -> Path | None:
    """Return the folder pint keeps its parsed definitions in (ECOLABEL_CACHE_DIR, default ~/.cache/ecolabel),
    or None when it cannot be written: then every process parses them again (about 0.3 s)."""
    folder = settings.cache_dir() / "pint"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


@lru_cache(maxsize=1)
def registry() -> Any:
    """Return the shared pint unit registry, building it on first use (from pint's cache when it has one)."""
    try:
        ureg: Any = pint.UnitRegistry(cache_folder=cache_folder(), autoconvert_offset_to_baseunit=True)
    except Exception:  # a cache another process is writing, or a damaged one: parse the definitions instead
        ureg = pint.UnitRegistry(cache_folder=None, autoconvert_offset_to_baseunit=True)
    for line in _DEFINITIONS:
        ureg.define(line)
    return ureg


def _normalise(unit: str) -> str:
    text = unit.strip()
    for pattern, replacement in _SPELLINGS:
        text = pattern.sub(replacement, text)
    return text


MAX_LENGTH = 64  # characters of a unit expression
MAX_EXPONENT = 12  # |n| of the one integer an exponent may be
MAX_NUMBER = 1e9  # a numeric prefactor, as in "10 min" or "1000 h"
_TOKEN = re.compile(
    r"(?P<space>\s+)|(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<power>\*\*|\^)|(?P<op>[*/·])|(?P<open>\()|(?P<close>\))|(?P<sign>[+-])"
)


class _Expression:
    """A recursive-descent reader of unit expressions; pint sees single unit names only, never an
    expression, so nothing the user writes is evaluated beyond products and small integer powers."""

    def __init__(self, text: str, original: str) -> None:
        self.original = original
        self.tokens: list[tuple[str, str, int]] = []
        at = 0
        while at < len(text):
            match = _TOKEN.match(text, at)
            if match is None:
                self._fail(f"character {text[at]!r} at position {at + 1} is not part of any unit")
            assert match is not None and match.lastgroup is not None
            if match.lastgroup != "space":
                self.tokens.append((match.lastgroup, match.group(), at + 1))
            at = match.end()
        self.at = 0

    def _fail(self, what: str) -> None:
        raise UnitError(f"unit {_shown(self.original)}: {what}")

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def read(self) -> tuple[Any, bool]:
        value, powered = self._product()
        extra = self._peek()
        if extra is not None:
            self._fail(f"unexpected {extra[1]!r} at position {extra[2]}")
        return value, powered

    def _product(self) -> tuple[Any, bool]:
        value, powered = self._power()
        while (token := self._peek()) is not None and token[0] != "close":
            divide = False
            if token[0] == "op":
                self.at += 1
                divide = token[1] == "/"
            right, right_powered = self._power()
            value = value / right if divide else value * right
            powered = powered or right_powered
        return value, powered

    def _power(self) -> tuple[Any, bool]:
        value, powered = self._atom()
        token = self._peek()
        if token is None or token[0] != "power":
            return value, powered
        self.at += 1
        if powered:
            self._fail(f"a power of a power at position {token[2]} (write one exponent)")
        exponent = self._exponent(token[2])
        following = self._peek()
        if following is not None and following[0] == "power":
            self._fail(f"chained powers at position {following[2]} (write one exponent)")
        return value**exponent, True

    def _exponent(self, where: int) -> int:
        sign, token = 1, self._peek()
        if token is not None and token[0] == "sign":
            sign = -1 if token[1] == "-" else 1
            self.at += 1
            token = self._peek()
        if token is None or token[0] != "number" or not token[1].isdigit():
            self._fail(f"the exponent after position {where} must be a whole number from -12 to 12")
        assert token is not None
        self.at += 1
        if len(token[1]) > 2 or int(token[1]) > MAX_EXPONENT:
            self._fail(f"exponent {token[1]} at position {token[2]} is larger than {MAX_EXPONENT}")
        return sign * int(token[1])

    def _atom(self) -> tuple[Any, bool]:
        token = self._peek()
        if token is None:
            self._fail("ends where a unit name, a number or '(' is expected")
        assert token is not None
        kind, text, where = token
        self.at += 1
        if kind == "open":
            value, powered = self._product()
            closing = self._peek()
            if closing is None or closing[0] != "close":
                self._fail(f"the '(' at position {where} is never closed")
            self.at += 1
            return value, powered
        if kind == "number":
            return self._number(text, where), False
        if kind == "name":
            try:
                return registry().Quantity(1, registry().parse_units(text)), False
            except (pint.errors.PintError, AttributeError, TypeError, ValueError) as exc:
                self._fail(f"unknown unit name {text!r} at position {where} ({_reason(exc)})")
        self._fail(f"unexpected {text!r} at position {where}")
        raise AssertionError  # not reached: _fail raises

    def _number(self, text: str, where: int) -> float:
        if "e" in text.lower():
            self._fail(f"the number {text!r} at position {where} uses exponent notation; use a unit prefix")
        value = float(text)
        if not 0 < value <= MAX_NUMBER:
            self._fail(f"the number {text!r} at position {where} must be above 0 and at most {MAX_NUMBER:g}")
        return value


def _shown(unit: str) -> str:
    """Return a unit as quoted in a message, cut to a readable length."""
    return repr(unit if len(unit) <= MAX_LENGTH else unit[:MAX_LENGTH] + "…")


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text if len(text) <= 80 else text[:80] + "…"


@lru_cache(maxsize=4096)
def parse_unit(unit: str) -> Any:
    """Parse a unit expression into a pint quantity of magnitude one (or a scale, e.g. '10 min').

    Unit names, numbers, '*', '/', '·', parentheses and one integer exponent (|n| <= 12) per factor;
    anything else, and anything longer than 64 characters, is a UnitError that says what and where.
    """
    if len(unit) > MAX_LENGTH:
        raise UnitError(f"unit {_shown(unit)} is longer than {MAX_LENGTH} characters")
    text = _normalise(unit)
    if not text:
        raise UnitError("empty unit")
    try:
        with numpy.errstate(all="raise"):  # pint's logarithmic units (dB) go through exp(): overflow is an error
            parsed, _ = _Expression(text, unit).read()
        if not hasattr(parsed, "dimensionality"):
            # A bare number such as "1" means a dimensionless ratio.
            parsed = registry().Quantity(parsed, "dimensionless")
        magnitude = float(parsed.magnitude)
    except (ArithmeticError, pint.errors.PintError) as exc:
        raise UnitError(f"unit {_shown(unit)} cannot be worked out: {_reason(exc)}") from None
    if not math.isfinite(magnitude) or magnitude <= 0:
        raise UnitError(f"unit {_shown(unit)} has a scale that is not a positive finite number")
    return parsed


def dimension_of(unit: str) -> str:
    """Return the dimension of a unit as pint writes it, e.g. '[mass] / [time]'."""
    dims = parse_unit(unit).dimensionality
    return str(dims) if dims else "dimensionless"


# What people call a dimension, by a unit of it (the first that matches names it).
_KINDS = (
    ("W", "a power"),
    ("kWh", "an energy"),
    ("kg", "a mass"),
    ("m", "a length"),
    ("m**2", "an area"),
    ("L", "a volume"),
    ("h", "a time"),
    ("K", "a temperature"),
    ("dBA", "a sound level"),
    ("kg/m**3", "a density"),
    ("L/h", "a flow"),
    ("m**3/h", "an air flow"),
    ("Pa", "a pressure"),
    ("mg/m**3", "a concentration"),
    ("W/m**2", "a power per area"),
    ("lm/W", "an efficacy"),
)


def kind_of(unit: str) -> str:
    """Return what a unit measures in words ("a power", "a mass", "a pure number"); pint's form when unnamed."""
    dims = parse_unit(unit).dimensionality
    if not dims:
        return "a pure number (a ratio, a share or a count)"
    for example, words in _KINDS:
        if parse_unit(example).dimensionality == dims:
            return words
    return f"a quantity of dimension {dims}"


@lru_cache(maxsize=4096)
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

    try:
        with numpy.errstate(all="raise"):
            offset = at(0.0)
            scale = at(1.0) - offset
    except (ArithmeticError, pint.errors.PintError) as exc:
        raise UnitError(f"cannot convert {unit!r} to {target!r}: {_reason(exc)}") from None
    if not (math.isfinite(scale) and math.isfinite(offset)):
        raise UnitError(f"cannot convert {unit!r} to {target!r}: the factor is not a finite number")
    return scale, offset


# Units people write for each kind of quantity in criteria texts: what forms and templates offer.
_COMMON = (
    "W",
    "kW",
    "MW",
    "Wh",
    "kWh",
    "kWh/week",
    "kWh/a",
    "W/W",
    "percent",
    "ppm",
    "dimensionless",
    "dB(A)",
    "B(A)",
    "kg",
    "g",
    "mg",
    "mg/kg",
    "mg/h",
    "mg/m^3",
    "µg/m^3",
    "g/m^2",
    "L",
    "mL",
    "m^3/h",
    "min",
    "h",
    "s",
    "1/min",
    "count/(10 min)",
    "count/h",
    "°C",
    "K",
    "V",
    "A",
    "m",
    "mm",
    "cm",
    "m^2",
)


@lru_cache(maxsize=256)
def offered(canonical: str) -> tuple[str, ...]:
    """Return the units a form offers for a parameter: its canonical unit, then the common units of
    the same dimension (a unit not offered is still accepted when its dimension is right)."""
    same = [u for u in _COMMON if u != canonical and _safely_compatible(u, canonical)]
    return (canonical, *same)


def _safely_compatible(unit: str, canonical: str) -> bool:
    try:
        return compatible(unit, canonical)
    except UnitError:
        return False
