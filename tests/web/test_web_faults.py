"""Faults users meet: a full disk, a read-only database, a closed port, a database outage. Each is one clear
line in the CLI (exit 1) and a 503 page with Retry-After on the web; /healthz stays up, /readyz says why."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from registry.cli import main
from registry.store import migrate
from registry.store.engine import make_engine
from tests.conftest import STANDARDS
from tests.integration.conftest import PG_URL
from tests.web.conftest import ADMIN, csrf_token, login, make_app

DRAFT = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "2m") -> Iterator[Path]:
    """Mount a small tmpfs (the test runs as root, as CI does here) and unmount it afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path) -> None:
    """Write a filler file until the disk is full (unbuffered: a buffered file would try the bytes that did not
    fit again when closed, and fail there, depending on where the disk's last free block fell)."""
    with (folder / "filler").open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_a_full_disk_is_a_503_page_and_one_cli_line(tmp_path: Path, seeded_db: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        app = make_app(disk, seeded_db)
        client = app.test_client()
        login(client, ADMIN)
        token = csrf_token(client, "/admin/")
        fill(disk)
        r = client.post("/api/v1/drafts", json={**DRAFT, "version": "2097"}, headers={"X-CSRFToken": token})
        assert r.status_code == 503 and r.headers["Retry-After"] == "30"
        assert "the disk holding the database is full" in r.get_json()["error"]["message"]
        assert client.get("/healthz").status_code == 200
        runner = CliRunner(env={"DATABASE_URL": f"sqlite:///{disk / 'registry.sqlite3'}"})
        path = disk.parent / "draft.json"
        path.write_text(json.dumps({**DRAFT, "version": "2096"}))
        result = runner.invoke(main, ["import", str(path)])
        assert result.exit_code == 1 and "Traceback" not in result.output, result.output
        assert result.stderr.strip().splitlines()[-1] == "Error: the disk holding the database is full"
        assert client.get("/api/v1/standards/cn-de-room-air-conditioner").status_code == 200  # reads go on
        app.extensions["registry"].engine.dispose()


def test_a_read_only_database_is_a_503_page(tmp_path: Path, seeded_db: Path) -> None:
    with small_disk(tmp_path / "disk", "8m") as disk:
        app = make_app(disk, seeded_db)
        client = app.test_client()
        token = csrf_token(client)
        app.extensions["registry"].engine.dispose()
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        r = client.post("/login", data={"csrf_token": token, "username": ADMIN[0], "password": ADMIN[1]})
        page = r.get_data(as_text=True)
        assert r.status_code == 503 and r.headers["Retry-After"] == "30"
        assert "the database file is read-only" in page or "cannot be opened" in page, page[-800:]
        assert client.get("/healthz").status_code == 200
        app.extensions["registry"].engine.dispose()


def test_a_closed_database_port_is_one_line_in_the_cli_and_at_start_up(tmp_path: Path) -> None:
    closed = "postgresql://postgres@127.0.0.1:1/test"
    result = CliRunner(env={"DATABASE_URL": closed}).invoke(main, ["db", "status"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the database server does not answer (connection refused)" in result.stderr
    from registry.errors import ConfigurationError
    from web import create_app

    with pytest.raises(ConfigurationError, match="connection refused"):
        create_app({"DATABASE_URL": closed, "SECRET_KEY": "k" * 32, "INSTANCE_PATH": str(tmp_path)})


@pytest.fixture
def own_database() -> Iterator[str]:
    """A PostgreSQL database of its own (an outage is made by refusing connections to it)."""
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"outage_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE {name}")
    except Exception as exc:
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}")
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        admin.engine.dispose()


def _outage(url: str, on: bool) -> None:
    name = url.rsplit("/", 1)[1]
    admin = make_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {'false' if on else 'true'}")
        if on:
            conn.exec_driver_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")
    admin.engine.dispose()


def test_a_database_outage_is_a_503_with_retry_after_and_readyz_says_so(own_database: str, tmp_path: Path) -> None:
    engine = make_engine(own_database)
    migrate.upgrade(engine)
    engine.dispose()
    from web import create_app

    app = create_app(
        {"DATABASE_URL": own_database, "SECRET_KEY": "k" * 32, "INSTANCE_PATH": str(tmp_path), "TESTING": True}
    )
    client: FlaskClient = app.test_client()
    assert client.get("/labels").status_code == 200
    _outage(own_database, True)
    try:
        for url in ("/labels", "/api/v1/labels"):
            r = client.get(url)
            assert r.status_code == 503 and r.headers["Retry-After"] == "30", (url, r.status_code)
            assert "the registry cannot use its database right now" in r.get_data(as_text=True)
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.get_data(as_text=True).startswith("not ready: ")
        assert client.get("/healthz").status_code == 200
    finally:
        _outage(own_database, False)
    assert client.get("/labels").status_code == 200  # back by itself once the database is
    assert client.get("/readyz").status_code == 200
    app.extensions["registry"].engine.dispose()
    shutil.rmtree(tmp_path, ignore_errors=True)
