"""The session signing key: configured, or made once in the instance folder and shared by every worker."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from registry.errors import ConfigurationError

log = logging.getLogger(__name__)
MIN_BYTES = 32
FILE = "secret_key"


def signing_key(instance: Path, configured: str | None, database_url: str = "sqlite://") -> str:
    """Return the configured key (refused when shorter than 32 bytes), else the instance folder's key.

    Without a configured key on a database other than SQLite, start-up is refused: several app hosts
    may serve one PostgreSQL database, and each would make its own key and refuse the others' sessions.

    The file is made under an exclusive lock and published with ``os.replace`` after it is written and
    synced, so a worker never reads a half-written key, and a failed write (a full disk) leaves nothing.
    A key file that is empty or too short (left by an older release or a crash) is replaced.
    """
    if configured is not None and configured != "":
        if len(configured.encode()) < MIN_BYTES:
            raise ConfigurationError(
                f"ECOLABEL_SECRET_KEY is {len(configured.encode())} bytes; it must be at least {MIN_BYTES} "
                "(make one with: python3 -c 'import secrets; print(secrets.token_hex(32))')"
            )
        return configured
    if not database_url.startswith("sqlite"):
        raise ConfigurationError(
            "ECOLABEL_SECRET_KEY is not set, and the database is not an embedded SQLite file: several app hosts "
            "may serve it, and a key made by each would refuse the others' sessions. Set the same "
            "ECOLABEL_SECRET_KEY (32 bytes or more) on every host; make one with: "
            "python3 -c 'import secrets; print(secrets.token_hex(32))'"
        )
    path = instance / FILE
    try:
        instance.mkdir(parents=True, exist_ok=True)
        with _locked(instance / f".{FILE}.lock"):
            found = _read(path)
            if found is not None:
                return found
            key = _write(path)
            log.warning(
                "made a new session signing key in %s (mode 0600); every worker of this host shares it. "
                "Set ECOLABEL_SECRET_KEY instead when more than one host serves.",
                path,
            )
            return key
    except OSError as exc:
        raise ConfigurationError(
            f"cannot keep the signing key in {path}: {exc.strerror or exc}; free the disk or fix the folder's "
            "permissions, or set ECOLABEL_SECRET_KEY"
        ) from None


@contextlib.contextmanager
def _locked(lock: Path) -> Iterator[None]:
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _read(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        return None
    return text if len(text.encode()) >= MIN_BYTES else None


def _write(path: Path) -> str:
    key = secrets.token_hex(MIN_BYTES)
    temporary = path.with_name(f".{FILE}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
    return key
