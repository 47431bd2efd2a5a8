"""Requirements and conditions as sets of allowed values, and how two such sets relate.

A typed requirement allows a set of values of its parameter: an interval for a quantity
(in the parameter's canonical unit, so 3.5 kW and 3500 W are the same bound) or a set of
choices for a boolean or an enum. Of two requirements, the one allowing fewer values is
stricter, and none can meet both when the sets are disjoint. That is what the better
direction of a parameter means in practice (a lower GWP cap allows fewer refrigerants),
and it also settles the cases a direction alone cannot: a smaller allowed list, a larger
banned list, an exclusive bound against an inclusive one.

Conditions ("applies when rated cooling capacity <= 4.5 kW") are the same sets, one per
parameter; a criterion applies to the products in the product of its conditions' sets.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from registry import render, units
from registry.model import Parameter
from registry.render import GE, LE

EQUAL = "equal"
A_STRICTER = "a_stricter"
B_STRICTER = "b_stricter"
OVERLAP = "overlap"
CONFLICT = "conflict"


class Interval(NamedTuple):
    """Numbers from low to high; an inclusive flag of None means the comparator is not known.

    A named tuple, not a frozen dataclass: diffs and checks build thousands, and a tuple is built in
    a third of the time."""

    low: float
    low_in: bool | None
    high: float
    high_in: bool | None


@dataclass(frozen=True)
class Choice:
    """A set of allowed values or, when ``excluded``, every value except those."""

    values: frozenset[Any]
    excluded: bool = False


@dataclass(frozen=True)
class Unknown:
    """A requirement whose allowed set cannot be known, and why."""

    reason: str


@dataclass(frozen=True)
class Declaration:
    """A qualitative requirement: met by a document, not by a value."""

    text: Mapping[str, str]


Allowed = Interval | Choice
Region = Mapping[str, Allowed]

_BOOLEANS = frozenset({True, False})


def allowed(c: Mapping[str, Any], param: Parameter) -> Allowed | Unknown | Declaration:
    """Return the set of values a constraint allows for its parameter."""
    kind = c["type"]
    if kind == "qualitative":
        return Declaration(c["evidence"])
    try:
        if param.kind == "quantity" and kind in ("max", "min", "range", "equals"):
            return _interval(c, param)
        if param.kind == "boolean" and kind == "boolean":
            return Unknown("value not known") if c["value"] is None else Choice(frozenset({c["value"]}))
        if param.kind == "enum" and kind in ("equals", "one_of", "none_of"):
            return _choice(c, param)
    except units.UnitError as exc:
        return Unknown(str(exc))
    return Unknown(f"a {kind!r} requirement does not fit the {param.kind} parameter {param.id!r}")


def _number(q: Mapping[str, Any] | None, param: Parameter) -> float | None:
    if q is None:
        return None
    return units.convert(q["value"], q["unit"], param.unit or q["unit"])


def _interval(c: Mapping[str, Any], param: Parameter) -> Interval | Unknown:
    floor = -math.inf if param.signed else 0.0
    kind = c["type"]
    if kind == "range":
        low, high = _number(c["min"], param), _number(c["max"], param)
        if low is None or high is None:
            return Unknown(f"the {'lower' if low is None else 'upper'} end of the range is not known")
        return Interval(low, c["min_inclusive"], high, c["max_inclusive"])
    value = _number(c["value"], param)
    if value is None:
        return Unknown("value not known")
    if kind == "max":
        return Interval(floor, True, value, c["inclusive"])
    if kind == "min":
        return Interval(value, c["inclusive"], math.inf, True)
    return Interval(value, True, value, True)


def _choice(c: Mapping[str, Any], param: Parameter) -> Choice | Unknown:
    if c["type"] == "equals":
        value = c["value"]
        if value is None:
            return Unknown("value not known")
        return Choice(frozenset({value}))
    values = c["values"]
    if values is None:
        return Unknown("the list of values is not known")
    if c["type"] == "one_of":
        return Choice(frozenset(values))
    if param.values is not None:
        return Choice(frozenset(param.values) - frozenset(values))
    return Choice(frozenset(values), excluded=True)


# --- numbers: a relative tolerance so that values converted between units still compare equal


def _cmp(x: float, y: float) -> int:
    if x == y or math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12):
        return 0
    return -1 if x < y else 1


def _key_cmp(a: tuple[float, int], b: tuple[float, int]) -> int:
    return _cmp(a[0], b[0]) or (a[1] > b[1]) - (a[1] < b[1])


def _low(iv: Interval) -> tuple[float, int]:
    return iv.low, 0 if iv.low_in else 1


def _high(iv: Interval) -> tuple[float, int]:
    return iv.high, 0 if iv.high_in else -1


def contains(s: Allowed, value: Any) -> bool | None:
    """Return whether a set allows a value; None when the value sits on a bound whose comparator is not known."""
    if isinstance(s, Choice):
        return (value in s.values) != s.excluded
    low, high = _cmp(value, s.low), _cmp(value, s.high)
    if low < 0 or high > 0:
        return False
    if low == 0 and not s.low_in:
        return None if s.low_in is None else False
    if high == 0 and not s.high_in:
        return None if s.high_in is None else False
    return True


# --- set operations on resolved sets (no unknown comparator left)


def is_empty(s: Allowed) -> bool:
    """Return whether no value is allowed."""
    if isinstance(s, Choice):
        return not s.excluded and not s.values
    c = _cmp(s.low, s.high)
    return c > 0 or (c == 0 and not (s.low_in and s.high_in))


def is_subset(s: Allowed, t: Allowed) -> bool:
    """Return whether every value allowed by s is allowed by t."""
    if is_empty(s):
        return True
    if isinstance(s, Interval) and isinstance(t, Interval):
        return _key_cmp(_low(s), _low(t)) >= 0 and _key_cmp(_high(s), _high(t)) <= 0
    if isinstance(s, Choice) and isinstance(t, Choice):
        if not s.excluded:
            return s.values.isdisjoint(t.values) if t.excluded else s.values <= t.values
        return t.excluded and s.values >= t.values
    raise TypeError("cannot compare an interval with a set of choices")


def intersect(s: Allowed, t: Allowed) -> Allowed:
    """Return the values both s and t allow."""
    if isinstance(s, Interval) and isinstance(t, Interval):
        low = s if _key_cmp(_low(s), _low(t)) >= 0 else t
        high = s if _key_cmp(_high(s), _high(t)) <= 0 else t
        return Interval(low.low, low.low_in, high.high, high.high_in)
    if isinstance(s, Choice) and isinstance(t, Choice):
        if s.excluded and t.excluded:
            return Choice(s.values | t.values, excluded=True)
        if s.excluded:
            s, t = t, s
        return Choice(s.values - t.values if t.excluded else s.values & t.values)
    raise TypeError("cannot intersect an interval with a set of choices")


def _resolved_relation(a: Allowed, b: Allowed) -> str:
    if a == b:
        return EQUAL
    if isinstance(a, Interval) and isinstance(b, Interval):
        # is_subset both ways and the intersection, from one comparison of each end
        lows, highs = _key_cmp(_low(a), _low(b)), _key_cmp(_high(a), _high(b))
        sub = (lows >= 0 and highs <= 0) or is_empty(a)
        sup = (lows <= 0 and highs >= 0) or is_empty(b)
        disjoint = not (sub and sup) and not meets(a, b)
    else:
        sub, sup = is_subset(a, b), is_subset(b, a)
        disjoint = not (sub and sup) and is_empty(intersect(a, b))
    if sub and sup:
        return EQUAL
    if disjoint:
        return CONFLICT
    if sub:
        return A_STRICTER
    if sup:
        return B_STRICTER
    return OVERLAP


def _resolutions(s: Allowed) -> Iterator[Allowed]:
    if isinstance(s, Choice):
        yield s
        return
    lows = (True, False) if s.low_in is None else (s.low_in,)
    highs = (True, False) if s.high_in is None else (s.high_in,)
    for lo, hi in itertools.product(lows, highs):
        yield s._replace(low_in=lo, high_in=hi)


def relation(a: Allowed, b: Allowed) -> str | None:
    """Return how the allowed sets relate, or None when an unknown comparator decides it."""
    if isinstance(a, Interval) != isinstance(b, Interval):
        raise TypeError("cannot relate an interval to a set of choices")
    if not (has_unknown_comparator(a) or has_unknown_comparator(b)):
        return _resolved_relation(a, b)
    found = {_resolved_relation(x, y) for x in _resolutions(a) for y in _resolutions(b)}
    return found.pop() if len(found) == 1 else None


def has_unknown_comparator(s: Allowed) -> bool:
    """Return whether an inclusive flag of the set is not known."""
    return isinstance(s, Interval) and (s.low_in is None or s.high_in is None)


# --- regions: the products a criterion applies to


def region(
    conditions: Sequence[Mapping[str, Any]], lookup: Callable[[str], Parameter | None]
) -> dict[str, Allowed] | Unknown:
    """Return the allowed set per parameter of a criterion's conditions (all must hold)."""
    found: dict[str, Allowed] = {}
    for cond in conditions:
        param = lookup(cond["parameter"])
        if param is None:
            return Unknown(f"condition parameter {cond['parameter']!r} is not in the vocabulary")
        got = allowed(cond, param)
        if isinstance(got, Unknown | Declaration):
            reason = got.reason if isinstance(got, Unknown) else "it is qualitative"
            return Unknown(f"condition on {param.id}: {reason}")
        if has_unknown_comparator(got):
            return Unknown(f"condition on {param.id}: the comparator (< or <=) is not known")
        found[param.id] = intersect(found[param.id], got) if param.id in found else got
    return found


def region_intersect(r: Region, s: Region) -> dict[str, Allowed]:
    """Return the products to which both regions apply."""
    both = dict(r)
    for pid, allowed_set in s.items():
        both[pid] = intersect(both[pid], allowed_set) if pid in both else allowed_set
    return both


def meets(s: Allowed, t: Allowed) -> bool:
    """Return whether some value is allowed by both s and t (``not is_empty(intersect(s, t))``, unbuilt)."""
    if not (isinstance(s, Interval) and isinstance(t, Interval)):
        return not is_empty(intersect(s, t))
    c = _cmp(s.low, t.low) or (0 if s.low_in else 1) - (0 if t.low_in else 1)
    low, low_in = (s.low, s.low_in) if c >= 0 else (t.low, t.low_in)
    c = _cmp(s.high, t.high) or (0 if s.high_in else -1) - (0 if t.high_in else -1)
    high, high_in = (s.high, s.high_in) if c <= 0 else (t.high, t.high_in)
    c = _cmp(low, high)
    return c < 0 or (c == 0 and bool(low_in and high_in))


def regions_meet(r: Region, s: Region) -> bool:
    """Return whether some product lies in both regions (``region_intersect`` without building it)."""
    for pid, allowed_set in s.items():
        other = r.get(pid)
        if not (meets(other, allowed_set) if other is not None else not is_empty(allowed_set)):
            return False
    if not r.keys() <= s.keys():
        for pid, allowed_set in r.items():
            if pid not in s and is_empty(allowed_set):
                return False
    return True


def region_empty(r: Region) -> bool:
    """Return whether no product lies in the region."""
    return any(is_empty(s) for s in r.values())


def region_within(r: Region, s: Region) -> bool:
    """Return whether every product of region r lies in region s."""
    if region_empty(r):
        return True
    return all(pid in r and is_subset(r[pid], allowed_set) for pid, allowed_set in s.items())


def _same_region(r: Region, s: Region) -> bool:
    """Return whether two regions bound the same parameters with the same bounds (up to conversion)."""
    if r.keys() != s.keys():
        return False
    for pid, x in r.items():
        y = s[pid]
        if not (isinstance(x, Interval) and isinstance(y, Interval)):
            if x != y:
                return False
        elif x.low_in != y.low_in or x.high_in != y.high_in or _cmp(x.low, y.low) or _cmp(x.high, y.high):
            return False
    return True


def scope(r: Region, s: Region) -> str:
    """Return 'same', 'a_wider', 'b_wider', 'partial' or 'disjoint' for the regions of A and B."""
    if _same_region(r, s):
        return "same"  # every region lies within itself (an empty one too)
    inside, outside = region_within(r, s), region_within(s, r)
    if inside and outside:
        return "same"
    if region_empty(region_intersect(r, s)):
        return "disjoint"
    if outside:
        return "a_wider"
    return "b_wider" if inside else "partial"


def domain(param: Parameter) -> Allowed | None:
    """Return every value a parameter can take, or None when that set is open (an enum without a list)."""
    if param.kind == "quantity":
        return Interval(-math.inf if param.signed else 0.0, True, math.inf, True)
    if param.kind == "boolean":
        return Choice(_BOOLEANS)
    return Choice(frozenset(param.values)) if param.values is not None else None


def covered_by_union(target: Region, parts: Sequence[Region], lookup: Callable[[str], Parameter | None]) -> bool:
    """Return whether the parts together cover every product of the target region.

    Exact when the parts differ from the target along one parameter only (limits split by
    capacity band, or by compressor type); otherwise False, which never over-claims coverage.
    """
    clipped = [c for c in (region_intersect(p, target) for p in parts) if not region_empty(c)]
    if any(region_within(target, c) for c in clipped):
        return True
    differing = {pid for c in clipped for pid in c if pid not in target or c[pid] != target[pid]}
    if len(differing) != 1:
        return False
    (pid,) = differing
    param = lookup(pid)
    whole = target.get(pid) or (domain(param) if param else None)
    if whole is None:
        return False
    return _union_covers(whole, [c[pid] for c in clipped])


def _union_covers(whole: Allowed, parts: Sequence[Allowed]) -> bool:
    if is_empty(whole):
        return True
    if isinstance(whole, Choice):
        if whole.excluded or any(not isinstance(p, Choice) or p.excluded for p in parts):
            return False
        return whole.values <= frozenset().union(*(p.values for p in parts if isinstance(p, Choice)))
    intervals = [p for p in parts if isinstance(p, Interval) and not is_empty(p)]
    # The frontier: every value above it, and the value itself when ``need`` is set, is still uncovered.
    value, need = whole.low, bool(whole.low_in)
    for part in sorted(intervals, key=lambda iv: (iv.low, 0 if iv.low_in else 1)):
        starts = _cmp(part.low, value)
        if starts > 0 or (starts == 0 and need and not part.low_in):
            return False  # a gap before this part
        ends = _cmp(part.high, value)
        if ends > 0 or (ends == 0 and part.high_in and need):
            value, need = part.high, not part.high_in
        past = _cmp(value, whole.high)
        if value == math.inf or past > 0 or (past == 0 and (not need or not whole.high_in)):
            return True
    return False


# --- words


def describe(s: Allowed, param: Parameter) -> str:
    """Return an allowed set in words, as ``render.constraint`` writes the same requirement (one way to write
    a requirement): '≤ 4.5 kW', 'one of: desktop, floor-standing', 'must be true'."""
    if isinstance(s, Choice):
        if param.kind == "boolean" and len(s.values) == 1 and not s.excluded:
            return render.must_be(bool(next(iter(s.values))))
        if s.excluded:
            return render.listed("none_of", s.values)
        if len(s.values) == 1:
            return f"= {render.value(next(iter(s.values)))}"
        return render.listed("one_of", s.values) if s.values else "nothing"
    floor = -math.inf if param.signed else 0.0
    at_floor = _cmp(s.low, floor) == 0 and s.low_in
    lo = "" if at_floor else render.bound(GE, ">", render.value(s.low, param.unit), s.low_in)
    hi = "" if s.high == math.inf else render.bound(LE, "<", render.value(s.high, param.unit), s.high_in)
    if lo and hi and _cmp(s.low, s.high) == 0 and s.low_in and s.high_in:
        return f"= {render.value(s.low, param.unit)}"
    return " and ".join(p for p in (lo, hi) if p) or "any value"


def describe_region(r: Region, lookup: Callable[[str], Parameter | None]) -> str:
    """Return a region in words, e.g. 'cooling.capacity.rated ≤ 4.5 kW; device.form_factor = desktop'."""
    parts = []
    for pid in sorted(r):
        param = lookup(pid)
        parts.append(f"{pid} {describe(r[pid], param) if param else '?'}")
    return "; ".join(parts) or "all products"
