"""The data-reach matrix (tests/reach.py) on SQLite: anonymous, staff and admin x every route that takes a reference."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests import reach
from tests.web.conftest import ADMIN, STAFF, login, make_app


@pytest.fixture(scope="module")
def draft_app(tmp_path_factory: pytest.TempPathFactory, seeded_db: Path) -> Iterator[Flask]:
    app = make_app(tmp_path_factory.mktemp("reach"), seeded_db, WTF_CSRF_ENABLED=False, HEAVY_RATE_LIMIT=(10_000, 60))
    reach.store_drafts(app.extensions["registry"].engine)
    yield app
    app.extensions["registry"].engine.dispose()


def test_every_route_is_classified(draft_app: Flask) -> None:
    assert reach.unclassified(draft_app) == [], "a new route: add it to tests/reach.py (a reach or NO_REFERENCE)"
    assert not set(reach.NO_REFERENCE) & {r.rule for r in reach.requests()}


@pytest.mark.parametrize("role", reach.ROLES)
def test_a_draft_reaches_only_the_pages_meant_for_drafts(draft_app: Flask, role: str) -> None:
    client = draft_app.test_client()
    if role != "anonymous":
        login(client, ADMIN if role == "admin" else STAFF)
    requests = list(reach.requests())
    for request in requests:
        status, body = reach.visit(client, request)
        assert status < 500, (role, request.url, status)
        assert reach.shown(role, request, body) == [], (role, request.url, status)
        if request.for_drafts and role != "anonymous" and request.url.startswith("/admin/drafts/"):
            marker = reach.VALUE if request.url.endswith(".csv") else reach.TITLE  # a CSV holds criteria only
            assert status == 200 and marker in body, (role, request.url)  # the draft is there for them
        if request.for_drafts and role == "anonymous":
            assert status == 302, request.url  # to the sign-in page
    assert len(requests) * len(reach.ROLES) >= 90  # the matrix's size: requests x roles
