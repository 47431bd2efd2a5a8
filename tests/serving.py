"""The registry served the way ./run serves it (gunicorn), for tests that need real worker processes."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from registry.store import migrate, transfer
from registry.store.engine import make_engine
from registry.validation import Validator
from tests.conftest import ROOT, STANDARDS

SECRET = "served-test-key-of-at-least-32-bytes"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seeded_sqlite(folder: Path, validator: Validator) -> str:
    """Make a migrated SQLite registry with the bundled documents in ``folder``; return its URL."""
    url = f"sqlite:///{folder / 'registry.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    engine.dispose()
    return url


@contextlib.contextmanager
def serve(folder: Path, database_url: str, workers: int = 2) -> Iterator[str]:
    """Run gunicorn on a free port of 127.0.0.1 until the block ends; yield its base URL."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "ECOLABEL_SECRET_KEY": SECRET, "ECOLABEL_INSTANCE": str(folder)}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log_path = folder / "gunicorn.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "web:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(150):
                try:
                    with urllib.request.urlopen(base + "/readyz", timeout=1):
                        break
                except OSError:
                    time.sleep(0.1)
            else:
                raise RuntimeError(log_path.read_text())
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=20)
