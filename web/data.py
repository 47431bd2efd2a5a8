"""What the web registry reads, kept while nothing changes (every write appends to the audit trail)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from registry.catalog import Catalog
from registry.errors import NotFoundError
from registry.model import Standard
from registry.store import service
from registry.store.checking import StoreSource
from registry.store.models import AuditEntry, StandardVersion
from registry.validation import Validator
from registry.versions import version_key
from web.pagecache import PageCache


@dataclass(frozen=True)
class VersionInfo:
    """One stored version, without its content."""

    doc_id: str
    version: str
    state: str
    category: str
    sha: str
    lock_version: int


class Data:
    """The web registry's view of the database of record."""

    def __init__(self, engine: Engine, validator: Validator, source: StoreSource) -> None:
        self.engine, self.validator, self.source = engine, validator, source
        self._lock = threading.Lock()
        self._head = -1
        self._catalog = Catalog(())
        self._versions: list[VersionInfo] = []
        self._parsed: dict[str, Standard] = {}
        self.rendered = PageCache()  # pages until the next write; published content by its hash

    @property
    def head_seen(self) -> int:
        """Return the audit head as of the last refresh (call after reading through this object)."""
        return self._head

    def keep(self, key: tuple[Any, ...], value: Any) -> None:
        """Keep something rendered (bounded in bytes; too large a page is not kept)."""
        self.rendered.put(key, value)

    def head(self) -> int:
        """Return the last audit entry's number: it changes with every write."""
        with Session(self.engine) as session:
            return int(session.exec(select(func.max(AuditEntry.seq))).one() or 0)

    def _refresh(self) -> None:
        head = self.head()
        if head == self._head:
            return
        with Session(self.engine) as session:
            catalog = Catalog(service.entries(session))
            rows = session.execute(
                sa_select(
                    col(StandardVersion.doc_id),
                    col(StandardVersion.version),
                    col(StandardVersion.state),
                    col(StandardVersion.category),
                    col(StandardVersion.content_sha256),
                    col(StandardVersion.lock_version),
                )
            ).all()
        versions = sorted((VersionInfo(*r) for r in rows), key=lambda v: (v.doc_id, version_key(v.version)))
        with self._lock:
            self._catalog, self._versions, self._head = catalog, versions, head

    @property
    def catalog(self) -> Catalog:
        """Return the stored documents (drafts excluded) as a catalogue."""
        self._refresh()
        return self._catalog

    def versions(self, doc_id: str | None = None, *, drafts: bool = False) -> list[VersionInfo]:
        """Return stored versions (oldest first per standard), drafts only when asked."""
        self._refresh()
        return [v for v in self._versions if (doc_id is None or v.doc_id == doc_id) and (drafts or v.state != "draft")]

    def info(self, doc_id: str, version: str) -> VersionInfo:
        """Return one stored version's state and hash."""
        for v in self.versions(doc_id, drafts=True):
            if v.version == version:
                return v
        raise NotFoundError(f"no stored version {doc_id}@{version}")

    def latest(self, doc_id: str) -> VersionInfo:
        """Return the published version of a standard, else its newest stored non-draft version."""
        found = self.versions(doc_id)
        if not found:
            raise NotFoundError(f"no standard {doc_id!r}")
        published = [v for v in found if v.state == "published"]
        return (published or found)[-1]

    def standard(self, doc_id: str, version: str | None = None) -> tuple[Standard, VersionInfo]:
        """Return a stored version (drafts included when named), parsed once per content hash."""
        info = self.latest(doc_id) if version is None else self.info(doc_id, version)
        std = self._parsed.get(info.sha)
        if std is None:
            with Session(self.engine) as session:
                content = service.get_version(session, info.doc_id, info.version).content
            std = Standard.from_json(json.loads(content))
            with self._lock:
                if len(self._parsed) > 5000:
                    self._parsed.clear()
                self._parsed[info.sha] = std
        return std, info

    def content(self, doc_id: str, version: str) -> str:
        """Return a stored version's canonical JSON (kept by hash once published: it never changes)."""
        info = self.info(doc_id, version)
        found = self.rendered.get(("content", info.sha))
        if found is not None:
            return str(found)
        with Session(self.engine) as session:
            content = service.get_version(session, doc_id, version).content
        if info.state != "draft":
            self.keep(("content", info.sha), content)
        return content

    def audit(self, *, limit: int = 50, before: int | None = None, public: bool = False) -> list[AuditEntry]:
        """Return audit entries, newest first; ``public``: only changes to published documents (no user
        changes, no draft work)."""
        query = select(AuditEntry).order_by(col(AuditEntry.seq).desc()).limit(limit)
        if public:
            query = query.where(
                col(AuditEntry.kind) != "user", col(AuditEntry.action).not_in(("create_draft", "update_draft"))
            )
        if before is not None:
            query = query.where(col(AuditEntry.seq) < before)
        with Session(self.engine) as session:
            return list(session.exec(query).all())
