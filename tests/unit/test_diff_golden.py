"""Golden comparisons: tests/examples/diff/<case>/{a,b,expected}.json, one folder per case.

``expected.json`` states the intended result: mode, summary, the aligned pairs in order
(ids, relation and, where given, scope), the extra-proof criteria both ways and, for
revisions, the editorial changes. Keys starting with '_' say why and are not compared.
Adding a case means adding a folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from registry.catalog import Catalog, Entry
from registry.diff import RELATIONS, Diff, compare
from registry.model import Standard
from registry.validation import Validator
from tests.conftest import EXAMPLES

CASES = sorted(p for p in (EXAMPLES / "diff").iterdir() if p.is_dir())


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def case_catalog(case: Path, catalog: Catalog) -> Catalog:
    """Return the bundled catalogue, with the case's own vocabulary (if any) in place of its namesake."""
    vocab_path = case / "vocabulary.json"
    if not vocab_path.exists():
        return catalog
    vocab = _read(vocab_path)
    kept = [
        e
        for e in catalog.entries
        if not (e.kind == "vocabulary" and e.data["category"]["id"] == vocab["category"]["id"])
    ]
    return Catalog([*kept, Entry(str(vocab_path), "vocabulary", vocab)])


def run_case(case: Path, validator: Validator, catalog: Catalog) -> tuple[Diff, dict[str, Any]]:
    """Validate a case's documents in context and compare them."""
    context = case_catalog(case, catalog)
    docs = [_read(case / "a.json"), _read(case / "b.json")]
    for name, doc in zip(("a.json", "b.json"), docs, strict=True):
        assert validator.validate_data(doc, context=context, name=name) == [], f"{case.name}/{name} must be valid"
    a, b = (Standard.from_json(d) for d in docs)
    return compare(a, b, context.vocabulary), _read(case / "expected.json")


def _public(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if not k.startswith("_")}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case: Path, validator: Validator, catalog: Catalog) -> None:
    result, expected = run_case(case, validator, catalog)
    got = result.as_json()
    assert got["mode"] == expected["mode"]
    assert got["summary"] == expected["summary"]
    wanted_pairs = [_public(p) for p in expected["pairs"]]
    assert [{k: p[k] for k in w} for p, w in zip(got["pairs"], wanted_pairs, strict=False)] == wanted_pairs
    assert len(got["pairs"]) == len(wanted_pairs)
    for way in ("extra_proof_a_to_b", "extra_proof_b_to_a"):
        assert [p["criterion"] for p in got[way]] == expected[way], way
        assert all(p["reason"] for p in got[way])
    if "editorial" in expected:
        assert got["editorial"] == expected["editorial"]
    assert all(p["detail"] for p in got["pairs"])


def test_cases_cover_every_relation_and_scope(validator: Validator, catalog: Catalog) -> None:
    relations, scopes = set(), set()
    for case in CASES:
        expected = _read(case / "expected.json")
        relations |= {p["relation"] for p in expected["pairs"]}
        scopes |= {p.get("scope") for p in expected["pairs"]}
    assert relations == set(RELATIONS)
    assert {"same", "a_wider", "b_wider", "partial"} <= scopes
