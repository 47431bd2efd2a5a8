"""The qualification checker's source over the registry of record.

Parsed documents are kept by content hash: a published version never changes, so once parsed
(and its criteria compiled by the checker) it is reused by every later check. Each check asks
the database only which versions are in force (an indexed query that reads no content) and
fetches the content of versions it has not parsed yet.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from registry.catalog import Catalog, Entry
from registry.model import Agreement, DocumentRef, Label, Standard
from registry.store.models import Record, StandardVersion
from registry.versions import version_key
from registry.vocabulary import Vocabulary

ADOPTED_STATES = ("published", "superseded")
_LIMIT = 50_000


def in_force_query(categories: Sequence[str], on: dt.date) -> Any:
    """Return the query for adopted versions of some categories whose dates span a day (no content read)."""
    return select(StandardVersion.pk, StandardVersion.content_sha256).where(
        col(StandardVersion.category).in_(list(categories)),
        col(StandardVersion.state).in_(ADOPTED_STATES),
        col(StandardVersion.in_force_from) <= on,
        (col(StandardVersion.in_force_until).is_(None)) | (col(StandardVersion.in_force_until) >= on),
    )


class StoreSource:
    """A checker source reading the database; call ``refresh`` before each check to see record changes."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._standards: dict[str, Standard] = {}
        self._records_key: frozenset[tuple[str, str, str]] = frozenset()
        self._catalog = Catalog(())
        self.agreements: tuple[Agreement, ...] = ()

    @property
    def vocabulary(self) -> Vocabulary:
        """Return the stored vocabulary."""
        return self._catalog.vocabulary

    @property
    def labels(self) -> Mapping[str, Label]:
        """Return the stored label programmes."""
        return self._catalog.labels

    def refresh(self) -> None:
        """Re-read labels, agreements and vocabularies when any of them changed since the last check."""
        with Session(self.engine) as session:
            key = frozenset(session.exec(select(Record.kind, Record.doc_id, Record.content_sha256)).all())
            if key == self._records_key:
                return
            rows = session.exec(select(Record)).all()
            catalog = Catalog(Entry(f"db:{r.kind}/{r.doc_id}", r.kind, json.loads(r.content)) for r in rows)
        with self._lock:
            self._catalog, self._records_key = catalog, key
            self.agreements = tuple(catalog.agreements.values())

    def _parsed(self, session: Session, wanted: Mapping[int, str]) -> list[Standard]:
        missing = [pk for pk, sha in wanted.items() if sha not in self._standards]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            rows = session.exec(
                select(StandardVersion.content_sha256, StandardVersion.content).where(
                    col(StandardVersion.pk).in_(chunk)
                )
            )
            parsed = {sha: Standard.from_json(json.loads(content)) for sha, content in rows}
            with self._lock:
                if len(self._standards) + len(parsed) > _LIMIT:
                    self._standards.clear()
                self._standards.update(parsed)
        cache = self._standards
        return [cache[sha] for sha in wanted.values() if sha in cache]

    def adopted(self, categories: Sequence[str], on: dt.date) -> list[Standard]:
        """Return the adopted versions of the categories whose dates span the day."""
        with Session(self.engine) as session:
            wanted = dict(session.exec(in_force_query(categories, on)).all())
            return self._parsed(session, wanted)

    def standard(self, ref: DocumentRef) -> Standard | None:
        """Return one adopted version, the newest published one when the version is omitted."""
        query = select(StandardVersion.pk, StandardVersion.content_sha256, StandardVersion.version).where(
            StandardVersion.doc_id == ref.id
        )
        if ref.version is None:
            query = query.where(StandardVersion.state == "published")
        else:
            query = query.where(StandardVersion.version == ref.version, col(StandardVersion.state).in_(ADOPTED_STATES))
        with Session(self.engine) as session:
            rows = session.exec(query).all()
            if not rows:
                return None
            pk, sha, _ = max(rows, key=lambda r: version_key(r[2]))
            assert pk is not None
            found = self._parsed(session, {pk: sha})
        return found[0] if found else None
