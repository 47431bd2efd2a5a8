"""The registry of record, read: one reader per process, brought up to date from the audit trail.

Every write appends audit entries in its own transaction, so the audit head says whether
anything changed and the entries after it say what. ``StoreReader.refresh`` re-reads only the
standards and records those entries name (a full read happens once, or after a large gap). The
listing of standards is read as it is asked for: one standard, the categories of a check, or the
whole of it for a list page or a search. Parsed standards are kept by content hash in one bounded
LRU: a published version never changes, so the same content is parsed once and the checker's
compiled criteria (kept per object) stay valid. A check's standards are kept as ``Deferred``: read
and parsed, all of them together, when first used beyond their listing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, func
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from registry import bulk
from registry.catalog import Catalog, Entry
from registry.errors import NotFoundError
from registry.findings import Finding, blocking
from registry.in_force import ADOPTED
from registry.model import DocumentRef, Standard
from registry.source import Deferred, Reading, VersionInfo, criteria_lines, in_force_on, pick_version
from registry.store.models import AuditEntry, ContentSummary, Record, StandardVersion
from registry.validation import Validator
from registry.versions import version_key

FROZEN = (*sorted(ADOPTED), "withdrawn")  # states whose content never changes again
FULL_READ_AFTER = 2_000  # audit entries: beyond this many since the last refresh, read everything again
_CHUNK = 500
SUMMARY_FORMAT = 3  # how ``VersionInfo.of`` summarises content: raise it when that changes
CRITERIA_FORMAT = 1000 + SUMMARY_FORMAT  # the same table holds each content's ``criteria_lines`` (for a search)
log = logging.getLogger(__name__)
_DRAFT_WORK = ("create_draft", "update_draft", "save_work", "discard_work", "delete_draft", "verify", "send_back")


@dataclass(frozen=True)
class Change:
    """One audit entry as pages and the command line show it."""

    seq: int
    at: str
    actor: str
    action: str
    kind: str
    doc_id: str
    version: str | None
    before_sha256: str | None
    after_sha256: str | None


# --- reads within a session (the write paths validate against these too)


def entries(session: Session) -> list[Entry]:
    """Return every stored non-draft document as validation context (the whole catalogue: imports)."""
    found = [
        Entry(f"db:{r.kind}/{r.doc_id}", r.kind, json.loads(r.content))
        for r in session.exec(select(Record).order_by(col(Record.kind), col(Record.doc_id)))
    ]
    rows = session.exec(
        select(StandardVersion).where(col(StandardVersion.state).in_(FROZEN)).order_by(col(StandardVersion.pk))
    )
    found += [Entry(f"db:standard/{s.doc_id}@{s.version}", "standard", json.loads(s.content)) for s in rows]
    return found


def context_for(session: Session, data: Mapping[str, Any]) -> Catalog:
    """Return what a standard is validated against: every label, agreement and vocabulary, the other
    stored versions of the same standard and the parents it names (not the whole catalogue)."""
    found = [
        Entry(f"db:{r.kind}/{r.doc_id}", r.kind, json.loads(r.content))
        for r in session.exec(select(Record).order_by(col(Record.kind), col(Record.doc_id)))
    ]
    ids = {str(data.get("id"))}
    for parent in data.get("parents") or ():
        if isinstance(parent, Mapping) and isinstance(parent.get("id"), str):
            ids.add(parent["id"])
    rows = session.exec(
        select(StandardVersion).where(
            col(StandardVersion.doc_id).in_(sorted(ids)), col(StandardVersion.state).in_(FROZEN)
        )
    )
    found += [Entry(f"db:standard/{s.doc_id}@{s.version}", "standard", json.loads(s.content)) for s in rows]
    return Catalog(found)


def row(session: Session, doc_id: str, version: str) -> StandardVersion:
    """Return one stored version's row (any state: the write paths decide what a state allows)."""
    found = session.exec(
        select(StandardVersion).where(StandardVersion.doc_id == doc_id, StandardVersion.version == version)
    ).first()
    if found is None:
        raise NotFoundError(f"no stored version {doc_id}@{version}")
    return found


def counts(session: Session) -> dict[str, int]:
    """Return how many documents are stored, by kind and state."""
    found: dict[str, int] = {}
    for kind, n in session.exec(select(Record.kind, func.count()).group_by(Record.kind)):
        found[kind] = int(n)
    for state, n in session.exec(select(StandardVersion.state, func.count()).group_by(StandardVersion.state)):
        found[f"standard:{state}"] = int(n)
    return dict(sorted(found.items()))


def is_empty(engine: Engine) -> bool:
    """Return whether no document is stored yet."""
    with Session(engine) as session:
        return session.exec(select(Record.pk).limit(1)).first() is None and (
            session.exec(select(StandardVersion.pk).limit(1)).first() is None
        )


_RECORD_COLUMNS = (col(Record.kind), col(Record.doc_id), col(Record.content))
_INFO_COLUMNS = (
    col(StandardVersion.doc_id),
    col(StandardVersion.version),
    col(StandardVersion.state),
    col(StandardVersion.category),
    col(StandardVersion.content_sha256),
    col(StandardVersion.lock_version),
)


class StoreReader(Reading):
    """The ``Source`` over the database of record, for the web registry, the checker and the command line."""

    def __init__(self, engine: Engine, *, parsed_limit: int = 256, auto_refresh: bool = True) -> None:
        self.engine = engine
        # True: every read first asks whether anything changed; False: the owner calls refresh() (the web:
        # once per request, so that one request reads one state of the registry).
        self.auto_refresh = auto_refresh
        self.parsed_limit = parsed_limit
        # The largest set one read has needed (a check needs every standard in force in its categories):
        # the cache never shrinks below it, or each check would parse, and compile, part of that set again.
        self._working = 0
        self._lock = threading.RLock()
        self._head = -1
        self._infos: dict[str, list[VersionInfo]] = {}  # per standard, oldest first, drafts included
        # The listing is read as it is asked for: one standard, the standards of some categories (a check), or
        # all of them (a list page, a search). A standard in ``_infos`` has all its versions there.
        self._whole = False  # every standard is in ``_infos``
        self._categories: set[str] = set()  # categories every standard of which is in ``_infos``
        self._listing: list[VersionInfo] | None = []  # None: to be rebuilt when next listed
        self._stale: set[str] = set()  # standards changed since they were read (audit entries say which)
        self._records: dict[tuple[str, str], Entry] = {}
        self._catalog = Catalog(())  # labels, agreements and vocabularies
        self._parsed: OrderedDict[str, Standard] = OrderedDict()
        self.reads = 0  # documents read and summarised since start (a test holds refreshes to what changed)

    # --- freshness: the audit head

    @property
    def head_seen(self) -> int:
        """Return the audit head as of the last refresh."""
        return self._head

    def refresh(self) -> int:
        """Bring the reader up to date with the database; return the audit head it now reflects."""
        with self.engine.connect() as conn:  # Core, not the ORM: this runs before every request
            head = int(conn.execute(sa_select(func.max(AuditEntry.seq))).scalar() or 0)
            if head == self._head:
                return head
            with self._lock:
                if head == self._head:
                    return head
                if self._head < 0 or head < self._head or head - self._head > FULL_READ_AFTER:
                    self._read_all(conn)
                else:
                    self._read_changed(conn, self._head, head)
                self._head = head
        return head

    def _fresh(self) -> None:
        if self.auto_refresh or self._head < 0:
            self.refresh()

    def _read_all(self, conn: Connection) -> None:
        with bulk.building():
            self._read_all_now(conn)

    def _read_all_now(self, conn: Connection) -> None:
        self._records = {
            (kind, doc_id): Entry(f"db:{kind}/{doc_id}", kind, json.loads(content))
            for kind, doc_id, content in conn.execute(sa_select(*_RECORD_COLUMNS))
        }
        self._catalog = Catalog(self._records.values())
        self._infos, self._listing, self._stale, self._whole, self._categories = {}, None, set(), False, set()

    def _read_whole(self) -> None:
        """Read every standard's listing (the first list page or search of a process)."""
        if self._whole:
            return
        with self._lock, self.engine.connect() as conn:
            if self._whole:
                return
            rows = conn.execute(sa_select(*_INFO_COLUMNS)).all()
            known = {v.sha: v for versions in self._infos.values() for v in versions}
            infos: dict[str, list[VersionInfo]] = {}
            with bulk.building() if len(rows) > bulk.MANY else contextlib.nullcontext():
                self._store_infos(conn, rows, known, infos)
            self._infos, self._listing, self._stale, self._whole = infos, None, set(), True

    def _read_categories(self, categories: Sequence[str]) -> None:
        """Read the listing of every standard with a version in the categories (with all its versions)."""
        wanted = sorted(set(categories) - self._categories)
        if self._whole or not wanted:
            return
        with self._lock, self.engine.connect() as conn:
            wanted = sorted(set(categories) - self._categories)
            if self._whole or not wanted:
                return
            ids = sa_select(col(StandardVersion.doc_id)).where(col(StandardVersion.category).in_(wanted))
            rows = conn.execute(sa_select(*_INFO_COLUMNS).where(col(StandardVersion.doc_id).in_(ids))).all()
            known = {v.sha: v for versions in self._infos.values() for v in versions}
            fresh: dict[str, list[VersionInfo]] = {}
            self._store_infos(conn, rows, known, fresh)
            infos = dict(self._infos)
            infos.update(fresh)
            self._infos, self._listing = infos, None
            self._categories.update(wanted)

    def _read_changed(self, conn: Connection, after: int, head: int) -> None:
        changed = conn.execute(
            sa_select(col(AuditEntry.kind), col(AuditEntry.doc_id)).where(
                col(AuditEntry.seq) > after, col(AuditEntry.seq) <= head
            )
        ).all()
        standards = sorted({doc_id for kind, doc_id in changed if kind == "standard"})
        records = {(kind, doc_id) for kind, doc_id in changed if kind not in ("standard", "user")}
        # Readers in other threads keep the old objects until the new ones are complete.
        if records:
            kept = {k: e for k, e in self._records.items() if k not in records}
            wanted = sorted({d for _, d in records})
            for kind, doc_id, content in conn.execute(
                sa_select(*_RECORD_COLUMNS).where(col(Record.doc_id).in_(wanted))
            ):
                if (kind, doc_id) in records:
                    kept[(kind, doc_id)] = Entry(f"db:{kind}/{doc_id}", kind, json.loads(content))
            self._records, self._catalog = kept, Catalog(kept.values())
        if standards:
            # Read when next asked for: a page of another standard pays for the audit entries only.
            self._stale.update(standards)
            self._listing = None

    def _settle(self, doc_id: str | None) -> None:
        """Read the standards a read needs that are stale or not read yet (one standard, or every stale one)."""
        unread = doc_id is not None and not self._whole and doc_id not in self._infos
        if not unread and (not self._stale or (doc_id is not None and doc_id not in self._stale)):
            return
        with self._lock, self.engine.connect() as conn:
            unread = doc_id is not None and not self._whole and doc_id not in self._infos
            standards = sorted(
                self._stale if doc_id is None else ({doc_id} & self._stale) | ({doc_id} if unread else set())
            )
            fresh: dict[str, list[VersionInfo]] = {}  # new lists, swapped in per standard (none disappears)
            for start in range(0, len(standards), _CHUNK):
                chunk = standards[start : start + _CHUNK]
                known = {v.sha: v for d in chunk for v in self._infos.get(d, ())}
                rows = conn.execute(sa_select(*_INFO_COLUMNS).where(col(StandardVersion.doc_id).in_(chunk))).all()
                self._store_infos(conn, rows, known, fresh)
            gone = [d for d in standards if d not in fresh]  # a deleted draft was all the standard had
            infos = {d: v for d, v in self._infos.items() if d not in gone} if gone else self._infos
            infos.update(fresh)
            self._infos = infos
            self._stale.difference_update(standards)

    def _store_infos(
        self,
        conn: Connection,
        rows: Sequence[Any],
        known: Mapping[str, VersionInfo],
        infos: dict[str, list[VersionInfo]],
    ) -> None:
        """Summarise stored versions into ``infos``; content is read only for hashes not summarised before."""
        summaries: dict[str, VersionInfo] = dict(known)
        need = sorted({r[4] for r in rows} - summaries.keys())
        for start in range(0, len(need), _CHUNK):
            for sha, text in conn.execute(
                sa_select(col(ContentSummary.sha256), col(ContentSummary.summary)).where(
                    col(ContentSummary.format) == SUMMARY_FORMAT,
                    col(ContentSummary.sha256).in_(need[start : start + _CHUNK]),
                )
            ):
                summaries[sha] = VersionInfo.from_content_summary(text, sha=sha)
        need = [sha for sha in need if sha not in summaries]
        worked_out: list[tuple[str, int, str]] = []
        for start in range(0, len(need), _CHUNK):
            for sha, content in conn.execute(
                sa_select(col(StandardVersion.content_sha256), col(StandardVersion.content)).where(
                    col(StandardVersion.content_sha256).in_(need[start : start + _CHUNK])
                )
            ):
                if sha not in summaries:
                    data = json.loads(content)
                    summaries[sha] = VersionInfo.of(data, state="", sha=sha)
                    worked_out.append((sha, SUMMARY_FORMAT, summaries[sha].content_summary()))
                    worked_out.append((sha, CRITERIA_FORMAT, criteria_lines(data)))
                    self.reads += 1
        if worked_out:
            self._remember(worked_out)
        for doc_id, version, state, category, sha, lock in rows:
            base = summaries[sha]
            info = VersionInfo(
                doc_id,
                version,
                state,
                category,
                sha,
                lock,
                base.in_force_from,
                base.in_force_until,
                base.title,
                base.kind,
                base.labels,
                base.designation,
                base.criteria_count,
                base.with_value,
                base.verified,
                base.complete,
            )
            infos.setdefault(doc_id, []).append(info)
        for doc_id in {r[0] for r in rows}:
            infos[doc_id].sort(key=lambda v: version_key(v.version))

    def _remember(self, worked_out: Sequence[tuple[str, int, str]]) -> None:
        """Store summaries (sha, format, text) worked out from content, for every process after this one (derived
        data: when the database refuses, for example a writer holds it too long, the next reader works them out
        again)."""
        rows = [{"sha256": sha, "format": form, "summary": text} for sha, form, text in worked_out]
        insert = postgresql_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        try:
            with self.engine.begin() as conn:
                for start in range(0, len(rows), _CHUNK):
                    conn.execute(insert(ContentSummary).on_conflict_do_nothing(), rows[start : start + _CHUNK])
        except OperationalError as exc:
            log.warning("content summaries not stored (they will be worked out again): %s", exc.orig)

    # --- the Source port

    @property
    def catalog(self) -> Catalog:
        """Return labels, agreements and vocabularies as a catalogue (no standards: list those with versions)."""
        self._fresh()
        return self._catalog

    def versions(self, doc_id: str | None = None, *, drafts: bool = False) -> list[VersionInfo]:
        """Return stored versions (oldest first per standard); drafts only when allowed."""
        self._fresh()
        if doc_id is None:
            self._read_whole()
        self._settle(doc_id)
        if doc_id is not None:
            found = self._infos.get(doc_id, [])
        else:
            with self._lock:
                if self._listing is None:
                    self._listing = [v for i in sorted(self._infos) for v in self._infos[i]]
                found = self._listing
        return [v for v in found if drafts or v.state != "draft"]

    def info(self, ref: DocumentRef, *, drafts: bool = False) -> VersionInfo:
        """Return the listing of the version a reference names (see ``registry.source.pick_version``)."""
        self._fresh()
        self._settle(ref.id)
        return pick_version(ref.id, ref.version, self._infos.get(ref.id, ()), drafts=drafts)

    def parsed(self, infos: Sequence[VersionInfo]) -> list[Standard]:
        """Return the documents of listed versions, parsed once per content hash."""
        return self._parse(infos)

    def listed(self, categories: Sequence[str], *, drafts: bool = False) -> list[VersionInfo]:
        """Return the stored versions of the categories; drafts only when allowed (the listing is read for
        those categories only, unless the whole of it has been read)."""
        self._fresh()
        self._settle(None)
        self._read_categories(categories)
        wanted = set(categories)
        return [
            v
            for versions in self._infos.values()
            for v in versions
            if v.category in wanted and (drafts or v.state != "draft")
        ]

    def deferred(self, infos: Sequence[VersionInfo]) -> list[Standard]:
        """Return the documents of listed versions: those not parsed yet as ``Deferred`` (read when first used
        beyond their listing), kept by content hash like parsed ones."""
        return self._parse(infos, defer=True)

    def criteria_texts(self, infos: Sequence[VersionInfo]) -> dict[str, str]:
        """Return the ``criteria_lines`` of listed versions by content hash: kept beside the summaries, not in
        the listing (a listing of 10,000 standards read 42 MB of them, for a search only)."""
        need = sorted({v.sha for v in infos})
        found: dict[str, str] = {}
        worked_out: list[tuple[str, int, str]] = []
        with self.engine.connect() as conn:
            for start in range(0, len(need), _CHUNK):
                chunk = need[start : start + _CHUNK]
                query = sa_select(col(ContentSummary.sha256), col(ContentSummary.summary)).where(
                    col(ContentSummary.format) == CRITERIA_FORMAT, col(ContentSummary.sha256).in_(chunk)
                )
                found.update((sha, text) for sha, text in conn.execute(query))
            missing = [sha for sha in need if sha not in found]
            for start in range(0, len(missing), _CHUNK):
                chunk = missing[start : start + _CHUNK]
                query = sa_select(col(StandardVersion.content_sha256), col(StandardVersion.content)).where(
                    col(StandardVersion.content_sha256).in_(chunk)
                )
                for sha, content in conn.execute(query):
                    if sha not in found:
                        found[sha] = criteria_lines(json.loads(content))
                        worked_out.append((sha, CRITERIA_FORMAT, found[sha]))
        if worked_out:
            self._remember(worked_out)
        return found

    def in_force(self, on: dt.date, doc_id: str | None = None) -> list[VersionInfo]:
        """Return the versions in force on a day (all standards, or one), by id, newest first."""
        found = sorted(in_force_on(self.versions(doc_id), on), key=lambda v: version_key(v.version), reverse=True)
        return sorted(found, key=lambda v: v.doc_id)

    def content(self, info: VersionInfo) -> str:
        """Return a stored version's canonical JSON (the listing says which; the caller chose it)."""
        with Session(self.engine) as session:
            found = session.exec(
                select(StandardVersion.content).where(
                    StandardVersion.doc_id == info.doc_id, StandardVersion.version == info.version
                )
            ).first()
        if found is None:
            raise NotFoundError("that version is no longer stored")
        return found

    def changed_since(self, since: dt.datetime) -> set[tuple[str, str]]:
        """Return the (kind, id) of every document with a public change at or after a moment (draft work
        and user accounts do not count: they would tell anonymous callers that a draft exists)."""
        at = since.astimezone(dt.UTC).isoformat(timespec="microseconds")
        query = (
            sa_select(col(AuditEntry.kind), col(AuditEntry.doc_id))
            .where(col(AuditEntry.at) >= at, col(AuditEntry.kind) != "user")
            .where(col(AuditEntry.action).not_in(_DRAFT_WORK))
            .distinct()
        )
        with self.engine.connect() as conn:
            return {(kind, doc_id) for kind, doc_id in conn.execute(query)}

    def changes(self, *, limit: int = 50, before: int | None = None, public: bool = False) -> list[Change]:
        """Return audit entries, newest first; ``public``: only what anonymous visitors may see (changes to
        published documents: no user accounts, no draft work)."""
        query = select(AuditEntry).order_by(col(AuditEntry.seq).desc()).limit(limit)
        if public:
            query = query.where(col(AuditEntry.kind) != "user", col(AuditEntry.action).not_in(_DRAFT_WORK))
        if before is not None:
            query = query.where(col(AuditEntry.seq) < before)
        with Session(self.engine) as session:
            return [
                Change(
                    e.seq or 0,
                    e.at,
                    e.actor,
                    e.action,
                    e.kind,
                    e.doc_id,
                    e.version,
                    e.before_sha256,
                    e.after_sha256,
                )
                for e in session.exec(query)
            ]

    def work(self, info: VersionInfo) -> str | None:
        """Return a draft's work in progress (an edit not valid yet), or None when there is none."""
        with self.engine.connect() as conn:
            return conn.execute(
                sa_select(col(StandardVersion.work)).where(
                    col(StandardVersion.doc_id) == info.doc_id,
                    col(StandardVersion.version) == info.version,
                    col(StandardVersion.state) == "draft",
                )
            ).scalar()

    def context_for(self, data: Mapping[str, Any]) -> Catalog:
        """Return what a standard is validated against (see the module function ``context_for``)."""
        with Session(self.engine) as session:
            return context_for(session, data)

    def validate_standard(self, doc: Any, validator: Validator) -> list[Finding]:
        """Validate a criteria document against what it references here (its stored namesake, if any,
        stood in for): the one check of the web's drafts, uploads and API, and of imported sheets."""
        if not isinstance(doc, dict):
            return [Finding("", "a criteria document is a JSON object")]
        kind, findings = validator.shape(doc)
        if kind is None or blocking(findings):
            return findings
        if kind != "standard":
            return [Finding("/$schema", f"this is a {kind} document, not a criteria document")]
        key = ("standard", f"{doc['id']}@{doc['version']}")
        others = Catalog(e for e in self.context_for(doc).entries if e.key != key)
        return validator.validate_data(doc, context=others, name="upload")

    def entries(self) -> list[Entry]:
        """Return every stored non-draft document (the command line's --db catalogue)."""
        with Session(self.engine) as session:
            return entries(session)

    # --- parsing, once per content hash

    def _parse(self, infos: Iterable[VersionInfo], *, defer: bool = False) -> list[Standard]:
        wanted = list(infos)
        with self._lock:
            if defer:
                group = tuple(wanted)
                for v in wanted:
                    if v.sha not in self._parsed:
                        self._parsed[v.sha] = Deferred(v, functools.partial(self._load, v, group))
            missing = [] if defer else sorted({v.sha for v in wanted if not _is_read(self._parsed.get(v.sha))})
        many = bulk.building() if len(missing) > bulk.MANY else contextlib.nullcontext()
        with many, Session(self.engine) as session:
            for start in range(0, len(missing), _CHUNK):
                chunk = missing[start : start + _CHUNK]
                rows = session.exec(
                    select(StandardVersion.content_sha256, StandardVersion.content).where(
                        col(StandardVersion.content_sha256).in_(chunk)
                    )
                )
                parsed = {sha: Standard.from_json(json.loads(content), sha=sha) for sha, content in rows}
                with self._lock:
                    for sha, std in parsed.items():
                        held = self._parsed.get(sha)
                        if isinstance(held, Deferred):
                            held.fill(std)  # the same object: what holds it (compiled criteria) stays valid
                        else:
                            self._parsed[sha] = std
        found: list[Standard] = []
        with self._lock:
            for v in wanted:
                kept = self._parsed.get(v.sha)
                if kept is None or not (defer or _is_read(kept)):
                    raise NotFoundError(f"{v.doc_id}@{v.version} changed while it was read; try again")
                self._parsed.move_to_end(v.sha)
                found.append(kept)
            self._working = max(self._working, len(wanted))
            while len(self._parsed) > max(self.parsed_limit, self._working):
                self._parsed.popitem(last=False)
        return found

    def _load(self, info: VersionInfo, group: Sequence[VersionInfo]) -> Standard:
        """Read and parse a deferred document on its first use beyond the listing, and with it the others deferred
        together that are not read yet (a report shows every standard of its check: they are read in chunks, not
        one query each)."""
        return self._parse([info, *group])[0]


def _is_read(std: Standard | None) -> bool:
    """Return whether a kept document has been read (a ``Deferred`` one may not be yet)."""
    return std is not None and (not isinstance(std, Deferred) or std.loaded)
