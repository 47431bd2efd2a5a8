"""Users of the web registry: argon2id password hashes, roles, sign-in rate limiting, server-side logout."""

from __future__ import annotations

import datetime as dt
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func
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
WINDOW = dt.timedelta(minutes=15)
MAX_PER_USER, MAX_PER_CLIENT = 5, 20
MIN_PASSWORD = 12


class RateLimited(Exception):
    """Too many failed sign-ins for this user name or client address; try again later."""


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


def add_user(engine: Engine, username: str, password: str, role: str, *, actor: str = "system") -> User:
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
        session.expunge(user)
        return user


def list_users(engine: Engine) -> list[User]:
    """Return every user, by name."""
    with Session(engine) as session:
        return list(session.exec(select(User).order_by(col(User.username))).all())


def get_user(engine: Engine, pk: int) -> User | None:
    """Return a user by key."""
    with Session(engine) as session:
        return session.get(User, pk)


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
        user.session_version += 1
        session.add(user)
        if changed:
            audit.append(session, actor=actor, action="update_user", kind="user", doc_id=user.username, diff=changed)


def end_sessions(engine: Engine, pk: int) -> None:
    """Log a user out everywhere: cookies issued before are refused from now on."""
    with write_session(engine) as session:
        user = session.get(User, pk)
        if user is not None:
            user.session_version += 1
            session.add(user)


def authenticate(engine: Engine, username: str, password: str, client: str) -> User | None:
    """Return the user whose password this is, or None; RateLimited after too many recent failures."""
    now = dt.datetime.now(dt.UTC)
    keys = (f"user:{username.lower()}", f"client:{client}")
    with write_session(engine) as session:
        session.exec(delete(LoginFailure).where(col(LoginFailure.at) < now - WINDOW))
        for key, limit in zip(keys, (MAX_PER_USER, MAX_PER_CLIENT), strict=True):
            recent = session.exec(select(func.count()).select_from(LoginFailure).where(LoginFailure.key == key)).one()
            if recent >= limit:
                raise RateLimited(f"too many failed sign-ins; try again in {WINDOW.seconds // 60} minutes")
        user = session.exec(select(User).where(User.username == username)).first()
        try:
            ok = HASHER.verify(user.password_hash if user else _DUMMY, password) and user is not None and user.active
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok or user is None:
            session.add_all(LoginFailure(key=k, at=now) for k in keys)
            return None
        session.exec(delete(LoginFailure).where(col(LoginFailure.key) == keys[0]))
        if HASHER.check_needs_rehash(user.password_hash):
            user.password_hash = HASHER.hash(password)
            session.add(user)
        session.flush()
        session.expunge(user)
        return user
