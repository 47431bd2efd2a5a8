"""Certified products as a test of the registry: a product's published figures must never fail its own label.

A licence records products certified under one version of a standard and, where a source gives
them, the products' figures as a declaration. Each declaration is checked against that standard on
the day the licence was granted (or, without a date, on the standard's first day). A ``fails``
means the registry contradicts a certification body's decision: a limit or a comparator is wrong,
or a source rounded. The answer is to fix the data (or record the comparator as not known), never
to hide the contradiction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from registry import dates, in_force
from registry.errors import InvalidDocumentError
from registry.model import Licence, Standard
from registry.qualification.checker import Checker


@dataclass(frozen=True)
class Consistency:
    """One certified product's figures checked against the standard its licence names."""

    licence: Licence
    product: int
    model: str
    verdict: str  # qualifies, fails, incomplete, or not_checked
    failed: tuple[tuple[str, str], ...]  # (criterion id, why) of every failed criterion
    reason: str

    @property
    def consistent(self) -> bool:
        """Return whether the registry agrees with the certification (anything but a fail)."""
        return self.verdict != "fails"

    def as_json(self) -> dict[str, Any]:
        """Return the result as JSON."""
        return {
            "licence": self.licence.id,
            "product": self.product,
            "model": self.model,
            "verdict": self.verdict,
            "consistent": self.consistent,
            "failed": [{"criterion": c, "detail": d} for c, d in self.failed],
            "reason": self.reason,
        }


def check_day(licence: Licence, standard: Standard) -> dt.date:
    """Return the day a licence's products are checked on: the award (its last possible day), clamped into the
    standard's window, or the standard's first day."""
    start, until = in_force.window(standard.raw)
    day = dates.bounds(licence.awarded)[1] if licence.awarded else start
    if day is None:
        return dt.date.today()
    if start is not None and day < start:
        day = start
    if until is not None and day > until:
        day = until
    return day


def check(checker: Checker, licence: Licence) -> Iterator[Consistency]:
    """Yield the consistency of every product of a licence whose figures are recorded."""
    standard = checker.source.standard(licence.standard)
    for index, declaration in licence.declarations():
        model = str(declaration.get("model", licence.products[index]["model"]))
        if standard is None:
            yield Consistency(licence, index, model, "not_checked", (), f"{licence.standard} is not in the registry")
            continue
        on = check_day(licence, standard)
        try:
            report = checker.check(dict(declaration), on)
        except InvalidDocumentError as exc:
            why = "; ".join(str(f) for f in exc.findings[:3])
            yield Consistency(licence, index, model, "not_checked", (), f"the declaration is not valid: {why}")
            continue
        found = [r for r in report.results if (r.standard.id, r.standard.version) == (standard.id, standard.version)]
        if not found:
            outside = [why for s, why in report.out_of_scope if s.id == standard.id]
            reason = outside[0] if outside else f"{standard.ref} is not in force on {on.isoformat()}"
            yield Consistency(licence, index, model, "not_checked", (), reason)
            continue
        (result,) = found
        failed = tuple((o.criterion.id, o.detail) for o in result.criteria if o.outcome == "fail")
        yield Consistency(licence, index, model, result.verdict, failed, f"checked on {on.isoformat()}")


def summary(checker: Checker, licences: Iterable[Licence]) -> tuple[int, int, list[Consistency]]:
    """Return (products with figures, how many are consistent, every result) over some licences."""
    results = [c for lic in licences for c in check(checker, lic)]
    return len(results), sum(c.consistent for c in results), results
