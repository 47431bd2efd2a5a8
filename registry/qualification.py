"""The qualification checker: which labels a declared product meets, what is missing, what recognition saves.

A manufacturer declares a product (category, values with units and test methods, labels held).
It is checked against every adopted standard of its category, or of a broader one, in force on a
date. Per criterion the outcome is ``pass``, ``fail`` (with the margin in words), ``unknown``
(the value, or the registry's limit, is missing), ``declaration`` (a qualitative criterion: a
document is needed) or ``not_applicable`` (its conditions exclude the product). Per standard the
verdict is ``qualifies`` only when every mandatory criterion passes and the registry records the
whole standard; any mandatory fail ``fails``; anything else is ``incomplete``. Missing data never
qualifies.

For each label held, the agreements and joint standards in force on the date that link it to a
target standard's label open a recognition pathway: the diff engine's extra-proof relation,
from the held standard to the target, splits the target's mandatory criteria into those covered
and those still to prove.

Standards are read through a ``Source`` (the standards folder or the database of record). A
standard's criteria are compiled once per standard object and kept: published versions never
change, and the sources hand out the same object for the same content.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from registry import dates, diff, in_force, units
from registry.catalog import Catalog
from registry.errors import InvalidDocumentError, NotFoundError
from registry.findings import Finding, pointer
from registry.model import Agreement, Criterion, DocumentRef, Label, Parameter, Standard, pick
from registry.requirements import Allowed, Choice, Declaration, Unknown, allowed, contains, describe
from registry.rules import documents as document_rules
from registry.validation import Validator
from registry.vocabulary import Vocabulary

OUTCOMES = ("pass", "fail", "unknown", "declaration", "not_applicable")
VERDICTS = ("qualifies", "fails", "incomplete")


class Source(Protocol):
    """Where the checker reads standards, labels, agreements and the vocabulary."""

    @property
    def vocabulary(self) -> Vocabulary:
        """Return the parameter vocabulary."""
        ...

    @property
    def labels(self) -> Mapping[str, Label]:
        """Return the label programmes by id."""
        ...

    @property
    def agreements(self) -> Sequence[Agreement]:
        """Return every agreement."""
        ...

    def adopted(self, categories: Sequence[str], on: dt.date) -> list[Standard]:
        """Return the adopted versions of the categories whose own dates span the day."""
        ...

    def standard(self, ref: DocumentRef) -> Standard | None:
        """Return one version (latest adopted when the version is omitted), or None."""
        ...


class CatalogSource:
    """A source over a validated catalogue (the standards folder)."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self.agreements = tuple(catalog.agreements.values())

    @property
    def vocabulary(self) -> Vocabulary:
        """Return the catalogue's vocabulary."""
        return self._catalog.vocabulary

    @property
    def labels(self) -> Mapping[str, Label]:
        """Return the catalogue's labels."""
        return self._catalog.labels

    def adopted(self, categories: Sequence[str], on: dt.date) -> list[Standard]:
        """Return the catalogue's versions of the categories spanning the day."""
        wanted = set(categories)
        return [
            s
            for s in self._catalog.standards
            if s.category in wanted and s.status in in_force.ADOPTED and in_force.spans(s.raw, on)
        ]

    def standard(self, ref: DocumentRef) -> Standard | None:
        """Return one version from the catalogue."""
        try:
            return self._catalog.standard(ref)
        except NotFoundError:
            return None


# --- the product


@dataclass(frozen=True)
class Declared:
    """One declared value, in the parameter's canonical unit, and as the manufacturer wrote it."""

    parameter: Parameter
    value: Any
    text: str
    method: str | None


def validate_product(validator: Validator, data: Any, source: Source) -> list[Finding]:
    """Return what is wrong with a product declaration: its shape, values, units and labels held."""
    if not isinstance(data, Mapping):
        return [Finding("", "a product declaration is a JSON object")]
    kind, findings = validator.shape(data)
    if kind is None or findings:
        return findings
    if kind != "product":
        return [Finding("/$schema", f"this is a {kind} document, not a product declaration")]
    ctx = document_rules.Context(source.vocabulary)
    for rule in document_rules.RULES["product"]:
        findings.extend(rule(data, ctx))
    for i, held in enumerate(data.get("labels_held", ())):
        if held["label"] not in source.labels:
            findings.append(Finding(pointer("labels_held", i, "label"), f"unknown label programme {held['label']!r}"))
        if "standard" in held and source.standard(DocumentRef.from_json(held["standard"])) is None:
            ref = DocumentRef.from_json(held["standard"])
            findings.append(Finding(pointer("labels_held", i, "standard"), f"unknown standard {ref}"))
    return findings


def _shown(value: Any, unit: str | None) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return f"{value:g}" if unit in (None, "dimensionless") else f"{value:g} {unit}"
    return str(value)


def declared_values(product: Mapping[str, Any], vocabulary: Vocabulary) -> dict[str, Declared]:
    """Return a validated product's values keyed by parameter, quantities in canonical units."""
    found = {}
    for pid, entry in product["values"].items():
        param = vocabulary.parameter(product["category"], pid)
        if param is None:
            continue  # reported by validation
        value = entry["value"]
        unit = entry.get("unit")
        if param.kind == "quantity" and param.unit is not None and unit is not None:
            value = units.convert(value, unit, param.unit)
        found[pid] = Declared(param, value, _shown(entry["value"], unit), entry.get("test_method"))
    return found


# --- compiled criteria


@dataclass(frozen=True, slots=True)
class _Test:
    """A requirement or condition on one parameter, read once."""

    parameter: str
    param: Parameter | None
    allowed: Allowed | Unknown | Declaration


@dataclass(frozen=True, slots=True)
class _Rule:
    criterion: Criterion
    requirement: _Test
    conditions: tuple[_Test, ...]
    methods: frozenset[str]


@dataclass(frozen=True)
class _Compiled:
    standard: Standard
    rules: tuple[_Rule, ...]
    scope: tuple[_Test, ...]


def _test(constraint: Mapping[str, Any], param: Parameter | None) -> _Test:
    if param is None:
        return _Test(constraint["parameter"], None, Unknown(f"parameter {constraint['parameter']!r} is not known"))
    return _Test(param.id, param, allowed(constraint, param))


_CACHE: dict[tuple[int, int], tuple[Standard, Vocabulary, _Compiled]] = {}
_CACHE_LIMIT = 20_000


def _compiled(std: Standard, vocabulary: Vocabulary) -> _Compiled:
    key = (id(std), id(vocabulary))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is std and hit[1] is vocabulary:
        return hit[2]

    def lookup(pid: str) -> Parameter | None:
        return vocabulary.parameter(std.category, pid)

    rules = tuple(
        _Rule(
            c,
            _test({**c.requirement, "parameter": c.parameter}, lookup(c.parameter)),
            tuple(_test(cond, lookup(cond["parameter"])) for cond in c.conditions),
            c.methods,
        )
        for c in std.criteria
    )
    scope = tuple(_test(limit, lookup(limit["parameter"])) for limit in std.raw["scope"].get("limits", ()))
    compiled = _Compiled(std, rules, scope)
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = (std, vocabulary, compiled)
    return compiled


# --- evaluation


def _name(test: _Test) -> str:
    return pick(test.param.name) if test.param else test.parameter


def _why_not(s: Allowed, got: Declared) -> str:
    """Say how a value misses an allowed set: '6.5 W/W < 7 W/W required'."""
    unit = got.parameter.unit
    if isinstance(s, Choice):
        values = ", ".join(sorted(_shown(v, None) for v in s.values))
        if s.excluded:
            return f"{got.text} is excluded (none of: {values})"
        return f"{got.text}, but {values} required" if len(s.values) == 1 else f"{got.text} is not one of: {values}"
    if got.value < s.low and not math.isclose(got.value, s.low, rel_tol=1e-9):
        return f"{got.text} < {_shown(s.low, unit)} required"
    if got.value <= s.low:
        return f"{got.text}, but more than {_shown(s.low, unit)} required"
    if got.value > s.high and not math.isclose(got.value, s.high, rel_tol=1e-9):
        return f"{got.text} > {_shown(s.high, unit)} allowed"
    return f"{got.text}, but less than {_shown(s.high, unit)} required"


def _how_met(s: Allowed, got: Declared) -> str:
    unit = got.parameter.unit
    if isinstance(s, Choice):
        return got.text
    parts = []
    if s.low > 0 or (s.low > float("-inf") and got.parameter.signed):
        parts.append(f"{'≥' if s.low_in else '>' if s.low_in is False else '≥ or >'} {_shown(s.low, unit)}")
    if s.high != float("inf"):
        parts.append(f"{'≤' if s.high_in else '<' if s.high_in is False else '≤ or <'} {_shown(s.high, unit)}")
    return f"{got.text} {' and '.join(parts)}" if parts else got.text


def _condition(test: _Test, values: Mapping[str, Declared]) -> tuple[bool | None, str]:
    """Return whether a condition holds for the product (None: cannot tell) and why."""
    if isinstance(test.allowed, Unknown | Declaration):
        reason = test.allowed.reason if isinstance(test.allowed, Unknown) else "it is qualitative"
        return None, f"condition on {test.parameter} cannot be read: {reason}"
    got = values.get(test.parameter)
    if got is None:
        return None, f"applies only to some products, and {_name(test)} ({test.parameter}) is not declared"
    held = contains(test.allowed, got.value)
    if held is None:
        return None, f"{_name(test)} {got.text} sits on the condition's bound, whose comparator is not recorded"
    if held:
        return True, ""
    assert test.param is not None
    return False, f"applies only when {_name(test)} {describe(test.allowed, test.param)}; declared: {got.text}"


def _method_note(rule: _Rule, got: Declared) -> tuple[bool, str]:
    """Return whether the declared test method is acceptable, and a note."""
    if not rule.methods:
        return True, ""
    wanted = ", ".join(sorted(rule.methods))
    if got.method is None:
        return True, f" (test method not declared; the criterion names {wanted})"
    if got.method in rule.methods:
        return True, ""
    param = got.parameter
    if any(got.method in group and rule.methods & group for group in param.method_equivalences):
        return True, f" (measured under {got.method}, recorded as equivalent to {wanted})"
    return False, f"measured under {got.method}, but the criterion names {wanted} and no equivalence is recorded"


@dataclass(frozen=True)
class Outcome:
    """The outcome of one criterion for the product."""

    criterion: Criterion
    outcome: str
    detail: str

    def as_json(self) -> dict[str, Any]:
        """Return the outcome as the contract's JSON object, with the criterion's flags."""
        c = self.criterion
        return {
            "id": c.id,
            "parameter": c.parameter,
            "outcome": self.outcome,
            "detail": self.detail,
            "mandatory": c.mandatory,
            "verification": c.verification,
            "title": pick(c.title),
        }


def _evaluate(rule: _Rule, values: Mapping[str, Declared]) -> Outcome:
    c = rule.criterion
    for cond in rule.conditions:
        holds, why = _condition(cond, values)
        if holds is None:
            return Outcome(c, "unknown", why)
        if not holds:
            return Outcome(c, "not_applicable", f"does not apply: {why}")
    req = rule.requirement.allowed
    if isinstance(req, Declaration):
        return Outcome(c, "declaration", f"a document is needed: {pick(req.text)}")
    if isinstance(req, Unknown):
        return Outcome(c, "unknown", f"the registry does not know the limit ({req.reason})")
    got = values.get(c.parameter)
    if got is None:
        return Outcome(c, "unknown", f"{_name(rule.requirement)} ({c.parameter}) is not declared")
    ok, note = _method_note(rule, got)
    if not ok:
        return Outcome(c, "unknown", note)
    met = contains(req, got.value)
    name = _name(rule.requirement)
    if met is None:
        return Outcome(c, "unknown", f"{name}: {got.text} sits on the limit, whose comparator (< or ≤) is not recorded")
    if met:
        return Outcome(c, "pass", f"{name}: {_how_met(req, got)}{note}")
    return Outcome(c, "fail", f"{name}: {_why_not(req, got)}{note}")


# --- pathways


@dataclass(frozen=True)
class Route:
    """An agreement or joint standard in force that links a held label to a target's label."""

    kind: str
    id: str
    version: str | None
    title: str
    detail: str

    def as_json(self) -> dict[str, Any]:
        """Return the route as JSON."""
        return {"kind": self.kind, "id": self.id, "version": self.version, "title": self.title, "detail": self.detail}


@dataclass(frozen=True)
class Pathway:
    """What holding one label saves towards one target standard."""

    from_label: str
    licence_id: str
    via: tuple[Route, ...]
    held_standard: Standard | None
    covered: tuple[str, ...]
    extra_proof: tuple[diff.Proof, ...]
    note: str

    def as_json(self) -> dict[str, Any]:
        """Return the pathway as the contract's JSON object, with the reasons for each extra proof."""
        held = self.held_standard
        return {
            "from_label": self.from_label,
            "licence_id": self.licence_id,
            "via": [r.as_json() for r in self.via],
            "held_standard": {"id": held.id, "version": held.version} if held else None,
            "covered": list(self.covered),
            "extra_proof": [p.criterion for p in self.extra_proof],
            "extra_proof_reasons": [p.as_json() for p in self.extra_proof],
            "note": self.note,
        }


@dataclass(frozen=True)
class _Held:
    label: str
    licence_id: str
    standard: Standard | None


# --- results


@dataclass(frozen=True)
class Result:
    """One standard's verdict for the product."""

    standard: Standard
    verdict: str
    criteria: tuple[Outcome, ...]
    pathways: tuple[Pathway, ...]
    held: tuple[str, ...]
    notes: tuple[str, ...]

    def counts(self) -> dict[str, int]:
        """Return the number of criteria per outcome."""
        found = Counter(o.outcome for o in self.criteria)
        return {o: found.get(o, 0) for o in OUTCOMES}

    def as_json(self) -> dict[str, Any]:
        """Return the result as the contract's JSON object, with counts, notes and licences held."""
        s = self.standard
        return {
            "standard": s.id,
            "version": s.version,
            "designation": s.designation,
            "title": pick(s.title),
            "kind": s.kind,
            "labels": list(s.labels),
            "verdict": self.verdict,
            "counts": self.counts(),
            "held_licences": list(self.held),
            "criteria": [o.as_json() for o in self.criteria],
            "pathways": [p.as_json() for p in self.pathways],
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Report:
    """The check of one product on one day."""

    product: Mapping[str, Any]
    on: dt.date
    results: tuple[Result, ...]
    out_of_scope: tuple[tuple[Standard, str], ...]
    notes: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        """Return the report as the contract's JSON document."""
        p = self.product
        return {
            "product": {
                "category": p["category"],
                "manufacturer": p["manufacturer"],
                "model": p["model"],
                "labels_held": [dict(h) for h in p.get("labels_held", ())],
            },
            "date": self.on.isoformat(),
            "results": [r.as_json() for r in self.results],
            "out_of_scope": [{"standard": s.id, "version": s.version, "reason": why} for s, why in self.out_of_scope],
            "notes": list(self.notes),
        }


def _verdict(std: Standard, outcomes: Sequence[Outcome], scope_unknown: bool) -> str:
    mandatory = [o.outcome for o in outcomes if o.criterion.mandatory]
    if "fail" in mandatory:
        return "fails"
    if scope_unknown or not std.complete or any(o in ("unknown", "declaration") for o in mandatory):
        return "incomplete"
    return "qualifies"


def _notes(std: Standard, outcomes: Sequence[Outcome], scope: Sequence[str]) -> list[str]:
    notes = list(scope)
    if not std.complete:
        notes.append(
            "the registry records only part of this standard's criteria; the unrecorded ones must be checked "
            "against the official text, so this result cannot be 'qualifies'"
        )
    used = [
        o.criterion.id for o in outcomes if o.outcome in ("pass", "fail") and o.criterion.verification != "verified"
    ]
    if used:
        notes.append(
            f"limits not checked against the official text were used for: {', '.join(used)} "
            "(the pass/fail outcomes there are provisional)"
        )
    if std.verification != "verified":
        notes.append(f"the standard's record is {std.verification}")
    return notes


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
        category = product["category"]
        lineage = [c.id for c in vocabulary.lineage(category)]
        values = declared_values(product, vocabulary)
        held, notes = self._held(product, lineage, on)
        standards = in_force.current(self.source.adopted(lineage, on), on)
        results, outside = [], []
        for std in standards:
            compiled = _compiled(std, vocabulary)
            scope_notes, excluded = [], None
            for test in compiled.scope:
                holds, why = _condition(test, values)
                if holds is False:
                    excluded = why
                    break
                if holds is None:
                    scope_notes.append(f"scope: {why}")
            if excluded is not None:
                outside.append((std, f"outside the scope: {excluded}"))
                continue
            outcomes = tuple(_evaluate(rule, values) for rule in compiled.rules)
            licences = tuple(h.licence_id for h in held if h.label in std.labels)
            results.append(
                Result(
                    std,
                    _verdict(std, outcomes, bool(scope_notes)),
                    outcomes,
                    tuple(self._pathways(std, held, on, standards, category)),
                    licences,
                    tuple(_notes(std, outcomes, scope_notes)),
                )
            )
        if not standards:
            notes.append(f"no adopted standard of {' / '.join(lineage)} is in force on {on.isoformat()}")
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
                std = self.source.standard(DocumentRef.from_json(entry["standard"]))
            else:
                own = [
                    s for s in in_force.current(self.source.adopted(lineage, on), on) if s.labels == (entry["label"],)
                ]
                std = own[0] if len(own) == 1 else None
                if len(own) > 1:
                    notes.append(
                        f"licence {entry['licence_id']}: {entry['label']} has {len(own)} standards in force for "
                        "this category; name the standard held to see what it covers"
                    )
            held.append(_Held(entry["label"], entry["licence_id"], std))
        return held, notes

    def _routes(
        self, label: str, target: Standard, on: dt.date, standards: Sequence[Standard], category: str
    ) -> list[Route]:
        others = set(target.labels) - {label}
        vocabulary = self.source.vocabulary
        routes = []
        for agr in sorted(self.source.agreements, key=lambda a: a.id):
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
        self, target: Standard, held: Sequence[_Held], on: dt.date, standards: Sequence[Standard], category: str
    ) -> Iterator[Pathway]:
        for h in held:
            if target.labels == (h.label,):
                continue  # the label's own standard: nothing to recognise
            routes = self._routes(h.label, target, on, standards, category)
            if not routes:
                continue
            mandatory = [c.id for c in target.criteria if c.mandatory]
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
            result = _diff(h.standard, target, self.source.vocabulary)
            proofs = result.extra_proof("a")
            missing = {p.criterion for p in proofs}
            covered = tuple(cid for cid in mandatory if cid not in missing)
            note = "A is the standard held, B this standard"
            if not mandatory:
                note += "; no mandatory criterion of this standard is recorded, so what recognition covers is unknown"
            elif not target.complete:
                note += "; this standard's record is partial: unrecorded criteria may need proof too"
            yield Pathway(h.label, h.licence_id, tuple(routes), h.standard, covered, proofs, note)


_DIFFS: dict[tuple[int, int, int], tuple[Standard, Standard, Vocabulary, diff.Diff]] = {}


def _diff(held: Standard, target: Standard, vocabulary: Vocabulary) -> diff.Diff:
    key = (id(held), id(target), id(vocabulary))
    hit = _DIFFS.get(key)
    if hit is not None and hit[0] is held and hit[1] is target and hit[2] is vocabulary:
        return hit[3]
    result = diff.compare(held, target, vocabulary)
    if len(_DIFFS) >= 2_000:
        _DIFFS.clear()
    _DIFFS[key] = (held, target, vocabulary, result)
    return result
