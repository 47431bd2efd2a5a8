"""Allowed-value sets: relations, and coverage pieced together from several regions."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.catalog import Catalog
from registry.model import Parameter
from registry.requirements import (
    A_STRICTER,
    B_STRICTER,
    CONFLICT,
    EQUAL,
    OVERLAP,
    Choice,
    Interval,
    _union_covers,
    covered_by_union,
    intersect,
    is_empty,
    is_subset,
    meets,
    relation,
)

INF = math.inf
CAP = "cooling.capacity.rated"


def band(low: float, low_in: bool, high: float, high_in: bool) -> dict[str, Interval]:
    return {CAP: Interval(low, low_in, high, high_in)}


@pytest.mark.parametrize(
    ("parts", "covered"),
    [
        ([band(0, True, 4.5, True), band(4.5, False, INF, True)], True),
        ([band(0, True, 4.5, False), band(4.5, False, INF, True)], False),  # 4.5 kW itself is missing
        ([band(0, True, 4.5, False), band(4.5, True, INF, True)], True),
        ([band(0, True, 5, True), band(3, True, INF, True)], True),  # overlapping bands
        ([band(0, True, 4.5, True), band(5, False, INF, True)], False),  # a gap
        ([band(0.1, True, INF, True)], False),  # 0 .. 0.1 kW uncovered
        ([band(4.5, False, INF, True), band(0, True, 4.5, True)], True),  # order does not matter
    ],
)
def test_bands_cover_all_capacities(catalog: Catalog, parts: list[dict[str, Interval]], covered: bool) -> None:
    def lookup(pid: str) -> Parameter | None:
        return catalog.vocabulary.parameter("room-air-conditioner", pid)

    assert covered_by_union({}, parts, lookup) is covered


def test_enum_values_cover_when_every_listed_value_is_there(catalog: Catalog) -> None:
    def lookup(pid: str) -> Parameter | None:
        return catalog.vocabulary.parameter("room-air-conditioner", pid)

    speed = "compressor.speed_control"
    fixed, variable = {speed: Choice(frozenset({"fixed-speed"}))}, {speed: Choice(frozenset({"variable-speed"}))}
    assert covered_by_union({}, [fixed, variable], lookup)
    assert not covered_by_union({}, [fixed], lookup)
    # Parts that differ along two parameters are not pieced together (never over-claim).
    assert not covered_by_union({}, [fixed, band(0, True, INF, True)], lookup)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (Interval(0, True, 5, True), Interval(0, True, 5, True), EQUAL),
        (Interval(0, True, 5, False), Interval(0, True, 5, True), A_STRICTER),
        (Interval(3, True, INF, True), Interval(0, True, 3, False), CONFLICT),
        (Interval(3, True, INF, True), Interval(0, True, 3, True), OVERLAP),
        (Interval(0, True, 5, None), Interval(0, True, 5, True), None),  # the unknown comparator decides
        (Interval(0, True, 5, None), Interval(0, True, 6, True), A_STRICTER),  # it does not decide
        (Choice(frozenset({"R-290"})), Choice(frozenset({"R-290"}), excluded=True), CONFLICT),
        (
            Choice(frozenset({"R-32"}), excluded=True),
            Choice(frozenset({"R-32", "R-410A"}), excluded=True),
            "b_stricter",
        ),
    ],
)
def test_relations(a: Interval | Choice, b: Interval | Choice, expected: str | None) -> None:
    assert relation(a, b) == expected


def _inside(x: float, iv: Interval) -> bool:
    low_ok = x > iv.low or (x == iv.low and bool(iv.low_in))
    high_ok = x < iv.high or (x == iv.high and bool(iv.high_in))
    return low_ok and high_ok


grid = st.sampled_from([0.0, 1.0, 2.0, 3.0, 4.0])
intervals = st.builds(
    lambda lo, hi, li, hi_in, open_end: Interval(min(lo, hi), li, INF if open_end else max(lo, hi), hi_in or open_end),
    grid,
    grid,
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


@settings(max_examples=500, deadline=None)
@given(st.lists(intervals, max_size=4), intervals)
def test_pieced_coverage_agrees_with_checking_every_point(parts: list[Interval], whole: Interval) -> None:
    # Every boundary sits on the grid, so the grid, the midpoints and a point far out decide coverage.
    points = [x / 2 for x in range(0, 10)] + [1e9]
    expected = all(any(_inside(x, p) for p in parts) for x in points if _inside(x, whole))
    assert _union_covers(whole, parts) is expected


near = st.sampled_from([0.0, 1.0, 1.0 + 1e-12, 2.0, 3.5, 3.5 * (1 + 1e-10), 4.0])
close_intervals = st.builds(
    lambda lo, hi, li, hi_in, open_end: Interval(min(lo, hi), li, INF if open_end else max(lo, hi), hi_in),
    near,
    near,
    st.sampled_from([True, False]),
    st.sampled_from([True, False]),
    st.booleans(),
)


@settings(max_examples=500, deadline=None)
@given(close_intervals, close_intervals)
def test_meets_agrees_with_an_empty_intersection(s: Interval, t: Interval) -> None:
    # The alignment asks ``meets`` instead of building the intersection: the answers must be the same,
    # with bounds that differ only by a conversion's rounding too.
    assert meets(s, t) is (not is_empty(intersect(s, t)))
    assert meets(s, t) is meets(t, s)


def _relation_by_set_operations(a: Interval, b: Interval) -> str:
    """The relation as its definition states it: which set holds the other, and whether they share a value."""
    sub, sup = is_subset(a, b), is_subset(b, a)
    if sub and sup:
        return EQUAL
    if is_empty(intersect(a, b)):
        return CONFLICT
    return A_STRICTER if sub else B_STRICTER if sup else OVERLAP


@settings(max_examples=800, deadline=None)
@given(close_intervals, close_intervals)
def test_interval_relation_agrees_with_the_set_operations(s: Interval, t: Interval) -> None:
    # ``relation`` compares each end of two intervals once instead of asking is_subset twice and building the
    # intersection: the answer must be the one the set operations give, empty sets and rounded bounds included.
    assert relation(s, t) == _relation_by_set_operations(s, t)
