"""The draft leak of issue 12 as a regression, on SQLite and PostgreSQL: anonymous visitors never see a draft."""

from __future__ import annotations

from pathlib import Path

from registry.store import migrate, service, transfer
from registry.store.engine import make_engine
from registry.validation import Validator
from tests import reach
from tests.conftest import STANDARDS

LEAKED_BEFORE = (
    "/compare?a=de-uz-204@2016-08&b=de-uz-204@2099-01",
    "/compare.csv?a=de-uz-204@2016-08&b=de-uz-204@2099-01",
    "/standards/de-uz-204/revisions?a=2016-08&b=2099-01",
)


def test_no_draft_reaches_anonymous_visitors(db_url: str, validator: Validator, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    reach.store_drafts(engine)
    engine.dispose()
    from web import create_app

    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "k" * 32, "INSTANCE_PATH": str(tmp_path), "TESTING": True})
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        client = app.test_client()
        for url in LEAKED_BEFORE:
            response = client.get(url)
            assert response.status_code == 404 and reach.VALUE not in response.get_data(as_text=True), url
        home = client.get("/").get_data(as_text=True)
        assert "create_draft" not in home and "2099-01" not in home
        for request in reach.requests():
            status, body = reach.visit(client, request)
            assert status < 500 and reach.shown("anonymous", request, body) == [], (request.url, status)
        # The published version is still there, and the reader sees the draft once it is published.
        assert client.get("/standards/de-uz-204/2016-08").status_code == 200
        data = app.extensions["registry"]
        service.publish(data.engine, data.validator, *reach.NEW_VERSION, actor="test")
        page = client.get("/standards/de-uz-204/2099-01")
        assert page.status_code == 200 and reach.TITLE in page.get_data(as_text=True)
    finally:
        app.extensions["registry"].engine.dispose()
