"""The checker: every standard in force for the product, evaluated at once, with its pathways."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from registry import batch, bulk, dates, diff, in_force
from registry.errors import InvalidDocumentError, NotFoundError
from registry.model import Agreement, DocumentRef, Standard, pick
from registry.qualification import outcomes, pathways
from registry.qualification.outcomes import (
    _BY_CONDITION,
    _OUTCOME,
    _READS_VALUE,
    _compiled,
    _condition,
    _condition_words,
    _Raw,
)
from registry.qualification.pathways import Pathway, Route, _Held, _recognised
from registry.qualification.product import Declared, declared_values, validate_product
from registry.qualification.report import Report, Result
from registry.source import Source
from registry.validation import Validator
from registry.vocabulary import Vocabulary


def _raw(
    std: Standard, vocabulary: Vocabulary, why: Sequence[int], decided_by: Sequence[int], values: Mapping[str, Declared]
) -> list[_Raw]:
    """Turn the array results of one standard into outcome entries (its criteria compiled now: when read)."""
    found: list[_Raw] = []
    for rule, w, pos in zip(_compiled(std, vocabulary).rules, why, decided_by, strict=True):
        test = rule.conditions[pos] if w in _BY_CONDITION else None
        if test is not None:
            got = values.get(test.parameter)
        else:
            got = values.get(rule.requirement.parameter) if w in _READS_VALUE else None
        found.append((rule, _OUTCOME.get(w, "unknown"), w, got, test))
    return found


def _peer_review_notes(
    target: Standard,
    held: Sequence[_Held],
    pathways: Sequence[Pathway],
    on: dt.date,
    read: _Read,
    bases: dict[tuple[str, str], Agreement | None],
) -> list[str]:
    """Say where a held label and the target's label both passed a network's peer review but no agreement
    between them covers the category: a basis for recognition, not a route."""
    notes = []
    routed = {p.from_label for p in pathways}
    for h in held:
        if h.label in routed or target.labels == (h.label,):
            continue
        for label in target.labels:
            if (h.label, label) not in bases:  # the same for every standard of the check
                bases[(h.label, label)] = in_force.peer_review_basis(read.agreements, h.label, label, on)
            basis = bases[(h.label, label)]
            if basis is not None:
                notes.append(
                    f"{h.label} and {label} both passed {str(basis.network).upper()} peer review ({basis.id}): a basis "
                    "for recognition, but no agreement between them covers this category, so there is no pathway"
                )
                break
    return notes


@dataclass(frozen=True)
class _Read:
    """What one check reads of the source once, not once per standard (a database source asks, each
    time it is read, whether anything changed)."""

    vocabulary: Vocabulary
    agreements: tuple[Agreement, ...]


class Checker:
    """Checks declared products against what a source holds."""

    def __init__(self, source: Source, validator: Validator) -> None:
        self.source = source
        self.validator = validator

    def check(self, product: Any, on: dt.date | None = None) -> Report:
        """Check a product declaration on a day (default: today). Raises InvalidDocumentError on bad input."""
        findings = validate_product(self.validator, product, self.source)
        if findings:
            raise InvalidDocumentError("the product declaration is not valid", findings)
        on = on or dt.date.today()
        vocabulary = self.source.vocabulary
        read = _Read(vocabulary, tuple(sorted(self.source.agreements, key=lambda a: a.id)))
        category = product["category"]
        lineage = [c.id for c in vocabulary.lineage(category)]
        values = declared_values(product, vocabulary)
        held, notes = self._held(product, lineage, on)
        standards = self.source.current(lineage, on)
        if not standards:
            notes.append(f"no adopted standard of {' / '.join(lineage)} is in force on {on.isoformat()}")
        fresh = len(standards) - outcomes.has_blocks(standards, vocabulary) > bulk.MANY
        with bulk.building() if fresh else contextlib.nullcontext():
            return self._check(product, on, vocabulary, read, category, values, held, notes, standards)

    def _check(
        self,
        product: Any,
        on: dt.date,
        vocabulary: Vocabulary,
        read: _Read,
        category: str,
        values: Mapping[str, Declared],
        held: list[_Held],
        notes: list[str],
        standards: Sequence[Standard],
    ) -> Report:
        outside, kept = [], []
        for std, block in zip(standards, outcomes.blocks(standards, vocabulary), strict=True):
            scope_notes, excluded = [], None
            for test in outcomes.scope_tests(std, block, vocabulary):
                holds, got = _condition(test, values)
                if holds is False:
                    excluded = _condition_words(test, got)
                    break
                if holds is None:
                    scope_notes.append(f"scope: {_condition_words(test, got)}")
            if excluded is not None:
                outside.append((std, f"outside the scope: {excluded}"))
                continue
            kept.append((std, block, scope_notes))
        arrays = batch.batch([block for _, block, _ in kept])
        why, decided_by, verdicts = arrays.run(values)
        held_standards = [h.standard for h in held if h.standard is not None]
        pathways.recall(((h, std) for h in held_standards for std, _, _ in kept), vocabulary)
        results = []
        memo: dict[tuple[str, tuple[str, ...]], list[Route]] = {}
        bases: dict[tuple[str, str], Agreement | None] = {}
        for i, ((std, block, scope_notes), verdict) in enumerate(zip(kept, verdicts, strict=True)):
            a, b = int(arrays.starts[i]), int(arrays.starts[i + 1])
            raw = functools.partial(_raw, std, vocabulary, why[a:b].tolist(), decided_by[a:b].tolist(), values)
            if scope_notes and verdict == "qualifies":
                verdict = "incomplete"  # a scope limit the product does not declare
            licences = tuple(h.licence_id for h in held if h.label in std.labels)
            routes = tuple(self._pathways(std, block, held, on, standards, category, memo, read)) if held else ()
            basis = _peer_review_notes(std, held, routes, on, read, bases)
            results.append(Result(std, verdict, raw, routes, licences, scope_notes + basis))
        pathways.keep()
        return Report(product, on, tuple(results), tuple(outside), tuple(notes))

    def _held(self, product: Mapping[str, Any], lineage: Sequence[str], on: dt.date) -> tuple[list[_Held], list[str]]:
        """Return the labels held with a valid licence on the day, and the standard each was granted under."""
        held, notes = [], []
        for entry in product.get("labels_held", ()):
            until = entry.get("valid_until")
            if until and on > dates.bounds(until)[1]:
                notes.append(f"licence {entry['licence_id']} ({entry['label']}) expired on {until}: no pathway from it")
                continue
            if "standard" in entry:
                try:  # parsed only if its pathways' proofs are not kept
                    (std,) = self.source.deferred([self.source.info(DocumentRef.from_json(entry["standard"]))])
                except NotFoundError:
                    std = None
            else:
                own = [s for s in self.source.current(lineage, on) if s.labels == (entry["label"],)]
                std = own[0] if len(own) == 1 else None
                if len(own) > 1:
                    notes.append(
                        f"licence {entry['licence_id']}: {entry['label']} has {len(own)} standards in force for "
                        "this category; name the standard held to see what it covers"
                    )
            held.append(_Held(entry["label"], entry["licence_id"], std))
        return held, notes

    def _routes(
        self, label: str, target: Standard, on: dt.date, standards: Sequence[Standard], category: str, read: _Read
    ) -> list[Route]:
        others = set(target.labels) - {label}
        vocabulary = read.vocabulary
        routes = []
        for agr in read.agreements:
            if label not in agr.parties or not others.intersection(agr.parties) or not in_force.opens_path(agr, on):
                continue
            if agr.categories and not any(vocabulary.within(category, c) for c in agr.categories):
                continue
            event = in_force.agreement_status(agr, on)
            status = f"{event['status']} {event.get('date') or '(date not recorded)'}" if event else ""
            kinds = ", ".join(t.replace("_", " ") for t in agr.types)
            routes.append(Route("agreement", agr.id, None, pick(agr.title), f"{agr.scale}; {kinds}; {status}"))
        for joint in standards:
            if joint.kind == "joint" and label in joint.labels and others.intersection(joint.labels):
                routes.append(
                    Route(
                        "joint_standard",
                        joint.id,
                        joint.version,
                        pick(joint.title),
                        f"common standard of {', '.join(joint.labels)}, in force on {on.isoformat()}",
                    )
                )
        return routes

    def _pathways(
        self,
        target: Standard,
        block: batch.Block,
        held: Sequence[_Held],
        on: dt.date,
        standards: Sequence[Standard],
        category: str,
        memo: dict[tuple[str, tuple[str, ...]], list[Route]],
        read: _Read,
    ) -> Iterator[Pathway]:
        for h in held:
            if target.labels == (h.label,):
                continue  # the label's own standard: nothing to recognise
            key = (h.label, target.labels)
            if key not in memo:  # the same for every target of the same labels
                memo[key] = self._routes(h.label, target, on, standards, category, read)
            routes = memo[key]
            if not routes:
                continue
            mandatory = block.mandatory
            if h.standard is None:
                proofs = tuple(
                    diff.Proof(cid, f"the standard {h.label} was granted under is not known") for cid in mandatory
                )
                yield Pathway(
                    h.label,
                    h.licence_id,
                    tuple(routes),
                    None,
                    (),
                    proofs,
                    "name the standard held to see what it covers",
                )
                continue
            if h.standard.id == target.id and h.standard.version == target.version:
                yield Pathway(
                    h.label,
                    h.licence_id,
                    tuple(routes),
                    h.standard,
                    tuple(mandatory),
                    (),
                    "the licence is for this standard",
                )
                continue
            covered, proofs = _recognised(h.standard, target, read.vocabulary)
            note = "A is the standard held, B this standard"
            if not mandatory:
                note += "; no mandatory criterion of this standard is recorded, so what recognition covers is unknown"
            elif not target.complete:
                note += "; this standard's record is partial: unrecorded criteria may need proof too"
            yield Pathway(h.label, h.licence_id, tuple(routes), h.standard, covered, proofs, note)
