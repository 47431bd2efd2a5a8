"""The four-eyes rule on criteria: who entered a value, who verified it, and when a verification is lost.

A criterion's ``provenance.entered`` says who last entered its parameter, requirement or conditions and
when; ``provenance.review`` is the last review of that value by a second person (verified against the
official document, with the locator where it was read, or sent back with a comment). Both are stamped by
the registry, never taken from what is posted: :func:`settle` keeps them for a criterion whose value did
not change and renews them for one whose value did, so a changed value loses ``verified`` until someone
reviews it again, and nobody makes a criterion ``verified`` by setting the flag.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.model import Criterion

REVIEWED = ("parameter", "requirement", "conditions")  # what a verification vouches for


@dataclass(frozen=True)
class Notice:
    """A criterion whose posted ``verified`` flag was not kept, and why: ``changed`` (its value changed) or
    ``by_hand`` (the flag was set without a review)."""

    criterion: str
    reason: str

    @property
    def message(self) -> str:
        """Return the reason in words (English; the web pages say it in the reader's language)."""
        return CHANGED if self.reason == "changed" else BY_HAND


def person(actor: str) -> str:
    """Return the person an audit actor names (``web:sam``, ``api:sam (token 3 ab12…)`` and ``cli:sam`` are all
    ``sam``): the four-eyes rule is about people, whichever way they write."""
    name = actor.split(":", 1)[1] if actor.split(":", 1)[0] in ("web", "api", "cli") and ":" in actor else actor
    return name.split(" (token ", 1)[0]


def _value(criterion: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(criterion.get(k) for k in REVIEWED)


def _by_id(doc: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    if not doc:
        return {}
    return {c["id"]: c for c in doc.get("criteria") or [] if isinstance(c, Mapping) and isinstance(c.get("id"), str)}


def settle(
    base: Mapping[str, Any] | None, doc: Mapping[str, Any], *, actor: str, on: str
) -> tuple[dict[str, Any], list[Notice]]:
    """Return ``doc`` with each criterion's ``entered`` and ``review`` stamped against ``base`` (the
    content it was edited from, or the version a new version starts from), and the criteria whose
    ``verified`` flag was not kept.

    - a criterion whose value (parameter, requirement, conditions) is new or changed is entered by
      ``actor`` on ``on``; its review is dropped and ``verified`` becomes ``unverified``;
    - an unchanged one keeps the stamps of ``base``, whatever was posted; it is ``verified`` only if it
      was in ``base`` (a flag set by hand is put back).
    """
    out = copy.deepcopy(dict(doc))
    before = _by_id(base)
    notices: list[Notice] = []
    for criterion in out.get("criteria") or []:
        if not isinstance(criterion, dict) or not isinstance(criterion.get("provenance"), dict):
            continue
        provenance = criterion["provenance"]
        cid = str(criterion.get("id"))
        old = before.get(cid)
        old_provenance = old.get("provenance") if old is not None else None
        if not isinstance(old_provenance, Mapping):
            old_provenance = {}
        if old is None or _value(old) != _value(criterion):
            provenance["entered"] = {"by": person(actor), "on": on}
            provenance.pop("review", None)
            if provenance.get("verification") == "verified":
                provenance["verification"] = "unverified"
                notices.append(
                    Notice(cid, "changed" if old_provenance.get("verification") == "verified" else "by_hand")
                )
            continue
        for key in ("entered", "review"):
            if key in old_provenance:
                provenance[key] = copy.deepcopy(old_provenance[key])
            else:
                provenance.pop(key, None)
        was = old_provenance.get("verification", "unverified")
        if provenance.get("verification") == "verified" and was != "verified":
            provenance["verification"] = was
            notices.append(Notice(cid, "by_hand"))
        elif provenance.get("verification") != "verified" and _outcome(provenance) == "verified":
            provenance.pop("review")  # set back to not verified by hand: the verification no longer holds
    return out, notices


CHANGED = "its value changed, so it is not verified any more; someone other than its author verifies it again"
BY_HAND = "a criterion becomes verified from the review queue, by someone other than the person who entered its value"


def _outcome(provenance: Mapping[str, Any]) -> str | None:
    review = provenance.get("review")
    return review.get("outcome") if isinstance(review, Mapping) else None


def refusal(criterion: Mapping[str, Any], actor: str) -> str | None:
    """Return why ``actor`` may not review this criterion now, or None when they may (the four-eyes rule)."""
    provenance = criterion.get("provenance") or {}
    if not Criterion.from_json(criterion).has_value:
        return "it has no value to verify"
    if provenance.get("verification") == "verified":
        review = provenance.get("review") or {}
        return f"it is verified already (by {review.get('by', 'its source')}, {review.get('on', 'date not recorded')})"
    entered = provenance.get("entered") or {}
    if entered.get("by") == person(actor):
        return f"you entered its value (on {entered.get('on')}); someone else must verify it"
    return None


FINDABLE = ("url", "standard_number", "publisher")  # what lets a reader find a document


def source_problems(source: Mapping[str, Any]) -> dict[str, str]:
    """Return what a verification's source lacks, by field: which document (its title), where in it (the
    locator), and a way for a reader to find it (a URL, a document number or the publisher)."""
    problems: dict[str, str] = {}
    for key in ("title", "locator"):
        if not str(source.get(key) or "").strip():
            problems[key] = "needed to verify: say which document and where in it"
    if not any(str(source.get(k) or "").strip() for k in FINDABLE):
        problems["standard_number"] = "give a document number, a URL or the publisher, so that a reader can find it"
    return problems


def reviewed(
    criterion: Mapping[str, Any], *, actor: str, on: str, source: Mapping[str, Any] | None, comment: str | None
) -> dict[str, Any]:
    """Return the criterion verified against ``source`` (the official document, with its locator) or, given
    a ``comment`` instead, sent back to its author; the caller checks :func:`refusal` first."""
    out = copy.deepcopy(dict(criterion))
    provenance = out["provenance"]
    if source is not None:
        provenance["verification"] = "verified"
        provenance["review"] = {"by": person(actor), "on": on, "outcome": "verified", "source": dict(source)}
    else:
        provenance["review"] = {"by": person(actor), "on": on, "outcome": "returned", "comment": comment}
    return out


def waiting(criterion: Mapping[str, Any]) -> bool:
    """Return whether a criterion waits for review: it has a value that is not verified."""
    try:
        parsed = Criterion.from_json(criterion)
    except (KeyError, TypeError):
        return False
    return parsed.has_value and parsed.verification != "verified"


def returned(doc: Mapping[str, Any]) -> list[str]:
    """Return the criteria a reviewer sent back (not to be published so: the comment is for the author)."""
    return [
        str(c.get("id"))
        for c in doc.get("criteria") or []
        if isinstance(c, Mapping)
        and isinstance(c.get("provenance"), Mapping)
        and _outcome(c["provenance"]) == "returned"
    ]
