"""Many standards' criteria evaluated at once, as arrays (numpy).

A check may cover hundreds of standards of tens of criteria each. Evaluated one criterion at
a time in Python that costs about a microsecond per criterion; here every numeric test of every
standard in force is laid out once in flat arrays (bounds, comparators, parameter index), and a
product is evaluated with a few array operations. The arrays depend only on which standards are
in force, not on the product, so they are built once per set of standards and reused.

The rules are exactly those of ``registry.qualification.outcomes._evaluate`` (a test holds them to it):
conditions first, in order, the first that does not hold deciding; then the requirement.
Tests numpy cannot do (enum and boolean choices) are done in Python, one by one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

# Test kinds, as in registry.qualification.
INTERVAL, CHOICE, DECLARATION, UNKNOWN = range(4)
# Why an outcome is what it is, as in registry.qualification.
PASS, FAIL, ON_BOUND, NOT_DECLARED, NO_LIMIT, DOCUMENT, METHOD, CONDITION, EXCLUDED, COND_BOUND = range(10)
# A test's result on a value.
_T, _F, _B, _M, _X = range(5)  # holds, fails, on a bound of unknown comparator, value missing, unreadable

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

_PARAMS: dict[str, int] = {}  # parameter id -> column, shared by every batch


def _column(pid: str) -> int:
    return _PARAMS.setdefault(pid, len(_PARAMS))


def _comparator(flag: bool | None) -> int:
    return -1 if flag is None else int(flag)


@dataclass
class _Tests:
    """Flat arrays of tests (requirements or conditions)."""

    kind: Ints
    column: Ints
    low: Floats
    low_tol: Floats
    low_in: Ints
    high: Floats
    high_tol: Floats
    high_in: Ints
    objects: list[Any]  # the tests themselves, for the choices done in Python

    @classmethod
    def of(cls, tests: Sequence[Any]) -> _Tests:
        numeric = [t.kind == INTERVAL for t in tests]
        return cls(
            kind=np.array([t.kind for t in tests], dtype=np.int64),
            column=np.array([_column(t.parameter) for t in tests], dtype=np.int64),
            low=np.array([t.low if n else 0.0 for t, n in zip(tests, numeric, strict=True)], dtype=np.float64),
            low_tol=np.array([t.low_tol for t in tests], dtype=np.float64),
            low_in=np.array([_comparator(t.low_in) for t in tests], dtype=np.int64),
            high=np.array([t.high if n else 0.0 for t, n in zip(tests, numeric, strict=True)], dtype=np.float64),
            high_tol=np.array([t.high_tol for t in tests], dtype=np.float64),
            high_in=np.array([_comparator(t.high_in) for t in tests], dtype=np.int64),
            objects=list(tests),
        )

    def results(self, numbers: Floats, values: Mapping[str, Any]) -> Ints:
        """Return each test's result (_T, _F, _B, _M or _X) on the product."""
        v = numbers[self.column]
        missing = np.isnan(v)
        out = (v < self.low - self.low_tol) | (v > self.high + self.high_tol)
        on_low = ~out & (v <= self.low + self.low_tol) & (self.low_in != 1)
        on_high = ~out & ~on_low & (v >= self.high - self.high_tol) & (self.high_in != 1)
        code = np.full(len(v), _T, dtype=np.int64)
        code[on_high] = np.where(self.high_in[on_high] == -1, _B, _F)
        code[on_low] = np.where(self.low_in[on_low] == -1, _B, _F)
        code[out] = _F
        code[missing] = _M
        code[self.kind >= DECLARATION] = _X
        for i in np.flatnonzero(self.kind == CHOICE):
            test = self.objects[i]
            got = values.get(test.parameter)
            if got is None:
                code[i] = _M
            else:
                choice = test.allowed
                code[i] = _T if (got.value in choice.values) != choice.excluded else _F
        return code


@dataclass
class Batch:
    """Every criterion of a list of compiled standards, in order, as arrays."""

    compiled: Sequence[Any]
    starts: Ints  # first rule of each standard; starts[-1] is the number of rules
    requirements: _Tests
    rules: list[Any]
    mandatory: Bools
    has_methods: Bools
    conditions: _Tests
    condition_rule: Ints  # the rule each condition belongs to (conditions in rule order)
    condition_position: Ints  # its place among its rule's conditions
    _accepts: dict[str, Bools] = field(default_factory=dict)

    @classmethod
    def of(cls, compiled: Sequence[Any]) -> Batch:
        """Lay out the criteria of compiled standards (objects with ``rules``)."""
        rules = [rule for c in compiled for rule in c.rules]
        counts = [len(c.rules) for c in compiled]
        starts = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]).astype(np.int64)
        conditions, owner, position = [], [], []
        for i, rule in enumerate(rules):
            for j, cond in enumerate(rule.conditions):
                conditions.append(cond)
                owner.append(i)
                position.append(j)
        return cls(
            compiled=compiled,
            starts=starts,
            requirements=_Tests.of([r.requirement for r in rules]),
            rules=rules,
            mandatory=np.array([r.mandatory for r in rules], dtype=np.bool_),
            has_methods=np.array([bool(r.methods) for r in rules], dtype=np.bool_),
            conditions=_Tests.of(conditions),
            condition_rule=np.array(owner, dtype=np.int64),
            condition_position=np.array(position, dtype=np.int64),
        )

    def _accepting(self, method: str) -> Bools:
        """Return, per rule, whether it accepts values measured under a method (kept per method)."""
        found = self._accepts.get(method)
        if found is None:
            found = np.array([method in r.accepted for r in self.rules], dtype=np.bool_)
            self._accepts[method] = found
        return found

    def run(self, values: Mapping[str, Any]) -> tuple[Ints, Ints, list[str]]:
        """Evaluate a product's declared values (``Declared`` by parameter id).

        Returns, per rule, why its outcome is what it is (PASS, FAIL, ...) and the position of the
        condition that decided (-1: the requirement did); and per standard, its verdict.
        """
        numbers = np.full(len(_PARAMS) + 1, math.nan)
        for pid, got in values.items():
            if pid in _PARAMS and isinstance(got.value, int | float) and not isinstance(got.value, bool):
                numbers[_PARAMS[pid]] = got.value
        req = self.requirements
        result = req.results(numbers, values)
        why = np.select(
            [req.kind == DECLARATION, req.kind == UNKNOWN, result == _T, result == _F, result == _B],
            [DOCUMENT, NO_LIMIT, PASS, FAIL, ON_BOUND],
            NOT_DECLARED,
        ).astype(np.int64)
        for pid, got in values.items():
            if got.method is not None and pid in _PARAMS:
                bad = (
                    (req.column == _PARAMS[pid])
                    & self.has_methods
                    & (req.kind <= CHOICE)
                    & ~self._accepting(got.method)
                )
                why[bad] = METHOD
        decided_by = np.full(len(self.rules), -1, dtype=np.int64)
        if len(self.condition_rule):
            cond = self.conditions.results(numbers, values)
            off = np.flatnonzero(cond != _T)
            hit, first = np.unique(self.condition_rule[off], return_index=True)
            chosen = off[first]
            why[hit] = np.select([cond[chosen] == _F, cond[chosen] == _B], [EXCLUDED, COND_BOUND], CONDITION).astype(
                np.int64
            )
            decided_by[hit] = self.condition_position[chosen]
        fails = np.concatenate([[0], np.cumsum((why == FAIL) & self.mandatory)])
        open_ = np.concatenate([[0], np.cumsum((why != PASS) & (why != FAIL) & (why != EXCLUDED) & self.mandatory)])
        s = self.starts
        failed, opened = fails[s[1:]] - fails[s[:-1]], open_[s[1:]] - open_[s[:-1]]
        verdicts = [
            "fails" if f else "incomplete" if o or not c.standard.complete else "qualifies"
            for f, o, c in zip(failed.tolist(), opened.tolist(), self.compiled, strict=True)
        ]
        return why, decided_by, verdicts


_BATCHES: dict[tuple[int, ...], tuple[Sequence[Any], Batch]] = {}


def batch(compiled: Sequence[Any]) -> Batch:
    """Return the arrays of a list of compiled standards, built once per list."""
    key = tuple(id(c) for c in compiled)
    hit = _BATCHES.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], compiled, strict=True)):
        return hit[1]
    found = Batch.of(compiled)
    if len(_BATCHES) >= 64:
        _BATCHES.clear()
    _BATCHES[key] = (list(compiled), found)
    return found
