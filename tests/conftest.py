"""Shared fixtures: the repository's folders and one validator built once per session."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from registry.catalog import Catalog
from registry.validation import Result, Validator

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
STANDARDS = ROOT / "standards"
EXAMPLES = Path(__file__).resolve().parent / "examples"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def validator() -> Validator:
    return Validator.from_dir(SCHEMAS)


@pytest.fixture(scope="session")
def bundled(validator: Validator) -> Result:
    return validator.validate_paths([STANDARDS])


@pytest.fixture(scope="session")
def catalog(bundled: Result) -> Catalog:
    return bundled.catalog


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis server the shared rate-limit tests count in; they are skipped, with the reason, without one."""
    where = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((where.hostname or "127.0.0.1", where.port or 6379), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            answer = conn.recv(16)
    except OSError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    if not answer.startswith(b"+PONG"):
        pytest.skip(f"Redis at {REDIS_URL} answered {answer!r} to PING")
    return REDIS_URL
