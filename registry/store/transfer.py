"""Moving documents in and out of the registry of record: all-or-nothing import, deterministic export."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from registry import canonical, jsonfile
from registry.catalog import Entry
from registry.diff import changes
from registry.errors import ConflictError
from registry.findings import Finding
from registry.in_force import window
from registry.store import audit
from registry.store.engine import write_session
from registry.store.models import STATES, Record, StandardVersion
from registry.store.reader import FROZEN, entries
from registry.store.service import now, record_id, settle_states
from registry.validation import Validator, expand
from registry.versions import version_key

MANIFEST = "manifest.json"
_FOLDERS = {
    "standard": "criteria",
    "label": "labels",
    "agreement": "agreements",
    "vocabulary": "vocabulary",
    "licence": "licences",
}


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
    previous: int | None = None  # the stored record's key, for an update


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
    """Import documents all or nothing: validated in the context of what is stored, then written in one go.

    Validation, the slow part, reads a snapshot without holding the write lock; the write then checks
    that nothing was written in between (the audit head) and, if something was, validates again.
    """
    targets = _expand(paths)
    for _attempt in range(_ATTEMPTS):
        report = ImportReport()
        states = _manifest_states(paths, report)
        with Session(engine) as session:
            seen = audit.head(session)
            plans = _validated_plans(session, validator, targets, report)
        if not report.ok:
            return report
        try:
            with write_session(engine) as session:
                if audit.head(session) != seen:
                    raise _Moved
                for plan in progress(plans) if progress else plans:
                    _apply(session, plan, actor=actor)
                touched = {p.entry.data["id"] for p in plans if p.entry.kind == "standard"}
                settle_states(session, touched, states, actor=actor)
        except _Moved:
            continue  # someone wrote in between: validate again against what is stored now
        return report
    raise ConflictError(f"the registry changed during each of {_ATTEMPTS} tries of this import; run it again")


_ATTEMPTS = 5


class _Moved(Exception):
    """Raised inside the write transaction when the registry changed since the import was validated."""


def _validated_plans(
    session: Session, validator: Validator, targets: list[Path], report: ImportReport
) -> list[_Planned]:
    """Validate the files against the stored documents and plan the writes; rejections go to the report."""
    stored = entries(session)
    result = validator.validate_paths(targets, context_entries=stored, check_context=True)
    for file_report in result.report.files:
        if not file_report.valid:
            where = file_report.path
            if where.startswith("db:"):
                where = f"{where} (stored; the import would make it invalid)"
            report.rejected.append((where, file_report.errors))
    chosen = {str(p) for p in targets}
    found = [e for e in result.catalog.entries if e.path in chosen]
    for entry in found:
        if entry.kind == "product":
            report.rejected.append(
                (
                    entry.path,
                    [Finding("/$schema", "a product declaration is not stored; check it with 'ecolabel check'")],
                )
            )
    return _plan(session, [e for e in found if e.kind != "product"], report)


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
        doc_id = record_id(entry.kind, entry.data)
        name = f"{entry.kind}:{doc_id}"
        record = session.exec(select(Record).where(Record.kind == entry.kind, Record.doc_id == doc_id)).first()
        if record is None:
            plans.append(_Planned("add", entry, text, sha))
            report.added.append(name)
        elif record.content_sha256 == sha:
            report.unchanged.append(name)
        else:
            plans.append(_Planned("update", entry, text, sha, record.pk))
            report.updated.append(name)
    return plans


def _apply(session: Session, plan: _Planned, *, actor: str) -> None:
    data, kind = plan.entry.data, plan.entry.kind
    if kind == "standard":
        start, until = window(data)
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
                published_at=now(),
                published_by=actor,
            )
        )
        audit.append(
            session, actor=actor, action="import", kind=kind, doc_id=data["id"], version=data["version"], after=plan.sha
        )
        return
    doc_id = record_id(kind, data)
    if plan.previous is None:
        session.add(Record(kind=kind, doc_id=doc_id, content=plan.text, content_sha256=plan.sha, updated_by=actor))
        audit.append(session, actor=actor, action="import", kind=kind, doc_id=doc_id, after=plan.sha)
        return
    before = session.get(Record, plan.previous)
    assert before is not None  # the audit head did not move since it was read
    delta = [c.as_json() for c in changes(json.loads(before.content), data)]
    before_sha = before.content_sha256
    before.content, before.content_sha256 = plan.text, plan.sha
    before.lock_version += 1
    before.updated_at, before.updated_by = now(), actor
    session.add(before)
    audit.append(
        session, actor=actor, action="update", kind=kind, doc_id=doc_id, before=before_sha, after=plan.sha, diff=delta
    )


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
        rows = session.exec(select(StandardVersion).where(col(StandardVersion.state).in_(FROZEN))).all()
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


def import_documents(engine: Engine, validator: Validator, docs: Sequence[Any], *, actor: str) -> ImportReport:
    """Import parsed documents (from a form or the API) exactly as files are imported: all or nothing."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="ecolabel-upload-") as tmp:
        paths = []
        for i, doc in enumerate(docs):
            path = Path(tmp) / f"upload-{i}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            paths.append(path)
        report = import_paths(engine, validator, paths, actor=actor)
    report.rejected = [(where.replace(tmp + "/", ""), found) for where, found in report.rejected]
    return report
