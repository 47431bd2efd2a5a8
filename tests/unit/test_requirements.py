"""Allowed-value sets: relations, and coverage pieced together from several regions."""

from __future__ import annotations

import math

import pytest

from registry.catalog import Catalog
from registry.model import Parameter
from registry.requirements import A_STRICTER, CONFLICT, EQUAL, OVERLAP, Choice, Interval, covered_by_union, relation

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
