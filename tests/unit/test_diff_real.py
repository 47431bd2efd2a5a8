"""The diff engine on the bundled standards: the joint standards against their parents, and a revision.

The bundled records are partial and mostly lack numbers, so most pairs are 'only on one side'
or 'not comparable'; these tests pin that the engine says so rather than guessing.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from registry.catalog import Catalog
from registry.diff import Coverage, compare

REAL = {
    ("cn-de-room-air-conditioner@2017", "de-uz-204@2016-08"): (
        "cross_label",
        {"not_comparable": 3, "only_a": 1, "only_b": 5},
    ),
    ("cn-de-room-air-conditioner@2017", "cn-cel-room-air-conditioner@2013"): (
        "cross_label",
        {"not_comparable": 1, "only_a": 3, "only_b": 8},
    ),
    ("cn-jp-scanner@2017", "cn-cel-scanner@2012"): ("cross_label", {"only_b": 9}),
    ("cn-jp-scanner@2017", "jp-eco-mark-155@1.3"): ("cross_label", {"only_b": 19}),
    ("cn-cel-room-air-conditioner@2006", "cn-cel-room-air-conditioner@2013"): (
        "revision",
        {"not_comparable": 1, "only_b": 8},
    ),
}


@pytest.mark.parametrize(("a", "b"), list(REAL), ids=[f"{a}-vs-{b}" for a, b in REAL])
def test_real_pairs(catalog: Catalog, a: str, b: str) -> None:
    mode, counts = REAL[(a, b)]
    result = compare(catalog.standard(a), catalog.standard(b), catalog.vocabulary)
    assert result.mode == mode
    assert {k: v for k, v in result.counts().items() if v} == counts
    # Every compared value that is not verified says so, in the pair and in the notes.
    for pair in result.pairs:
        for crit in (pair.a, pair.b):
            if crit is not None and crit.verification == "unverified":
                assert "unverified" in pair.verdict.detail, (pair.a, pair.b)
    partial = [n for n in result.notes if "partial record" in n]
    assert len(partial) == 2  # no bundled record is complete


def test_joint_air_conditioner_standard_flags_its_unverified_placeholders(catalog: Catalog) -> None:
    result = compare(
        catalog.standard("cn-de-room-air-conditioner@2017"), catalog.standard("de-uz-204@2016-08"), catalog.vocabulary
    )
    seer = next(p for p in result.pairs if p.parameter == "energy.seer")
    assert seer.relation == "not_comparable"
    assert "A: value not known" in seer.verdict.reason
    assert "A unverified" in seer.verdict.detail and "B from a secondary source" in seer.verdict.detail
    assert any("4 criteria whose values are unverified" in n for n in result.notes)
    # Nothing of DE-UZ 204 is covered by the joint standard as recorded: a holder proves all 8.
    assert result.coverage("a") == 0.0
    assert len(result.extra_proof("a")) == 8


def test_scanner_joint_standard_without_criteria_has_unknown_coverage(catalog: Catalog) -> None:
    result = compare(
        catalog.standard("cn-jp-scanner@2017"), catalog.standard("jp-eco-mark-155@1.3"), catalog.vocabulary
    )
    assert result.coverage("b") is None  # the joint standard records no criterion: a share of nothing
    assert result.coverage("a") == 0.0
    reasons = {p.reason for p in result.extra_proof("a")}
    assert all("A is a partial record" in r for r in reasons)


def test_revision_separates_editorial_from_requirement_changes(catalog: Catalog) -> None:
    result = compare(
        catalog.standard("cn-cel-room-air-conditioner@2006"),
        catalog.standard("cn-cel-room-air-conditioner@2013"),
        catalog.vocabulary,
    )
    paths = {e.path for e in result.editorial}
    assert {"/designation", "/status", "/version", "/dates/published"} <= paths
    assert all(not p.startswith("/criteria/energy-efficiency/requirement/evidence") for p in paths)
    new = [p for p in result.pairs if p.relation == "only_b"]
    # 2006 is a partial record: a criterion seen only in 2013 may merely be unrecorded in 2006.
    assert new and all("may only be unrecorded" in p.verdict.reason for p in new)


def test_low_gwp_cap_against_blue_angel(catalog: Catalog) -> None:
    result = compare(
        catalog.standard("de-uz-204"), catalog.standard("cn-low-gwp-room-air-conditioner"), catalog.vocabulary
    )
    gwp = next(p for p in result.pairs if p.parameter == "refrigerant.gwp100")
    # GWP <= 5 (comparator not known) lies inside GWP < 150 whatever the comparator is.
    assert gwp.relation == "a_stricter"


def _variant(catalog: Catalog, ident: str, *, complete: bool, unknown: str | None = None) -> Any:
    """de-uz-204 under another id, its criteria with a known value only (gwp, SEER, SCOP), comparators set."""
    from registry.model import Standard

    raw = copy.deepcopy(dict(catalog.standard("de-uz-204@2016-08").raw))
    raw["id"], raw["coverage"] = ident, {"complete": complete}
    raw["criteria"] = [c for c in raw["criteria"] if isinstance(c["requirement"].get("value"), dict)]
    for criterion in raw["criteria"]:
        criterion["requirement"]["inclusive"] = True  # the comparator is not recorded in the bundled data
    for criterion in raw["criteria"]:
        if criterion["id"] == unknown:
            criterion["requirement"]["value"] = None
    return Standard.from_json(raw)


def test_coverage_is_a_share_only_when_everything_is_known(catalog: Catalog) -> None:
    a = _variant(catalog, "x-a", complete=True)
    b = _variant(catalog, "x-b", complete=True)
    mandatory = sum(c.mandatory for c in b.criteria)
    # the same values on both sides, complete records: every criterion has a value or text to hold to
    known = compare(a, b, catalog.vocabulary).coverage_detail("a")
    assert known == Coverage(mandatory=mandatory, confirmed=mandatory, unknown=0, partial=False)
    assert known.share == 1.0 and known.missing == 0
    # one value not known: that criterion is unknown, and so is the share
    unsure = compare(_variant(catalog, "x-a", complete=True, unknown="energy-seer"), b, catalog.vocabulary)
    assert unsure.coverage_detail("a") == Coverage(mandatory, mandatory - 1, 1, partial=False)
    assert unsure.coverage_detail("a").share is None
    assert [p.criterion for p in unsure.extra_proof("a") if p.unknown] == ["energy-seer"]
    # a partial record of the side to be covered: the share is unknown whatever was confirmed
    partial = compare(a, _variant(catalog, "x-b", complete=False), catalog.vocabulary).coverage_detail("a")
    assert partial == Coverage(mandatory, mandatory, 0, partial=True) and partial.share is None
    # no counterpart in a partial record of the holder's side: unknown, not missing
    fewer = _variant(catalog, "x-a", complete=False)
    fewer = type(fewer).from_json({**fewer.raw, "criteria": list(fewer.raw["criteria"])[1:]})
    gap = compare(fewer, b, catalog.vocabulary).coverage_detail("a")
    assert (gap.confirmed, gap.unknown, gap.missing) == (mandatory - 1, 1, 0)
    whole = type(fewer).from_json({**fewer.raw, "coverage": {"complete": True}})
    gap = compare(whole, b, catalog.vocabulary).coverage_detail("a")
    assert (gap.confirmed, gap.unknown, gap.missing) == (mandatory - 1, 0, 1) and gap.share is not None
