"""Rows of the registry of record (rows, not criteria: a document's shape is its JSON Schema)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

STATES = ("draft", "published", "superseded", "withdrawn")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class StandardVersion(SQLModel, table=True):
    """One version of a criteria document: a draft, or published content that never changes."""

    __tablename__ = "standard_version"
    __table_args__ = (
        UniqueConstraint("doc_id", "version", name="uq_standard_version"),
        Index("ix_standard_version_in_force", "category", "state", "in_force_from", "in_force_until", "content_sha256"),
        # The reader's listing, read from the index alone (migration 0009).
        Index(
            "ix_standard_version_listing", "doc_id", "version", "state", "category", "content_sha256", "lock_version"
        ),
    )

    pk: int | None = Field(default=None, primary_key=True)
    doc_id: str = Field(max_length=80, index=True)
    version: str = Field(max_length=40)
    state: str = Field(max_length=12)
    category: str = Field(max_length=80)
    in_force_from: dt.date | None = None
    in_force_until: dt.date | None = None
    content: str = Field(sa_column=Column(Text, nullable=False))
    content_sha256: str = Field(max_length=64)
    lock_version: int = 1
    created_at: dt.datetime = Field(default_factory=_now)
    created_by: str = Field(max_length=120)
    published_at: dt.datetime | None = None
    published_by: str | None = Field(default=None, max_length=120)
    # A draft's work in progress that is not valid yet (migration 0008); None when there is none.
    work: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Record(SQLModel, table=True):
    """The current content of a label programme, an agreement or a category vocabulary."""

    __tablename__ = "record"
    __table_args__ = (UniqueConstraint("kind", "doc_id", name="uq_record"),)

    pk: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    doc_id: str = Field(max_length=80)
    content: str = Field(sa_column=Column(Text, nullable=False))
    content_sha256: str = Field(max_length=64)
    lock_version: int = 1
    updated_at: dt.datetime = Field(default_factory=_now)
    updated_by: str = Field(max_length=120)


class AuditEntry(SQLModel, table=True):
    """One write: who, when, what (content hashes before and after, a JSON diff), chained by hash."""

    __tablename__ = "audit_entry"

    seq: int | None = Field(default=None, primary_key=True)
    at: str = Field(max_length=40)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=40)
    kind: str = Field(max_length=20)
    doc_id: str = Field(max_length=80)
    version: str | None = Field(default=None, max_length=40)
    before_sha256: str | None = Field(default=None, max_length=64)
    after_sha256: str | None = Field(default=None, max_length=64)
    diff: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64, unique=True)
    entry_hash: str = Field(max_length=64, unique=True)


ROLES = ("admin", "staff")


class User(SQLModel, table=True):
    """Someone who signs in: an administrator (writes) or certification staff (reads drafts and the audit trail)."""

    __tablename__ = "app_user"

    pk: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True)
    password_hash: str = Field(max_length=255)
    role: str = Field(max_length=10)
    active: bool = True
    created_at: dt.datetime = Field(default_factory=_now)
    # Set when an administrator resets the password: the temporary one only opens the password form.
    must_change_password: bool = False


class LoginFailure(SQLModel, table=True):
    """A failed sign-in, kept a while for rate limiting (by user name and by client address)."""

    __tablename__ = "login_failure"

    pk: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, index=True)
    at: dt.datetime = Field(default_factory=_now)


class ContentSummary(SQLModel, table=True):
    """What lists show of a standard's content (titles, labels, criteria count, search text), by content hash.

    Derived, not a record: content with a hash never changes, so its summary is worked out once, by the
    first reader that needs it, and any process reads it instead of parsing the content (the full listing
    of 10,000 standards in a fresh process). ``format`` says how it was worked out; another format is
    ignored and worked out again. Not audited, not exported: it can always be rebuilt from the content.
    """

    __tablename__ = "content_summary"

    sha256: str = Field(max_length=64, primary_key=True)
    format: int = Field(primary_key=True)
    summary: str = Field(sa_column=Column(Text, nullable=False))


SCOPES = ("read", "write")


class UserSession(SQLModel, table=True):
    """One signed-in browser: valid until it ends (sign-out, ended by its user, password or role change).

    The cookie carries a random key; only its SHA-256 is kept. ``client`` and ``agent`` (the address and
    the browser's own name, cut short) let the user tell their sessions apart.
    """

    __tablename__ = "user_session"

    pk: int | None = Field(default=None, primary_key=True)
    user_pk: int = Field(foreign_key="app_user.pk", index=True)
    key_sha256: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(default_factory=_now)
    last_seen_at: dt.datetime = Field(default_factory=_now)
    client: str = Field(max_length=64)
    agent: str = Field(max_length=200)
    ended_at: dt.datetime | None = None


class ApiToken(SQLModel, table=True):
    """A personal API token: a script acts as its user, within the token's scope, until it expires or is revoked.

    Only the SHA-256 of the secret is kept (the secret has 256 random bits, so a plain hash is enough);
    ``prefix`` is the secret's public start, shown in lists so that people can tell tokens apart.
    """

    __tablename__ = "api_token"

    pk: int | None = Field(default=None, primary_key=True)
    user_pk: int = Field(foreign_key="app_user.pk", index=True)
    name: str = Field(max_length=80)
    prefix: str = Field(max_length=16)
    secret_sha256: str = Field(max_length=64, unique=True)
    scope: str = Field(max_length=10)
    created_at: dt.datetime = Field(default_factory=_now)
    expires_at: dt.datetime | None = None
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
