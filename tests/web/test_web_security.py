"""Security: headers, cookies, server-side logout, rate limiting, CSRF, size limits, escaping, and the access matrix."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from registry.store import service
from tests.conftest import STANDARDS
from tests.web.conftest import ADMIN, STAFF, csrf_token, login, make_app


def test_security_headers_on_pages_and_api(client: FlaskClient) -> None:
    for url in ("/", "/api/v1/labels", "/nope"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_or_style_in_any_template() -> None:
    # Scripts come from the app's own static files (script-src 'self'), never written into a page.
    own = re.compile(r"<script src=\"\{\{ url_for\('static', filename='[a-z]+\.js'\) \}\}\"></script>")
    for path in (Path(__file__).parents[2] / "web" / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script" not in own.sub("", text) and " style=" not in text and "<style" not in text, path
        assert " on" + "click=" not in text and " on" + "change=" not in text, path


def test_session_cookie_flags_and_logout_invalidates_server_side(client: FlaskClient) -> None:
    token = csrf_token(client)
    response = client.post("/login", data={"csrf_token": token, "username": ADMIN[0], "password": ADMIN[1]})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    old = client.get_cookie("session")
    assert old is not None
    assert client.get("/admin/").status_code == 200
    token = csrf_token(client, "/admin/")
    client.post("/logout", data={"csrf_token": token})
    client.set_cookie("session", old.value)  # replay the cookie from before the logout
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_secure_cookie_when_configured(tmp_path: Path, seeded_db: Path) -> None:
    app = make_app(tmp_path, seeded_db, SESSION_COOKIE_SECURE=True)
    c = app.test_client()
    token = csrf_token(c)
    response = c.post("/login", data={"csrf_token": token, "username": ADMIN[0], "password": ADMIN[1]})
    assert "Secure" in response.headers["Set-Cookie"]
    app.extensions["registry"].engine.dispose()


def test_login_is_rate_limited(client: FlaskClient) -> None:
    token = csrf_token(client)
    for _ in range(5):
        r = client.post("/login", data={"csrf_token": token, "username": ADMIN[0], "password": "wrong-password-x"})
        assert r.status_code == 401
    r = client.post("/login", data={"csrf_token": token, "username": ADMIN[0], "password": ADMIN[1]})
    assert r.status_code == 429 and "too many" in r.get_data(as_text=True)
    # Another user from the same address is not locked out by these five.
    r = client.post("/login", data={"csrf_token": token, "username": STAFF[0], "password": STAFF[1]})
    assert r.status_code == 302


def test_csrf_is_required_on_forms(client: FlaskClient) -> None:
    login(client, ADMIN)
    r = client.post(
        "/admin/users", data={"action": "add", "username": "eve", "password": "eve-password-12", "role": "admin"}
    )
    assert r.status_code == 400
    assert "eve" not in client.get("/admin/users").get_data(as_text=True)
    assert client.post("/logout").status_code == 400


def test_request_size_is_limited(client: FlaskClient) -> None:
    r = client.post("/api/v1/check", data=b"{" + b" " * (5 * 1024 * 1024) + b"}")
    assert r.status_code == 413 and r.get_json()["error"]["status"] == 413


def test_stored_script_in_a_title_is_shown_as_text(client: FlaskClient, app: Flask) -> None:
    doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
    doc["version"] = "2099"
    doc["dates"] = {"published": "2030-01", "valid_from": None, "valid_until": None, "review_due": None}
    doc["title"]["en"] = "<script>document.title='owned'</script>Joint"
    engine = app.extensions["registry"].engine
    service.create_draft(engine, doc, actor="test")
    service.publish(engine, app.extensions["registry"].validator, doc["id"], "2099", actor="test")
    page = client.get("/standards/cn-de-room-air-conditioner/2099").get_data(as_text=True)
    assert (
        "<script>document.title" not in page
        and "&lt;script&gt;document.title=&#39;owned&#39;&lt;/script&gt;Joint" in page
    )
    assert "<script>" not in client.get("/standards?kind=joint").get_data(as_text=True)


def test_login_redirect_stays_on_this_site(client: FlaskClient) -> None:
    token = csrf_token(client)
    r = client.post(
        "/login?next=//evil.example/x", data={"csrf_token": token, "username": ADMIN[0], "password": ADMIN[1]}
    )
    assert r.headers["Location"] == "/admin/"


# --- the access matrix: anonymous / staff / admin x every route and method

DRAFT = "/admin/drafts/cn-de-room-air-conditioner/2098"
PUBLIC_GET = [
    "/",
    "/help",
    "/compare.json?s=de-uz-204@2016-08&s=cn-cel-room-air-conditioner@2013",
    "/healthz",
    "/readyz",
    "/search?q=air",
    "/labels",
    "/labels/cn-cel",
    "/standards",
    "/standards/de-uz-204",
    "/standards/de-uz-204/2016-08",
    "/standards/de-uz-204/2016-08/criteria.xlsx",
    "/standards/de-uz-204/2016-08/criteria.csv",
    "/standards/cn-cel-room-air-conditioner/revisions",
    "/compare?a=cn-de-room-air-conditioner@2017&b=de-uz-204@2016-08",
    "/compare.csv?a=cn-de-room-air-conditioner@2017&b=de-uz-204@2016-08",
    "/recognition",
    "/agreements/gen-genices",
    "/licences/jp-eco-mark-17133003",
    "/check?category=scanner",
    "/login",
    "/lang/zh_Hans",
    "/static/style.css",
    "/api/v1/labels",
    "/api/v1/labels/cn-cel",
    "/api/v1/standards",
    "/api/v1/standards/de-uz-204",
    "/api/v1/standards/de-uz-204/2016-08",
    "/api/v1/agreements",
    "/api/v1/agreements/gen-genices",
    "/api/v1/licences",
    "/api/v1/licences/jp-eco-mark-17133003",
    "/api/v1/diff?a=cn-de-room-air-conditioner@2017&b=de-uz-204@2016-08",
    "/api/v1/openapi.json",
]
PUBLIC_POST = ["/check", "/api/v1/check", "/login", "/logout"]
STAFF_GET = [
    "/admin/",
    "/admin/agreements",
    "/admin/agreements/gen-genices",
    "/admin/audit",
    DRAFT,
    DRAFT + "/criteria.xlsx",
    DRAFT + "/criteria.csv",
    DRAFT + "/criteria/add",
    DRAFT + "/criteria/noise/edit",
    "/admin/templates/scanner.xlsx",
    "/admin/review",
    "/admin/categories",
    "/admin/categories/scanner",
    "/account",
]
# Staff edit drafts (criterion by criterion, or the whole JSON); publishing and deleting are the admin's.
STAFF_POST = [
    DRAFT,
    DRAFT + "/criteria/add",
    DRAFT + "/criteria/noise/edit",
    DRAFT + "/criteria/noise/up",
    DRAFT + "/discard",
    "/admin/review/cn-de-room-air-conditioner/2098/noise",
]
# Any signed-in user acts on their own account (the last one ends the session).
SIGNED_IN_POST = [
    "/account/password",
    "/account/tokens",
    "/account/tokens/1/revoke",
    "/account/sessions/1/end",
    "/account/sign-out-everywhere",
]
ADMIN_GET = ["/admin/drafts/new", "/admin/users", "/admin/sheets", DRAFT + "/publish", "/admin/agreements/new"]
ADMIN_POST = [
    "/admin/drafts/new",
    "/admin/sheets",
    DRAFT + "/delete",
    "/admin/standards/de-uz-204/2016-08/withdraw",
    "/admin/standards/de-uz-204/2016-08/new-version",
    DRAFT + "/publish",
    "/admin/agreements",
    "/admin/agreements/gen-genices",
    "/admin/agreements/new",
    "/admin/agreements/gen-genices/scope",
    "/admin/categories",
    "/admin/categories/scanner",
    "/admin/users",
    "/api/v1/drafts",
    "/api/v1/standards/cn-de-room-air-conditioner/2098/publish",
]


@pytest.fixture
def open_app(tmp_path: Path, seeded_db: Path):  # type: ignore[no-untyped-def]
    """The app with CSRF off, so that only the role checks decide; and one draft to act on."""
    app = make_app(tmp_path, seeded_db, WTF_CSRF_ENABLED=False)
    doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
    doc["version"] = "2098"
    service.create_draft(app.extensions["registry"].engine, doc, actor="test")
    yield app
    app.extensions["registry"].engine.dispose()


def _path(rule: str) -> str:
    return rule.split("?")[0]


def test_the_matrix_names_every_route(open_app: Flask) -> None:
    import re

    named = {
        re.sub(
            r"/(cn-cel|de-uz-204|2016-08|gen-genices|jp-eco-mark-17133003|cn-de-room-air-conditioner|2098|zh_Hans|style\.css|cn-cel-room-air-conditioner|noise|scanner|1)(?=/|$)",
            "/<x>",
            re.sub(
                r"/scanner\.xlsx$",
                "/<x>.xlsx",
                re.sub(
                    r"/criteria/noise/(edit|up)$",
                    lambda m: "/criteria/<x>/" + ("edit" if m.group(1) == "edit" else "<x>"),
                    re.sub(r"/criteria\.(xlsx|csv)$", "/criteria.<x>", _path(u)),
                ),
            ),
        )
        for u in PUBLIC_GET + PUBLIC_POST + STAFF_GET + STAFF_POST + ADMIN_GET + ADMIN_POST + SIGNED_IN_POST
    }
    for rule in open_app.url_map.iter_rules():
        shape = re.sub(r"<[^>]+>", "<x>", rule.rule)
        assert shape in named, f"route {rule.rule} is not in the access matrix"


@pytest.mark.parametrize("who", [None, STAFF, ADMIN], ids=["anonymous", "staff", "admin"])
def test_access_matrix(open_app: Flask, who: tuple[str, str] | None) -> None:
    client = open_app.test_client()
    if who:
        login(client, who)
    role = {None: "anonymous", STAFF: "staff", ADMIN: "admin"}[who]
    for url in PUBLIC_GET:
        response = client.get(url)
        response.close()
        assert response.status_code in (200, 302), (role, url)
    for url in STAFF_GET + ADMIN_GET:
        status = client.get(url).status_code
        allowed = role == "admin" or (role == "staff" and url in STAFF_GET)
        expected = {200} if allowed else ({302} if role == "anonymous" else {403})
        assert status in expected, (role, "GET", url, status)
    for url in STAFF_POST:
        status = client.post(url, data={}).status_code
        if role == "anonymous":
            assert status == 302, (role, "POST", url, status)
        else:
            assert status not in (302, 401, 403), (role, "POST", url, status)
    for url in ADMIN_POST:
        status = client.post(url, data={}).status_code
        if role == "admin":
            assert status not in (401, 403), (role, "POST", url, status)
        else:
            expected = {403} if role == "staff" else ({401} if url.startswith("/api/") else {302})
            assert status in expected, (role, "POST", url, status)
    for url in SIGNED_IN_POST:
        response = client.post(url, data={})
        to_login = response.status_code == 302 and "/login" in response.headers["Location"]
        if role == "anonymous":
            assert to_login, (role, "POST", url, response.status_code)
        else:
            assert response.status_code not in (401, 403) and (not to_login or url.endswith("everywhere")), (
                role,
                "POST",
                url,
                response.status_code,
            )
    # Methods a route does not take are refused, never served.
    for url in ("/", "/api/v1/labels", "/admin/audit"):
        assert client.post(url).status_code == 405
    assert client.delete("/api/v1/standards/de-uz-204/2016-08").status_code == 405
