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
    with hosts([folder], database_url, workers=workers, upgrade=False) as bases:
        yield bases[0]


@contextlib.contextmanager
def hosts(
    folders: list[Path],
    database_url: str,
    *,
    workers: int = 2,
    upgrade: bool = True,
    env: dict[str, str] | None = None,
) -> Iterator[list[str]]:
    """Start one app host per folder (its instance folder) at the same moment, all on one database, each
    as ./run starts one (``ecolabel db upgrade``, then gunicorn; ``env`` adds settings); yield their base
    URLs once all are ready."""
    bin_dir = Path(sys.executable).parent
    started = []
    with contextlib.ExitStack() as stack:
        for folder in folders:
            port = free_port()
            host_env = {
                **os.environ,
                "DATABASE_URL": database_url,
                "ECOLABEL_SECRET_KEY": SECRET,
                "ECOLABEL_INSTANCE": str(folder),
                **(env or {}),
            }
            serve_command = f'exec "{bin_dir}/gunicorn" --workers {workers} --bind 127.0.0.1:{port} "web:create_app()"'
            command = f'"{bin_dir}/ecolabel" db upgrade && {serve_command}' if upgrade else serve_command
            log_path = folder / "host.log"
            log = stack.enter_context(log_path.open("wb"))
            proc = subprocess.Popen(
                ["bash", "-c", command], cwd=ROOT, env=host_env, stdout=log, stderr=subprocess.STDOUT
            )
            stack.callback(proc.wait, 20)
            stack.callback(proc.terminate)
            started.append((f"http://127.0.0.1:{port}", proc, log_path))
        for base, proc, log_path in started:
            for _ in range(300):
                try:
                    with urllib.request.urlopen(base + "/readyz", timeout=1):
                        break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(log_path.read_text()) from None
                    time.sleep(0.1)
            else:
                raise RuntimeError(log_path.read_text())
        yield [base for base, _, _ in started]
