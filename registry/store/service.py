"""Writes to the registry of record: drafts, publishing, withdrawing (reads: ``registry.store.reader``).

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

from registry import canonical, review
from registry.diff import changes
from registry.errors import ConflictError, ImmutableError, InvalidDocumentError, NotFoundError, ReviewRefused
from registry.findings import Finding
from registry.in_force import ADOPTED, window
from registry.store import audit
from registry.store.engine import write_session
from registry.store.models import AuditEntry, StandardVersion
from registry.store.reader import context_for
from registry.store.reader import row as stored
from registry.validation import Validator
from registry.versions import version_key

_ATTEMPTS = 5


def now() -> dt.datetime:
    """Return the current time in UTC."""
    return dt.datetime.now(dt.UTC)


def today() -> str:
    """Return today's date (UTC) as the registry writes dates."""
    return now().date().isoformat()


def _base(session: Session, doc_id: str) -> dict[str, Any] | None:
    """Return the content a new version of a standard starts from: its newest stored version, if any."""
    rows = session.exec(
        select(StandardVersion.version, StandardVersion.content).where(StandardVersion.doc_id == doc_id)
    ).all()
    if not rows:
        return None
    return dict(json.loads(max(rows, key=lambda r: version_key(r[0]))[1]))


def record_id(kind: str, data: Mapping[str, Any]) -> str:
    """Return the id a label, agreement or vocabulary is stored under."""
    return str(data["category"]["id"] if kind == "vocabulary" else data["id"])


def settle_states(session: Session, doc_ids: set[str], wanted: Mapping[tuple[str, str], str], *, actor: str) -> None:
    """Apply withdrawals a manifest records, then keep one published version per standard: the newest."""
    session.flush()
    for doc_id in sorted(doc_ids):
        rows = session.exec(
            select(StandardVersion).where(
                StandardVersion.doc_id == doc_id, col(StandardVersion.state).in_(sorted(ADOPTED))
            )
        ).all()
        for row in rows:
            if wanted.get((doc_id, row.version)) == "withdrawn":
                _set_state(session, row, "withdrawn", actor=actor)
        live = sorted((r for r in rows if r.state != "withdrawn"), key=lambda r: version_key(r.version))
        for row in live:
            _set_state(session, row, "published" if row is live[-1] else "superseded", actor=actor)


def _set_state(session: Session, row: StandardVersion, state: str, *, actor: str, reason: str | None = None) -> None:
    if row.state == state:
        return
    change: list[dict[str, Any]] = [
        {"criterion": None, "path": "/state", "change": "changed", "a": row.state, "b": state}
    ]
    if reason:
        change.append({"criterion": None, "path": "/reason", "change": "added", "a": None, "b": reason})
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
    with write_session(engine) as session:
        exists = session.exec(
            select(StandardVersion.state).where(StandardVersion.doc_id == doc_id, StandardVersion.version == version)
        ).first()
        if exists is not None:
            raise ConflictError(f"{doc_id}@{version} exists already ({exists}); choose another version")
        data, _ = review.settle(_base(session, doc_id), data, actor=actor, on=today())
        text = canonical.dumps(data)
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

    A stale copy (someone saved in between) gets ConflictError, never a silent overwrite. Each criterion's
    ``entered`` and ``review`` stamps are settled against the content it replaces (``review.settle``).
    """
    _same_draft(data, doc_id, version)
    with write_session(engine) as session:
        row = _draft(session, doc_id, version)
        before = json.loads(row.content)
        data, _ = review.settle(before, data, actor=actor, on=today())
        _write(session, row, data, expected_lock, actor=actor, action="update_draft", diff=changes(before, data))
        return expected_lock + 1


def _same_draft(data: Mapping[str, Any], doc_id: str, version: str) -> None:
    if data.get("id") != doc_id or data.get("version") != version:
        raise InvalidDocumentError("a draft keeps its id and version", [Finding("/id", "id and version are fixed")])


def _write(
    session: Session,
    row: StandardVersion,
    data: Mapping[str, Any],
    expected_lock: int,
    *,
    actor: str,
    action: str,
    diff: list[Any],
) -> None:
    """Make ``data`` the content of the draft ``row`` if nobody saved it since ``expected_lock`` (else
    ConflictError), drop its work in progress, and audit the write."""
    text = canonical.dumps(data)
    sha = canonical.sha256(text)
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
            work=None,
        )
        .execution_options(synchronize_session=False)
    )
    _saved(done.rowcount, row, expected_lock)
    audit.append(
        session,
        actor=actor,
        action=action,
        kind="standard",
        doc_id=row.doc_id,
        version=row.version,
        before=row.content_sha256,
        after=sha,
        diff=[d if isinstance(d, dict) else d.as_json() for d in diff],
    )


def _saved(rowcount: int, row: StandardVersion, expected_lock: int) -> None:
    if rowcount != 1:
        raise ConflictError(
            f"{row.doc_id}@{row.version} was saved by someone else (now at edit {row.lock_version}, yours was "
            f"{expected_lock}); reload it and apply your change again"
        )


def _draft(session: Session, doc_id: str, version: str) -> StandardVersion:
    row = stored(session, doc_id, version)
    if row.state != "draft":
        raise ImmutableError(f"{doc_id}@{version} is {row.state}: published content is immutable; make a new version")
    return row


def save_work(
    engine: Engine, doc_id: str, version: str, data: Mapping[str, Any], *, expected_lock: int, actor: str
) -> int:
    """Keep an edit that is not valid yet as the draft's work in progress (its content, valid, stays as it
    was and is what publishing would publish); return the new lock version. A stale copy gets ConflictError."""
    _same_draft(data, doc_id, version)
    with write_session(engine) as session:
        row = _draft(session, doc_id, version)
        data, _ = review.settle(json.loads(row.content), data, actor=actor, on=today())
        text = canonical.dumps(data)
        done = session.exec(
            update(StandardVersion)
            .where(
                col(StandardVersion.pk) == row.pk,
                col(StandardVersion.state) == "draft",
                col(StandardVersion.lock_version) == expected_lock,
            )
            .values(work=text, lock_version=expected_lock + 1)
            .execution_options(synchronize_session=False)
        )
        _saved(done.rowcount, row, expected_lock)
        before = json.loads(row.work or row.content)
        audit.append(
            session,
            actor=actor,
            action="save_work",
            kind="standard",
            doc_id=doc_id,
            version=version,
            before=row.content_sha256,
            after=canonical.sha256(text),
            diff=[c.as_json() for c in changes(before, data)],
        )
        return expected_lock + 1


def review_criterion(
    engine: Engine,
    doc_id: str,
    version: str,
    criterion_id: str,
    *,
    expected_lock: int,
    actor: str,
    source: Mapping[str, Any] | None = None,
    comment: str | None = None,
) -> int:
    """Verify a draft's criterion against the official document (``source``, with the locator where the
    value was read) or send it back to its author with a ``comment``; return the new lock version.

    The four-eyes rule (``review.refusal``): nobody verifies a value they entered themselves. The reviewer,
    the date and the source are kept in the criterion's provenance and in the audit entry.
    """
    if (source is None) == (comment is None) or (comment is not None and not comment.strip()):
        raise InvalidDocumentError("a review verifies against a source or sends back with a comment", [])
    if source is not None and review.source_problems(source):
        findings = [Finding(f"/source/{k}", m) for k, m in review.source_problems(source).items()]
        raise InvalidDocumentError("the official document is not named well enough to verify against", findings)
    with write_session(engine) as session:
        row = _draft(session, doc_id, version)
        if row.work is not None:
            raise ConflictError(
                f"{doc_id}@{version} has work in progress that is not valid yet; it is fixed or discarded first"
            )
        data = json.loads(row.content)
        criteria = data.get("criteria") or []
        index = next((n for n, c in enumerate(criteria) if c.get("id") == criterion_id), None)
        if index is None:
            raise NotFoundError(f"{doc_id}@{version} has no criterion {criterion_id!r}")
        before = criteria[index]
        why = review.refusal(before, actor)
        if why is not None:
            raise ReviewRefused(f"{criterion_id} cannot be reviewed by {actor}: {why}")
        after = review.reviewed(before, actor=actor, on=today(), source=source, comment=comment)
        criteria[index] = after
        delta = [
            {
                "criterion": criterion_id,
                "path": f"/criteria/{index}/provenance",
                "change": "changed",
                "a": before["provenance"],
                "b": after["provenance"],
            }
        ]
        _write(
            session,
            row,
            data,
            expected_lock,
            actor=actor,
            action="verify" if source is not None else "send_back",
            diff=delta,
        )
        return expected_lock + 1


def discard_work(engine: Engine, doc_id: str, version: str, *, expected_lock: int, actor: str) -> int:
    """Drop a draft's work in progress (the draft's content stays); return the new lock version."""
    with write_session(engine) as session:
        row = _draft(session, doc_id, version)
        if row.work is None:
            return row.lock_version
        done = session.exec(
            update(StandardVersion)
            .where(col(StandardVersion.pk) == row.pk, col(StandardVersion.lock_version) == expected_lock)
            .values(work=None, lock_version=expected_lock + 1)
            .execution_options(synchronize_session=False)
        )
        _saved(done.rowcount, row, expected_lock)
        audit.append(
            session,
            actor=actor,
            action="discard_work",
            kind="standard",
            doc_id=doc_id,
            version=version,
            before=canonical.sha256(row.work),
            after=row.content_sha256,
        )
        return expected_lock + 1


def delete_draft(engine: Engine, doc_id: str, version: str, *, expected_lock: int, actor: str) -> None:
    """Delete a draft (audited, with the hash of what it held); published versions are never deleted."""
    with write_session(engine) as session:
        row = _draft(session, doc_id, version)
        if row.lock_version != expected_lock:
            _saved(0, row, expected_lock)
        session.delete(row)
        audit.append(
            session,
            actor=actor,
            action="delete_draft",
            kind="standard",
            doc_id=doc_id,
            version=version,
            before=row.content_sha256,
        )


def publish(
    engine: Engine, validator: Validator, doc_id: str, version: str, *, actor: str, as_older: bool = False
) -> str:
    """Validate a draft against the documents it references and publish it; return the state it ends in.

    The newest version becomes ``published`` and older ones ``superseded``. A draft whose version sorts
    before the current published one would be superseded at once: it is refused (ConflictError, saying
    so) unless ``as_older`` says that an older edition is being recorded on purpose. Validation reads a
    snapshot outside the write lock; the write then checks that nothing it read has changed since (the
    audit entries after the snapshot), and validates again if something has.
    """
    for _ in range(_ATTEMPTS):
        with Session(engine) as session:
            seen = audit.head(session)
            draft = stored(session, doc_id, version)
            _publishable(session, draft, as_older)
            data = json.loads(draft.content)
            context = context_for(session, data)
        findings = validator.validate_data(data, context=context, name=f"draft:{doc_id}@{version}")
        if findings:
            raise InvalidDocumentError(f"{doc_id}@{version} is not valid; nothing was published", findings)
        read = {e.data["id"] for e in context.iter_entries("standard")} | {doc_id}
        with write_session(engine) as session:
            if _touched(session, seen, read):
                continue  # something it was validated against changed: validate again
            draft = stored(session, doc_id, version)
            _publishable(session, draft, as_older)
            draft.state, draft.published_at, draft.published_by = "published", now(), actor
            session.add(draft)
            audit.append(
                session,
                actor=actor,
                action="publish",
                kind="standard",
                doc_id=doc_id,
                version=version,
                before=draft.content_sha256,
                after=draft.content_sha256,
            )
            settle_states(session, {doc_id}, {}, actor=actor)
            session.flush()
            session.refresh(draft)
            return draft.state
    raise ConflictError(f"the registry kept changing while {doc_id}@{version} was checked; try again")


def _publishable(session: Session, draft: StandardVersion, as_older: bool) -> None:
    """Raise unless a stored version may be published now."""
    if draft.state != "draft":
        raise ImmutableError(f"{draft.doc_id}@{draft.version} is {draft.state} already")
    if draft.work is not None:
        raise ConflictError(
            f"{draft.doc_id}@{draft.version} has work in progress that is not valid yet; fix it (then it is the "
            "draft) or discard it, then publish"
        )
    returned = review.returned(json.loads(draft.content))
    if returned:
        raise ConflictError(
            f"{draft.doc_id}@{draft.version}: {', '.join(returned)} sent back by a reviewer; fix the value, or have "
            "someone else verify it, then publish (a reviewer's comment is not published)"
        )
    current = _newer_published(session, draft.doc_id, draft.version)
    if current is not None and not as_older:
        raise ConflictError(
            f"{draft.doc_id}@{draft.version} sorts before the published {draft.doc_id}@{current}, so it would be "
            f"superseded at once; give it a version that sorts after {current!r}, or publish it as an older edition"
        )


def _touched(session: Session, after: int, standards: set[str]) -> bool:
    """Return whether a write since audit entry ``after`` changed a record or one of these standards."""
    rows = session.exec(select(AuditEntry.kind, AuditEntry.doc_id).where(col(AuditEntry.seq) > after)).all()
    return any(kind not in ("standard", "user") or (kind == "standard" and doc in standards) for kind, doc in rows)


def _newer_published(session: Session, doc_id: str, version: str) -> str | None:
    """Return the published version that sorts after ``version``, if there is one."""
    rows = session.exec(
        select(StandardVersion.version).where(StandardVersion.doc_id == doc_id, StandardVersion.state == "published")
    ).all()
    newer = [v for v in rows if version_key(v) > version_key(version)]
    return max(newer, key=version_key) if newer else None


def withdraw(engine: Engine, doc_id: str, version: str, *, actor: str, reason: str | None = None) -> None:
    """Withdraw a published version (its content stays, frozen and readable as withdrawn); the newest other
    version is published. The reason, if given, is kept in the audit entry."""
    with write_session(engine) as session:
        row = stored(session, doc_id, version)
        if row.state == "draft":
            raise ImmutableError(f"{doc_id}@{version} is a draft: there is nothing published to withdraw")
        if row.state == "withdrawn":
            raise ImmutableError(f"{doc_id}@{version} is withdrawn already")
        _set_state(session, row, "withdrawn", actor=actor, reason=reason)
        settle_states(session, {doc_id}, {}, actor=actor)


# --- criteria sheets


def import_sheet(
    engine: Engine, source: Any, validator: Validator, raw: bytes, doc_id: str, version: str, *, actor: str
) -> str:
    """Make the draft ``doc_id@version`` from a criteria sheet, or replace the criteria of that draft;
    return ``created`` or ``replaced``. Raise ``sheet.SheetError`` naming the cell of every problem;
    nothing is stored unless the whole draft is valid.

    A new draft takes its header from the workbook's ``document`` sheet, else (a CSV) from the newest
    stored version of the standard. ``source`` is the ``StoreReader`` of ``engine``.
    """
    from registry import sheet

    read = sheet.read(raw)
    source.refresh()
    versions = {v.version: v for v in source.versions(doc_id, drafts=True)}
    current = versions.get(version)
    if current is not None and current.state != "draft":
        raise sheet.SheetError(
            [
                sheet.Problem(
                    "",
                    f"{doc_id}@{version} is {current.state}: published content never changes; "
                    "import into a new version",
                )
            ]
        )
    if current is not None:
        header = json.loads(source.content(current))
    elif read.header is not None:
        header = read.header
    elif versions:
        newest = max(versions.values(), key=lambda v: version_key(v.version))
        header = json.loads(source.content(newest))
    else:
        raise sheet.SheetError(
            [
                sheet.Problem(
                    "",
                    f"a CSV holds criteria only, and {doc_id} has no stored version to take the "
                    "document's header from; import an XLSX with its 'document' sheet",
                )
            ]
        )
    doc = sheet.document(read, header, doc_id, version)
    findings = source.validate_standard(doc, validator)
    if findings:
        raise sheet.SheetError(read.problems(findings))
    if current is None:
        create_draft(engine, doc, actor=actor)
        return "created"
    update_draft(engine, doc_id, version, doc, expected_lock=current.lock_version, actor=actor)
    return "replaced"
