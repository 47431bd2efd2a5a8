"""The audit trail: append-only rows chained by SHA-256, so that any edit or deletion shows."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from registry import canonical
from registry.store.models import AuditEntry

GENESIS = "0" * 64
_CHAIN_LOCK = 14024  # advisory lock key on PostgreSQL: one appender at a time keeps the chain linear


def _payload(entry: AuditEntry) -> str:
    return canonical.dumps(
        {
            "at": entry.at,
            "actor": entry.actor,
            "action": entry.action,
            "kind": entry.kind,
            "doc_id": entry.doc_id,
            "version": entry.version,
            "before_sha256": entry.before_sha256,
            "after_sha256": entry.after_sha256,
            "diff": json.loads(entry.diff),
        }
    )


def head(session: Session) -> int:
    """Return the number of the last audit entry (0 when there is none): every write moves it."""
    return int(session.exec(select(func.max(AuditEntry.seq))).one() or 0)


def entry_hash(entry: AuditEntry) -> str:
    """Return the hash an entry must carry: of the previous hash and its own fields."""
    return canonical.sha256(entry.prev_hash + _payload(entry))


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    kind: str,
    doc_id: str,
    version: str | None = None,
    before: str | None = None,
    after: str | None = None,
    diff: Sequence[Mapping[str, Any]] | None = None,
) -> AuditEntry:
    """Append one entry in the session's transaction (committed, or rolled back, with the write)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.exec(text(f"SELECT pg_advisory_xact_lock({_CHAIN_LOCK})"))  # type: ignore[call-overload]
    last = session.exec(select(AuditEntry.entry_hash).order_by(col(AuditEntry.seq).desc()).limit(1)).first()
    entry = AuditEntry(
        at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
        actor=actor,
        action=action,
        kind=kind,
        doc_id=doc_id,
        version=version,
        before_sha256=before,
        after_sha256=after,
        diff=canonical.dumps(list(diff or [])),
        prev_hash=last or GENESIS,
        entry_hash="",
    )
    entry.entry_hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class Verdict:
    """The result of checking the chain."""

    entries: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        """Return whether every entry checked out."""
        return self.broken_at is None


def verify(session: Session) -> Verdict:
    """Walk the chain in order and name the first entry that does not check out."""
    rows = session.exec(select(AuditEntry).order_by(col(AuditEntry.seq)).execution_options(yield_per=1000))
    try:
        return _walk(rows)
    finally:
        rows.close()  # a server-side cursor on PostgreSQL: close it even when the walk stops early


def _walk(rows: Iterable[AuditEntry]) -> Verdict:
    expected_prev = GENESIS
    count = 0
    for entry in rows:
        count += 1
        if entry.prev_hash != expected_prev:
            return Verdict(
                count, entry.seq, "its link to the previous entry is broken (an entry was removed or altered)"
            )
        if entry_hash(entry) != entry.entry_hash:
            return Verdict(count, entry.seq, "its content does not match its hash (the entry was altered)")
        expected_prev = entry.entry_hash
    return Verdict(count)
