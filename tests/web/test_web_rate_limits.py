"""The limit on computing anonymous routes: keyed on the real client, shared by the hosts of one database."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import ROOT
from tests.web.conftest import make_app
from web import create_app

PRODUCT = json.loads((ROOT / "examples" / "products" / "split-ac-r290-3.5kw.json").read_text())


def _check(app: Flask, forwarded: str | None = None, peer: str = "127.0.0.1") -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    client = app.test_client()
    r = client.post("/api/v1/check", json=PRODUCT, headers=headers, environ_base={"REMOTE_ADDR": peer})
    return r.status_code


def _twin(app: Flask, **config: str) -> Flask:
    """A second host of the same database (same URL, so the same counts when they are shared)."""
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": app.extensions["settings"].database_url,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "INSTANCE_PATH": app.instance_path + "-twin",
            **config,
        }
    )


def _close(*apps: Flask) -> None:
    for app in apps:
        app.extensions["registry"].engine.dispose()


def test_through_a_trusted_proxy_the_limit_counts_the_real_client(tmp_path: Path, seeded_db: Path) -> None:
    app = make_app(tmp_path, seeded_db, HEAVY_RATE_LIMIT="3/60", ECOLABEL_TRUSTED_PROXIES="1")
    try:
        # Behind the proxy, one client's allowance is its own: a neighbour is not starved.
        assert [_check(app, "203.0.113.7") for _ in range(4)] == [200, 200, 200, 429]
        assert _check(app, "198.51.100.1") == 200
        # A client that writes its own header ahead of the proxy's is still itself.
        assert _check(app, "1.2.3.4, 203.0.113.7") == 429
    finally:
        _close(app)


def test_without_trusted_proxies_a_rotated_forwarded_header_escapes_no_limit(tmp_path: Path, seeded_db: Path) -> None:
    app = make_app(tmp_path, seeded_db, HEAVY_RATE_LIMIT="3/60")
    try:
        codes = [_check(app, f"203.0.113.{i}") for i in range(5)]
        assert codes == [200, 200, 200, 429, 429]
    finally:
        _close(app)


def test_the_hosts_of_one_database_share_the_count_in_redis(
    tmp_path: Path, seeded_db: Path, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    shared = {"HEAVY_RATE_LIMIT": "4/60", "ECOLABEL_RATE_LIMIT_STORAGE": redis_url}
    for folder in ("a", "other"):
        (tmp_path / folder).mkdir()
    a = make_app(tmp_path / "a", seeded_db, **shared)
    b = _twin(a, **shared)
    other_registry = make_app(tmp_path / "other", seeded_db, **shared)
    try:
        assert [_check(a), _check(b), _check(a), _check(b)] == [200] * 4
        assert _check(b) == 429 and _check(a) == 429  # one count for both hosts
        assert _check(other_registry) == 200  # another database on the same Redis counts apart
        assert _check(a, peer="192.0.2.8") == 200  # and so does another client
    finally:
        _close(a, b, other_registry)
    assert not [r for r in caplog.records if "unreachable" in r.getMessage()]


def test_without_redis_the_limit_goes_on_in_the_worker_and_says_so(
    tmp_path: Path, seeded_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="web.throttle"):
        app = make_app(
            tmp_path, seeded_db, HEAVY_RATE_LIMIT="2/60", ECOLABEL_RATE_LIMIT_STORAGE="redis://:pw@127.0.0.1:1/0"
        )
        try:
            assert [_check(app) for _ in range(3)] == [200, 200, 429]
        finally:
            _close(app)
    warned = [r.getMessage() for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warned) == 1, warned  # once a minute, not once a request
    assert "redis://127.0.0.1:1/0" in warned[0] and "pw" not in warned[0]
