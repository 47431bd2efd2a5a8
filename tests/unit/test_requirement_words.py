"""One way to write a requirement: every type of requirement reads the same on the standard page, in the command
line's text, in the compare table and its CSV, and in the check report's conditions and outcomes."""

from __future__ import annotations

from typing import Any

import pytest

from registry import render
from registry.model import Parameter
from registry.requirements import allowed, describe

POWER = Parameter("p.power", "c", {"en": "Power"}, "quantity", "lower", unit="W")
RATIO = Parameter("p.ratio", "c", {"en": "Ratio"}, "quantity", "higher", unit="dimensionless")
KIND = Parameter("p.kind", "c", {"en": "Kind"}, "enum", "none", values=("R-290", "R-32", "R-410A"))
FLAG = Parameter("p.flag", "c", {"en": "Flag"}, "boolean", "true")


def _q(value: float, unit: str = "W") -> dict[str, Any]:
    return {"value": value, "unit": unit}


CASES = [
    (POWER, {"type": "max", "value": _q(0.5), "inclusive": True}, "≤ 0.5 W"),
    (POWER, {"type": "max", "value": _q(0.5), "inclusive": False}, "< 0.5 W"),
    (POWER, {"type": "max", "value": _q(0.5), "inclusive": None}, "< or ≤ 0.5 W (comparator not known)"),
    (RATIO, {"type": "min", "value": _q(7, "dimensionless"), "inclusive": True}, "≥ 7"),
    (RATIO, {"type": "min", "value": _q(7.2, "dimensionless"), "inclusive": False}, "> 7.2"),
    (RATIO, {"type": "min", "value": _q(4.6, "dimensionless"), "inclusive": None}, "> or ≥ 4.6 (comparator not known)"),
    (
        POWER,
        {"type": "range", "min": _q(3), "max": _q(5), "min_inclusive": True, "max_inclusive": None},
        "≥ 3 W and < or ≤ 5 W (comparator not known)",
    ),
    (
        POWER,
        {"type": "range", "min": _q(3), "max": _q(5), "min_inclusive": False, "max_inclusive": True},
        "> 3 W and ≤ 5 W",
    ),
    (POWER, {"type": "equals", "value": _q(2)}, "= 2 W"),
    (KIND, {"type": "equals", "value": "R-290"}, "= R-290"),
    (KIND, {"type": "one_of", "values": ["R-32", "R-290"]}, "one of: R-290, R-32"),
    (FLAG, {"type": "boolean", "value": True}, "must be true"),
    (FLAG, {"type": "boolean", "value": False}, "must be false"),
]


@pytest.mark.parametrize(("param", "requirement", "words"), CASES, ids=[w for _, _, w in CASES])
def test_each_requirement_type_is_written_one_way(param: Parameter, requirement: dict[str, Any], words: str) -> None:
    # Pages, the command line and the compare table and CSV write a requirement with render.constraint;
    # the check report writes the allowed set it evaluates with requirements.describe.
    assert render.constraint(requirement) == words
    assert describe(allowed(requirement, param), param) == words


def test_a_passing_value_is_reported_against_the_same_words() -> None:
    from registry.qualification.outcomes import _how_met
    from registry.qualification.product import Declared

    requirement = {"type": "max", "value": _q(0.5), "inclusive": None}
    got = Declared(POWER, 0.4, "0.4 W", None)
    assert _how_met(allowed(requirement, POWER), got) == "0.4 W " + render.constraint(requirement)


def test_an_excluded_list_is_read_as_what_remains_of_the_vocabulary() -> None:
    """The one difference, on purpose: the check evaluates 'none of' against the vocabulary's list, so its report
    names what remains allowed; pages keep the words of the document."""
    requirement = {"type": "none_of", "values": ["R-410A", "R-32"]}
    assert render.constraint(requirement) == "none of: R-32, R-410A"
    assert describe(allowed(requirement, KIND), KIND) == "= R-290"
