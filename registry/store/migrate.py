"""Alembic migrations, run programmatically: ``ecolabel db upgrade`` and the check the app makes."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from registry.errors import ConfigurationError

_SCRIPTS = Path(__file__).resolve().parent / "migrations"
_STARTUP_LOCK = 14025  # PostgreSQL advisory lock key: one host at a time migrates and seeds


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return config


def head() -> str:
    """Return the newest migration revision."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def current(engine: Engine) -> str | None:
    """Return the revision the database is at, or None when it was never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to a revision (default: the newest)."""
    config = _config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def _state(engine: Engine) -> tuple[str | None, str | None]:
    """Return (the revision the database is at, None), or (None, a fault in one line) when it cannot be read."""
    from registry.store import faults

    try:
        return current(engine), None
    except Exception as exc:
        problem = faults.describe(exc)
        if problem is None:
            raise
        return None, problem


def require_current(engine: Engine) -> None:
    """Refuse to work on a database that is not at the newest migration (or not reachable), saying what to do."""
    at, problem = _state(engine)
    where = engine.url.render_as_string(hide_password=True)
    if problem is not None:
        raise ConfigurationError(f"cannot use the database {where}: {problem}")
    newest = head()
    if at != newest:
        state = "has no registry tables" if at is None else f"is at migration {at}, the code needs {newest}"
        raise ConfigurationError(f"the database {where} {state}; run: ecolabel db upgrade")


def readiness(engine: Engine) -> str | None:
    """Return why the database cannot serve (unreachable, not migrated), or None when it can."""
    at, problem = _state(engine)
    if problem is None and at != head():
        problem = f"the database is at migration {at or 'none'}, the code needs {head()}; run: ecolabel db upgrade"
    return problem


@contextmanager
def one_at_a_time(engine: Engine) -> Iterator[None]:
    """Hold the start-up lock of a database: hosts started together migrate and seed one after another.

    PostgreSQL: a session advisory lock on a connection of its own (released when the block ends, or when
    the process dies). SQLite: an exclusive ``flock`` on the file ``<database>.lock`` beside it. The others
    wait, then find the migrations applied and the database seeded, and do nothing.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text(f"SELECT pg_advisory_lock({_STARTUP_LOCK})"))
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text(f"SELECT pg_advisory_unlock({_STARTUP_LOCK})"))
                conn.commit()
        return
    database = make_url(engine.url).database
    if not database or database == ":memory:":
        yield  # one process only can see an in-memory database
        return
    lock = Path(database + ".lock")
    with open(lock, "a") as handle:  # noqa: PTH123 - a file descriptor is what flock takes
        lock.chmod(0o600)
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
