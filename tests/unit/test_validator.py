"""The validator on in-memory documents: reuse, mutations, and never a traceback."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from registry import jsonfile
from registry.catalog import Catalog
from registry.validation import Validator
from tests.conftest import EXAMPLES

DRAFT = json.loads((EXAMPLES / "valid" / "room-ac-draft.json").read_text())


def test_valid_draft_in_memory(validator: Validator, catalog: Catalog) -> None:
    assert validator.validate_data(DRAFT, context=catalog) == []


def test_validators_are_built_once(validator: Validator, catalog: Catalog) -> None:
    before = dict(validator.schemas.validators)
    for _ in range(3):
        validator.validate_data(DRAFT, context=catalog)
    assert validator.schemas.validators == before
    assert all(validator.schemas.validators[k] is v for k, v in before.items())


def test_range_with_units_converted_before_comparing(validator: Validator, catalog: Catalog) -> None:
    doc = copy.deepcopy(DRAFT)
    doc["criteria"][1]["conditions"][0] = {
        "parameter": "cooling.capacity.rated",
        "type": "range",
        "min_inclusive": True,
        "max_inclusive": False,
        "min": {"value": 2600, "unit": "W"},
        "max": {"value": 4.5, "unit": "kW"},
    }
    assert validator.validate_data(doc, context=catalog) == []
    doc["criteria"][1]["conditions"][0]["min"] = {"value": 4600, "unit": "W"}
    (finding,) = validator.validate_data(doc, context=catalog)
    assert finding.pointer == "/criteria/1/conditions/0" and "empty range" in finding.message


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _paths(v, (*prefix, i))
    return found


PATHS = [p for p in _paths(DRAFT) if p]


def _mutated(edits: list[tuple[tuple[Any, ...], Any]]) -> dict[str, Any]:
    """Return a copy of the draft with values replaced at the given paths (paths that vanished are skipped)."""
    doc = copy.deepcopy(DRAFT)
    for path, value in edits:
        node: Any = doc
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = copy.deepcopy(value)
        except (KeyError, IndexError, TypeError):
            continue
    return doc


REPLACEMENTS = st.sampled_from(
    [None, -1, 0, 1e300, "", "x" * 300, [], {}, True, "2017-02-30", "kW", "R-290", {"value": 1}]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), REPLACEMENTS), min_size=1, max_size=4))
def test_mutated_documents_give_findings_not_tracebacks(
    validator: Validator, catalog: Catalog, edits: list[tuple[tuple[Any, ...], Any]]
) -> None:
    doc = _mutated(edits)
    findings = validator.validate_data(doc, context=catalog)
    assert all(f.pointer == "" or f.pointer.startswith("/") for f in findings)
    if doc != DRAFT and findings == []:
        # A mutation may keep the document valid; then a second validation must agree.
        assert validator.validate_data(doc, context=catalog) == []


def _schema_errors_py(validator: Validator, doc: dict[str, Any]) -> bool:
    schema_id = doc["$schema"]
    return any(True for _ in validator.schemas.validators[schema_id].iter_errors(doc))


def _documents() -> list[Path]:
    from tests.conftest import ROOT, STANDARDS

    return sorted([*STANDARDS.rglob("*.json"), *EXAMPLES.rglob("*.json"), *(ROOT / "examples").rglob("*.json")])


def test_fast_and_detailed_schema_validators_agree_on_every_example(validator: Validator) -> None:
    checked = 0
    for path in _documents():
        loaded = jsonfile.loads(path.read_bytes())  # what reaches the schema stage in real use
        doc = loaded.data
        if not loaded.ok or doc.get("$schema") not in validator.schemas.fast:
            continue
        fast = validator.schemas.fast[doc["$schema"]].is_valid(doc)
        assert fast != _schema_errors_py(validator, doc), path
        checked += 1
    assert checked >= 120


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PATHS), REPLACEMENTS), min_size=1, max_size=3))
def test_fast_and_detailed_schema_validators_agree_on_mutations(
    validator: Validator, edits: list[tuple[tuple[Any, ...], Any]]
) -> None:
    doc = _mutated(edits)
    if not isinstance(doc.get("$schema"), str) or doc["$schema"] not in validator.schemas.fast:
        return
    assert validator.schemas.fast[doc["$schema"]].is_valid(doc) != _schema_errors_py(validator, doc)


def _picture(cat: Catalog) -> tuple[Any, ...]:
    return (
        [e.path for e in cat.entries],
        [(s.id, s.version, s.raw) for s in cat.standards],
        [(k, v) for k, v in cat.labels.items()],
        [(k, v) for k, v in cat.agreements.items()],
        [(k, v) for k, v in cat.licences.items()],
        sorted(cat.vocabulary.categories),
    )


def test_a_catalogue_led_by_one_document_is_the_full_build(catalog: Catalog) -> None:
    # Validation in context reuses the context's parsed documents; the catalogue it gets must be the one a
    # full build gives, for a new document, for one standing in for a stored namesake, and for each kind.
    seen: set[str] = set()
    for entry in catalog.entries:
        if entry.kind in seen:
            continue
        seen.add(entry.kind)
        changed = copy.deepcopy(dict(entry.data))
        if entry.kind == "standard":
            changed["criteria"] = changed["criteria"][:1]
        for data, path in ((changed, "<document>"), (changed, entry.path)):
            fresh = type(entry)(path, entry.kind, data)
            led = catalog.led_by(fresh)
            full = Catalog([fresh, *(e for e in catalog.entries if e.path != path)])
            assert _picture(led) == _picture(full), (entry.kind, path)
    assert {"standard", "label", "agreement", "licence", "vocabulary"} <= seen
