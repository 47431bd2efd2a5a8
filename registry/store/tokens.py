"""Personal API tokens: made and revoked by their user or an administrator, shown once, kept hashed.

A token acts as its user (the user's role decides what it may do) within its scope: ``read`` for the
API's reads, ``write`` also for its writes. It stops working when it expires, when it is revoked and
when its user is deactivated. Making and revoking one is audited; a write done with one is audited
under an actor that names the token (``web.data.actor``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from registry.errors import InvalidDocumentError, NotFoundError
from registry.findings import Finding
from registry.store import audit
from registry.store.engine import write_session
from registry.store.models import SCOPES, ApiToken, User
from registry.store.users import Account, aware, digest

__all__ = ["SCOPES", "Issued", "Token", "authenticate", "create", "listed", "revoke"]

PREFIX = "ecr_"  # every secret starts so: secret scanners and people can tell what leaked
MAX_DAYS = 3650
TOUCH_EVERY = dt.timedelta(minutes=1)  # "last used" is written at most this often per token


@dataclass(frozen=True)
class Token:
    """A token as lists show it: never its secret."""

    pk: int
    username: str
    name: str
    prefix: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @classmethod
    def of(cls, row: ApiToken, username: str) -> Token:
        """Return the token of a stored row."""
        assert row.pk is not None
        return cls(
            row.pk,
            username,
            row.name,
            row.prefix,
            row.scope,
            aware(row.created_at),
            _maybe(row.expires_at),
            _maybe(row.last_used_at),
            _maybe(row.revoked_at),
        )

    def usable(self, now: dt.datetime) -> bool:
        """Return whether the token works now (not revoked, not expired)."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    @property
    def writes(self) -> bool:
        """Return whether the token may be used for writes."""
        return self.scope == "write"


@dataclass(frozen=True)
class Issued:
    """A token just made, and its secret: shown to its maker once, never stored."""

    token: Token
    secret: str


def _maybe(at: dt.datetime | None) -> dt.datetime | None:
    return None if at is None else aware(at)


def _check(name: str, scope: str, days: int | None) -> None:
    findings = []
    if not 1 <= len(name.strip()) <= 80 or not name.isprintable():
        findings.append(Finding("/name", "1–80 printable characters"))
    if scope not in SCOPES:
        findings.append(Finding("/scope", f"one of: {', '.join(SCOPES)}"))
    if days is not None and not 1 <= days <= MAX_DAYS:
        findings.append(Finding("/expires_days", f"a whole number of days from 1 to {MAX_DAYS}, or none"))
    if findings:
        raise InvalidDocumentError("the token is not valid", findings)


def create(engine: Engine, user_pk: int, name: str, scope: str, *, days: int | None, actor: str) -> Issued:
    """Make a token for a user (audited, without the secret); NotFoundError for no such active user."""
    _check(name, scope, days)
    secret = PREFIX + secrets.token_urlsafe(32)
    now = dt.datetime.now(dt.UTC)
    with write_session(engine) as session:
        user = session.get(User, user_pk)
        if user is None or not user.active:
            raise NotFoundError(f"no active user {user_pk}")
        row = ApiToken(
            user_pk=user_pk,
            name=name.strip(),
            prefix=secret[: len(PREFIX) + 6],
            secret_sha256=digest(secret),
            scope=scope,
            created_at=now,
            expires_at=now + dt.timedelta(days=days) if days else None,
        )
        session.add(row)
        session.flush()
        change = {"token": row.pk, "name": row.name, "scope": scope, "expires": days and f"{days} days"}
        audit.append(
            session,
            actor=actor,
            action="create_token",
            kind="user",
            doc_id=user.username,
            diff=[{"criterion": None, "path": f"/tokens/{row.pk}", "change": "added", "a": None, "b": change}],
        )
        return Issued(Token.of(row, user.username), secret)


def listed(engine: Engine, user_pk: int | None = None) -> list[Token]:
    """Return the tokens of one user (or of everyone), newest first, revoked ones too."""
    with Session(engine) as session:
        query = select(ApiToken, User.username).join(User, col(User.pk) == col(ApiToken.user_pk))
        if user_pk is not None:
            query = query.where(ApiToken.user_pk == user_pk)
        rows = session.exec(query.order_by(col(ApiToken.pk).desc())).all()
        return [Token.of(row, username) for row, username in rows]


def revoke(engine: Engine, pk: int, *, actor: str, owner: int | None = None) -> Token:
    """Revoke a token (audited); with ``owner``, only one of that user's (NotFoundError otherwise)."""
    with write_session(engine) as session:
        row = session.get(ApiToken, pk)
        if row is None or (owner is not None and row.user_pk != owner):
            raise NotFoundError(f"no token {pk}")
        user = session.get(User, row.user_pk)
        assert user is not None
        if row.revoked_at is None:
            row.revoked_at = dt.datetime.now(dt.UTC)
            session.add(row)
            audit.append(
                session,
                actor=actor,
                action="revoke_token",
                kind="user",
                doc_id=user.username,
                diff=[{"criterion": None, "path": f"/tokens/{pk}", "change": "removed", "a": row.name, "b": None}],
            )
        session.flush()
        return Token.of(row, user.username)


def authenticate(engine: Engine, secret: str) -> tuple[Account, Token] | None:
    """Return the user and token a secret belongs to, if it works now (its user active); else None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        found = session.exec(
            select(ApiToken, User)
            .join(User, col(User.pk) == col(ApiToken.user_pk))
            .where(ApiToken.secret_sha256 == digest(secret))
        ).first()
        if found is None:
            return None
        row, user = found
        token = Token.of(row, user.username)
        if not token.usable(now) or not user.active:
            return None
        account = Account.of(user)
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        with write_session(engine) as session:
            fresh = session.get(ApiToken, token.pk)
            if fresh is not None:
                fresh.last_used_at = now
                session.add(fresh)
    return account, token
