"""The web registry on PostgreSQL (DATABASE_URL): pages, sign-in, rate limiting, an API publish, server-side logout."""

from __future__ import annotations

import json
from pathlib import Path

from registry.store import migrate, transfer, users
from registry.store.engine import make_engine
from registry.validation import Validator
from tests.conftest import STANDARDS
from tests.web.conftest import csrf_token


def test_the_web_registry_on_postgresql(pg_url: str, validator: Validator, tmp_path: Path) -> None:
    engine = make_engine(pg_url)
    migrate.upgrade(engine)
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    users.add_user(engine, "pg-admin", "pg-admin-password", "admin")
    engine.dispose()
    from web import create_app

    app = create_app({"DATABASE_URL": pg_url, "SECRET_KEY": "k" * 32, "INSTANCE_PATH": str(tmp_path), "TESTING": True})
    try:
        client = app.test_client()
        for url in (
            "/",
            "/labels",
            "/standards/de-uz-204",
            "/recognition",
            "/compare?a=cn-de-room-air-conditioner@2017&b=de-uz-204@2016-08",
        ):
            assert client.get(url).status_code == 200, url
        token = csrf_token(client)
        for _ in range(5):
            client.post("/login", data={"csrf_token": token, "username": "pg-admin", "password": "wrong-password"})
        assert (
            client.post(
                "/login", data={"csrf_token": token, "username": "pg-admin", "password": "pg-admin-password"}
            ).status_code
            == 429
        )
        admin = make_engine(pg_url)
        with admin.begin() as conn:
            conn.exec_driver_sql("DELETE FROM login_failure")  # the 15 minutes, passed
        admin.dispose()
        assert (
            client.post(
                "/login", data={"csrf_token": token, "username": "pg-admin", "password": "pg-admin-password"}
            ).status_code
            == 302
        )
        doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
        doc["version"] = "2030"
        token = csrf_token(client, "/check")
        assert client.post("/api/v1/drafts", data=json.dumps(doc), headers={"X-CSRFToken": token}).status_code == 201
        published = client.post(
            "/api/v1/standards/cn-de-room-air-conditioner/2030/publish", headers={"X-CSRFToken": token}
        )
        assert published.status_code == 200
        assert client.get("/standards/cn-de-room-air-conditioner/2030").status_code == 200
        old = client.get_cookie("session")
        client.post("/logout", data={"csrf_token": token})
        client.set_cookie("session", old.value)  # type: ignore[union-attr]
        assert client.get("/admin/").status_code == 302
    finally:
        app.extensions["registry"].engine.dispose()
