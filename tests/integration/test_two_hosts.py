"""Two app hosts started together on one empty PostgreSQL database, as a load balancer would use them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from registry.store import tokens, users
from registry.store.engine import make_engine
from tests.conftest import ROOT, STANDARDS
from tests.serving import hosts

PASSWORD = "two-hosts-password-1"


def _sign_in(client: httpx.Client, base: str) -> None:
    page = client.get(f"{base}/login").text
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert found
    data = {"csrf_token": found.group(1), "username": "ops", "password": PASSWORD}
    assert client.post(f"{base}/login", data=data).status_code == 302


def test_two_hosts_start_together_share_sessions_and_see_each_others_writes(pg_url: str, tmp_path: Path) -> None:
    folders = [tmp_path / "host-a", tmp_path / "host-b"]
    for folder in folders:
        folder.mkdir()
    with hosts(folders, pg_url) as (a, b):
        engine = make_engine(pg_url)
        try:
            ops = users.add_user(engine, "ops", PASSWORD, "admin")
            secret = tokens.create(engine, ops.pk, "two hosts", "write", days=1, actor="test").secret
        finally:
            engine.dispose()
        # Both started and seeded once: the same standards on each.
        listed = [httpx.get(f"{base}/api/v1/standards?limit=200").json() for base in (a, b)]
        assert listed[0] == listed[1] and len(listed[0]) == 11
        # A session made on one host is valid on the other.
        with httpx.Client() as browser:
            _sign_in(browser, a)
            assert browser.get(f"{b}/admin/").status_code == 200
            assert browser.get(f"{b}/account").status_code == 200
        # A publish on one host is seen on the other's next request.
        doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
        doc["version"] = "2070"
        bearer = {"Authorization": f"Bearer {secret}"}
        assert httpx.post(f"{a}/api/v1/drafts", content=json.dumps(doc), headers=bearer).status_code == 201
        published = httpx.post(f"{a}/api/v1/standards/cn-de-room-air-conditioner/2070/publish", headers=bearer)
        assert published.status_code == 200
        versions = httpx.get(f"{b}/api/v1/standards/cn-de-room-air-conditioner").json()["versions"]
        assert {"2070": "published"}.items() <= {v["version"]: v["state"] for v in versions}.items()
        assert "2070" in httpx.get(f"{b}/standards/cn-de-room-air-conditioner").text
    log = "".join((f / "host.log").read_text() for f in folders)
    assert log.count("imported (added 94") == 1, log  # one host seeded, the other found it done
    assert "set ECOLABEL_RATE_LIMIT_STORAGE=redis://" in log  # each worker counts apart, and says so


def test_two_hosts_count_one_clients_heavy_requests_together_in_redis(
    pg_url: str, tmp_path: Path, redis_url: str
) -> None:
    folders = [tmp_path / "host-a", tmp_path / "host-b"]
    for folder in folders:
        folder.mkdir()
    product = json.loads((ROOT / "examples" / "products" / "split-ac-r290-3.5kw.json").read_text())
    settings = {"ECOLABEL_RATE_LIMIT_STORAGE": redis_url, "ECOLABEL_HEAVY_RATE_LIMIT": "8/120"}
    with hosts(folders, pg_url, env=settings) as (a, b):
        # Eight checks spread over two hosts × two workers use up one allowance ...
        codes = [httpx.post(f"{(a, b)[i % 2]}/api/v1/check", json=product).status_code for i in range(8)]
        assert codes == [200] * 8
        # ... and the next one is refused on either host, with the time to wait.
        for base in (a, b):
            refused = httpx.post(f"{base}/api/v1/check", json=product)
            assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 120
    log = "".join((f / "host.log").read_text() for f in folders)
    assert "ECOLABEL_RATE_LIMIT_STORAGE" not in log and "unreachable" not in log, log
