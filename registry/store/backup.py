"""Backups of the embedded SQLite database with SQLite's online backup API.

PostgreSQL deployments use pg_dump and pg_restore (see the README): a server database is
backed up by the server's own tools.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from registry.errors import RegistryError
from registry.store import migrate
from registry.store.engine import private_file


class BackupError(RegistryError):
    """A backup or restore that cannot be done as asked."""


def _require_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        raise BackupError(
            "backup and restore work on the embedded SQLite database; for PostgreSQL use pg_dump and pg_restore"
        )


def backup(engine: Engine, target: Path) -> None:
    """Copy the live database to a file, consistent even while others write."""
    _require_sqlite(engine)
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    private_file(target)  # a copy of the registry, users' password hashes included: owner only
    source = engine.raw_connection()
    try:
        with sqlite3.connect(target) as copy:
            source.driver_connection.backup(copy)  # type: ignore[union-attr]
        copy.close()
    finally:
        source.close()


def _check(path: Path) -> None:
    """Refuse a file that is not a whole registry database."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an SQLite database: {exc}") from None
    if verdict != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {verdict}")
    if not {"alembic_version", "standard_version", "record", "audit_entry"} <= tables:
        raise BackupError(f"{path} is not a registry database (its tables are missing)")


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's content with a checked backup, in one step."""
    _require_sqlite(engine)
    _check(source)
    engine.dispose()
    target = engine.raw_connection()
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as backup_conn:
            backup_conn.backup(target.driver_connection)  # type: ignore[arg-type]
        backup_conn.close()
    finally:
        target.close()
    engine.dispose()
    migrate.require_current(engine)
