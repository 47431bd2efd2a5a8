"""Several hosts: the signing key must be shared; client addresses are believed only through trusted proxies."""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

import pytest
from flask import Flask

from registry.errors import ConfigurationError
from tests.web.conftest import ADMIN, STAFF, csrf_token, make_app
from web.proxies import client_address
from web.secret import signing_key

TRUSTED = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))


def test_the_client_is_the_rightmost_address_a_trusted_proxy_did_not_add() -> None:
    assert client_address("10.0.0.2", "203.0.113.7, 10.0.0.9", TRUSTED) == "203.0.113.7"
    assert client_address("::1", "198.51.100.1", TRUSTED) == "198.51.100.1"
    # An untrusted peer's header is ignored; so is a chain with garbage in it.
    assert client_address("192.0.2.5", "203.0.113.7", TRUSTED) == "192.0.2.5"
    assert client_address("10.0.0.2", "203.0.113.7, not-an-address", TRUSTED) == "10.0.0.2"
    # A client that writes its own header cannot hide behind it: the proxy appends the real address.
    assert client_address("10.0.0.2", "1.1.1.1, 203.0.113.7", TRUSTED) == "203.0.113.7"
    assert client_address("10.0.0.2", "10.1.1.1", TRUSTED) == "10.1.1.1"  # all trusted: the first


def test_without_a_configured_key_a_database_for_several_hosts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="Set the same ECOLABEL_SECRET_KEY"):
        signing_key(tmp_path, None, "postgresql://nobody@127.0.0.1:1/none")
    assert not (tmp_path / "secret_key").exists()
    assert signing_key(tmp_path, "k" * 32, "postgresql://nobody@127.0.0.1:1/none") == "k" * 32


def test_a_made_key_is_announced_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="web.secret"):
        first = signing_key(tmp_path, None, "sqlite:///x")
        assert signing_key(tmp_path, None, "sqlite:///x") == first
    made = [r for r in caplog.records if "made a new session signing key" in r.getMessage()]
    assert len(made) == 1 and "ECOLABEL_SECRET_KEY" in made[0].getMessage()


def _fail(app: Flask, forwarded: str, username: str) -> int:
    client = app.test_client()
    token = csrf_token(client)
    headers = {"X-Forwarded-For": forwarded}
    data = {"csrf_token": token, "username": username, "password": "wrong-password-x"}
    return client.post("/login", data=data, headers=headers).status_code


def _sign_in(app: Flask, forwarded: str) -> int:
    client = app.test_client()
    token = csrf_token(client)
    data = {"csrf_token": token, "username": STAFF[0], "password": STAFF[1]}
    return client.post("/login", data=data, headers={"X-Forwarded-For": forwarded}).status_code


def test_behind_a_trusted_proxy_one_clients_failures_do_not_lock_out_another(tmp_path: Path, seeded_db: Path) -> None:
    app = make_app(tmp_path, seeded_db, ECOLABEL_TRUSTED_PROXIES="1")
    try:
        # 20 failures from one client (spread over names, so that no account waits) ...
        codes = [_fail(app, "203.0.113.7", f"nobody-{i}") for i in range(20)]
        assert set(codes) == {401}
        assert _fail(app, "203.0.113.7", ADMIN[0]) == 429
        # ... and another client behind the same proxy still signs in.
        assert _sign_in(app, "198.51.100.1") == 302
    finally:
        app.extensions["registry"].engine.dispose()


def test_without_trusted_proxies_a_rotated_forwarded_header_escapes_nothing(tmp_path: Path, seeded_db: Path) -> None:
    app = make_app(tmp_path, seeded_db)
    try:
        codes = [_fail(app, f"203.0.113.{i}", f"nobody-{i}") for i in range(20)]
        assert set(codes) == {401}
        assert _fail(app, "198.51.100.99", "nobody-new") == 429
    finally:
        app.extensions["registry"].engine.dispose()
