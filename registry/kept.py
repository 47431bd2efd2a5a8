"""Derived data kept across processes, by content hash: what a fresh process would otherwise work out again.

Published content never changes, so what is derived from it (a standard's criteria laid out as arrays for the
checker, the extra proof one standard needs towards another, for one vocabulary) is the same in every process
that meets it. It is kept in a SQLite file in the cache folder (``ECOLABEL_CACHE_DIR``), keyed by the content
hashes, the vocabulary's fingerprint and the code's own fingerprint (``code``: a change to the registry's code or
to pint starts afresh). Only JSON and plain arrays of numbers are kept, never code or pickles. It is a cache,
not a record: when the file cannot be read or written the data is worked out again, and deleting the file loses
nothing.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from registry import settings

log = logging.getLogger(__name__)
_CHUNK = 500


@functools.lru_cache(maxsize=1)
def code() -> str:
    """Return the fingerprint of the code that derives what is kept: the registry's modules and pint's version."""
    digest = hashlib.sha256(metadata.version("pint").encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class Kept:
    """One SQLite file of kept values: (kind, key) -> JSON or bytes, for the code that derived them (``code``).

    Rows are stored under ``kind:code``. A process whose code differs from the one the file was last opened
    with deletes the rows of other code (after an upgrade they are never read again), so the file holds what
    one version of the code derived, not what every version ever did."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()  # one connection per thread (sqlite3 connections stay in their thread)
        self.broken = False  # set after a failure: the process works everything out from then on

    def _db(self) -> sqlite3.Connection | None:
        if self.broken:
            return None
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None and getattr(self._local, "pid", None) != os.getpid():
            db = None  # a connection made before a fork is the parent's: never shared with a child
        if db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                db = sqlite3.connect(self.path, timeout=2.0)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS kept (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,"
                    " PRIMARY KEY (kind, key)) WITHOUT ROWID"
                )
                db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
                found = db.execute("SELECT value FROM meta WHERE name = 'code'").fetchone()
                if found is None or found[0] != code():
                    with db:
                        db.execute("DELETE FROM kept WHERE kind NOT LIKE ?", (f"%:{code()}",))
                        db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('code', ?)", (code(),))
            except (OSError, sqlite3.Error) as exc:
                self._give_up(exc)
                return None
            self._local.db, self._local.pid = db, os.getpid()
        return db

    def _give_up(self, exc: Exception) -> None:
        log.warning("derived data in %s not kept (it is worked out again): %s", self.path, exc)
        self.broken = True

    def get_many(self, kind: str, keys: Iterable[str]) -> dict[str, Any]:
        """Return the kept values of the keys that have one."""
        try:
            return {key: json.loads(value) for key, value in self._get(kind, keys).items()}
        except (ValueError, TypeError) as exc:  # a damaged file: work it out again
            self._give_up(exc)
            return {}

    def get_bytes(self, kind: str, keys: Iterable[str]) -> dict[str, bytes]:
        """Return the kept bytes of the keys that have some (the caller reads them as data and checks them)."""
        return {key: value for key, value in self._get(kind, keys).items() if isinstance(value, bytes)}

    def _get(self, kind: str, keys: Iterable[str]) -> dict[str, Any]:
        db = self._db()
        wanted = sorted(set(keys))
        found: dict[str, Any] = {}
        if db is None or not wanted:
            return found
        try:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, value FROM kept WHERE kind = ? AND key IN ({marks})"
                found.update(db.execute(query, (f"{kind}:{code()}", *chunk)))
        except sqlite3.Error as exc:  # a damaged file: work it out again
            self._give_up(exc)
            return {}
        return found

    def put_many(self, kind: str, values: Mapping[str, Any]) -> None:
        """Keep values as JSON (a key kept already keeps its value: equal keys derive equal values)."""
        self._put(kind, {key: json.dumps(value, ensure_ascii=False) for key, value in values.items()})

    def put_bytes(self, kind: str, values: Mapping[str, bytes]) -> None:
        """Keep bytes (data, never code: see ``get_bytes``)."""
        self._put(kind, values)

    def _put(self, kind: str, values: Mapping[str, str | bytes]) -> None:
        db = self._db()
        if db is None or not values:
            return
        rows = [(f"{kind}:{code()}", key, value) for key, value in values.items()]
        try:
            with db:
                db.executemany("INSERT OR IGNORE INTO kept (kind, key, value) VALUES (?, ?, ?)", rows)
        except sqlite3.Error as exc:
            self._give_up(exc)


_STORES: dict[Path, Kept] = {}
_LOCK = threading.Lock()


def store() -> Kept:
    """Return the kept store of the cache folder the settings name."""
    path = settings.cache_dir() / "kept.sqlite3"
    with _LOCK:
        if path not in _STORES:
            _STORES[path] = Kept(path)
        return _STORES[path]
