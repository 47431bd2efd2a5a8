"""Use cases of the registry of record: reading, drafts, publishing, withdrawing, date-aware lookups.

Every write runs in one transaction with its audit entries: it happens completely or not at
all. Published content never changes: a change is a new version (the database triggers refuse
it too, whatever path an UPDATE takes).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from registry import canonical
from registry.catalog import Catalog, Entry
from registry.diff import changes
from registry.errors import ConflictError, ImmutableError, InvalidDocumentError, NotFoundError
from registry.findings import Finding
from registry.in_force import window
from registry.store import audit
from registry.store.engine import write_session
from registry.store.models import Record, StandardVersion
from registry.validation import Validator
from registry.versions import version_key

LIVE = ("published", "superseded", "withdrawn")  # states whose content is frozen


def now() -> dt.datetime:
    """Return the current time in UTC."""
    return dt.datetime.now(dt.UTC)


def record_id(kind: str, data: Mapping[str, Any]) -> str:
    """Return the id a label, agreement or vocabulary is stored under."""
    return str(data["category"]["id"] if kind == "vocabulary" else data["id"])


# --- reading


def entries(session: Session) -> list[Entry]:
    """Return every stored non-draft document as validation context."""
    found = [
        Entry(f"db:{r.kind}/{r.doc_id}", r.kind, json.loads(r.content))
        for r in session.exec(select(Record).order_by(col(Record.kind), col(Record.doc_id)))
    ]
    rows = session.exec(
        select(StandardVersion).where(col(StandardVersion.state).in_(LIVE)).order_by(col(StandardVersion.pk))
    )
    found += [Entry(f"db:standard/{s.doc_id}@{s.version}", "standard", json.loads(s.content)) for s in rows]
    return found


def get_version(session: Session, doc_id: str, version: str) -> StandardVersion:
    """Return one stored version of a standard."""
    row = session.exec(
        select(StandardVersion).where(StandardVersion.doc_id == doc_id, StandardVersion.version == version)
    ).first()
    if row is None:
        raise NotFoundError(f"no stored version {doc_id}@{version}")
    return row


def in_force(session: Session, doc_id: str, on: dt.date) -> list[StandardVersion]:
    """Return the versions of a standard in force on a date, newest first (two in a transition window)."""
    rows = session.exec(
        select(StandardVersion).where(
            StandardVersion.doc_id == doc_id,
            col(StandardVersion.state).in_(("published", "superseded")),
            col(StandardVersion.in_force_from) <= on,
            (col(StandardVersion.in_force_until).is_(None)) | (col(StandardVersion.in_force_until) >= on),
        )
    ).all()
    return sorted(rows, key=lambda r: version_key(r.version), reverse=True)


def counts(session: Session) -> dict[str, int]:
    """Return how many documents are stored, by kind and state."""
    found: dict[str, int] = {}
    for r in session.exec(select(Record.kind)):
        found[r] = found.get(r, 0) + 1
    for state in session.exec(select(StandardVersion.state)):
        key = f"standard:{state}"
        found[key] = found.get(key, 0) + 1
    return dict(sorted(found.items()))


def settle_states(session: Session, doc_ids: set[str], wanted: Mapping[tuple[str, str], str], *, actor: str) -> None:
    """Apply withdrawals a manifest records, then keep one published version per standard: the newest."""
    session.flush()
    for doc_id in sorted(doc_ids):
        rows = session.exec(
            select(StandardVersion).where(
                StandardVersion.doc_id == doc_id, col(StandardVersion.state).in_(("published", "superseded"))
            )
        ).all()
        for row in rows:
            if wanted.get((doc_id, row.version)) == "withdrawn":
                _set_state(session, row, "withdrawn", actor=actor)
        live = sorted((r for r in rows if r.state != "withdrawn"), key=lambda r: version_key(r.version))
        for row in live:
            _set_state(session, row, "published" if row is live[-1] else "superseded", actor=actor)


def _set_state(session: Session, row: StandardVersion, state: str, *, actor: str) -> None:
    if row.state == state:
        return
    change = [{"criterion": None, "path": "/state", "change": "changed", "a": row.state, "b": state}]
    row.state = state
    session.add(row)
    audit.append(
        session,
        actor=actor,
        action=state if state != "published" else "publish",
        kind="standard",
        doc_id=row.doc_id,
        version=row.version,
        before=row.content_sha256,
        after=row.content_sha256,
        diff=change,
    )


# --- drafts and publishing


def create_draft(engine: Engine, data: Mapping[str, Any], *, actor: str) -> StandardVersion:
    """Store a new draft version of a standard (checked fully only when published)."""
    doc_id, version, category = (data.get(k) for k in ("id", "version", "category"))
    if not all(isinstance(v, str) and v for v in (doc_id, version, category)):
        raise InvalidDocumentError(
            "a draft needs an id, a version and a category", [Finding("", "id, version, category")]
        )
    assert isinstance(doc_id, str) and isinstance(version, str) and isinstance(category, str)
    text = canonical.dumps(data)
    with write_session(engine) as session:
        exists = session.exec(
            select(StandardVersion.state).where(StandardVersion.doc_id == doc_id, StandardVersion.version == version)
        ).first()
        if exists is not None:
            raise ConflictError(f"{doc_id}@{version} exists already ({exists}); choose another version")
        start, until = window(data)
        row = StandardVersion(
            doc_id=doc_id,
            version=version,
            state="draft",
            category=category,
            in_force_from=start,
            in_force_until=until,
            content=text,
            content_sha256=canonical.sha256(text),
            created_by=actor,
        )
        session.add(row)
        audit.append(
            session,
            actor=actor,
            action="create_draft",
            kind="standard",
            doc_id=doc_id,
            version=version,
            after=row.content_sha256,
        )
        session.flush()
        session.refresh(row)
        session.expunge(row)
        return row


def update_draft(
    engine: Engine, doc_id: str, version: str, data: Mapping[str, Any], *, expected_lock: int, actor: str
) -> int:
    """Save a draft edited from the copy at ``expected_lock``; return the new lock version.

    A stale copy (someone saved in between) gets ConflictError, never a silent overwrite.
    """
    if data.get("id") != doc_id or data.get("version") != version:
        raise InvalidDocumentError("a draft keeps its id and version", [Finding("/id", "id and version are fixed")])
    text = canonical.dumps(data)
    sha = canonical.sha256(text)
    with write_session(engine) as session:
        row = get_version(session, doc_id, version)
        if row.state != "draft":
            raise ImmutableError(
                f"{doc_id}@{version} is {row.state}: published content is immutable; make a new version"
            )
        before_text, before_sha = row.content, row.content_sha256
        start, until = window(data)
        done = session.exec(
            update(StandardVersion)
            .where(
                col(StandardVersion.pk) == row.pk,
                col(StandardVersion.state) == "draft",
                col(StandardVersion.lock_version) == expected_lock,
            )
            .values(
                content=text,
                content_sha256=sha,
                category=str(data.get("category", row.category)),
                in_force_from=start,
                in_force_until=until,
                lock_version=expected_lock + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:
            raise ConflictError(
                f"{doc_id}@{version} was saved by someone else (now at edit {row.lock_version}, yours was "
                f"{expected_lock}); reload it and apply your change again"
            )
        delta = [c.as_json() for c in changes(json.loads(before_text), data)]
        audit.append(
            session,
            actor=actor,
            action="update_draft",
            kind="standard",
            doc_id=doc_id,
            version=version,
            before=before_sha,
            after=sha,
            diff=delta,
        )
        return expected_lock + 1


def publish(
    engine: Engine, validator: Validator, doc_id: str, version: str, *, actor: str, as_older: bool = False
) -> str:
    """Validate a draft in the context of the stored documents and publish it; return the state it ends in.

    The newest version becomes ``published`` and older ones ``superseded``. A draft whose version sorts
    before the current published one would be superseded at once: it is refused (ConflictError, saying
    so) unless ``as_older`` says that an older edition is being recorded on purpose.
    """
    with write_session(engine) as session:
        row = get_version(session, doc_id, version)
        if row.state != "draft":
            raise ImmutableError(f"{doc_id}@{version} is {row.state} already")
        current = _newer_published(session, doc_id, version)
        if current is not None and not as_older:
            raise ConflictError(
                f"{doc_id}@{version} sorts before the published {doc_id}@{current}, so it would be superseded at "
                f"once; give it a version that sorts after {current!r}, or publish it as an older edition"
            )
        data = json.loads(row.content)
        findings = validator.validate_data(data, context=Catalog(entries(session)), name=f"draft:{doc_id}@{version}")
        if findings:
            raise InvalidDocumentError(f"{doc_id}@{version} is not valid; nothing was published", findings)
        row.state, row.published_at, row.published_by = "published", now(), actor
        session.add(row)
        audit.append(
            session,
            actor=actor,
            action="publish",
            kind="standard",
            doc_id=doc_id,
            version=version,
            before=row.content_sha256,
            after=row.content_sha256,
        )
        settle_states(session, {doc_id}, {}, actor=actor)
        session.flush()
        session.refresh(row)
        return row.state


def _newer_published(session: Session, doc_id: str, version: str) -> str | None:
    """Return the published version that sorts after ``version``, if there is one."""
    rows = session.exec(
        select(StandardVersion.version).where(StandardVersion.doc_id == doc_id, StandardVersion.state == "published")
    ).all()
    newer = [v for v in rows if version_key(v) > version_key(version)]
    return max(newer, key=version_key) if newer else None


def withdraw(engine: Engine, doc_id: str, version: str, *, actor: str) -> None:
    """Withdraw a published version (its content stays, frozen); the newest other version is published."""
    with write_session(engine) as session:
        row = get_version(session, doc_id, version)
        if row.state == "draft":
            raise ImmutableError(f"{doc_id}@{version} is a draft: there is nothing published to withdraw")
        _set_state(session, row, "withdrawn", actor=actor)
        settle_states(session, {doc_id}, {}, actor=actor)


# --- seeding


def is_empty(engine: Engine) -> bool:
    """Return whether no document is stored yet."""
    with Session(engine) as session:
        return session.exec(select(Record.pk).limit(1)).first() is None and (
            session.exec(select(StandardVersion.pk).limit(1)).first() is None
        )
