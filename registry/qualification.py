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
import functools
import math
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from registry import batch, dates, diff, in_force, units
from registry.errors import InvalidDocumentError
from registry.findings import Finding, pointer
from registry.model import Criterion, DocumentRef, Parameter, Standard, pick
from registry.render import GE, LE
from registry.requirements import Allowed, Choice, Declaration, Interval, Unknown, allowed, describe
from registry.rules import documents as document_rules
from registry.source import Source
from registry.validation import Validator
from registry.vocabulary import Vocabulary

OUTCOMES = ("pass", "fail", "unknown", "declaration", "not_applicable")
VERDICTS = ("qualifies", "fails", "incomplete")


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
    declared = validator.schemas.kind_of(data.get("$schema"))
    if declared is not None and declared != "product":  # refused before any (costly) schema work
        return [Finding("/$schema", f"this is a {declared} document, not a product declaration")]
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

_INTERVAL, _CHOICE, _DECLARATION, _UNKNOWN = batch.INTERVAL, batch.CHOICE, batch.DECLARATION, batch.UNKNOWN


def _tolerance(x: float) -> float:
    return 0.0 if math.isinf(x) else 1e-9 * abs(x) + 1e-12  # values converted between units still meet


@dataclass(frozen=True, slots=True)
class _Test:
    """A requirement or condition on one parameter, read once into flat fields for a quick test."""

    parameter: str
    param: Parameter | None
    allowed: Allowed | Unknown | Declaration
    kind: int
    low: float = 0.0
    low_tol: float = 0.0
    low_in: bool | None = True
    high: float = 0.0
    high_tol: float = 0.0
    high_in: bool | None = True


def _test(constraint: Mapping[str, Any], param: Parameter | None) -> _Test:
    if param is None:
        unknown = Unknown(f"parameter {constraint['parameter']!r} is not known")
        return _Test(constraint["parameter"], None, unknown, _UNKNOWN)
    found = allowed(constraint, param)
    if isinstance(found, Interval):
        return _Test(
            param.id,
            param,
            found,
            _INTERVAL,
            found.low,
            _tolerance(found.low),
            found.low_in,
            found.high,
            _tolerance(found.high),
            found.high_in,
        )
    kind = _CHOICE if isinstance(found, Choice) else _DECLARATION if isinstance(found, Declaration) else _UNKNOWN
    return _Test(param.id, param, found, kind)


def _holds(t: _Test, value: Any) -> bool | None:
    """Return whether a value meets a readable test; None when it sits on a bound of unknown comparator."""
    if t.kind == _CHOICE:
        choice = t.allowed
        assert isinstance(choice, Choice)
        return (value in choice.values) != choice.excluded
    if value < t.low - t.low_tol or value > t.high + t.high_tol:
        return False
    if value <= t.low + t.low_tol and not t.low_in:
        return None if t.low_in is None else False
    if value >= t.high - t.high_tol and not t.high_in:
        return None if t.high_in is None else False
    return True


@dataclass(frozen=True, slots=True)
class _Rule:
    criterion: Criterion
    requirement: _Test
    conditions: tuple[_Test, ...]
    methods: frozenset[str]
    accepted: frozenset[str]  # the methods named plus those recorded as equivalent to one of them
    mandatory: bool


def _accepted(methods: frozenset[str], param: Parameter | None) -> frozenset[str]:
    found = set(methods)
    for group in param.method_equivalences if param else ():
        if methods & group:
            found |= group
    return frozenset(found)


@dataclass(frozen=True)
class _Compiled:
    standard: Standard
    rules: tuple[_Rule, ...]
    scope: tuple[_Test, ...]
    mandatory: tuple[str, ...]


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
            _accepted(c.methods, lookup(c.parameter)),
            c.mandatory,
        )
        for c in std.criteria
    )
    scope = tuple(_test(limit, lookup(limit["parameter"])) for limit in std.raw["scope"].get("limits", ()))
    compiled = _Compiled(std, rules, scope, tuple(c.id for c in std.criteria if c.mandatory))
    if len(_CACHE) >= _CACHE_LIMIT:
        _CACHE.clear()
    _CACHE[key] = (std, vocabulary, compiled)
    return compiled


# --- evaluation: outcomes first, their words only when asked for


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
        parts.append(f"{GE if s.low_in else '>' if s.low_in is False else GE + ' or >'} {_shown(s.low, unit)}")
    if s.high != float("inf"):
        parts.append(f"{LE if s.high_in else '<' if s.high_in is False else LE + ' or <'} {_shown(s.high, unit)}")
    return f"{got.text} {' and '.join(parts)}" if parts else got.text


def _condition_words(test: _Test, got: Declared | None) -> str:
    if test.kind in (_UNKNOWN, _DECLARATION):
        reason = test.allowed.reason if isinstance(test.allowed, Unknown) else "it is qualitative"
        return f"condition on {test.parameter} cannot be read: {reason}"
    if got is None:
        return f"applies only to some products, and {_name(test)} ({test.parameter}) is not declared"
    assert test.param is not None and not isinstance(test.allowed, Unknown | Declaration)
    limit = describe(test.allowed, test.param)
    return f"applies only when {_name(test)} {limit}; declared: {got.text}"


def _condition(test: _Test, values: Mapping[str, Declared]) -> tuple[bool | None, Declared | None]:
    """Return whether a condition holds for the product (None: cannot tell), and the value it read."""
    if test.kind >= _DECLARATION:
        return None, None
    got = values.get(test.parameter)
    if got is None:
        return None, None
    return _holds(test, got.value), got


def _method_ok(rule: _Rule, got: Declared) -> bool:
    return not rule.methods or got.method is None or got.method in rule.accepted


def _method_note(rule: _Rule, got: Declared) -> str:
    if not rule.methods or got.method in rule.methods:
        return ""
    wanted = ", ".join(sorted(rule.methods))
    if got.method is None:
        return f" (test method not declared; the criterion names {wanted})"
    if _method_ok(rule, got):
        return f" (measured under {got.method}, recorded as equivalent to {wanted})"
    return f"measured under {got.method}, but the criterion names {wanted} and no equivalence is recorded"


# Why an outcome is what it is; the words are built from these when the detail is read.
_PASS, _FAIL, _ON_BOUND, _NOT_DECLARED, _NO_LIMIT = (
    batch.PASS,
    batch.FAIL,
    batch.ON_BOUND,
    batch.NOT_DECLARED,
    batch.NO_LIMIT,
)
_DOCUMENT, _METHOD, _CONDITION, _EXCLUDED, _COND_BOUND = (
    batch.DOCUMENT,
    batch.METHOD,
    batch.CONDITION,
    batch.EXCLUDED,
    batch.COND_BOUND,
)
_OUTCOME = {_PASS: "pass", _FAIL: "fail", _DOCUMENT: "declaration", _EXCLUDED: "not_applicable"}
_BY_CONDITION = frozenset({_CONDITION, _EXCLUDED, _COND_BOUND})
_READS_VALUE = frozenset({_PASS, _FAIL, _ON_BOUND, _METHOD})


class Outcome:
    """The outcome of one criterion for the product; ``detail`` says why, in words."""

    __slots__ = ("_got", "_test", "_why", "criterion", "outcome", "rule")

    def __init__(
        self, rule: _Rule, outcome: str, why: int, got: Declared | None = None, test: _Test | None = None
    ) -> None:
        self.rule, self.criterion, self.outcome = rule, rule.criterion, outcome
        self._why, self._got, self._test = why, got, test

    def __repr__(self) -> str:
        return f"Outcome({self.criterion.id!r}, {self.outcome!r})"

    @property
    def detail(self) -> str:
        """Return the outcome in words, e.g. 'Seasonal energy efficiency ratio (cooling): 6.5 W/W < 7 W/W required'."""
        rule, got, why = self.rule, self._got, self._why
        name = _name(rule.requirement)
        req = rule.requirement.allowed
        if why in (_CONDITION, _EXCLUDED):
            assert self._test is not None
            words = _condition_words(self._test, got)
            return f"does not apply: {words}" if why == _EXCLUDED else words
        if why == _COND_BOUND:
            assert self._test is not None and got is not None
            return f"{_name(self._test)} {got.text} sits on the condition's bound, whose comparator is not recorded"
        if why == _DOCUMENT:
            assert isinstance(req, Declaration)
            return f"a document is needed: {pick(req.text)}"
        if why == _NO_LIMIT:
            assert isinstance(req, Unknown)
            return f"the registry does not know the limit ({req.reason})"
        if why == _NOT_DECLARED:
            return f"{name} ({self.criterion.parameter}) is not declared"
        assert got is not None and not isinstance(req, Unknown | Declaration)
        if why == _METHOD:
            return _method_note(rule, got)
        if why == _ON_BOUND:
            return f"{name}: {got.text} sits on the limit, whose comparator (< or ≤) is not recorded"
        words = _how_met(req, got) if why == _PASS else _why_not(req, got)
        return f"{name}: {words}{_method_note(rule, got)}"

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


_Raw = tuple[_Rule, str, int, "Declared | None", "_Test | None"]


def _evaluate(rule: _Rule, values: Mapping[str, Declared]) -> Outcome:
    """Evaluate one criterion (the plain form of the loop in ``_run``)."""
    for cond in rule.conditions:
        holds, got = _condition(cond, values)
        if holds is None:
            return Outcome(rule, "unknown", _COND_BOUND if got is not None else _CONDITION, got, cond)
        if not holds:
            return Outcome(rule, "not_applicable", _EXCLUDED, got, cond)
    req = rule.requirement
    kind = req.kind
    if kind == _DECLARATION:
        return Outcome(rule, "declaration", _DOCUMENT)
    if kind == _UNKNOWN:
        return Outcome(rule, "unknown", _NO_LIMIT)
    got = values.get(req.parameter)
    if got is None:
        return Outcome(rule, "unknown", _NOT_DECLARED)
    if rule.methods and not _method_ok(rule, got):
        return Outcome(rule, "unknown", _METHOD, got)
    met = _holds(req, got.value)
    if met is None:
        return Outcome(rule, "unknown", _ON_BOUND, got)
    return Outcome(rule, "pass", _PASS, got) if met else Outcome(rule, "fail", _FAIL, got)


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


class Result:
    """One standard's verdict for the product; counts and notes are worked out when read."""

    __slots__ = ("_criteria", "_raw", "_scope", "held", "pathways", "standard", "verdict")

    def __init__(
        self,
        standard: Standard,
        verdict: str,
        raw: Callable[[], list[_Raw]],
        pathways: tuple[Pathway, ...],
        held: tuple[str, ...],
        scope: Sequence[str] = (),
    ) -> None:
        self.standard, self.verdict, self._raw = standard, verdict, raw
        self.pathways, self.held, self._scope = pathways, held, tuple(scope)
        self._criteria: tuple[Outcome, ...] | None = None

    @property
    def criteria(self) -> tuple[Outcome, ...]:
        """Return each criterion's outcome, in the standard's order."""
        if self._criteria is None:
            self._criteria = tuple(Outcome(*entry) for entry in self._raw())
        return self._criteria

    def __repr__(self) -> str:
        return f"Result({self.standard.id}@{self.standard.version}: {self.verdict})"

    def counts(self) -> dict[str, int]:
        """Return the number of criteria per outcome."""
        found = Counter(o.outcome for o in self.criteria)
        return {o: found.get(o, 0) for o in OUTCOMES}

    @property
    def notes(self) -> tuple[str, ...]:
        """Return what the reader must know: scope doubts, a partial record, provisional limits."""
        std = self.standard
        notes = list(self._scope)
        if not std.complete:
            notes.append(
                "the registry records only part of this standard's criteria; the unrecorded ones must be checked "
                "against the official text, so this result cannot be 'qualifies'"
            )
        used = [
            o.criterion.id
            for o in self.criteria
            if o.outcome in ("pass", "fail") and o.criterion.verification != "verified"
        ]
        if used:
            notes.append(
                f"limits not checked against the official text were used for: {', '.join(used)} "
                "(the pass/fail outcomes there are provisional)"
            )
        if std.verification != "verified":
            notes.append(f"the standard's record is {std.verification}")
        return tuple(notes)

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


def _raw(
    rules: Sequence[_Rule], why: Sequence[int], decided_by: Sequence[int], values: Mapping[str, Declared]
) -> list[_Raw]:
    """Turn the array results of one standard into outcome entries."""
    found: list[_Raw] = []
    for rule, w, pos in zip(rules, why, decided_by, strict=True):
        test = rule.conditions[pos] if w in _BY_CONDITION else None
        if test is not None:
            got = values.get(test.parameter)
        else:
            got = values.get(rule.requirement.parameter) if w in _READS_VALUE else None
        found.append((rule, _OUTCOME.get(w, "unknown"), w, got, test))
    return found


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
        outside, kept = [], []
        for std in standards:
            compiled = _compiled(std, vocabulary)
            scope_notes, excluded = [], None
            for test in compiled.scope:
                holds, got = _condition(test, values)
                if holds is False:
                    excluded = _condition_words(test, got)
                    break
                if holds is None:
                    scope_notes.append(f"scope: {_condition_words(test, got)}")
            if excluded is not None:
                outside.append((std, f"outside the scope: {excluded}"))
                continue
            kept.append((compiled, scope_notes))
        arrays = batch.batch([c for c, _ in kept])
        why, decided_by, verdicts = arrays.run(values)
        results = []
        memo: dict[tuple[str, tuple[str, ...]], list[Route]] = {}
        for i, ((compiled, scope_notes), verdict) in enumerate(zip(kept, verdicts, strict=True)):
            std = compiled.standard
            a, b = int(arrays.starts[i]), int(arrays.starts[i + 1])
            raw = functools.partial(_raw, compiled.rules, why[a:b].tolist(), decided_by[a:b].tolist(), values)
            if scope_notes and verdict == "qualifies":
                verdict = "incomplete"  # a scope limit the product does not declare
            licences = tuple(h.licence_id for h in held if h.label in std.labels)
            pathways = tuple(self._pathways(std, held, on, standards, category, memo)) if held else ()
            results.append(Result(std, verdict, raw, pathways, licences, scope_notes))
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
        self,
        target: Standard,
        held: Sequence[_Held],
        on: dt.date,
        standards: Sequence[Standard],
        category: str,
        memo: dict[tuple[str, tuple[str, ...]], list[Route]],
    ) -> Iterator[Pathway]:
        for h in held:
            if target.labels == (h.label,):
                continue  # the label's own standard: nothing to recognise
            key = (h.label, target.labels)
            if key not in memo:  # the same for every target of the same labels
                memo[key] = self._routes(h.label, target, on, standards, category)
            routes = memo[key]
            if not routes:
                continue
            mandatory = _compiled(target, self.source.vocabulary).mandatory
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
            covered, proofs = _recognised(h.standard, target, self.source.vocabulary)
            note = "A is the standard held, B this standard"
            if not mandatory:
                note += "; no mandatory criterion of this standard is recorded, so what recognition covers is unknown"
            elif not target.complete:
                note += "; this standard's record is partial: unrecorded criteria may need proof too"
            yield Pathway(h.label, h.licence_id, tuple(routes), h.standard, covered, proofs, note)


_DIFFS: dict[tuple[int, int, int], tuple[Standard, Standard, Vocabulary, tuple[str, ...], tuple[diff.Proof, ...]]] = {}


def _recognised(
    held: Standard, target: Standard, vocabulary: Vocabulary
) -> tuple[tuple[str, ...], tuple[diff.Proof, ...]]:
    """Return the target's mandatory criteria a holder of ``held`` has covered, and the extra proof (kept)."""
    key = (id(held), id(target), id(vocabulary))
    hit = _DIFFS.get(key)
    if hit is not None and hit[0] is held and hit[1] is target and hit[2] is vocabulary:
        return hit[3], hit[4]
    proofs = diff.compare(held, target, vocabulary).extra_proof("a")
    missing = {p.criterion for p in proofs}
    covered = tuple(c.id for c in target.criteria if c.mandatory and c.id not in missing)
    if len(_DIFFS) >= 2_000:
        _DIFFS.clear()
    _DIFFS[key] = (held, target, vocabulary, covered, proofs)
    return covered, proofs
