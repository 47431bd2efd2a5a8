"""Criteria compiled once per standard, and the outcome of one criterion for declared values."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from registry import batch, kept, render
from registry.identity import ByIdentity
from registry.model import Criterion, Parameter, Standard, pick
from registry.qualification.product import Declared, _shown
from registry.render import GE, LE
from registry.requirements import Allowed, Choice, Declaration, Interval, Unknown, allowed, describe
from registry.vocabulary import Vocabulary

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


def _test(constraint: Mapping[str, Any], param: Parameter | None, parameter: str) -> _Test:
    """Read a requirement, condition or scope limit on ``parameter`` (``param``: its definition, if known)."""
    if param is None:
        unknown = Unknown(f"parameter {parameter!r} is not known")
        return _Test(parameter, None, unknown, _UNKNOWN)
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
    mandatory: tuple[str, ...]


_CACHE: ByIdentity[_Compiled] = ByIdentity(20_000)  # by (standard, vocabulary)


def _compiled(std: Standard, vocabulary: Vocabulary) -> _Compiled:
    hit = _CACHE.get(std, vocabulary)
    if hit is not None:
        return hit

    found: dict[str, Parameter | None] = {}  # the standard's parameters, each looked up once

    def lookup(pid: str) -> Parameter | None:
        if pid not in found:
            found[pid] = vocabulary.parameter(std.category, pid)
        return found[pid]

    rules = []
    for c in std.criteria:
        param = lookup(c.parameter)
        rules.append(
            _Rule(
                c,
                _test(c.requirement, param, c.parameter),
                tuple(_test(cond, lookup(cond["parameter"]), cond["parameter"]) for cond in c.conditions),
                c.methods,
                _accepted(c.methods, param) if c.methods else frozenset(),
                c.mandatory,
            )
        )
    compiled = _Compiled(std, tuple(rules), tuple(c.id for c in std.criteria if c.mandatory))
    _CACHE.put((std, vocabulary), compiled)
    return compiled


# --- blocks: what a check reads of each standard, kept across processes

_BLOCKS: ByIdentity[batch.Block] = ByIdentity(20_000)  # by (standard, vocabulary)


def has_blocks(standards: Iterable[Standard], vocabulary: Vocabulary) -> int:
    """Return how many of the standards this process has the blocks of already."""
    return sum(_BLOCKS.get(std, vocabulary) is not None for std in standards)


def blocks(standards: Sequence[Standard], vocabulary: Vocabulary) -> list[batch.Block]:
    """Return each standard's criteria laid out for the checker (``batch.Block``): from this process, else as an
    earlier process kept them (by content hash and vocabulary: ``registry.kept``), else compiled from the
    document and kept. A standard read from a listing (``registry.source.Deferred``) is parsed only in the
    last case."""
    asked: dict[str, list[Standard]] = {}
    for std in standards:
        if _BLOCKS.get(std, vocabulary) is None and std.sha is not None:
            asked.setdefault(f"{std.sha}:{vocabulary.fingerprint}", []).append(std)
    for key, data in kept.store().get_bytes("block", asked).items() if asked else ():
        try:
            block = batch.Block.from_bytes(data)
        except ValueError:
            continue  # damaged: laid out again below
        for std in asked[key]:
            _BLOCKS.put((std, vocabulary), block)
    found: list[batch.Block] = []
    new: dict[str, bytes] = {}
    for std in standards:
        held = _BLOCKS.get(std, vocabulary)
        if held is None:
            c = _compiled(std, vocabulary)
            held = batch.Block.of(c.rules, c.mandatory, std.raw["scope"].get("limits", ()), std.complete)
            _BLOCKS.put((std, vocabulary), held)
            if std.sha is not None:
                new[f"{std.sha}:{vocabulary.fingerprint}"] = held.to_bytes()
        found.append(held)
    if new:
        kept.store().put_bytes("block", new)
    return found


def scope_tests(std: Standard, block: batch.Block, vocabulary: Vocabulary) -> tuple[_Test, ...]:
    """Return the tests of a standard's scope limits (read from its block: the document is not parsed)."""
    return tuple(
        _test(limit, vocabulary.parameter(std.category, limit["parameter"]), limit["parameter"])
        for limit in block.scope
    )


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
        parts.append(render.bound(GE, ">", _shown(s.low, unit), s.low_in))
    if s.high != float("inf"):
        parts.append(render.bound(LE, "<", _shown(s.high, unit), s.high_in))
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
            lower = isinstance(req, Interval) and abs(got.value - req.low) <= abs(got.value - req.high)
            which = "> or ≥" if lower else "< or ≤"
            return f"{name}: {got.text} sits on the limit, whose comparator ({which}) is not recorded"
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
