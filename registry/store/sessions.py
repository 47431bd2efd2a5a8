"""Signed-in sessions: one row per sign-in, so that a user sees where they are signed in and ends any one.

The browser's cookie carries a random key (signed by the app); only its SHA-256 is stored, so a copy of
the database opens no session. A session ends at sign-out, when its user ends it or all of theirs, when
the password is changed (every other one) or reset, when an administrator changes the user's role or
deactivates them, and after ``IDLE`` without a request. Starting and ending sessions is audited (kind
``user``: never on public pages).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, delete, update
from sqlmodel import Session, col, select

from registry.errors import NotFoundError
from registry.store import audit
from registry.store.engine import write_session
from registry.store.models import User, UserSession
from registry.store.users import Account, aware, digest

__all__ = ["IDLE", "SignedIn", "end", "end_all", "listed", "lookup", "sign_out", "start"]

IDLE = dt.timedelta(days=30)  # a session not used this long has ended
TOUCH_EVERY = dt.timedelta(minutes=1)  # "last seen" is written at most this often per session
KEPT = dt.timedelta(days=90)  # ended sessions are forgotten after this (the audit trail keeps the events)


@dataclass(frozen=True)
class SignedIn:
    """A session as its user's list shows it: never its key."""

    pk: int
    user_pk: int
    created_at: dt.datetime
    last_seen_at: dt.datetime
    client: str
    agent: str

    @classmethod
    def of(cls, row: UserSession) -> SignedIn:
        """Return the session of a stored row."""
        assert row.pk is not None
        return cls(row.pk, row.user_pk, aware(row.created_at), aware(row.last_seen_at), row.client, row.agent)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _live(now: dt.datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The conditions of a session that still works."""
    return col(UserSession.ended_at).is_(None), col(UserSession.last_seen_at) > now - IDLE


def start(engine: Engine, account: Account, client: str, agent: str) -> tuple[str, SignedIn]:
    """Open a session for a user who just signed in (audited with the address); return its key and row."""
    key = secrets.token_urlsafe(32)
    now = _now()
    with write_session(engine) as session:
        session.exec(
            delete(UserSession).where(
                col(UserSession.user_pk) == account.pk, col(UserSession.last_seen_at) < now - KEPT
            )
        )
        row = UserSession(
            user_pk=account.pk,
            key_sha256=digest(key),
            created_at=now,
            last_seen_at=now,
            client=client[:64],
            agent=" ".join(agent.split())[:200],
        )
        session.add(row)
        session.flush()
        change = {"criterion": None, "path": "/client", "change": "added", "a": None, "b": client}
        audit.append(
            session,
            actor=f"web:{account.username}",
            action="sign_in",
            kind="user",
            doc_id=account.username,
            diff=[change],
        )
        return key, SignedIn.of(row)


def lookup(engine: Engine, key: str) -> tuple[Account, SignedIn] | None:
    """Return the user and session of a cookie's key if the session works now (its user active); else None."""
    if not key or len(key) > 100:
        return None
    now = _now()
    with Session(engine) as session:
        found = session.exec(
            select(UserSession, User)
            .join(User, col(User.pk) == col(UserSession.user_pk))
            .where(UserSession.key_sha256 == digest(key), *_live(now))
        ).first()
        if found is None or not found[1].active:
            return None
        signed, account = SignedIn.of(found[0]), Account.of(found[1])
    if now - signed.last_seen_at >= TOUCH_EVERY:
        with write_session(engine) as session:
            session.exec(update(UserSession).where(col(UserSession.pk) == signed.pk).values(last_seen_at=now))
    return account, signed


def listed(engine: Engine, user_pk: int) -> list[SignedIn]:
    """Return a user's sessions that still work, the most recently used first."""
    with Session(engine) as session:
        rows = session.exec(
            select(UserSession)
            .where(UserSession.user_pk == user_pk, *_live(_now()))
            .order_by(col(UserSession.last_seen_at).desc(), col(UserSession.pk).desc())
        )
        return [SignedIn.of(row) for row in rows]


def end_all(session: Session, user_pk: int, *, keep: int | None = None) -> int:
    """End every session of a user but ``keep`` (inside the caller's transaction); return how many ended."""
    query = update(UserSession).where(col(UserSession.user_pk) == user_pk, col(UserSession.ended_at).is_(None))
    if keep is not None:
        query = query.where(col(UserSession.pk) != keep)
    return int(session.exec(query.values(ended_at=_now())).rowcount)


def end(engine: Engine, pk: int, *, user_pk: int, actor: str) -> SignedIn:
    """End one session of a user (audited); NotFoundError when the user has no such working session."""
    with write_session(engine) as session:
        found = session.exec(
            select(UserSession, User)
            .join(User, col(User.pk) == col(UserSession.user_pk))
            .where(UserSession.pk == pk, UserSession.user_pk == user_pk, *_live(_now()))
        ).first()
        if found is None:
            raise NotFoundError(f"no session {pk} of yours")
        row, user = found
        row.ended_at = _now()
        session.add(row)
        change = {"criterion": None, "path": f"/sessions/{pk}", "change": "removed", "a": row.client, "b": None}
        audit.append(session, actor=actor, action="end_session", kind="user", doc_id=user.username, diff=[change])
        return SignedIn.of(row)


def sign_out(engine: Engine, account: Account, pk: int | None, *, everywhere: bool = False) -> None:
    """End this session (or, ``everywhere``, every session of the user) at their request (audited)."""
    with write_session(engine) as session:
        if everywhere:
            end_all(session, account.pk)
        elif pk is not None:
            session.exec(
                update(UserSession)
                .where(col(UserSession.pk) == pk, col(UserSession.ended_at).is_(None))
                .values(ended_at=_now())
            )
        action = "sign_out_everywhere" if everywhere else "sign_out"
        actor = f"web:{account.username}"
        audit.append(session, actor=actor, action=action, kind="user", doc_id=account.username, diff=[])
