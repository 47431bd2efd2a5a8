"""Many standards' criteria evaluated at once, as arrays (numpy).

A check may cover hundreds of standards of tens of criteria each. Evaluated one criterion at
a time in Python that costs about a microsecond per criterion; here every numeric test of every
standard in force is laid out once in flat arrays (bounds, comparators, parameter index), and a
product is evaluated with a few array operations. The arrays depend only on which standards are
in force, not on the product, so they are built once per set of standards and reused. Each
standard's part of them (a ``Block``) depends only on its content and the vocabulary, so it is kept
across processes (``registry.qualification.outcomes.blocks``): a fresh process joins kept blocks
end to end instead of parsing and compiling hundreds of documents.

The rules are exactly those of ``registry.qualification.outcomes._evaluate`` (a test holds them to it):
conditions first, in order, the first that does not hold deciding; then the requirement.
Tests numpy cannot do (enum and boolean choices) are done in Python, one by one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from registry.identity import ByIdentity

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


# One standard's tests as rows: its requirements (one per rule, in order) and its conditions (in rule order).
# Parameters are numbered within the standard (``Block.params``); a batch maps them to its own columns.
_TEST_FIELDS = [
    ("kind", "i1"),
    ("param", "i4"),
    ("low", "f8"),
    ("low_tol", "f8"),
    ("low_in", "i1"),
    ("high", "f8"),
    ("high_tol", "f8"),
    ("high_in", "i1"),
]
# "methods": the set of methods the rule accepts (an index into ``Block.method_sets``), -1: it names none.
REQUIREMENT = np.dtype([*_TEST_FIELDS, ("mandatory", "?"), ("methods", "i4")])
CONDITION_ROW = np.dtype([*_TEST_FIELDS, ("rule", "i4"), ("position", "i4")])
_FORMAT = b"EB1"  # how a block is laid out as bytes: change it when the layout changes


@dataclass(frozen=True)
class Choice:
    """A choice test (done in Python): the parameter, the values it names, and whether they are excluded."""

    parameter: str
    values: frozenset[Any]
    excluded: bool


@dataclass(frozen=True)
class Block:
    """One standard's criteria as arrays, with the little a check reads besides (kept across processes by
    content: see ``registry.qualification.outcomes.blocks``)."""

    params: tuple[str, ...]
    requirements: npt.NDArray[Any]  # REQUIREMENT rows, one per criterion in order
    conditions: npt.NDArray[Any]  # CONDITION_ROW rows
    choices: Mapping[tuple[str, int], Choice]  # ("r", rule) or ("c", condition row) -> the choice
    method_sets: tuple[frozenset[str], ...]  # the sets of methods its rules accept (each set once)
    mandatory: tuple[str, ...]  # the ids of the mandatory criteria
    scope: tuple[Mapping[str, Any], ...]  # the scope's limits, as the document states them
    complete: bool

    @classmethod
    def of(
        cls, rules: Sequence[Any], mandatory: Sequence[str], scope: Sequence[Mapping[str, Any]], complete: bool
    ) -> Block:
        """Lay out compiled rules (objects with ``requirement``, ``conditions``, ``mandatory``, ``methods`` and
        ``accepted``; tests with ``kind``, ``parameter``, bounds and ``allowed``)."""
        params: dict[str, int] = {}
        choices: dict[tuple[str, int], Choice] = {}
        method_sets: dict[frozenset[str], int] = {}

        def row(test: Any, where: tuple[str, int]) -> tuple[Any, ...]:
            if test.kind == CHOICE:
                choices[where] = Choice(test.parameter, test.allowed.values, test.allowed.excluded)
            numeric = test.kind == INTERVAL
            return (
                test.kind,
                params.setdefault(test.parameter, len(params)),
                test.low if numeric else 0.0,
                test.low_tol,
                _comparator(test.low_in),
                test.high if numeric else 0.0,
                test.high_tol,
                _comparator(test.high_in),
            )

        requirements: list[tuple[Any, ...]] = []
        conditions: list[tuple[Any, ...]] = []
        for i, rule in enumerate(rules):
            methods = method_sets.setdefault(frozenset(rule.accepted), len(method_sets)) if rule.methods else -1
            requirements.append((*row(rule.requirement, ("r", i)), rule.mandatory, methods))
            for j, cond in enumerate(rule.conditions):
                conditions.append((*row(cond, ("c", len(conditions))), i, j))
        return cls(
            params=tuple(params),
            requirements=np.array(requirements, dtype=REQUIREMENT),
            conditions=np.array(conditions, dtype=CONDITION_ROW),
            choices=choices,
            method_sets=tuple(method_sets),
            mandatory=tuple(mandatory),
            scope=tuple(scope),
            complete=complete,
        )

    def to_bytes(self) -> bytes:
        """Return the block as bytes: a JSON head, then the two arrays' rows (plain numbers, never pickles)."""
        head = {
            "params": list(self.params),
            "rows": [len(self.requirements), len(self.conditions)],
            "choices": [
                [w, i, c.parameter, sorted(c.values, key=repr), c.excluded] for (w, i), c in self.choices.items()
            ],
            "method_sets": [sorted(m) for m in self.method_sets],
            "mandatory": list(self.mandatory),
            "scope": list(self.scope),
            "complete": self.complete,
        }
        text = json.dumps(head, ensure_ascii=False, separators=(",", ":")).encode()
        return b"".join(
            [_FORMAT, len(text).to_bytes(4, "little"), text, self.requirements.tobytes(), self.conditions.tobytes()]
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Block:
        """Read a block written by ``to_bytes``; raises ValueError when the bytes are not one."""
        if data[:3] != _FORMAT:
            raise ValueError("not a block of this format")
        size = int.from_bytes(data[3:7], "little")
        try:
            head = json.loads(data[7 : 7 + size])
            n_req, n_cond = head["rows"]
            start = 7 + size
            end = start + n_req * REQUIREMENT.itemsize
            if end + n_cond * CONDITION_ROW.itemsize != len(data):
                raise ValueError("a block's rows do not fill it")
            return cls(
                params=tuple(head["params"]),
                requirements=np.frombuffer(data, dtype=REQUIREMENT, count=n_req, offset=start),
                conditions=np.frombuffer(data, dtype=CONDITION_ROW, count=n_cond, offset=end),
                choices={(w, i): Choice(p, frozenset(v), x) for w, i, p, v, x in head["choices"]},
                method_sets=tuple(frozenset(m) for m in head["method_sets"]),
                mandatory=tuple(head["mandatory"]),
                scope=tuple(head["scope"]),
                complete=bool(head["complete"]),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a damaged block: {exc!r}") from exc


def _joined(arrays: Sequence[npt.NDArray[Any]], dtype: np.dtype[Any]) -> npt.NDArray[Any]:
    """Return arrays of one structured dtype end to end (as bytes: ``np.concatenate`` would compare their
    dtypes field by field, once per array)."""
    return np.frombuffer(b"".join(a.tobytes() for a in arrays), dtype=dtype)


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
    choices: Mapping[int, Choice]  # the choice tests, done in Python, by row

    @classmethod
    def of(cls, rows: npt.NDArray[Any], columns: Ints, choices: Mapping[int, Choice]) -> _Tests:
        return cls(
            kind=rows["kind"].astype(np.int64),
            column=columns,
            low=rows["low"],
            low_tol=rows["low_tol"],
            low_in=rows["low_in"].astype(np.int64),
            high=rows["high"],
            high_tol=rows["high_tol"],
            high_in=rows["high_in"].astype(np.int64),
            choices=choices,
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
        for i, choice in self.choices.items():
            got = values.get(choice.parameter)
            if got is None:
                code[i] = _M
            else:
                code[i] = _T if (got.value in choice.values) != choice.excluded else _F
        return code


@dataclass
class Batch:
    """Every criterion of a list of standards' blocks, in order, as arrays."""

    blocks: Sequence[Block]
    starts: Ints  # first rule of each standard; starts[-1] is the number of rules
    requirements: _Tests
    mandatory: Bools
    methods: Ints  # per rule, the set of methods it accepts (an index into ``method_sets``), -1: none named
    method_sets: list[frozenset[str]]
    conditions: _Tests
    condition_rule: Ints  # the rule each condition belongs to (conditions in rule order)
    condition_position: Ints  # its place among its rule's conditions
    _accepts: dict[str, Bools] = field(default_factory=dict)

    @classmethod
    def of(cls, blocks: Sequence[Block]) -> Batch:
        """Lay the blocks of standards end to end."""
        counts = [len(b.requirements) for b in blocks]
        starts = np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]).astype(np.int64)
        cond_starts = np.concatenate([[0], np.cumsum([len(b.conditions) for b in blocks], dtype=np.int64)])
        req_columns, cond_columns = [], []
        req_choices: dict[int, Choice] = {}
        cond_choices: dict[int, Choice] = {}
        method_sets: dict[frozenset[str], int] = {}
        methods: list[Ints] = []
        for b, first, first_cond in zip(blocks, starts.tolist(), cond_starts.tolist(), strict=False):
            columns = np.array([_column(p) for p in b.params], dtype=np.int64)
            req_columns.append(columns[b.requirements["param"]])
            cond_columns.append(columns[b.conditions["param"]])
            for (where, i), choice in b.choices.items():
                if where == "r":
                    req_choices[first + i] = choice
                else:
                    cond_choices[first_cond + i] = choice
            local = np.array(
                [method_sets.setdefault(m, len(method_sets)) for m in b.method_sets] + [-1], dtype=np.int64
            )
            methods.append(local[b.requirements["methods"]])  # -1 picks the -1 at the end
        reqs = _joined([b.requirements for b in blocks], REQUIREMENT)
        conds = _joined([b.conditions for b in blocks], CONDITION_ROW)
        none = np.zeros(0, dtype=np.int64)
        owner = (
            np.concatenate(
                [
                    b.conditions["rule"].astype(np.int64) + first
                    for b, first in zip(blocks, starts.tolist(), strict=False)
                ]
            )
            if blocks
            else none
        )
        return cls(
            blocks=blocks,
            starts=starts,
            requirements=_Tests.of(reqs, np.concatenate(req_columns) if blocks else none, req_choices),
            mandatory=reqs["mandatory"].astype(np.bool_),
            methods=np.concatenate(methods) if blocks else none,
            method_sets=list(method_sets),
            conditions=_Tests.of(conds, np.concatenate(cond_columns) if blocks else none, cond_choices),
            condition_rule=owner,
            condition_position=conds["position"].astype(np.int64),
        )

    def _accepting(self, method: str) -> Bools:
        """Return, per rule, whether it accepts values measured under a method (kept per method)."""
        found = self._accepts.get(method)
        if found is None:
            accepts = np.array([method in m for m in self.method_sets] + [False], dtype=np.bool_)
            found = accepts[self.methods]  # -1 (no method named) picks the False at the end
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
                    & (self.methods >= 0)
                    & (req.kind <= CHOICE)
                    & ~self._accepting(got.method)
                )
                why[bad] = METHOD
        decided_by = np.full(len(self.mandatory), -1, dtype=np.int64)
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
            "fails" if f else "incomplete" if o or not b.complete else "qualifies"
            for f, o, b in zip(failed.tolist(), opened.tolist(), self.blocks, strict=True)
        ]
        return why, decided_by, verdicts


_BATCHES: ByIdentity[Batch] = ByIdentity(64)


def batch(blocks: Sequence[Block]) -> Batch:
    """Return the arrays of a list of standards' blocks, built once per list."""
    found = _BATCHES.get(*blocks)
    if found is None:
        found = Batch.of(blocks)
        _BATCHES.put(tuple(blocks), found)
    return found
