"""The four-eyes rule on both engines: who entered a value is stamped by the registry, nobody verifies their
own value, a verification is kept while the value stays and lost when it changes (in an edit or in a new
version), and a flag set by hand is not a verification."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from registry import review
from registry.errors import ConflictError, ReviewRefused
from registry.store import reader, service, transfer
from registry.store.models import AuditEntry
from registry.validation import Validator
from tests.conftest import STANDARDS

DOC = "de-uz-204"
OFFICIAL = {
    "title": "Blue Angel DE-UZ 204, Stationary Room Air Conditioners, Basic Award Criteria",
    "standard_number": "DE-UZ 204",
    "edition": "2016-08",
    "publisher": "RAL gGmbH",
    "locator": "clause 3.2, table 1",
}


def _content(engine: Engine, version: str) -> dict[str, Any]:
    with Session(engine) as session:
        return dict(json.loads(reader.row(session, DOC, version).content))


def _lock(engine: Engine, version: str) -> int:
    with Session(engine) as session:
        return reader.row(session, DOC, version).lock_version


def _numeric(doc: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in doc["criteria"] if c["requirement"]["type"] == "max" and c["requirement"].get("value"))


def _by_id(doc: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in doc["criteria"] if c["id"] == cid)


@pytest.fixture
def draft(engine: Engine, validator: Validator) -> tuple[Engine, dict[str, Any]]:
    """A draft 2050 of DE-UZ 204 whose first numeric value was changed by 'ann'."""
    report = transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    assert report.ok, report.rejected
    doc = _content(engine, "2016-08")
    doc["version"] = "2050"
    service.create_draft(engine, doc, actor="admin")
    edited = copy.deepcopy(doc)
    target = _numeric(edited)
    target["requirement"]["value"]["value"] += 1
    service.update_draft(engine, DOC, "2050", edited, expected_lock=1, actor="ann")
    return engine, target


def test_an_edit_stamps_its_author_and_keeps_the_others(draft: tuple[Engine, dict[str, Any]]) -> None:
    engine, target = draft
    doc = _content(engine, "2050")
    changed = _by_id(doc, target["id"])["provenance"]
    assert changed["entered"]["by"] == "ann" and changed["entered"]["on"] == service.today()
    untouched = [c for c in doc["criteria"] if c["id"] != target["id"]]
    assert all("entered" not in c["provenance"] for c in untouched)  # a copy is not an entry


def test_the_author_cannot_verify_but_a_second_person_can(draft: tuple[Engine, dict[str, Any]]) -> None:
    engine, target = draft
    lock = _lock(engine, "2050")
    for same_person in ("ann", "web:ann", "api:ann (token 3 ab12…)", "cli:ann"):  # whichever way she writes
        with pytest.raises(ReviewRefused, match="you entered its value"):
            service.review_criterion(
                engine, DOC, "2050", target["id"], expected_lock=lock, actor=same_person, source=OFFICIAL
            )
    assert _lock(engine, "2050") == lock  # nothing stored
    service.review_criterion(engine, DOC, "2050", target["id"], expected_lock=lock, actor="bob", source=OFFICIAL)
    provenance = _by_id(_content(engine, "2050"), target["id"])["provenance"]
    assert provenance["verification"] == "verified"
    assert provenance["review"] == {"by": "bob", "on": service.today(), "outcome": "verified", "source": OFFICIAL}
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc())).first()
    assert entry is not None and entry.action == "verify" and entry.actor == "bob"
    assert json.loads(entry.diff)[0]["b"]["review"]["source"]["locator"] == "clause 3.2, table 1"
    with pytest.raises(ReviewRefused, match="verified already"):
        service.review_criterion(engine, DOC, "2050", target["id"], expected_lock=lock + 1, actor="cy", source=OFFICIAL)


def test_a_stale_review_is_refused(draft: tuple[Engine, dict[str, Any]]) -> None:
    engine, target = draft
    with pytest.raises(ConflictError):
        service.review_criterion(engine, DOC, "2050", target["id"], expected_lock=1, actor="bob", source=OFFICIAL)


def test_a_verification_is_kept_while_the_value_stays_and_lost_when_it_changes(
    draft: tuple[Engine, dict[str, Any]],
) -> None:
    engine, target = draft
    service.review_criterion(
        engine, DOC, "2050", target["id"], expected_lock=_lock(engine, "2050"), actor="bob", source=OFFICIAL
    )
    verified = _by_id(_content(engine, "2050"), target["id"])
    # An edit elsewhere, posted without the stamps (as a form or a sheet posts it), keeps them.
    doc = _content(engine, "2050")
    for c in doc["criteria"]:
        c["provenance"].pop("review", None)
        c["provenance"].pop("entered", None)
    doc["criteria"][-1]["title"]["en"] = "Another title"
    service.update_draft(engine, DOC, "2050", doc, expected_lock=_lock(engine, "2050"), actor="ann")
    assert _by_id(_content(engine, "2050"), target["id"])["provenance"] == verified["provenance"]
    # A new version made from it keeps the verification of every unchanged value.
    copied = {**_content(engine, "2050"), "version": "2051"}
    service.create_draft(engine, copied, actor="admin")
    assert _by_id(_content(engine, "2051"), target["id"])["provenance"] == verified["provenance"]
    # Its value changed in the new version: not verified any more, entered by who changed it.
    changed = _content(engine, "2051")
    _by_id(changed, target["id"])["requirement"]["value"]["value"] += 1
    service.update_draft(engine, DOC, "2051", changed, expected_lock=_lock(engine, "2051"), actor="cy")
    provenance = _by_id(_content(engine, "2051"), target["id"])["provenance"]
    assert provenance["verification"] == "unverified" and "review" not in provenance
    assert provenance["entered"]["by"] == "cy"
    assert _by_id(_content(engine, "2050"), target["id"])["provenance"] == verified["provenance"]  # 2050 keeps it


def test_a_flag_set_by_hand_or_a_forged_review_is_not_a_verification(draft: tuple[Engine, dict[str, Any]]) -> None:
    engine, target = draft
    doc = _content(engine, "2050")
    forged = _by_id(doc, target["id"])["provenance"]
    was = forged["verification"]
    assert was != "verified"
    forged["verification"] = "verified"
    forged["review"] = {"by": "bob", "on": "2026-01-01", "outcome": "verified", "source": OFFICIAL}
    forged["entered"] = {"by": "someone-else", "on": "2020-01-01"}
    service.update_draft(engine, DOC, "2050", doc, expected_lock=_lock(engine, "2050"), actor="ann")
    provenance = _by_id(_content(engine, "2050"), target["id"])["provenance"]
    assert provenance["verification"] == was and "review" not in provenance  # the flag is put back
    assert provenance["entered"]["by"] == "ann"  # the stamp is the registry's, not what was posted


def test_send_back_keeps_the_value_unverified_and_the_draft_unpublished(
    draft: tuple[Engine, dict[str, Any]], validator: Validator
) -> None:
    engine, target = draft
    service.review_criterion(
        engine,
        DOC,
        "2050",
        target["id"],
        expected_lock=_lock(engine, "2050"),
        actor="bob",
        comment="Table 1 says 2.5, not this",
    )
    provenance = _by_id(_content(engine, "2050"), target["id"])["provenance"]
    assert provenance["verification"] != "verified"
    assert provenance["review"]["outcome"] == "returned" and provenance["review"]["comment"].startswith("Table 1")
    assert review.waiting(_by_id(_content(engine, "2050"), target["id"]))
    with pytest.raises(ConflictError, match="sent back"):  # the comment is for the author, not for the public
        service.publish(engine, validator, DOC, "2050", actor="admin")


def test_settle_is_idempotent_and_a_new_criterion_is_entered_by_its_author() -> None:
    base = {"criteria": []}
    criterion = {
        "id": "x",
        "parameter": "p",
        "requirement": {"type": "max", "value": {"value": 1, "unit": "kg"}},
        "provenance": {"verification": "verified", "sources": [{"title": "t"}]},
    }
    once, notices = review.settle(base, {"criteria": [criterion]}, actor="ann", on="2026-11-25")
    assert notices == [review.Notice("x", "by_hand")]
    assert once["criteria"][0]["provenance"] == {
        "verification": "unverified",
        "sources": [{"title": "t"}],
        "entered": {"by": "ann", "on": "2026-11-25"},
    }
    again, notices = review.settle(base, once, actor="ann", on="2026-11-25")
    assert again == once and notices == []
