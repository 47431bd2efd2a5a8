"""What is in force on a date: versions of standards and agreements, from their recorded dates.

Sources often give a month or a year only; a partial date is widened to the days it can mean
(see ``registry.dates``). A version recorded without an end stays in force until a newer
version of the same standard starts; an explicit ``valid_until`` that outlasts the newer
version's start is a transition window, and then both versions are in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from registry import dates
from registry.model import Agreement, Standard
from registry.versions import version_key

# Statuses of a standard version that count as adopted (a draft or a withdrawn version never does).
ADOPTED = frozenset({"published", "superseded"})
# Agreement statuses under which the agreement has effect.
ACTIVE = frozenset({"signed", "in_force"})
# Agreement types that recognise something of the partner's (a cooperation MoU or an information
# exchange alone recognises nothing).
RECOGNISING = frozenset(
    {
        "recognition_of_criteria",
        "recognition_of_verification",
        "recognition_of_certified_products",
        "recognition_of_scheme",
        "common_core_criteria",
    }
)


def window(data: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    """Return the first and last day a standard is in force, from its dates (partial dates widened).

    The start is ``valid_from``, else the publication date. A draft may hold dates that are not
    valid yet: they count as unknown.
    """
    found = data.get("dates")
    dates_ = found if isinstance(found, Mapping) else {}
    start, until = dates_.get("valid_from") or dates_.get("published"), dates_.get("valid_until")
    try:
        return (
            dates.bounds(start)[0] if isinstance(start, str) else None,
            dates.bounds(until)[1] if isinstance(until, str) else None,
        )
    except dates.DateError:
        return None, None


def spans(data: Mapping[str, Any], on: dt.date) -> bool:
    """Return whether a version's own dates span a day (a version without a known start never does)."""
    start, until = window(data)
    return start is not None and start <= on and (until is None or on <= until)


def current(versions: Iterable[Standard], on: dt.date) -> list[Standard]:
    """Keep, per standard, the versions in force on a day: the newest one spanning it, plus older ones
    whose own recorded end is still to come (a transition window). Order: by id, newest first."""
    by_id: dict[str, list[Standard]] = {}
    for std in versions:
        if std.status in ADOPTED and spans(std.raw, on):
            by_id.setdefault(std.id, []).append(std)
    kept: list[Standard] = []
    for ident in sorted(by_id):
        found = sorted(by_id[ident], key=lambda s: version_key(s.version), reverse=True)
        kept.append(found[0])
        kept += [s for s in found[1:] if s.dates.get("valid_until")]
    return kept


def agreement_status(agreement: Agreement, on: dt.date) -> Mapping[str, Any] | None:
    """Return the agreement's last status event on or before a day (an undated event counts), if any.

    A partially dated event counts from the last day it can mean, so that a 'signed 2017-11'
    is surely in effect.
    """
    found = None
    for event in agreement.history:
        when = event.get("date")
        if when is None or dates.bounds(when)[1] <= on:
            found = event
    return found


def opens_path(agreement: Agreement, on: dt.date) -> bool:
    """Return whether an agreement recognises something and has effect on a day."""
    if not RECOGNISING.intersection(agreement.types):
        return False
    event = agreement_status(agreement, on)
    return event is not None and event["status"] in ACTIVE
