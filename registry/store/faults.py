"""Faults of the database or the disk under it, told in one line a person can act on.

A fault is not a bug: the server is down, the disk is full, a file is read-only. The CLI prints the
line and exits 1; the web answers 503 with Retry-After. Anything else stays an error of the program.
"""

from __future__ import annotations

import errno
import sqlite3

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout

_SQLITE_WORDS = (
    ("database or disk is full", "the disk holding the database is full"),
    ("readonly database", "the database file is read-only"),
    ("read-only", "the database file is read-only"),
    ("unable to open database", "the database file cannot be opened (missing folder or no permission)"),
    ("disk i/o error", "the disk holding the database failed to read or write"),
    ("database is locked", "the database stayed locked by another writer for too long"),
)
_OS = {
    errno.ENOSPC: "the disk is full",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EDQUOT: "the disk quota is used up",
}


def describe(exc: BaseException) -> str | None:
    """Return a one-line account of a database or disk fault, or None when ``exc`` is not one."""
    if isinstance(exc, PoolTimeout):
        return "the database has no free connection (too busy); try again"
    if isinstance(exc, IntegrityError | ProgrammingError):
        return None  # the program's own mistake, not the database's state
    if isinstance(exc, OperationalError | DBAPIError):
        return _database(str(exc.orig) if exc.orig is not None else str(exc), exc.connection_invalidated)
    if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
        return _database(str(exc), False)
    if isinstance(exc, OSError) and exc.errno in _OS:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{_OS[exc.errno]}{where}"
    return None


def _database(text: str, dropped: bool) -> str:
    first = (text.strip().splitlines() or [""])[0]
    lowered = first.lower()
    for words, message in _SQLITE_WORDS:
        if words in lowered:
            return message
    if "connection refused" in lowered or "could not connect" in lowered or "connection failed" in lowered:
        return "the database server does not answer (connection refused)"
    if dropped or "server closed the connection" in lowered or "terminating connection" in lowered:
        return "the connection to the database server was lost"
    if "no space left" in lowered or "could not extend file" in lowered:
        return "the database server's disk is full"
    if "read-only transaction" in lowered:
        return "the database server is read-only"
    return f"the database cannot be used: {first[:160]}"
