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


def current_keys(
    rows: Iterable[tuple[str, str, bool, bool, dt.date | str | None]],
) -> list[tuple[str, str]]:
    """The in-force rule. From rows (id, version, adopted, spans the day, recorded end), keep per standard
    the newest adopted version spanning the day, plus older ones whose own recorded end is still to come
    (a transition window). Order: by id, newest first."""
    by_id: dict[str, list[tuple[str, bool]]] = {}
    for ident, version, adopted, spanning, until in rows:
        if adopted and spanning:
            by_id.setdefault(ident, []).append((version, until is not None))
    kept: list[tuple[str, str]] = []
    for ident in sorted(by_id):
        found = sorted(by_id[ident], key=lambda v: version_key(v[0]), reverse=True)
        kept.append((ident, found[0][0]))
        kept += [(ident, version) for version, ends in found[1:] if ends]
    return kept


def current(versions: Iterable[Standard], on: dt.date) -> list[Standard]:
    """Return the versions in force on a day (``current_keys``), by id, newest first."""
    listed = list(versions)
    by_key = {(s.id, s.version): s for s in listed}
    rows = ((s.id, s.version, s.status in ADOPTED, spans(s.raw, on), s.dates.get("valid_until")) for s in listed)
    return [by_key[k] for k in current_keys(rows)]


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


def in_effect(agreement: Agreement, on: dt.date) -> bool:
    """Return whether an agreement's status on a day is one under which it has effect."""
    event = agreement_status(agreement, on)
    return event is not None and event["status"] in ACTIVE


def opens_path(agreement: Agreement, on: dt.date) -> bool:
    """Return whether an agreement lets a holder of one party's label towards another party's label.

    It must recognise something and have effect on the day. A network's peer review (GEN's GENICES)
    never does: it is the basis on which two programmes may agree to recognise each other, not an
    agreement between them.
    """
    return agreement.network is None and bool(RECOGNISING.intersection(agreement.types)) and in_effect(agreement, on)


def peer_review_basis(agreements: Iterable[Agreement], a: str, b: str, on: dt.date) -> Agreement | None:
    """Return the network peer review both labels have passed (a basis for recognition, not a route), if any."""
    for agr in agreements:
        if agr.network is not None and a in agr.parties and b in agr.parties and in_effect(agr, on):
            return agr
    return None
