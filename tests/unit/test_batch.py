"""The array evaluation of many standards agrees with the plain per-criterion rules, criterion by criterion."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import pytest

from benchmarks.corpus import document
from registry import batch
from registry.catalog import Catalog, Entry
from registry.model import DocumentRef
from registry.qualification import Checker, declared_values, outcomes
from registry.qualification.outcomes import _compiled, _evaluate
from registry.source import FolderSource
from registry.validation import Validator
from tests.conftest import ROOT

ON = dt.date(2026, 6, 1)
BASE = json.loads((ROOT / "examples" / "products" / "split-ac-r290-3.5kw.json").read_text())


def _standards() -> list[dict[str, Any]]:
    docs = []
    for i in range(12):
        doc = document(30, seed=700 + i, ident=f"gen-{i}")
        doc["status"], doc["labels"] = "published", ["eu-ecolabel"]
        rng = random.Random(i)
        for crit in doc["criteria"]:
            roll = rng.random()
            if roll < 0.1:
                crit["requirement"]["inclusive"] = None  # comparator not known
            elif roll < 0.15:
                crit["requirement"]["value"] = None  # value not known
            elif roll < 0.2:
                crit["parameter"], crit["requirement"] = (
                    "refrigerant.type",
                    {"type": "one_of", "values": ["R-290", "R-32"]},
                )
                crit.pop("test_methods")
            elif roll < 0.25:
                crit["parameter"], crit["requirement"] = "refrigerant.halogen_free", {"type": "boolean", "value": True}
                crit.pop("test_methods")
            elif roll < 0.3:
                crit["requirement"] = {"type": "qualitative", "evidence": {"en": "a statement"}}
            if rng.random() < 0.2:
                crit.setdefault("conditions", []).append(
                    {"parameter": "compressor.speed_control", "type": "equals", "value": "variable-speed"}
                )
        docs.append(doc)
    return docs


def _bounds(docs: list[dict[str, Any]], parameter: str) -> list[dict[str, Any]]:
    return [
        c["requirement"]["value"]
        for d in docs
        for c in d["criteria"]
        if c["parameter"] == parameter and c["requirement"]["type"] in ("min", "max") and c["requirement"]["value"]
    ]


def _product(rng: random.Random, docs: list[dict[str, Any]]) -> dict[str, Any]:
    """A product whose values often sit exactly on some standard's bound (in that standard's unit)."""
    product = json.loads(json.dumps(BASE))
    values = product["values"]
    values["cooling.capacity.rated"] = {"value": rng.choice([2.5, 3.5, 4.5, 6.0, 8.5, 10.5]), "unit": "kW"}
    values["energy.seer"] = {
        "value": round(rng.uniform(3, 9), 1),
        "unit": "W/W",
        "test_method": rng.choice(["EN 14825", "GB 21455"]),
    }
    values["refrigerant.charge"] = {"value": rng.choice([100, 380, 1200, 3000]), "unit": rng.choice(["g"])}
    values["refrigerant.type"] = {"value": rng.choice(["R-290", "R-410A"])}
    values["compressor.speed_control"] = {"value": rng.choice(["fixed-speed", "variable-speed"])}
    for pid in ("energy.seer", "refrigerant.charge", "noise.indoor.sound_power", "energy.scop"):
        if rng.random() < 0.6 and _bounds(docs, pid):
            values[pid] = dict(rng.choice(_bounds(docs, pid)))
    for pid in rng.sample(sorted(values), 3):
        del values[pid]
    return product


def test_batch_agrees_with_the_plain_rules(catalog: Catalog, validator: Validator) -> None:
    docs = _standards()
    entries = [*catalog.entries, *(Entry(f"gen/{d['id']}", "standard", d) for d in docs)]
    full = Catalog(entries)
    checker = Checker(FolderSource(full), validator)
    rng = random.Random(14024)
    seen: set[str] = set()
    for _ in range(60):
        product = _product(rng, docs)
        report = checker.check(product, ON)
        values = declared_values(product, full.vocabulary)
        assert len(report.results) >= 12
        for result in report.results:
            compiled = _compiled(result.standard, full.vocabulary)
            for rule, got in zip(compiled.rules, result.criteria, strict=True):
                want = _evaluate(rule, values)
                assert (got.outcome, got.detail) == (want.outcome, want.detail), (result.standard.id, rule.criterion.id)
                seen.add(want.outcome)
            mandatory = [o.outcome for o in result.criteria if o.criterion.mandatory]
            expected = (
                "fails"
                if "fail" in mandatory
                else "incomplete"
                if {"unknown", "declaration"} & set(mandatory) or not result.standard.complete
                else "qualifies"
            )
            assert result.verdict == expected
    assert seen == {"pass", "fail", "unknown", "declaration", "not_applicable"}


def test_blocks_read_back_from_bytes_evaluate_the_same(catalog: Catalog) -> None:
    # What a fresh process reads from the kept store (registry.kept) answers exactly what was laid out.
    docs = _standards()
    full = Catalog([*catalog.entries, *(Entry(f"gen/{d['id']}", "standard", d) for d in docs)])
    standards = [full.standard(DocumentRef(d["id"], d["version"])) for d in docs]
    laid_out = outcomes.blocks(standards, full.vocabulary)
    read_back = [batch.Block.from_bytes(b.to_bytes()) for b in laid_out]
    for a, b in zip(laid_out, read_back, strict=True):
        assert (a.params, a.choices, a.method_sets, a.mandatory, a.scope, a.complete) == (
            b.params,
            b.choices,
            b.method_sets,
            b.mandatory,
            b.scope,
            b.complete,
        )
        assert a.requirements.tobytes() == b.requirements.tobytes() and len(a.conditions) == len(b.conditions)
    assert (
        any(b.choices for b in laid_out)
        and any(b.method_sets for b in laid_out)
        and any(len(b.conditions) for b in laid_out)
    )
    rng = random.Random(11)
    for _ in range(30):
        values = declared_values(_product(rng, docs), full.vocabulary)
        why, decided, verdicts = batch.Batch.of(laid_out).run(values)
        why2, decided2, verdicts2 = batch.Batch.of(read_back).run(values)
        assert (why.tolist(), decided.tolist(), verdicts) == (why2.tolist(), decided2.tolist(), verdicts2)
    for damaged in (b"", b"EB1", laid_out[0].to_bytes()[:-1], b"XX" + laid_out[0].to_bytes()[2:]):
        with pytest.raises(ValueError):
            batch.Block.from_bytes(damaged)
