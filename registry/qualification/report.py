"""Results and the report: one verdict per standard, counts and notes worked out when read."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from registry import truth
from registry.model import Standard, pick
from registry.qualification.outcomes import Outcome, _Raw
from registry.qualification.pathways import Pathway

OUTCOMES = ("pass", "fail", "unknown", "declaration", "not_applicable")
VERDICTS = ("qualifies", "fails", "incomplete")


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
            "record": dataclasses.asdict(truth.completeness(s)),
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
