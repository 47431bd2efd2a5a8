"""Checks the schemas hold for every field they define: real calendar dates, public sources, and the fields of
each constraint type. Both validators (jsonschema-rs's "valid?" and python-jsonschema's errors) must agree."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator

from registry import dates
from registry.catalog import Catalog
from registry.validation import Validator
from tests.conftest import EXAMPLES

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
COMMON = json.loads((SCHEMAS / "common.v1.schema.json").read_text())
DATE = COMMON["$defs"]["date"]
DATE_REFS = {"#/$defs/date", "#/$defs/optional_date"}


def _bounds_accept(text: str) -> bool:
    try:
        dates.bounds(text)
    except dates.DateError:
        return False
    return True


def _shaped_dates() -> Iterator[str]:
    """Every year, year-month and day in years chosen for their leap rules, and every month and day number,
    real or not (00 to 13, 00 to 32)."""
    years = [0, 1, 4, 99, 100, 400, 1600, 1700, 1800, 1900, 1996, 1999, 2000, 2023, 2024, 2100, 2400, 9996, 9999]
    for year in years:
        yield f"{year:04d}"
        for month in range(14):
            yield f"{year:04d}-{month:02d}"
            for day in range(33):
                yield f"{year:04d}-{month:02d}-{day:02d}"


def test_the_date_pattern_accepts_exactly_the_real_calendar_dates() -> None:
    pattern = re.compile(DATE["pattern"])
    wrong = [t for t in _shaped_dates() if bool(pattern.search(t)) is not _bounds_accept(t)]
    assert not wrong, wrong[:10]
    assert _bounds_accept("2024-02-29") and not _bounds_accept("2023-02-29")  # the test itself sees leap years


def test_both_validators_read_the_date_pattern_alike() -> None:
    fast, detailed = jsonschema_rs.Draft202012Validator(DATE), Draft202012Validator(DATE)
    for text in itertools.islice(_shaped_dates(), 0, None, 7):
        assert fast.is_valid(text) is detailed.is_valid(text) is _bounds_accept(text), text


def _properties(node: Any, where: str = "") -> Iterator[tuple[str, str, Any]]:
    if isinstance(node, dict):
        for name, sub in (node.get("properties") or {}).items():
            yield where, name, sub
        for key, sub in node.items():
            yield from _properties(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, f"{where}/{i}")


DATE_NAMES = {
    "published", "valid_from", "valid_until", "review_due", "retrieved", "date", "since", "certified_since",
    "known_as_of", "last_peer_review", "next_review_due", "founded", "awarded", "on",
}  # fmt: skip


def test_every_date_field_of_every_schema_is_a_checked_date() -> None:
    found = 0
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        for where, name, sub in _properties(json.loads(path.read_text())):
            if name in DATE_NAMES:
                found += 1
                ref = str(sub.get("$ref", "")).removeprefix("urn:ecolabel:schema:common:1")
                assert ref in DATE_REFS, f"{path.name}{where}/{name} is not a date or optional_date"
    assert found >= 15  # the scan itself found the date fields


def _standard() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((EXAMPLES / "valid" / "room-ac-draft.json").read_text())
    return doc


@pytest.mark.parametrize(
    ("change", "pointer", "message"),
    [
        (lambda d: d["dates"].update(published="2023-02-29"), "/dates/published", "'2023-02-29' is not a calendar"),
        (lambda d: d["dates"].update(published="0000"), "/dates/published", "is not a calendar date"),
        (lambda d: d["dates"].update(published=2023), "/dates/published", "2023 is not a calendar date"),
        (
            lambda d: d["provenance"]["sources"].append({"title": "A book"}),
            "/provenance/sources/1",
            "a source needs a url, a standard_number or a publisher",
        ),
        (
            lambda d: d["provenance"]["sources"][0].update(note="see the Domain Facts file"),
            "/provenance/sources/0/note",
            "cite the public source itself",
        ),
        (
            lambda d: d["criteria"][0]["requirement"].update(min={"value": 1, "unit": "W/W"}),
            "/criteria/0/requirement/min",
            "this property is not allowed here",
        ),
        (
            lambda d: d["criteria"][0]["requirement"].update(limit=7),
            "/criteria/0/requirement",
            "Unknown properties are not allowed ('limit' was unexpected)",
        ),
    ],
)
def test_the_schemas_say_what_is_wrong_and_where(validator: Validator, change: Any, pointer: str, message: str) -> None:
    doc = _standard()
    assert validator.shape(doc)[1] == []
    broken = copy.deepcopy(doc)
    change(broken)
    uri = broken["$schema"]
    assert validator.schemas.fast[uri].is_valid(broken) is False  # the fast path refuses it too
    findings = validator.shape(broken)[1]
    assert [(f.pointer, message in f.message) for f in findings] == [(pointer, True)], findings


def test_a_day_that_is_no_calendar_day_is_refused_in_the_fields_no_rule_read_before(validator: Validator) -> None:
    # The review and entry stamps ("on") were not read by the date rule the schema replaced.
    doc = _standard()
    doc["criteria"][0]["provenance"]["entered"] = {"by": "staff", "on": dt.date(2026, 1, 5).isoformat()}
    assert validator.shape(doc)[1] == []
    doc["criteria"][0]["provenance"]["entered"]["on"] = "2026-02-30"
    assert [f.pointer for f in validator.shape(doc)[1]] == ["/criteria/0/provenance/entered/on"]


def test_a_refused_value_does_not_hide_the_other_problems(validator: Validator, catalog: Catalog) -> None:
    # A day that does not exist and a source no reader can follow are refused by the schemas, but the document
    # is still readable: the rules run too, so every problem shows at once.
    doc = _standard()
    doc["dates"]["published"] = "2023-02-29"
    doc["provenance"]["sources"][0] = {"title": "A book"}
    doc["criteria"][0]["parameter"] = "energy.seer_typo"
    found = validator.validate_data(doc, context=catalog)
    assert sorted(f.pointer for f in found) == ["/criteria/0/parameter", "/dates/published", "/provenance/sources/0"]
    doc["dates"]["published"] = 2023  # the wrong type for a date: the rules still read the rest safely
    assert "/criteria/0/parameter" in {f.pointer for f in validator.validate_data(doc, context=catalog)}
    doc["criteria"][0]["mandatory"] = "yes"  # a shape error: the rules cannot read the document
    assert "/criteria/0/parameter" not in {f.pointer for f in validator.validate_data(doc, context=catalog)}
