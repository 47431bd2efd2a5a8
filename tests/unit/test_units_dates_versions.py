"""Units, partial dates and version ordering."""

from __future__ import annotations

import pytest

from registry import dates, units
from registry.versions import version_key


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        (3.5, "kW", "W", 3500.0),
        (4.4, "B(A)", "dB(A)", 44.0),
        (55, "dB(A)", "B(A)", 5.5),
        (0.1, "wt%", "ppm", 1000.0),
        (3.5e11, "count/(10 min)", "1/min", 3.5e10),
        (7.0, "W/W", "dimensionless", 7.0),
        (380, "g", "kg", 0.38),
    ],
)
def test_conversions(value: float, unit: str, target: str, expected: float) -> None:
    assert units.convert(value, unit, target) == pytest.approx(expected)


@pytest.mark.parametrize(("unit", "canonical"), [("kW", "dB(A)"), ("mg/h", "W"), ("min", "kWh/week")])
def test_wrong_dimensions_are_not_compatible(unit: str, canonical: str) -> None:
    assert not units.compatible(unit, canonical)
    with pytest.raises(units.UnitError, match="cannot convert"):
        units.convert(1, unit, canonical)


@pytest.mark.parametrize("unit", ["", "kWhatever", "__import__('os')", "W; rm -rf", "1e999999 W", "0 W"])
def test_bad_units_are_unit_errors(unit: str) -> None:
    with pytest.raises(units.UnitError):
        units.parse_unit(unit)


def test_partial_dates_have_bounds() -> None:
    assert [str(d) for d in dates.bounds("2017-11")] == ["2017-11-01", "2017-11-30"]
    assert [str(d) for d in dates.bounds("2024")] == ["2024-01-01", "2024-12-31"]
    assert [str(d) for d in dates.bounds("2024-02")] == ["2024-02-01", "2024-02-29"]


@pytest.mark.parametrize("text", ["2017-13", "2017-02-30", "2017-00-10"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(dates.DateError):
        dates.bounds(text)


def test_partial_dates_are_only_out_of_order_when_surely_so() -> None:
    assert not dates.surely_before("2017-11", "2017-11-05")  # same month: could be in order
    assert dates.surely_before("2017-11-05", "2017-10")
    assert not dates.surely_before("2017", "2017-06-01")


def test_versions_order_numerically() -> None:
    assert sorted(["2.0", "1.10", "1.2", "1.3"], key=version_key) == ["1.2", "1.3", "1.10", "2.0"]
    assert sorted(["2016-08", "2006", "2013"], key=version_key) == ["2006", "2013", "2016-08"]
