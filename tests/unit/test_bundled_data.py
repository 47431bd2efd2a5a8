"""The shipped documents: all valid, enough of them, and honest about their sources."""

from __future__ import annotations

import json
from collections import Counter

from registry import truth
from registry.catalog import Catalog
from registry.validation import Result
from tests.conftest import ROOT, SCHEMAS, STANDARDS


def test_every_shipped_document_validates(bundled: Result) -> None:
    problems = bundled.report.lines()
    assert problems == []
    assert len(bundled.report.files) >= 80


def test_every_document_declares_a_known_schema() -> None:
    ids = {json.loads(p.read_text())["$id"] for p in SCHEMAS.glob("*.schema.json")}
    for path in STANDARDS.rglob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["$schema"] in ids, path


def test_schema_ids_are_versioned_and_match_file_names() -> None:
    for path in SCHEMAS.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        name, version = path.name.removesuffix(".schema.json").split(".v")
        assert schema["$id"] == f"urn:ecolabel:schema:{name}:{version}"
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_registry_holds_what_the_issue_asks_for(catalog: Catalog) -> None:
    standards = catalog.standards
    assert len(standards) >= 8
    assert len({label for s in standards for label in s.labels}) >= 4
    joint = {s.id for s in standards if s.kind == "joint"}
    assert {"cn-de-room-air-conditioner", "cn-jp-scanner"} <= joint
    assert len(catalog.labels) >= 25
    assert len(catalog.agreements) >= 15
    assert any(len(catalog.versions(s.id)) >= 2 for s in standards)


def test_cec_genices_and_bilateral_partners(catalog: Catalog) -> None:
    cec = catalog.labels["cn-cel"].raw
    assert cec["genices"]["status"] == "certified"
    assert cec["genices"]["certified_since"] == "2012"
    partners = {
        party
        for a in catalog.agreements.values()
        if a.scale == "bilateral" and "cn-cel" in a.parties and a.types != ("common_core_criteria",)
        for party in a.parties
        if party != "cn-cel"
    }
    countries = {c for p in partners for c in catalog.labels[p].countries}
    # The 13 partners CEC names: Germany, Nordic, Japan, Korea, Australia, New Zealand, Thailand,
    # Hong Kong, Canada, Singapore, Russia, Ukraine, Kazakhstan.
    for code in ("DE", "SE", "JP", "KR", "AU", "NZ", "TH", "HK", "CA", "SG", "RU", "UA", "KZ"):
        assert code in countries, code


def test_every_criterion_carries_sources_and_a_verification_flag(catalog: Catalog) -> None:
    flags = Counter()
    for std in catalog.standards:
        for crit in std.criteria:
            provenance = crit.raw["provenance"]
            assert provenance["sources"], f"{std.ref}/{crit.id}"
            flags[crit.verification] += 1
    assert set(flags) <= {"verified", "secondary", "unverified"}
    # No official criteria text was read for any bundled document, so nothing may claim 'verified'.
    assert flags["verified"] == 0


def test_joint_standards_with_unknown_content_say_so(catalog: Catalog) -> None:
    for ident in ("cn-de-room-air-conditioner", "cn-jp-scanner"):
        std = catalog.standard(ident)
        assert std.verification == "unverified"
        assert std.raw["coverage"]["complete"] is False
        assert all(not c.has_value for c in std.criteria)


def test_revision_pair_is_ordered_and_superseded(catalog: Catalog) -> None:
    old, new = catalog.versions("cn-cel-room-air-conditioner")
    assert (old.designation, new.designation) == ("HJ/T 304-2006", "HJ 2535-2013")
    assert old.status == "superseded" and new.status == "published"
    assert catalog.standard("cn-cel-room-air-conditioner") is new


def test_the_readme_states_the_data_truth_counts(catalog: Catalog) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert truth.sentence(truth.counts(catalog)) in readme
