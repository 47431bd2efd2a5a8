"""Use cases of the registry of record: import, drafts, publishing, date-aware lookups, export.

Every write runs in one transaction with its audit entries: it happens completely or not at
all. Published content never changes: a change is a new version (the database triggers refuse
it too, whatever path an UPDATE takes).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from registry import canonical, dates, jsonfile
from registry.catalog import Catalog, Entry
from registry.diff import changes
from registry.errors import ConflictError, ImmutableError, InvalidDocumentError, NotFoundError
from registry.findings import Finding
from registry.store import audit
from registry.store.engine import write_session
from registry.store.models import STATES, Record, StandardVersion
from registry.validation import Validator, expand
from registry.versions import version_key

MANIFEST = "manifest.json"
_FOLDERS = {"standard": "criteria", "label": "labels", "agreement": "agreements", "vocabulary": "vocabulary"}
_LIVE = ("published", "superseded", "withdrawn")  # states whose content is frozen


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _record_id(kind: str, data: Mapping[str, Any]) -> str:
    return str(data["category"]["id"] if kind == "vocabulary" else data["id"])


def _in_force(data: Mapping[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    """Return the first and last day a standard is in force, from its dates (partial dates widened).

    A draft may hold dates that are not valid yet: they count as unknown until it is published.
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


# --- reading


def entries(session: Session) -> list[Entry]:
    """Return every stored non-draft document as validation context."""
    found = [
        Entry(f"db:{r.kind}/{r.doc_id}", r.kind, json.loads(r.content))
        for r in session.exec(select(Record).order_by(col(Record.kind), col(Record.doc_id)))
    ]
    rows = session.exec(
        select(StandardVersion).where(col(StandardVersion.state).in_(_LIVE)).order_by(col(StandardVersion.pk))
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


# --- import


@dataclass
class ImportReport:
    """What an import did, or would have done: documents added, unchanged, updated, rejected."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rejected: list[tuple[str, list[Finding]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether the import was committed (nothing rejected)."""
        return not self.rejected

    def as_json(self) -> dict[str, Any]:
        """Return the report as the CLI's JSON object."""
        return {
            "committed": self.ok,
            "added": self.added,
            "unchanged": self.unchanged,
            "updated": self.updated,
            "rejected": [{"path": p, "errors": [f.as_json() for f in fs]} for p, fs in self.rejected],
        }


@dataclass(frozen=True)
class _Planned:
    action: str  # add, update
    entry: Entry
    text: str
    sha: str
    previous: Record | None = None


def _manifest_states(paths: Sequence[Path], report: ImportReport) -> dict[tuple[str, str], str]:
    """Return the standard states recorded by export manifests in the folders named."""
    states: dict[tuple[str, str], str] = {}
    for path in paths:
        manifest = path / MANIFEST
        if not (path.is_dir() and manifest.is_file()):
            continue
        loaded = jsonfile.load_path(manifest)
        items = loaded.data.get("standards") if loaded.ok and isinstance(loaded.data, dict) else None
        if not isinstance(items, list) or not all(
            isinstance(i, dict) and {"id", "version", "state"} <= i.keys() and i["state"] in STATES for i in items
        ):
            errors = loaded.errors or [
                Finding("/standards", "expected a list of {id, version, state} with known states")
            ]
            report.rejected.append((str(manifest), errors))
            continue
        for item in items:
            states[(str(item["id"]), str(item["version"]))] = str(item["state"])
    return states


def import_paths(
    engine: Engine,
    validator: Validator,
    paths: Sequence[Path],
    *,
    actor: str,
    progress: Callable[[Iterable[Any]], Iterable[Any]] | None = None,
) -> ImportReport:
    """Import documents all or nothing: validated in the context of what is stored, then written in one go."""
    report = ImportReport()
    states = _manifest_states(paths, report)
    targets = _expand(paths)
    try:
        with write_session(engine) as session:
            stored = entries(session)
            result = validator.validate_paths(targets, context_entries=stored, check_context=True)
            for file_report in result.report.files:
                if not file_report.valid:
                    where = file_report.path
                    if where.startswith("db:"):
                        where = f"{where} (stored; the import would make it invalid)"
                    report.rejected.append((where, file_report.errors))
            chosen = {str(p) for p in targets}
            plans = _plan(session, [e for e in result.catalog.entries if e.path in chosen], report)
            if not report.ok:
                raise _Rejected
            for plan in progress(plans) if progress else plans:
                _apply(session, plan, actor=actor)
            touched = {p.entry.data["id"] for p in plans if p.entry.kind == "standard"}
            _settle_states(session, touched, states, actor=actor)
    except _Rejected:
        pass  # rolled back: nothing of this import is stored
    return report


class _Rejected(Exception):
    """Raised inside the import transaction to roll it back when anything was rejected."""


def _expand(paths: Sequence[Path]) -> list[Path]:
    return [p for p in expand(paths) if p.name != MANIFEST]


def _plan(session: Session, found: list[Entry], report: ImportReport) -> list[_Planned]:
    plans = []
    for entry in found:
        text = canonical.dumps(entry.data)
        sha = canonical.sha256(text)
        if entry.kind == "standard":
            name = f"{entry.data['id']}@{entry.data['version']}"
            row = session.exec(
                select(StandardVersion).where(
                    StandardVersion.doc_id == entry.data["id"], StandardVersion.version == entry.data["version"]
                )
            ).first()
            if row is None:
                plans.append(_Planned("add", entry, text, sha))
                report.added.append(name)
            elif row.content_sha256 == sha:
                report.unchanged.append(name)
            else:
                what = "a draft of it is being edited" if row.state == "draft" else "published content is immutable"
                message = f"{name} is stored with other content ({what}); give the changed document a new version"
                report.rejected.append((entry.path, [Finding("/version", message)]))
            continue
        doc_id = _record_id(entry.kind, entry.data)
        name = f"{entry.kind}:{doc_id}"
        record = session.exec(select(Record).where(Record.kind == entry.kind, Record.doc_id == doc_id)).first()
        if record is None:
            plans.append(_Planned("add", entry, text, sha))
            report.added.append(name)
        elif record.content_sha256 == sha:
            report.unchanged.append(name)
        else:
            plans.append(_Planned("update", entry, text, sha, record))
            report.updated.append(name)
    return plans


def _apply(session: Session, plan: _Planned, *, actor: str) -> None:
    data, kind = plan.entry.data, plan.entry.kind
    if kind == "standard":
        start, until = _in_force(data)
        session.add(
            StandardVersion(
                doc_id=data["id"],
                version=data["version"],
                state="published",
                category=data["category"],
                in_force_from=start,
                in_force_until=until,
                content=plan.text,
                content_sha256=plan.sha,
                created_by=actor,
                published_at=_now(),
                published_by=actor,
            )
        )
        audit.append(
            session, actor=actor, action="import", kind=kind, doc_id=data["id"], version=data["version"], after=plan.sha
        )
        return
    doc_id = _record_id(kind, data)
    if plan.previous is None:
        session.add(Record(kind=kind, doc_id=doc_id, content=plan.text, content_sha256=plan.sha, updated_by=actor))
        audit.append(session, actor=actor, action="import", kind=kind, doc_id=doc_id, after=plan.sha)
        return
    before = plan.previous
    delta = [c.as_json() for c in changes(json.loads(before.content), data)]
    before_sha = before.content_sha256
    before.content, before.content_sha256 = plan.text, plan.sha
    before.lock_version += 1
    before.updated_at, before.updated_by = _now(), actor
    session.add(before)
    audit.append(
        session, actor=actor, action="update", kind=kind, doc_id=doc_id, before=before_sha, after=plan.sha, diff=delta
    )


def _settle_states(session: Session, doc_ids: set[str], wanted: Mapping[tuple[str, str], str], *, actor: str) -> None:
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
        start, until = _in_force(data)
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
        start, until = _in_force(data)
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


def publish(engine: Engine, validator: Validator, doc_id: str, version: str, *, actor: str) -> None:
    """Validate a draft in the context of the stored documents and publish it; older versions become superseded."""
    with write_session(engine) as session:
        row = get_version(session, doc_id, version)
        if row.state != "draft":
            raise ImmutableError(f"{doc_id}@{version} is {row.state} already")
        data = json.loads(row.content)
        findings = validator.validate_data(data, context=Catalog(entries(session)), name=f"draft:{doc_id}@{version}")
        if findings:
            raise InvalidDocumentError(f"{doc_id}@{version} is not valid; nothing was published", findings)
        row.state, row.published_at, row.published_by = "published", _now(), actor
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
        _settle_states(session, {doc_id}, {}, actor=actor)


def withdraw(engine: Engine, doc_id: str, version: str, *, actor: str) -> None:
    """Withdraw a published version (its content stays, frozen); the newest other version is published."""
    with write_session(engine) as session:
        row = get_version(session, doc_id, version)
        if row.state == "draft":
            raise ImmutableError(f"{doc_id}@{version} is a draft: there is nothing published to withdraw")
        _set_state(session, row, "withdrawn", actor=actor)
        _settle_states(session, {doc_id}, {}, actor=actor)


# --- export and seeding


def export(engine: Engine, folder: Path) -> int:
    """Write every stored non-draft document, one file per version, sorted keys; return the file count."""
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    manifest: dict[str, Any] = {"format": 1, "standards": [], "records": []}
    with Session(engine) as session:
        for record in session.exec(select(Record).order_by(col(Record.kind), col(Record.doc_id))):
            _write(folder / _FOLDERS[record.kind] / f"{record.doc_id}.json", record.content)
            manifest["records"].append({"kind": record.kind, "id": record.doc_id, "sha256": record.content_sha256})
            written += 1
        rows = session.exec(select(StandardVersion).where(col(StandardVersion.state).in_(_LIVE))).all()
        for row in sorted(rows, key=lambda r: (r.doc_id, version_key(r.version))):
            _write(folder / "criteria" / row.doc_id / f"{row.version}.json", row.content)
            manifest["standards"].append(
                {"id": row.doc_id, "version": row.version, "state": row.state, "sha256": row.content_sha256}
            )
            written += 1
    (folder / MANIFEST).write_text(canonical.pretty(manifest), encoding="utf-8")
    return written


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(canonical.pretty(json.loads(content)), encoding="utf-8")


def is_empty(engine: Engine) -> bool:
    """Return whether no document is stored yet."""
    with Session(engine) as session:
        return session.exec(select(Record.pk).limit(1)).first() is None and (
            session.exec(select(StandardVersion.pk).limit(1)).first() is None
        )
