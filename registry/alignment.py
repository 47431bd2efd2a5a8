"""Which criteria of two standards face each other, and how each facing pair relates.

Revision mode aligns criteria by id (ids are stable across versions). Cross-label mode
aligns them by parameter, and within one parameter by the products they apply to: two
criteria face each other when their conditions overlap, and are compared on the overlap.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from registry import requirements as req
from registry.model import Criterion, Parameter, Standard
from registry.render import constraint

Lookup = Callable[[str], Parameter | None]

IDENTICAL, EQUIVALENT = "identical", "equivalent"
NOT_COMPARABLE, ONLY_A, ONLY_B = "not_comparable", "only_a", "only_b"

_FLAG = {"secondary": "from a secondary source", "unverified": "unverified"}
_BETTER = {
    "lower": "lower is better",
    "higher": "higher is better",
    "true": "true is better",
    "false": "false is better",
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """How one aligned pair relates, why in a few words, on which products, and what to bear in mind."""

    relation: str
    reason: str
    scope: str = "same"
    where: str = ""
    notes: tuple[str, ...] = ()

    @property
    def detail(self) -> str:
        """Return the reason and the notes as one sentence."""
        return "; ".join((self.reason, *self.notes))


@dataclass(frozen=True, slots=True)
class Facts:
    """What a comparison needs of one criterion, worked out once per criterion, not once per pair."""

    criterion: Criterion
    param: Parameter | None
    region: req.Region | req.Unknown
    text: str
    allowed: req.Allowed | req.Unknown | req.Declaration | None  # the requirement's set (None: no parameter)
    lookup: Lookup = field(repr=False, compare=False)
    _applies_to: list[str] = field(default_factory=list, repr=False, compare=False)  # filled when first asked

    @property
    def applies_to(self) -> str:
        """Return the products the criterion applies to, in words (worked out when a verdict says it)."""
        if not self._applies_to:
            region = self.region
            words = region.reason if isinstance(region, req.Unknown) else req.describe_region(region, self.lookup)
            self._applies_to.append(words)
        return self._applies_to[0]


def facts(std: Standard, lookup: Lookup) -> list[Facts]:
    """Return the facts of every criterion of a standard, in order."""
    found = []
    for crit in std.criteria:
        param = lookup(crit.parameter)
        allowed_set = req.allowed(crit.requirement, param) if param is not None else None
        region = req.region(crit.conditions, lookup)
        found.append(Facts(crit, param, region, constraint(crit.requirement), allowed_set, lookup))
    return found


Aligned = list[tuple[Facts | None, Facts | None]]


def align_by_id(a: Sequence[Facts], b: Sequence[Facts]) -> Aligned:
    """Pair criteria with the same id; the rest stand alone. A's order, then B's new ones."""
    by_id = {f.criterion.id: f for f in b}
    pairs: Aligned = [(f, by_id.get(f.criterion.id)) for f in a]
    known = {f.criterion.id for f in a}
    pairs += [(None, f) for f in b if f.criterion.id not in known]
    return pairs


def _meet(x: Facts, y: Facts) -> bool:
    if isinstance(x.region, req.Unknown) or isinstance(y.region, req.Unknown):
        return True  # cannot tell: face them, and the pair says why they are not comparable
    return req.regions_meet(x.region, y.region)


def align_all_pairs(a: Sequence[Facts], b: Sequence[Facts]) -> Aligned:
    """Pair criteria on one parameter whose conditions overlap, testing every pair (the reference for
    ``align_by_parameter``, which must give the same pairs in the same order)."""
    by_parameter: dict[str, list[Facts]] = {}
    for f in b:
        by_parameter.setdefault(f.criterion.parameter, []).append(f)
    pairs: Aligned = []
    matched_b: set[int] = set()
    for fa in a:
        partners = [fb for fb in by_parameter.get(fa.criterion.parameter, ()) if _meet(fa, fb)]
        pairs += [(fa, fb) for fb in partners] or [(fa, None)]
        matched_b.update(id(fb) for fb in partners)
    pairs += [(None, fb) for fb in b if id(fb) not in matched_b]
    return pairs


def _span(f: Facts, key: str | None) -> req.Interval | None:
    """Return a criterion's interval on the index's condition parameter, if its conditions give one."""
    if key is None or isinstance(f.region, req.Unknown):
        return None
    found = f.region.get(key)
    return found if isinstance(found, req.Interval) else None


class _Index:
    """One side's criteria on one parameter, indexed on the condition parameter most of them bound.

    Intervals are sorted by their lower end, with the highest upper end reached so far; a query walks
    down from the last interval starting at or below its upper end and stops where nothing earlier
    reaches its lower end. With disjoint bands that is O(log n + k) for k facing criteria. Criteria
    without an interval on that parameter (no condition there, an enum condition, an unknown region)
    are tried for every query. The answer is a superset of the facing criteria: ``_meet`` decides.
    """

    def __init__(self, group: Sequence[Facts]) -> None:
        count: dict[str, int] = {}
        for f in group:
            if not isinstance(f.region, req.Unknown):
                for pid, allowed_set in f.region.items():
                    if isinstance(allowed_set, req.Interval):
                        count[pid] = count.get(pid, 0) + 1
        self.key = max(sorted(count), key=count.__getitem__) if count else None
        spans: list[tuple[float, float, int]] = []
        self.always: list[int] = []
        for pos, f in enumerate(group):
            span = _span(f, self.key)
            if span is None:
                self.always.append(pos)
            else:
                spans.append((span.low, span.high, pos))
        spans.sort()
        self.spans = spans
        self.lows = [low for low, _, _ in spans]
        self.reach = list(itertools.accumulate((high for _, high, _ in spans), max))

    def candidates(self, f: Facts) -> list[int]:
        """Return the positions, in the group's order, of the criteria whose conditions may overlap f's."""
        span = _span(f, self.key)
        if span is None:
            return sorted([pos for _, _, pos in self.spans] + self.always)
        found = list(self.always)
        j = bisect.bisect_right(self.lows, span.high) - 1
        while j >= 0 and self.reach[j] >= span.low:
            if self.spans[j][1] >= span.low:
                found.append(self.spans[j][2])
            j -= 1
        return sorted(found)


def align_by_parameter(a: Sequence[Facts], b: Sequence[Facts]) -> Aligned:
    """Pair criteria on one parameter whose conditions overlap; the rest stand alone.

    The facing pairs are found through an index on the conditions (``_Index``), in O((n + k) log n)
    for disjoint bands, and are the same, in the same order, as ``align_all_pairs`` gives.
    """
    by_parameter: dict[str, list[Facts]] = {}
    for f in b:
        by_parameter.setdefault(f.criterion.parameter, []).append(f)
    indexes = {pid: _Index(group) for pid, group in by_parameter.items()}
    pairs: Aligned = []
    matched_b: set[int] = set()
    for fa in a:
        group = by_parameter.get(fa.criterion.parameter, ())
        index = indexes.get(fa.criterion.parameter)
        positions = index.candidates(fa) if index is not None else ()
        partners = [group[pos] for pos in positions if _meet(fa, group[pos])]
        pairs += [(fa, fb) for fb in partners] or [(fa, None)]
        matched_b.update(id(fb) for fb in partners)
    pairs += [(None, fb) for fb in b if id(fb) not in matched_b]
    return pairs


def _same_core(x: Mapping[str, Any], y: Mapping[str, Any]) -> bool:
    """Return whether two requirements say the same, their notes aside."""
    if "note" not in x and "note" not in y:
        return x == y
    return {k: v for k, v in x.items() if k != "note"} == {k: v for k, v in y.items() if k != "note"}


def _methods(ca: Criterion, cb: Criterion, param: Parameter) -> tuple[str, str]:
    """Return ('same'|'equivalent'|'one_missing'|'different', words)."""
    ma, mb = ca.methods, cb.methods
    if ma == mb:
        return "same", ""
    if not ma or not mb:
        side = "A" if not ma else "B"
        return "one_missing", f"{side} records no test method, so the same method is assumed"
    if ma & mb:
        return "equivalent", f"test methods share {', '.join(sorted(ma & mb))}"
    for group in param.method_equivalences:
        if ma & group and mb & group:
            return "equivalent", f"test methods declared equivalent: {', '.join(sorted(group))}"
    return "different", (
        f"different test methods (A: {', '.join(sorted(ma))}; B: {', '.join(sorted(mb))}) and no equivalence declared"
    )


def _same_requirement(ca: Criterion, cb: Criterion) -> bool:
    return all(
        ca.raw.get(k) == cb.raw.get(k) for k in ("parameter", "requirement", "conditions", "test_methods", "mandatory")
    )


def compare(fa: Facts, fb: Facts, lookup: Lookup, *, revision: bool) -> Verdict:
    """Return how criterion A relates to criterion B (same parameter) on the products both cover."""
    ca, cb, param = fa.criterion, fb.criterion, fa.param
    if param is None:
        return Verdict(NOT_COMPARABLE, f"parameter {ca.parameter!r} is not in the vocabulary")
    if revision and _same_requirement(ca, cb):
        # Unchanged between two versions, even where a value is not known: the same criterion.
        return Verdict(
            IDENTICAL, _values(fa, fb, param), "same", fa.applies_to if ca.conditions else "", _flags(ca, cb, [])
        )
    ra, rb = fa.region, fb.region
    for side, r in (("A", ra), ("B", rb)):
        if isinstance(r, req.Unknown):
            return Verdict(NOT_COMPARABLE, f"cannot tell which products {side}'s criterion applies to: {r.reason}")
    assert not isinstance(ra, req.Unknown) and not isinstance(rb, req.Unknown)
    scope = req.scope(ra, rb)
    if scope == "disjoint":
        return Verdict(NOT_COMPARABLE, f"the criteria apply to different products ({_regions(fa, fb)})", scope)
    if scope == "same":
        where, notes = (fa.applies_to if (ra or rb) else ""), []
    else:
        where = req.describe_region(req.region_intersect(ra, rb), lookup)
        notes = [f"{_SCOPE[scope]} ({_regions(fa, fb)})"]
    method_kind, method_words = _methods(ca, cb, param)
    if method_kind == "different":
        return Verdict(NOT_COMPARABLE, method_words, scope, where, _flags(ca, cb, notes))
    if method_words:
        notes.append(method_words)
    relation, why = _requirements(fa, fb, param, method_kind)
    if relation in (req.EQUAL, IDENTICAL) and ca.mandatory != cb.mandatory:
        relation = req.A_STRICTER if ca.mandatory else req.B_STRICTER
        why = "the same requirement, mandatory only in " + ("A" if ca.mandatory else "B")
    elif ca.mandatory != cb.mandatory:
        notes.append("mandatory only in " + ("A" if ca.mandatory else "B"))
    if relation == req.EQUAL:
        relation = EQUIVALENT
    if revision and relation in (IDENTICAL, EQUIVALENT) and scope in ("a_wider", "b_wider", "partial"):
        # The same requirement now binds other products: the version that binds more is stricter.
        relation = {"a_wider": req.A_STRICTER, "b_wider": req.B_STRICTER}.get(scope, req.OVERLAP)
        why = f"{why}, applied to other products" if why else "the same requirement, applied to other products"
    values = _values(fa, fb, param, better=relation != NOT_COMPARABLE)
    return Verdict(relation, f"{why} ({values})" if why else values, scope, where, _flags(ca, cb, notes))


def _regions(fa: Facts, fb: Facts) -> str:
    return f"A: {fa.applies_to}; B: {fb.applies_to}"


def _values(fa: Facts, fb: Facts, param: Parameter, *, better: bool = True) -> str:
    values = f"A {fa.text}, B {fb.text}"
    return f"{values}, {_BETTER[param.better]}" if better and param.better in _BETTER else values


_SCOPE = {
    "a_wider": "compared where both apply; A applies to more products",
    "b_wider": "compared where both apply; B applies to more products",
    "partial": "compared where both apply, only part of each",
}


def _flags(ca: Criterion, cb: Criterion, notes: list[str]) -> tuple[str, ...]:
    """Return the notes, then which side's values are not verified."""
    flagged = [f"{side} {_FLAG[c.verification]}" for side, c in (("A", ca), ("B", cb)) if c.verification in _FLAG]
    return (*notes, *(["values: " + ", ".join(flagged)] if flagged else []))


def _allowed(f: Facts, param: Parameter) -> req.Allowed | req.Unknown | req.Declaration:
    """Return a criterion's allowed set read with a parameter (worked out once per criterion for its own)."""
    if f.param is param and f.allowed is not None:
        return f.allowed
    return req.allowed(f.criterion.requirement, param)


def _requirements(x: Facts, y: Facts, param: Parameter, method_kind: str) -> tuple[str, str]:
    ca, cb = x.criterion, y.criterion
    fa, fb = _allowed(x, param), _allowed(y, param)
    same_text = _same_core(ca.requirement, cb.requirement)
    if isinstance(fa, req.Declaration) and isinstance(fb, req.Declaration):
        if same_text:
            return (IDENTICAL if method_kind == "same" else req.EQUAL), "the same declaration"
        return NOT_COMPARABLE, "both ask for a declaration and the texts differ; a person must compare them"
    if isinstance(fa, req.Declaration) or isinstance(fb, req.Declaration):
        side = "A" if isinstance(fa, req.Declaration) else "B"
        return NOT_COMPARABLE, f"{side} asks for a declaration, the other for a value"
    for side, f in (("A", fa), ("B", fb)):
        if isinstance(f, req.Unknown):
            return NOT_COMPARABLE, f"{side}: {f.reason}"
    assert not isinstance(fa, req.Unknown | req.Declaration) and not isinstance(fb, req.Unknown | req.Declaration)
    found = req.relation(fa, fb)
    if found is None:
        # Even the same words: two labels' unknown comparators need not be the same comparator.
        return NOT_COMPARABLE, "a comparator (< or <=) that is not known decides the relation"
    if found == req.EQUAL and same_text and method_kind == "same":
        return IDENTICAL, ""
    words = {
        req.EQUAL: "the same after unit conversion",
        req.A_STRICTER: "A allows fewer values",
        req.B_STRICTER: "B allows fewer values",
        req.OVERLAP: "the allowed values overlap, neither contains the other",
        req.CONFLICT: "no value meets both",
    }
    return found, words[found]


def ids_by_parameter(found: Sequence[Facts]) -> dict[str, list[str]]:
    """Return the criterion ids of one side per parameter, in order (looked up by ``alone``)."""
    ids: dict[str, list[str]] = {}
    for f in found:
        ids.setdefault(f.criterion.parameter, []).append(f.criterion.id)
    return ids


def alone(f: Facts, side: str, others: Mapping[str, Sequence[str]], other: Standard, *, revision: bool) -> Verdict:
    """Return the verdict for a criterion with no counterpart on the other side (``others``: the other side's
    criterion ids per parameter)."""
    c = f.criterion
    relation = ONLY_A if side == "A" else ONLY_B
    other_side = "B" if side == "A" else "A"
    if revision:
        reason = "removed in B" if side == "A" else "new in B"
        if not other.complete:
            reason += f" as recorded ({other_side} is a partial record, so it may only be unrecorded there)"
    elif same_param := others.get(c.parameter, ()):
        reason = f"{other_side}'s criteria on {c.parameter} ({', '.join(same_param)}) apply to other products"
    else:
        reason = f"{other_side} records no criterion on {c.parameter}"
        if not other.complete:
            reason += f" ({other_side} is a partial record: it may still require it)"
    notes = [f"{side} {f.text}"]
    if c.conditions:
        notes.append(f"applies to {f.applies_to}")
    if c.verification in _FLAG:
        notes.append(f"value {_FLAG[c.verification]}")
    return Verdict(relation, reason, "", f.applies_to if c.conditions else "", tuple(notes))
