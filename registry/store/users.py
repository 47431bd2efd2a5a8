"""Users of the web registry: argon2id password hashes, roles, sign-in rate limiting, server-side logout."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, text
from sqlmodel import Session, col, select

from registry.errors import ConflictError, InvalidDocumentError, NotFoundError
from registry.findings import Finding
from registry.store import audit
from registry.store.engine import write_session
from registry.store.models import ROLES, LoginFailure, User

# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# A wrong password costs as much as a right one, also for names that do not exist.
_DUMMY = HASHER.hash("not a password of anyone")
WINDOW = dt.timedelta(minutes=15)  # failures older than this are forgotten
FREE_TRIES = 5  # failed sign-ins of one account before it must wait between attempts
MAX_DELAY = dt.timedelta(seconds=30)  # the longest an account waits: a right password is never locked out
MAX_PER_CLIENT = 20  # failed sign-ins from one address in the window
MIN_PASSWORD = 12


@dataclass(frozen=True)
class Account:
    """A user as the rest of the program sees one: no password hash, no database row."""

    pk: int
    username: str
    role: str
    active: bool
    created_at: dt.datetime
    must_change_password: bool = False

    @classmethod
    def of(cls, user: User) -> Account:
        """Return the account of a stored user."""
        assert user.pk is not None
        return cls(
            user.pk,
            user.username,
            user.role,
            user.active,
            user.created_at,
            user.must_change_password,
        )


class RateLimited(Exception):
    """Too many failed sign-ins for this user name or client address; try again after ``retry_after`` s."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


def _check(username: str, password: str, role: str) -> None:
    findings = []
    if not (1 <= len(username) <= 80) or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        findings.append(Finding("/username", "1–80 letters, digits, '.', '-' or '_'"))
    if len(password) < MIN_PASSWORD:
        findings.append(Finding("/password", f"at least {MIN_PASSWORD} characters"))
    if role not in ROLES:
        findings.append(Finding("/role", f"one of: {', '.join(ROLES)}"))
    if findings:
        raise InvalidDocumentError("the user is not valid", findings)


def add_user(engine: Engine, username: str, password: str, role: str, *, actor: str = "system") -> Account:
    """Create a user (audited, without the hash); ConflictError when the name is taken."""
    _check(username, password, role)
    with write_session(engine) as session:
        if session.exec(select(User.pk).where(User.username == username)).first() is not None:
            raise ConflictError(f"user {username!r} exists already")
        user = User(username=username, password_hash=HASHER.hash(password), role=role)
        session.add(user)
        audit.append(
            session,
            actor=actor,
            action="add_user",
            kind="user",
            doc_id=username,
            diff=[{"criterion": None, "path": "/role", "change": "added", "a": None, "b": role}],
        )
        session.flush()
        session.refresh(user)
        return Account.of(user)


def list_users(engine: Engine) -> list[Account]:
    """Return every user, by name."""
    with Session(engine) as session:
        return [Account.of(u) for u in session.exec(select(User).order_by(col(User.username)))]


def get_user(engine: Engine, pk: int) -> Account | None:
    """Return a user by key."""
    with Session(engine) as session:
        found = session.get(User, pk)
        return Account.of(found) if found is not None else None


def update_user(
    engine: Engine, pk: int, *, role: str | None = None, active: bool | None = None, actor: str = "system"
) -> None:
    """Change a user's role or active flag (audited); every session of theirs ends."""
    if role is not None and role not in ROLES:
        raise InvalidDocumentError("the user is not valid", [Finding("/role", f"one of: {', '.join(ROLES)}")])
    with write_session(engine) as session:
        user = session.get(User, pk)
        if user is None:
            raise NotFoundError(f"no user {pk}")
        changed: list[dict[str, Any]] = []
        if role is not None and role != user.role:
            changed.append({"criterion": None, "path": "/role", "change": "changed", "a": user.role, "b": role})
            user.role = role
        if active is not None and active != user.active:
            changed.append({"criterion": None, "path": "/active", "change": "changed", "a": user.active, "b": active})
            user.active = active
        _end_sessions(session, pk)
        session.add(user)
        if changed:
            audit.append(session, actor=actor, action="update_user", kind="user", doc_id=user.username, diff=changed)


def _end_sessions(session: Session, pk: int, keep: int | None = None) -> None:
    from registry.store import sessions  # it builds on this module's Account

    sessions.end_all(session, pk, keep=keep)


def _password_findings(password: str, pointer: str = "/password") -> list[Finding]:
    if len(password) < MIN_PASSWORD:
        return [Finding(pointer, f"at least {MIN_PASSWORD} characters")]
    if len(password) > 200:
        return [Finding(pointer, "at most 200 characters")]
    return []


def change_password(engine: Engine, pk: int, old: str, new: str, *, keep: int | None = None) -> Account:
    """Set a new password after checking the old one (audited, without either); every session but ``keep``
    (the one the change is made in) ends.

    InvalidDocumentError names the field: ``/old_password`` (wrong) or ``/new_password`` (too short,
    or the same as the old one). Returns the account as it is now.
    """
    findings = _password_findings(new, "/new_password")
    if old == new:
        findings.append(Finding("/new_password", "the new password must differ from the old one"))
    with Session(engine) as session:
        user = session.get(User, pk)
        if user is None or not user.active:
            raise NotFoundError(f"no active user {pk}")
        stored = user.password_hash
    right: bool
    try:
        right = HASHER.verify(stored, old)
    except (VerificationError, InvalidHashError):
        right = False
    if not right:
        findings.insert(0, Finding("/old_password", "this is not your current password"))
    if findings:
        raise InvalidDocumentError("the password was not changed", findings)
    with write_session(engine) as session:
        user = session.get(User, pk)
        assert user is not None
        user.password_hash = HASHER.hash(new)
        user.must_change_password = False
        _end_sessions(session, pk, keep)
        session.add(user)
        audit.append(
            session,
            actor=f"web:{user.username}",
            action="change_password",
            kind="user",
            doc_id=user.username,
            diff=[],
        )
        session.flush()
        session.refresh(user)
        return Account.of(user)


def reset_password(engine: Engine, pk: int, *, actor: str) -> str:
    """Give a user a temporary password that must be changed at the next sign-in (audited); return it.

    Every session of the user ends; their API tokens keep working (revoke them separately if the
    account was taken over).
    """
    temporary = secrets.token_urlsafe(12)
    with write_session(engine) as session:
        user = session.get(User, pk)
        if user is None:
            raise NotFoundError(f"no user {pk}")
        user.password_hash = HASHER.hash(temporary)
        user.must_change_password = True
        _end_sessions(session, pk)
        session.add(user)
        audit.append(session, actor=actor, action="reset_password", kind="user", doc_id=user.username, diff=[])
    return temporary


def aware(at: dt.datetime) -> dt.datetime:
    """Return a stored moment as UTC-aware (SQLite gives back naive UTC)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def digest(secret: str) -> str:
    """Return what is stored of a random secret (API token, session key): its SHA-256. The secrets have
    256 random bits, so a plain hash is enough; the secret itself is never stored."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _reserve(session: Session, keys: tuple[str, str], now: dt.datetime) -> list[LoginFailure]:
    """Decide whether an attempt may be evaluated; if so, record it as a failure until it succeeds.

    Runs in one short write transaction, serialised per key (SQLite: the write lock; PostgreSQL: an
    advisory lock per key), so parallel attempts are counted one after another, never all as the first.
    """
    if session.get_bind().dialect.name == "postgresql":
        for key in sorted(keys):
            session.exec(text("SELECT pg_advisory_xact_lock(2, hashtext(:key))").bindparams(key=key))  # type: ignore[call-overload]
    session.exec(delete(LoginFailure).where(col(LoginFailure.at) < now - WINDOW))
    user_key, client_key = keys
    failures, oldest = session.exec(
        select(func.count(), func.min(LoginFailure.at)).where(LoginFailure.key == client_key)
    ).one()
    if failures >= MAX_PER_CLIENT:
        wait = (aware(oldest) + WINDOW - now).total_seconds()
        raise RateLimited(f"too many failed sign-ins from your address; try again in {_minutes(wait)}", wait)
    failures, last = session.exec(
        select(func.count(), func.max(LoginFailure.at)).where(LoginFailure.key == user_key)
    ).one()
    if failures >= FREE_TRIES:
        wait = (aware(last) + backoff(failures) - now).total_seconds()
        if wait > 0:
            raise RateLimited(f"too many failed sign-ins for this user; try again in {math.ceil(wait)} s", wait)
    rows = [LoginFailure(key=k, at=now) for k in keys]
    session.add_all(rows)
    session.flush()
    return rows


def backoff(failures: int) -> dt.timedelta:
    """Return how long an account waits after a failure: nothing for the first tries, then doubling to 30 s."""
    if failures < FREE_TRIES:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** min(failures - FREE_TRIES, 16)), MAX_DELAY)


def _minutes(seconds: float) -> str:
    return f"{max(1, math.ceil(seconds / 60))} min"


def authenticate(engine: Engine, username: str, password: str, client: str) -> Account | None:
    """Return the user whose password this is, or None; RateLimited while the account or address must wait.

    The attempt is recorded first (a short write), the password is checked outside any transaction,
    and a right password removes the record again: a failure costs one write, a success two.
    """
    now = dt.datetime.now(dt.UTC)
    keys = (f"user:{username.lower()}", f"client:{client}")
    with write_session(engine) as session:
        attempt = [row.pk for row in _reserve(session, keys, now)]
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
    try:
        ok = HASHER.verify(user.password_hash if user else _DUMMY, password) and user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None:
        return None
    with write_session(engine) as session:
        session.exec(delete(LoginFailure).where(col(LoginFailure.key) == keys[0]))
        session.exec(delete(LoginFailure).where(col(LoginFailure.pk).in_(attempt)))
        fresh = session.get(User, user.pk)
        if fresh is not None and HASHER.check_needs_rehash(fresh.password_hash):
            fresh.password_hash = HASHER.hash(password)
            session.add(fresh)
    return Account.of(user)
