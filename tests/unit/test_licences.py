"""Licences: certified products as the registry's test oracle, and bad licence documents."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from registry.catalog import Catalog
from registry.qualification import Checker
from registry.qualification import licences as oracle
from registry.source import FolderSource
from registry.validation import Validator
from tests.conftest import STANDARDS

MIDEA = "de-blue-angel-midea-room-air-conditioner-2018"


@pytest.fixture(scope="module")
def checker(catalog: Catalog, validator: Validator) -> Checker:
    return Checker(FolderSource(catalog), validator)


def test_bundled_licences_are_loaded(catalog: Catalog) -> None:
    assert {MIDEA, "cn-cel-riso-digital-duplicator-2019", "jp-eco-mark-17133003"} <= set(catalog.licences)
    midea = catalog.licences[MIDEA]
    assert midea.label == "de-blue-angel" and str(midea.standard) == "de-uz-204@2016-08"
    assert midea.awarded == "2018-03-14" and len(midea.declarations()) == 2
    assert catalog.kind_of_id(MIDEA) == "licence"


def test_no_certified_product_fails_its_own_label(catalog: Catalog, checker: Checker) -> None:
    """The oracle: a product a label certified must not fail that label's standard in the registry.

    When this fails, fix the data (or record the comparator as not known, with the sources), never the test.
    """
    recorded, consistent, results = oracle.summary(checker, catalog.licences.values())
    assert recorded >= 2
    contradictions = [
        f"{c.licence.id} product {c.product} ({c.model}) fails {c.licence.standard}: "
        + "; ".join(f"{cid}: {why}" for cid, why in c.failed)
        + f". Licence sources: {[s.get('url') for s in c.licence.raw['provenance']['sources']]}"
        for c in results
        if not c.consistent
    ]
    assert contradictions == []
    assert consistent == recorded
    assert all(c.verdict != "not_checked" for c in results), [c.reason for c in results]


def test_the_certified_midea_unit_meets_the_scop_limit_as_recorded(catalog: Catalog, checker: Checker) -> None:
    # SCOP 4.6 on DE-UZ 204's 4.6: the comparator is recorded as not known, so the outcome is unknown, and the
    # criterion's provenance says why (a certified product at exactly 4.6).
    (first, second) = oracle.check(checker, catalog.licences[MIDEA])
    assert first.verdict == "incomplete" and first.failed == ()
    licence = catalog.licences[MIDEA]
    on = oracle.check_day(licence, catalog.standard("de-uz-204@2016-08"))
    report = checker.check(dict(licence.declarations()[0][1]), on)
    blue = next(r for r in report.results if r.standard.id == "de-uz-204")
    scop = next(o for o in blue.criteria if o.criterion.id == "energy-scop")
    assert scop.outcome == "unknown" and "comparator" in scop.detail
    assert "certified" in scop.criterion.raw["provenance"]["note"]
    assert second.verdict == "incomplete"  # the 2.6 kW unit: no SEER or SCOP published


def test_a_contradiction_is_reported_with_the_criterion(catalog: Catalog, validator: Validator) -> None:
    # The same licence against a standard whose SCOP limit is exclusive (as the trade press wrote it).
    entries = []
    for e in catalog.entries:
        if e.kind == "standard" and e.data["id"] == "de-uz-204":
            data = copy.deepcopy(dict(e.data))
            for c in data["criteria"]:
                if c["id"] == "energy-scop":
                    c["requirement"]["inclusive"] = False
            e = type(e)(e.path, e.kind, data)
        entries.append(e)
    strict = Checker(FolderSource(Catalog(entries)), validator)
    (first, _) = oracle.check(strict, catalog.licences[MIDEA])
    assert not first.consistent and first.verdict == "fails"
    assert [cid for cid, _ in first.failed] == ["energy-scop"]
    assert "more than 4.6 W/W required" in first.failed[0][1]


def _licence(**changes: Any) -> dict[str, Any]:
    data = json.loads((STANDARDS / "licences" / f"{MIDEA}.json").read_text(encoding="utf-8"))
    data["id"] = "test-licence"
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "pointer", "fragment"),
    [
        ({"label": "xx-nobody"}, "/label", "unknown label programme 'xx-nobody'"),
        ({"standard": {"id": "no-such-standard", "version": "1"}}, "/standard", "unknown standard no-such-standard@1"),
        ({"label": "cn-cel"}, "/label", "is a standard of de-blue-angel, not of 'cn-cel'"),
        ({"dates": {"awarded": "2015-01-01"}}, "/dates/awarded", "before de-uz-204@2016-08 was published"),
        ({"dates": {"awarded": "2018-03-14", "valid_until": "2017"}}, "/dates/valid_until", "before the award"),
    ],
)
def test_bad_licences_are_refused_at_their_pointer(
    validator: Validator, catalog: Catalog, tmp_path: Path, changes: dict[str, Any], pointer: str, fragment: str
) -> None:
    path = tmp_path / "licence.json"
    path.write_text(json.dumps(_licence(**changes)), encoding="utf-8")
    (report,) = validator.validate_paths([path], [STANDARDS]).report.files
    found = [(e.pointer, e.message) for e in report.errors]
    assert any(p == pointer and fragment in m for p, m in found), found


def test_a_licence_naming_a_draft_is_refused(validator: Validator, tmp_path: Path) -> None:
    draft = json.loads((STANDARDS / "criteria" / "de-uz-204" / "2016-08.json").read_text(encoding="utf-8"))
    draft.update(version="2099-01", status="draft")
    draft["dates"] = dict(draft["dates"], published="2099-01", valid_from="2099-01")
    (tmp_path / "draft.json").write_text(json.dumps(draft), encoding="utf-8")
    (tmp_path / "licence.json").write_text(
        json.dumps(_licence(standard={"id": "de-uz-204", "version": "2099-01"}, dates={"awarded": "2099-02"})),
        encoding="utf-8",
    )
    files = validator.validate_paths([tmp_path / "licence.json", tmp_path / "draft.json"], [STANDARDS]).report.files
    found = [(e.pointer, e.message) for f in files for e in f.errors]
    assert ("/standard", "de-uz-204@2099-01 is a draft version; a licence names a published one") in found, found


def test_a_declaration_of_another_category_is_refused(validator: Validator, tmp_path: Path) -> None:
    data = _licence()
    data["products"][0]["declaration"]["category"] = "scanner"
    data["products"][0]["declaration"]["values"] = {"device.form_factor": {"value": "desktop"}}
    data["products"][0]["declaration"]["values"]["energy.seer"] = {"value": 7, "unit": "kW"}
    path = tmp_path / "licence.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    (report,) = validator.validate_paths([path], [STANDARDS]).report.files
    found = {e.pointer: e.message for e in report.errors}
    assert "scanner" in found["/products/0/declaration/category"]
    assert "/products/0/declaration/values/energy.seer" in " ".join(found)
