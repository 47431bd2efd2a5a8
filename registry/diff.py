"""The diff engine: two criteria documents compared criterion by criterion.

Revision mode compares two versions of one standard (criteria aligned by id) and also
reports editorial changes; cross-label mode compares standards of different labels
(criteria aligned by parameter and conditions). Each aligned pair gets one relation of
RELATIONS. From the pairs follow the coverages (the share of one side's mandatory
criteria that any product meeting the other side is sure to meet) and the extra proof a
holder of one label must still give for the other.

This is the only module that imports deepdiff, and only for the structural comparison of
aligned criteria and document metadata; nothing it returns is a deepdiff object. Whole
documents are never diffed with ``ignore_order``: criteria are keyed by id and compared
with ``==`` first, and deepdiff sees only the fields that differ.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from deepdiff import DeepDiff

from registry import alignment
from registry.alignment import Facts, Verdict
from registry.findings import pointer
from registry.model import Criterion, Parameter, Standard
from registry.requirements import Unknown, covered_by_union
from registry.vocabulary import Vocabulary

RELATIONS = (
    "identical",
    "equivalent",
    "a_stricter",
    "b_stricter",
    "overlap",
    "conflict",
    "not_comparable",
    "only_a",
    "only_b",
)
_COVERS = {"a": {"identical", "equivalent", "a_stricter"}, "b": {"identical", "equivalent", "b_stricter"}}

# Fields of a criterion that make its requirement; every other field is editorial.
_REQUIREMENT_FIELDS = frozenset({"parameter", "requirement", "conditions", "test_methods", "mandatory"})


@dataclass(frozen=True, slots=True)
class Pair:
    """Two aligned criteria (or one alone) and how they relate."""

    facts_a: Facts | None
    facts_b: Facts | None
    verdict: Verdict

    @property
    def a(self) -> Criterion | None:
        """Return A's criterion, if any."""
        return self.facts_a.criterion if self.facts_a else None

    @property
    def b(self) -> Criterion | None:
        """Return B's criterion, if any."""
        return self.facts_b.criterion if self.facts_b else None

    @property
    def parameter(self) -> str:
        """Return the parameter both criteria constrain."""
        return (self.a or self.b).parameter  # type: ignore[union-attr]

    @property
    def topic(self) -> str:
        """Return the topic, A's where both sides have one."""
        return (self.a or self.b).topic  # type: ignore[union-attr]

    @property
    def relation(self) -> str:
        """Return the relation, one of RELATIONS."""
        return self.verdict.relation

    def as_json(self) -> dict[str, Any]:
        """Return the pair as the CLI's JSON object."""
        fa, fb, verdict = self.facts_a, self.facts_b, self.verdict
        a, b = (fa.criterion if fa else None), (fb.criterion if fb else None)
        either = a or b
        assert either is not None
        return {
            "parameter": either.parameter,
            "a": a.id if a else None,
            "b": b.id if b else None,
            "relation": verdict.relation,
            "detail": verdict.detail,
            "topic": either.topic,
            "scope": verdict.scope or None,
            "where": verdict.where or None,
            "a_requirement": fa.text if fa else None,
            "b_requirement": fb.text if fb else None,
            "verification": {"a": a.verification if a else None, "b": b.verification if b else None},
        }


@dataclass(frozen=True, slots=True)
class Proof:
    """A criterion the holder of the other label must still demonstrate, and why."""

    criterion: str
    reason: str
    unknown: bool = False  # not comparable, or no counterpart in a partial record: it may be met, not known

    def as_json(self) -> dict[str, str]:
        """Return the entry as the CLI's JSON object."""
        return {"criterion": self.criterion, "reason": self.reason}


@dataclass(frozen=True)
class Coverage:
    """How far a holder of one side is known to meet the other side's mandatory criteria: ``confirmed``
    of ``mandatory`` for sure, ``unknown`` that cannot be told; a partial record of the other side may
    require more than it records. The share is known only when nothing is unknown and the record is complete."""

    mandatory: int
    confirmed: int
    unknown: int
    partial: bool

    @property
    def share(self) -> float | None:
        """Return the share met, or None when it is not known."""
        if not self.mandatory or self.unknown or self.partial:
            return None
        return round(self.confirmed / self.mandatory, 4)

    @property
    def missing(self) -> int:
        """Return how many are known not to be met."""
        return self.mandatory - self.confirmed - self.unknown


@dataclass(frozen=True, slots=True)
class Edit:
    """An editorial change between two versions: a text, a source, a date, metadata."""

    criterion: str | None
    path: str
    change: str
    a: Any
    b: Any

    def as_json(self) -> dict[str, Any]:
        """Return the change as the CLI's JSON object."""
        return {"criterion": self.criterion, "path": self.path, "change": self.change, "a": self.a, "b": self.b}


@dataclass(frozen=True)
class Diff:
    """The comparison of standard A with standard B."""

    a: Standard
    b: Standard
    mode: str
    pairs: tuple[Pair, ...]
    editorial: tuple[Edit, ...] = ()
    notes: tuple[str, ...] = ()
    lookup: Callable[[str], Parameter | None] = field(default=lambda _pid: None, repr=False, compare=False)
    _proofs: dict[str, tuple[Proof, ...]] = field(default_factory=dict, repr=False, compare=False)

    def counts(self) -> dict[str, int]:
        """Return the number of pairs per relation."""
        found = Counter(p.relation for p in self.pairs)
        return {r: found.get(r, 0) for r in RELATIONS}

    def coverage(self, holder: str) -> float | None:
        """Return the share of the other side's mandatory criteria a holder of this side surely meets."""
        target = self.b if holder == "a" else self.a
        mandatory = [c for c in target.criteria if c.mandatory]
        if not mandatory:
            return None  # nothing to cover: a share of nothing is unknown, not 0 or 1
        missing = {p.criterion for p in self.extra_proof(holder)}
        return round(sum(c.id not in missing for c in mandatory) / len(mandatory), 4)

    def coverage_detail(self, holder: str) -> Coverage:
        """Return how far a holder of this side is known to meet the other side's mandatory criteria."""
        target = self.b if holder == "a" else self.a
        mandatory = sum(c.mandatory for c in target.criteria)
        proofs = self.extra_proof(holder)
        unknown = sum(p.unknown for p in proofs)
        return Coverage(mandatory, mandatory - len(proofs), unknown, partial=not target.complete)

    def extra_proof(self, holder: str) -> tuple[Proof, ...]:
        """Return the other side's mandatory criteria a holder of this side must still demonstrate."""
        if holder not in self._proofs:
            self._proofs[holder] = tuple(_extra_proof(self, holder))
        return self._proofs[holder]

    def as_json(self) -> dict[str, Any]:
        """Return the comparison as the CLI's JSON document."""
        summary: dict[str, Any] = dict(self.counts())
        summary["coverage_a_to_b"] = self.coverage("a")
        summary["coverage_b_to_a"] = self.coverage("b")
        return {
            "a": {"id": self.a.id, "version": self.a.version},
            "b": {"id": self.b.id, "version": self.b.version},
            "mode": self.mode,
            "summary": summary,
            "pairs": [p.as_json() for p in self.pairs],
            "extra_proof_a_to_b": [p.as_json() for p in self.extra_proof("a")],
            "extra_proof_b_to_a": [p.as_json() for p in self.extra_proof("b")],
            "editorial": [e.as_json() for e in self.editorial],
            "notes": list(self.notes),
        }


def compare(a: Standard, b: Standard, vocabulary: Vocabulary) -> Diff:
    """Compare standard A with standard B: two versions of one standard, or two labels' standards."""
    revision = a.id == b.id

    @functools.cache
    def lookup(pid: str) -> Parameter | None:
        return vocabulary.parameter(a.category, pid) or vocabulary.parameter(b.category, pid)

    facts_a, facts_b = alignment.facts(a, lookup), alignment.facts(b, lookup)
    align = alignment.align_by_id if revision else alignment.align_by_parameter
    aligned = align(facts_a, facts_b)
    pairs = []
    ids_a, ids_b = alignment.ids_by_parameter(facts_a), alignment.ids_by_parameter(facts_b)
    for fa, fb in aligned:
        if fa is not None and fb is not None:
            verdict = alignment.compare(fa, fb, lookup, revision=revision)
        elif fa is not None:
            verdict = alignment.alone(fa, "A", ids_b, b, revision=revision)
        else:
            assert fb is not None
            verdict = alignment.alone(fb, "B", ids_a, a, revision=revision)
        pairs.append(Pair(fa, fb, verdict))
    editorial = tuple(_editorial(a, b, pairs)) if revision else ()
    mode = "revision" if revision else "cross_label"
    return Diff(a, b, mode, tuple(pairs), editorial, _notes(a, b, vocabulary), lookup)


def _extra_proof(diff: Diff, holder: str) -> Iterator[Proof]:
    target_side = "b" if holder == "a" else "a"
    target = diff.b if holder == "a" else diff.a
    facing: dict[str, list[Pair]] = {}
    for pair in diff.pairs:
        crit = getattr(pair, target_side)
        if crit is not None:
            facing.setdefault(crit.id, []).append(pair)
    own = holder.upper()
    wider = {"same", f"{holder}_wider"}
    holder_partial = not (diff.a if holder == "a" else diff.b).complete
    for crit in target.criteria:
        if not crit.mandatory:
            continue
        reasons, parts = [], []
        for pair in facing.get(crit.id, ()):
            held, verdict = getattr(pair, holder), pair.verdict
            if held is None:
                reasons.append(verdict.reason)
            elif pair.relation not in _COVERS[holder]:
                where = f" where {verdict.where}" if verdict.scope != "same" and verdict.where else ""
                reasons.append(f"{_RELATION_WORDS[pair.relation]} (against {held.id}{where}): {verdict.reason}")
            elif not held.mandatory:
                reasons.append(f"{held.id} is optional in {own}")
            elif verdict.scope not in wider:
                reasons.append(f"{held.id} of {own} covers only part of these products ({verdict.where})")
                parts.append(getattr(pair, f"facts_{holder}").region)
            else:
                break
        else:
            if parts and _pieced(facing[crit.id][0], target_side, parts, diff.lookup):
                continue  # several criteria of the holder's side, each for some products, cover all of them
            pairs = facing.get(crit.id, [])
            unknown = any(p.relation == "not_comparable" for p in pairs) or (
                holder_partial and all(getattr(p, holder) is None for p in pairs)
            )
            yield Proof(crit.id, " | ".join(reasons) or "no counterpart", unknown)


def _pieced(pair: Pair, target_side: str, parts: list[Any], lookup: Callable[[str], Parameter | None]) -> bool:
    region = getattr(pair, f"facts_{target_side}").region
    known = [p for p in parts if not isinstance(p, Unknown)]
    if isinstance(region, Unknown) or len(known) != len(parts):
        return False
    return covered_by_union(region, known, lookup)


_RELATION_WORDS = {
    "a_stricter": "A is stricter",
    "b_stricter": "B is stricter",
    "overlap": "the requirements overlap",
    "conflict": "the requirements conflict",
    "not_comparable": "not comparable",
}


def _notes(a: Standard, b: Standard, vocabulary: Vocabulary) -> tuple[str, ...]:
    notes = []
    for side, std in (("A", a), ("B", b)):
        if not std.complete:
            notes.append(
                f"{side} ({std.id}@{std.version}) is a partial record: a criterion it does not record is "
                "'not recorded', not 'not required'"
            )
        flagged = sum(c.verification == "unverified" for c in std.criteria)
        if flagged:
            notes.append(f"{side} has {flagged} criteria whose values are unverified; results using them say so")
    if a.id != b.id and not (vocabulary.within(a.category, b.category) or vocabulary.within(b.category, a.category)):
        notes.append(f"A is about {a.category} and B about {b.category}: criteria align only on shared parameters")
    return tuple(notes)


# --- editorial changes (revision mode), found with deepdiff on the fields that differ


def _editorial(a: Standard, b: Standard, pairs: list[Pair]) -> Iterator[Edit]:
    meta_a = {k: v for k, v in a.raw.items() if k != "criteria"}
    meta_b = {k: v for k, v in b.raw.items() if k != "criteria"}
    yield from _changes(meta_a, meta_b, (), None)
    for pair in pairs:
        ca, cb = pair.a, pair.b
        if ca is None or cb is None or ca.raw == cb.raw:
            continue
        text_a = {k: v for k, v in ca.raw.items() if k not in _REQUIREMENT_FIELDS}
        text_b = {k: v for k, v in cb.raw.items() if k not in _REQUIREMENT_FIELDS}
        text_a["requirement"] = {"note": ca.requirement["note"]} if "note" in ca.requirement else {}
        text_b["requirement"] = {"note": cb.requirement["note"]} if "note" in cb.requirement else {}
        yield from _changes(text_a, text_b, ("criteria", ca.id), ca.id)


def changes(x: Mapping[str, Any], y: Mapping[str, Any]) -> list[Edit]:
    """Return the structural changes from one JSON object to another (an audit trail's diff)."""
    return list(_changes(x, y, (), None))


def _changes(
    x: Mapping[str, Any], y: Mapping[str, Any], prefix: tuple[str, ...], criterion: str | None
) -> Iterator[Edit]:
    for key in sorted(x.keys() | y.keys()):
        old, new = x.get(key, _MISSING), y.get(key, _MISSING)
        if old == new:
            continue
        if old is _MISSING or new is _MISSING:
            change = "added" if old is _MISSING else "removed"
            yield Edit(criterion, pointer(*prefix, key), change, _plain(old), _plain(new))
            continue
        tree = DeepDiff(_thaw(old), _thaw(new), view="tree", threshold_to_diff_deeper=0)
        for kind, levels in sorted(tree.items()):
            change = "added" if kind.endswith("_added") else "removed" if kind.endswith("_removed") else "changed"
            for level in levels:
                path = (*prefix, key, *level.path(output_format="list"))
                yield Edit(criterion, pointer(*path), change, _plain(level.t1), _plain(level.t2))


_MISSING = object()


def _thaw(value: Any) -> Any:
    """Return plain dicts and lists (views hold read-only mappings that deepdiff need not know)."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """Return JSON data; deepdiff's 'not present' marker and our own become null."""
    if value is _MISSING or type(value).__name__ == "NotPresent":
        return None
    return _thaw(value)
