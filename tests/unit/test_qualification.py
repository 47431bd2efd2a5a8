"""The qualification checker on real bundled standards, on small synthetic standards, and on bad input."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from registry import in_force
from registry.catalog import Catalog, Entry
from registry.errors import InvalidDocumentError
from registry.qualification import VERDICTS, Checker, Report, Result
from registry.source import FolderSource
from registry.validation import Validator
from tests.conftest import ROOT

PRODUCTS = ROOT / "examples" / "products"
TODAY = dt.date(2026, 11, 23)


def _product(name: str) -> dict[str, Any]:
    return json.loads((PRODUCTS / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def checker(catalog: Catalog, validator: Validator) -> Checker:
    return Checker(FolderSource(catalog), validator)


def _result(report: Report, ref: str) -> Result:
    found = {f"{r.standard.id}@{r.standard.version}": r for r in report.results}
    assert ref in found, sorted(found)
    return found[ref]


def _outcomes(result: Result) -> dict[str, str]:
    return {o.criterion.id: o.outcome for o in result.criteria}


def _detail(result: Result, criterion: str) -> str:
    return next(o.detail for o in result.criteria if o.criterion.id == criterion)


# --- real cases


AC_STANDARDS = {
    "cn-cel-room-air-conditioner@2013",
    "cn-de-room-air-conditioner@2017",
    "cn-low-gwp-room-air-conditioner@2015",
    "de-uz-204@2016-08",
}


def test_r290_3_5kw_against_the_air_conditioner_standards(checker: Checker) -> None:
    report = checker.check(_product("split-ac-r290-3.5kw.json"), TODAY)
    assert {f"{r.standard.id}@{r.standard.version}" for r in report.results} == AC_STANDARDS
    blue = _result(report, "de-uz-204@2016-08")
    assert _outcomes(blue) == {
        "refrigerant-halogen-free": "pass",
        "refrigerant-gwp": "pass",
        "energy-seer": "pass",
        "energy-scop": "pass",
        "noise-indoor": "unknown",  # the registry does not know DE-UZ 204's noise limits
        "noise-outdoor": "unknown",
        "safety-propane": "declaration",
        "design-sustained-efficiency": "declaration",
    }
    assert blue.verdict == "incomplete"  # missing data never qualifies
    assert "7.2 W/W > or ≥ 7 W/W (comparator not known)" in _detail(blue, "energy-seer")  # the comparator is not known
    assert "3 < or ≤ 5 (comparator not known)" in _detail(
        blue, "refrigerant-gwp"
    )  # DE-UZ 204's comparator is not recorded
    assert "does not know the limit" in _detail(blue, "noise-indoor")
    # Limits not checked against the official text are flagged.
    assert any("provisional" in n and "energy-seer" in n for n in blue.notes)
    hj = _result(report, "cn-cel-room-air-conditioner@2013")
    assert set(_outcomes(hj).values()) == {"declaration"} and hj.verdict == "incomplete"
    assert hj.held == ("EXAMPLE-0001",)
    joint = _result(report, "cn-de-room-air-conditioner@2017")
    assert _outcomes(joint) == {
        "refrigerant-halogen-free": "unknown",
        "energy-seer": "unknown",
        "noise": "declaration",
        "safety-flammable-refrigerant": "declaration",
    }
    assert joint.verdict == "incomplete"


def test_r290_2_6kw_fails_blue_angel_efficiency_with_the_margin_in_words(checker: Checker) -> None:
    report = checker.check(_product("split-ac-r290-2.6kw.json"), TODAY)
    blue = _result(report, "de-uz-204@2016-08")
    assert blue.verdict == "fails"
    assert _outcomes(blue)["energy-seer"] == "fail"
    assert "6.5 W/W < 7 W/W required" in _detail(blue, "energy-seer")
    # SCOP 4.6 on the limit 4.6, whose comparator the sources contradict: unknown, not a fail.
    assert _outcomes(blue)["energy-scop"] == "unknown"
    assert "4.6 W/W sits on the limit, whose comparator (> or ≥) is not recorded" in _detail(blue, "energy-scop")
    assert _outcomes(blue)["refrigerant-halogen-free"] == "pass"
    assert _result(report, "cn-low-gwp-room-air-conditioner@2015").verdict == "incomplete"


@pytest.mark.parametrize("seer", [8.5, 12.0, 30.0])
def test_r410a_fails_the_blue_angel_refrigerant_criterion_whatever_its_efficiency(
    checker: Checker, seer: float
) -> None:
    product = _product("split-ac-r410a-2.6kw.json")
    product["values"]["energy.seer"]["value"] = seer
    blue = _result(checker.check(product, TODAY), "de-uz-204@2016-08")
    assert blue.verdict == "fails"
    outcomes = _outcomes(blue)
    assert outcomes["refrigerant-halogen-free"] == "fail"
    assert outcomes["refrigerant-gwp"] == "fail"
    assert outcomes["energy-seer"] == "pass"
    assert "false, but true required" in _detail(blue, "refrigerant-halogen-free")
    assert "2088 > 5 allowed" in _detail(blue, "refrigerant-gwp")


def test_scanner_against_hj_2517_eco_mark_155_and_the_china_japan_common_standard(checker: Checker) -> None:
    on = dt.date(2019, 6, 1)  # Eco Mark No.155 v1.3 is recorded as valid until 2021-04-30
    report = checker.check(_product("scanner.json"), on)
    assert {f"{r.standard.id}@{r.standard.version}" for r in report.results} == {
        "cn-cel-scanner@2012",
        "cn-jp-scanner@2017",
        "jp-eco-mark-155@1.3",
    }
    eco = _result(report, "jp-eco-mark-155@1.3")
    outcomes = _outcomes(eco)
    # No Eco Mark limit was read, so a declared emission is neither a pass nor a fail.
    assert outcomes["tvoc-desktop"] == "unknown"
    assert "value not known" in _detail(eco, "tvoc-desktop")
    assert {outcomes[c] for c in ("tvoc-floor", "ozone-floor", "styrene-floor")} == {"not_applicable"}
    assert "floor-standing" in _detail(eco, "tvoc-floor")
    assert outcomes["benzene"] == "unknown" and "value not known" in _detail(eco, "benzene")
    assert outcomes["energy-star"] == "declaration"
    assert eco.verdict == "incomplete"
    hj = _result(report, "cn-cel-scanner@2012")
    assert hj.counts()["unknown"] == 4 and hj.counts()["declaration"] == 5 and hj.verdict == "incomplete"
    common = _result(report, "cn-jp-scanner@2017")
    assert common.criteria == () and common.verdict == "incomplete"  # nothing recorded: never 'qualifies'
    # The Eco Mark holder sees the China–Japan pathway to HJ 2517.
    (path,) = hj.pathways
    assert path.from_label == "jp-eco-mark"
    assert {("agreement", "cn-jp-scanner-common-2017"), ("joint_standard", "cn-jp-scanner")} <= {
        (r.kind, r.id) for r in path.via
    }
    assert len(path.extra_proof) == 9 and path.covered == ()
    # Today Eco Mark No.155 v1.3 is no longer in force.
    today = checker.check(_product("scanner.json"), TODAY)
    assert "jp-eco-mark-155@1.3" not in {f"{r.standard.id}@{r.standard.version}" for r in today.results}


def test_a_china_environmental_label_holder_sees_the_china_germany_pathway(checker: Checker) -> None:
    report = checker.check(_product("split-ac-r290-3.5kw.json"), TODAY)
    blue = _result(report, "de-uz-204@2016-08")
    (path,) = blue.pathways
    assert path.from_label == "cn-cel" and path.licence_id == "EXAMPLE-0001"
    assert path.held_standard is not None and path.held_standard.ref.__str__() == "cn-cel-room-air-conditioner@2013"
    via = {(r.kind, r.id, r.version) for r in path.via}
    assert ("joint_standard", "cn-de-room-air-conditioner", "2017") in via
    assert ("agreement", "cn-de-room-air-conditioner-common-2017", None) in via
    assert ("agreement", "cec-blue-angel-cooperation-2007", None) in via
    # A cooperation MoU alone opens no path; agreements outside the category neither.
    assert ("agreement", "cn-de-toner-cartridge-ccc-2008", None) not in via
    # HJ 2535-2013 is recorded without numbers, so no DE-UZ 204 criterion is covered yet.
    assert path.covered == ()
    assert [p.criterion for p in path.extra_proof] == [c.criterion.id for c in blue.criteria if c.criterion.mandatory]
    assert all(p.reason for p in path.extra_proof)
    as_json = path.as_json()
    assert set(as_json) >= {"from_label", "via", "covered", "extra_proof"}
    assert as_json["extra_proof"] == [p.criterion for p in path.extra_proof]
    # The holder's own label's standard opens no pathway: the licence is listed instead.
    assert _result(report, "cn-cel-room-air-conditioner@2013").pathways == ()
    # Before the 2017 common standard, the path runs only through the older cooperation agreements.
    early = checker.check(_product("split-ac-r290-3.5kw.json"), dt.date(2017, 1, 15))
    (before,) = _result(early, "de-uz-204@2016-08").pathways
    assert {r.id for r in before.via} == {"blue-angel-cec-cooperation-2014", "cec-blue-angel-cooperation-2007"}


def test_gen_peer_review_is_a_basis_not_a_route(checker: Checker) -> None:
    # Both programmes passed GENICES, but no agreement between them covers air conditioners.
    product = _product("split-ac-r290-3.5kw.json")
    product["labels_held"] = [{"label": "nz-environmental-choice", "licence_id": "NZ-1"}]
    report = checker.check(product, TODAY)
    for result in report.results:
        assert all(r.id != "gen-genices" for p in result.pathways for r in p.via)
    blue = _result(report, "de-uz-204@2016-08")
    assert blue.pathways == ()
    (basis,) = [n for n in blue.notes if "peer review" in n]
    assert "nz-environmental-choice and de-blue-angel" in basis and "no agreement" in basis
    assert basis in blue.as_json()["notes"]
    # Where an agreement opens a path, the peer review is not mentioned.
    held = checker.check(_product("split-ac-r290-3.5kw.json"), TODAY)
    assert not any("peer review" in n for n in _result(held, "de-uz-204@2016-08").notes)


def test_an_expired_licence_opens_no_pathway(checker: Checker) -> None:
    product = _product("split-ac-r290-3.5kw.json")
    product["labels_held"][0]["valid_until"] = "2020-12-31"
    report = checker.check(product, TODAY)
    assert _result(report, "de-uz-204@2016-08").pathways == ()
    assert any("expired" in n for n in report.notes)


def test_scope_limits_put_a_product_out_of_scope(checker: Checker) -> None:
    product = _product("split-ac-r290-3.5kw.json")
    product["values"]["cooling.capacity.rated"] = {"value": 14, "unit": "kW"}
    report = checker.check(product, TODAY)
    assert "de-uz-204@2016-08" not in {f"{r.standard.id}@{r.standard.version}" for r in report.results}
    ((std, why),) = report.out_of_scope
    assert std.id == "de-uz-204" and "Rated cooling capacity" in why
    # A scope limit the product does not declare leaves the verdict incomplete and says so.
    del product["values"]["cooling.capacity.rated"]
    blue = _result(checker.check(product, TODAY), "de-uz-204@2016-08")
    assert any(n.startswith("scope:") and "not declared" in n for n in blue.notes)


def test_cli_json_follows_the_contract(checker: Checker) -> None:
    report = checker.check(_product("split-ac-r290-3.5kw.json"), TODAY).as_json()
    assert set(report) >= {"product", "date", "results"}
    assert report["date"] == "2026-11-23"
    for result in report["results"]:
        assert set(result) >= {"standard", "version", "labels", "verdict", "criteria", "pathways"}
        assert result["verdict"] in VERDICTS
        for crit in result["criteria"]:
            assert set(crit) >= {"id", "parameter", "outcome", "detail"}
        for path in result["pathways"]:
            assert set(path) >= {"from_label", "via", "covered", "extra_proof"}


# --- synthetic standards: every outcome and verdict rule


def _standard(criteria: list[dict[str, Any]], *, complete: bool = True, ident: str = "test-std") -> dict[str, Any]:
    source = {"verification": "verified", "sources": [{"title": "test", "publisher": "Ecolabel registry test suite"}]}
    return {
        "$schema": "urn:ecolabel:schema:criteria-document:1",
        "id": ident,
        "version": "1",
        "title": {"en": "Synthetic"},
        "kind": "native",
        "labels": ["eu-ecolabel"],
        "category": "room-air-conditioner",
        "scope": {"text": {"en": "all"}},
        "status": "published",
        "dates": {"published": "2020-01-01", "valid_from": "2020-01-01", "valid_until": None},
        "languages": ["en"],
        "provenance": source,
        "coverage": {"complete": complete},
        "criteria": [
            {
                "title": {"en": c["id"]},
                "topic": "energy",
                "mandatory": True,
                "provenance": source,
                **c,
            }
            for c in criteria
        ],
    }


def _checker_with(catalog: Catalog, validator: Validator, *docs: dict[str, Any]) -> Checker:
    keep = [e for e in catalog.entries if e.kind != "standard"]
    return Checker(FolderSource(Catalog([*keep, *(Entry(f"t/{d['id']}", "standard", d) for d in docs)])), validator)


def _seer(limit: float, inclusive: bool | None = True, **extra: Any) -> dict[str, Any]:
    req = {"type": "min", "value": {"value": limit, "unit": "W/W"}, "inclusive": inclusive}
    return {"id": f"seer-{limit}-{inclusive}", "parameter": "energy.seer", "requirement": req, **extra}


def _ac(**values: Any) -> dict[str, Any]:
    product = _product("split-ac-r290-3.5kw.json")
    product.pop("labels_held")
    product["values"].update(values)
    return product


def test_complete_standard_all_pass_qualifies_and_any_fail_fails(catalog: Catalog, validator: Validator) -> None:
    chk = _checker_with(catalog, validator, _standard([_seer(7.0)]))
    (result,) = chk.check(_ac(), TODAY).results
    assert result.verdict == "qualifies"
    (result,) = chk.check(_ac(**{"energy.seer": {"value": 6.9, "unit": "W/W"}}), TODAY).results
    assert result.verdict == "fails"


def test_missing_value_and_declaration_make_incomplete(catalog: Catalog, validator: Validator) -> None:
    doc = _standard([_seer(7.0)])
    chk = _checker_with(catalog, validator, doc)
    product = _ac()
    del product["values"]["energy.seer"]
    (result,) = chk.check(product, TODAY).results
    assert result.verdict == "incomplete" and result.criteria[0].outcome == "unknown"
    qualitative = {
        "id": "doc",
        "parameter": "design.sustained_efficiency",
        "requirement": {"type": "qualitative", "evidence": {"en": "a design statement"}},
    }
    chk = _checker_with(catalog, validator, _standard([_seer(7.0), qualitative]))
    (result,) = chk.check(_ac(), TODAY).results
    assert [o.outcome for o in result.criteria] == ["pass", "declaration"]
    assert result.verdict == "incomplete"
    # An optional criterion neither fails nor blocks the verdict.
    chk = _checker_with(catalog, validator, _standard([_seer(7.0), {**_seer(9.0), "mandatory": False}]))
    (result,) = chk.check(_ac(), TODAY).results
    assert [o.outcome for o in result.criteria] == ["pass", "fail"] and result.verdict == "qualifies"


def test_a_partial_record_never_qualifies(catalog: Catalog, validator: Validator) -> None:
    chk = _checker_with(catalog, validator, _standard([_seer(7.0)], complete=False))
    (result,) = chk.check(_ac(), TODAY).results
    assert result.criteria[0].outcome == "pass" and result.verdict == "incomplete"


def test_units_are_converted_and_unknown_comparators_on_the_bound_stay_unknown(
    catalog: Catalog, validator: Validator
) -> None:
    charge = {
        "id": "charge",
        "parameter": "refrigerant.charge",
        "requirement": {"type": "max", "value": {"value": 0.38, "unit": "kg"}, "inclusive": None},
    }
    chk = _checker_with(catalog, validator, _standard([charge]))
    for grams, outcome, words in (
        (379.0, "pass", "379 g < or ≤ 0.38 kg (comparator not known)"),
        (380.0, "unknown", "comparator (< or ≤) is not recorded"),
        (381.0, "fail", "381 g > 0.38 kg allowed"),
    ):
        (result,) = chk.check(_ac(**{"refrigerant.charge": {"value": grams, "unit": "g"}}), TODAY).results
        assert result.criteria[0].outcome == outcome, grams
        assert words in result.criteria[0].detail


def test_conditions_select_the_criterion_that_applies(catalog: Catalog, validator: Validator) -> None:
    def band(limit: float, low: float, high: float) -> dict[str, Any]:
        cond = {
            "parameter": "cooling.capacity.rated",
            "type": "range",
            "min": {"value": low, "unit": "kW"},
            "max": {"value": high, "unit": "kW"},
            "min_inclusive": False,
            "max_inclusive": True,
        }
        return {**_seer(limit), "id": f"seer-{low}-{high}", "conditions": [cond]}

    chk = _checker_with(catalog, validator, _standard([band(6.0, 0, 4.5), band(7.5, 4.5, 12)]))
    (result,) = chk.check(_ac(), TODAY).results  # 3.5 kW, SEER 7.2
    assert [o.outcome for o in result.criteria] == ["pass", "not_applicable"]
    assert result.verdict == "qualifies"
    (result,) = chk.check(_ac(**{"cooling.capacity.rated": {"value": 5000, "unit": "W"}}), TODAY).results
    assert [o.outcome for o in result.criteria] == ["not_applicable", "fail"]
    product = _ac()
    del product["values"]["cooling.capacity.rated"]
    (result,) = chk.check(product, TODAY).results
    assert [o.outcome for o in result.criteria] == ["unknown", "unknown"]
    assert "not declared" in result.criteria[0].detail


def test_a_value_measured_under_another_method_is_not_proof(catalog: Catalog, validator: Validator) -> None:
    crit = {**_seer(7.0), "test_methods": [{"standard": "GB 21455"}]}
    chk = _checker_with(catalog, validator, _standard([crit]))
    (result,) = chk.check(_ac(), TODAY).results  # declared under EN 14825
    assert result.criteria[0].outcome == "unknown" and "EN 14825" in result.criteria[0].detail


# --- dates


def test_versions_in_force_follow_successors_and_transition_windows(catalog: Catalog) -> None:
    versions = catalog.versions("cn-cel-room-air-conditioner")
    assert [s.version for s in in_force.current(versions, dt.date(2010, 1, 1))] == ["2006"]
    assert [s.version for s in in_force.current(versions, dt.date(2015, 1, 1))] == ["2013"]
    old, new = copy.deepcopy(dict(versions[0].raw)), copy.deepcopy(dict(versions[1].raw))
    old["dates"]["valid_until"] = "2014-12-31"  # a transition window past the successor's start
    from registry.model import Standard

    both = [Standard.from_json(old), Standard.from_json(new)]
    assert [s.version for s in in_force.current(both, dt.date(2014, 6, 1))] == ["2013", "2006"]
    assert [s.version for s in in_force.current(both, dt.date(2015, 6, 1))] == ["2013"]


# --- bad input


BAD = [
    ({"category": "spaceship"}, "/category", "unknown product category"),
    ({"values": {"energy.warp": {"value": 1, "unit": "W/W"}}}, "/values/energy.warp", "unknown parameter"),
    (
        {"values": {"cooling.capacity.rated": {"value": 3.5, "unit": "kg"}}},
        "/values/cooling.capacity.rated/unit",
        "'kg' measures a mass",
    ),
    (
        {"values": {"cooling.capacity.rated": {"value": -3.5, "unit": "kW"}}},
        "/values/cooling.capacity.rated/value",
        "cannot be negative",
    ),
    ({"values": {"energy.seer": {"value": "high"}}}, "/values/energy.seer/value", "takes a number"),
    ({"values": {"refrigerant.type": {"value": "R-9999"}}}, "/values/refrigerant.type/value", "not a known value"),
    ({"labels_held": [{"label": "xx-nolabel", "licence_id": "1"}]}, "/labels_held/0/label", "unknown label"),
    ({"manufacturer": ""}, "/manufacturer", ""),
]


@pytest.mark.parametrize(("change", "where", "message"), BAD, ids=[b[1] for b in BAD])
def test_bad_declarations_are_rejected_naming_the_field(
    checker: Checker, change: dict[str, Any], where: str, message: str
) -> None:
    product = _product("split-ac-r290-3.5kw.json")
    for key, value in change.items():
        if key == "values":
            product["values"].update(value)
        else:
            product[key] = value
    with pytest.raises(InvalidDocumentError) as err:
        checker.check(product, TODAY)
    pointers = {(f.pointer, f.message) for f in err.value.findings}  # type: ignore[attr-defined]
    assert any(p == where and message in m for p, m in pointers), pointers


def test_a_document_that_is_not_a_product_is_rejected(checker: Checker, catalog: Catalog) -> None:
    with pytest.raises(InvalidDocumentError) as err:
        checker.check(dict(catalog.standard("de-uz-204").raw), TODAY)
    assert [f.pointer for f in err.value.findings] == ["/$schema"]  # type: ignore[attr-defined]
    with pytest.raises(InvalidDocumentError):
        checker.check([1, 2], TODAY)


def test_the_examples_are_valid_declarations(checker: Checker) -> None:
    for path in sorted(Path(PRODUCTS).glob("*.json")):
        assert checker.check(_product(path.name), TODAY).results


def test_an_r290_unit_qualifies_for_the_complete_low_gwp_record(checker: Checker) -> None:
    report = checker.check(_product("split-ac-r290-low-gwp.json"), TODAY)
    low = _result(report, "cn-low-gwp-room-air-conditioner@2015")
    assert low.standard.complete and low.verdict == "qualifies"
    assert set(_outcomes(low).values()) == {"pass"}
    # The verdict says its limits come from secondary sources.
    assert any("provisional" in n for n in low.notes) and "the standard's record is secondary" in low.notes
    # Without the energy-saving certificate it does not qualify.
    product = _product("split-ac-r290-low-gwp.json")
    product["values"]["energy.national_energy_saving_product"] = {"value": False}
    assert _result(checker.check(product, TODAY), "cn-low-gwp-room-air-conditioner@2015").verdict == "fails"
