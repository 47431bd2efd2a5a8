"""Web fixtures: the app on a fresh SQLite database of record (bundled standards imported), with users."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.store import migrate, transfer, users
from registry.store.engine import make_engine
from registry.validation import Validator
from tests.conftest import STANDARDS

ADMIN, STAFF = ("alice-admin", "admin-password-123"), ("sam-staff", "staff-password-123")


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory, validator: Validator) -> Path:
    """A migrated SQLite database with the bundled documents and two users, made once and copied per test."""
    folder = tmp_path_factory.mktemp("webdb")
    path = folder / "registry.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    users.add_user(engine, ADMIN[0], ADMIN[1], "admin")
    users.add_user(engine, STAFF[0], STAFF[1], "staff")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def make_app(tmp_path: Path, seeded_db: Path, **config: Any) -> Flask:
    db = tmp_path / "registry.sqlite3"
    db.write_bytes(seeded_db.read_bytes())
    from web import create_app

    settings = {
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{db}",
        "SECRET_KEY": "test-secret-key-of-at-least-32-bytes",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }
    settings.update(config)
    return create_app(settings)


@pytest.fixture
def app(tmp_path: Path, seeded_db: Path) -> Iterator[Flask]:
    application = make_app(tmp_path, seeded_db)
    yield application
    application.extensions["registry"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1) or found.group(2)


def login(client: FlaskClient, who: tuple[str, str]) -> None:
    data = {"username": who[0], "password": who[1]}
    if client.application.config.get("WTF_CSRF_ENABLED", True):
        data["csrf_token"] = csrf_token(client)
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
