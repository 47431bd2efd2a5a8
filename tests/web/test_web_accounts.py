"""Accounts: personal API tokens (Bearer, scopes, revocation, expiry), password change and reset, the list of
sessions, sign-ins audited."""

from __future__ import annotations

import datetime as dt
import json
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from registry.store import tokens, users
from tests.conftest import STANDARDS
from tests.web.conftest import ADMIN, STAFF, csrf_token, login


def _joint(version: str) -> dict[str, object]:
    doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
    doc["version"] = version
    return doc


def _make_token(client: FlaskClient, name: str, scope: str, expires: str = "90") -> str:
    token = csrf_token(client, "/account")
    response = client.post(
        "/account/tokens", data={"csrf_token": token, "name": name, "scope": scope, "expires": expires}
    )
    assert response.status_code == 201, response.get_data(as_text=True)[:300]
    found = re.search(r'<code id="new-token">([^<]+)</code>', response.get_data(as_text=True))
    assert found
    return found.group(1)


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _engine(app: Flask):  # type: ignore[no-untyped-def]
    return app.extensions["registry"].engine


def test_a_write_token_writes_without_csrf_and_the_audit_names_it(app: Flask, client: FlaskClient) -> None:
    login(client, ADMIN)
    secret = _make_token(client, "nightly import", "write")
    assert secret.startswith("ecr_") and len(secret) > 40
    # Shown once: the account page never shows it again, and only its hash is stored.
    assert secret not in client.get("/account").get_data(as_text=True)
    with _engine(app).connect() as conn:
        stored = [str(v) for row in conn.execute(text("SELECT * FROM api_token")) for v in row]
    assert secret not in stored and not any(secret[8:20] in v for v in stored)
    script = app.test_client()  # no session, no CSRF token: only the header
    created = script.post("/api/v1/drafts", data=json.dumps(_joint("2041")), headers=_bearer(secret))
    assert created.status_code == 201, created.get_data(as_text=True)
    published = script.post("/api/v1/standards/cn-de-room-air-conditioner/2041/publish", headers=_bearer(secret))
    assert published.status_code == 200
    with _engine(app).connect() as conn:
        actors = [
            r[0]
            for r in conn.execute(text("SELECT actor FROM audit_entry WHERE doc_id = 'cn-de-room-air-conditioner'"))
        ]
    listed = tokens.listed(_engine(app))
    assert f"api:{ADMIN[0]} (token {listed[0].pk} {listed[0].prefix}…)" in actors
    assert listed[0].last_used_at is not None


def test_a_read_token_reads_and_its_writes_get_403_with_the_scope_challenge(app: Flask, client: FlaskClient) -> None:
    login(client, ADMIN)
    secret = _make_token(client, "dashboard", "read")
    script = app.test_client()
    assert script.get("/api/v1/labels", headers=_bearer(secret)).status_code == 200
    refused = script.post("/api/v1/drafts", data=json.dumps(_joint("2042")), headers=_bearer(secret))
    assert refused.status_code == 403
    assert "error=insufficient_scope" in refused.headers["WWW-Authenticate"].replace('"', "")
    assert "scope read" in refused.get_json()["error"]["message"]
    assert "2042" not in json.dumps(script.get("/api/v1/standards/cn-de-room-air-conditioner").get_json())


def test_bad_missing_revoked_and_expired_tokens_get_401(app: Flask, client: FlaskClient) -> None:
    script = app.test_client()
    missing = script.post("/api/v1/drafts", data="{}")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer realm=")
    wrong = script.get("/api/v1/labels", headers=_bearer("ecr_not-a-token-of-anyone"))
    assert wrong.status_code == 401 and "error=invalid_token" in wrong.headers["WWW-Authenticate"].replace('"', "")
    basic = script.get("/api/v1/labels", headers={"Authorization": "Basic YWxpY2U6cHc="})
    assert basic.status_code == 401 and "error=invalid_request" in basic.headers["WWW-Authenticate"].replace('"', "")
    login(client, ADMIN)
    secret = _make_token(client, "short-lived", "write")
    assert script.get("/api/v1/labels", headers=_bearer(secret)).status_code == 200
    with _engine(app).begin() as conn:
        conn.execute(text("UPDATE api_token SET expires_at = :at"), {"at": dt.datetime(2020, 1, 1)})
    assert script.get("/api/v1/labels", headers=_bearer(secret)).status_code == 401
    other = _make_token(client, "to revoke", "write")
    pk = tokens.listed(_engine(app))[0].pk
    token = csrf_token(client, "/account")
    assert client.post(f"/account/tokens/{pk}/revoke", data={"csrf_token": token}).status_code == 302
    assert script.get("/api/v1/labels", headers=_bearer(other)).status_code == 401
    # A Bearer header on a page is no sign-in: pages take the session cookie only.
    third = _make_token(client, "page attempt", "write")
    assert script.get("/admin/", headers=_bearer(third)).status_code == 302


def test_a_deactivated_users_tokens_stop_working(app: Flask, client: FlaskClient) -> None:
    login(client, STAFF)
    secret = _make_token(client, "staff script", "read")
    assert app.test_client().get("/api/v1/labels", headers=_bearer(secret)).status_code == 200
    staff = next(u for u in users.list_users(_engine(app)) if u.username == STAFF[0])
    users.update_user(_engine(app), staff.pk, active=False, actor="test")
    assert app.test_client().get("/api/v1/labels", headers=_bearer(secret)).status_code == 401


def test_staff_revoke_only_their_own_tokens_and_admins_any(app: Flask) -> None:
    admin, staff = app.test_client(), app.test_client()
    login(admin, ADMIN)
    login(staff, STAFF)
    _make_token(admin, "admin's", "write")
    admins = tokens.listed(_engine(app))[0].pk
    _make_token(staff, "staff's", "read")
    staffs = tokens.listed(_engine(app))[0].pk
    page = staff.get("/account").get_data(as_text=True)
    assert "staff&#39;s" in page and "admin&#39;s" not in page
    token = csrf_token(staff, "/account")
    assert staff.post(f"/account/tokens/{admins}/revoke", data={"csrf_token": token}).status_code == 404
    assert tokens.listed(_engine(app))[1].revoked_at is None
    assert "staff&#39;s" in admin.get("/account").get_data(as_text=True)
    token = csrf_token(admin, "/account")
    assert admin.post(f"/account/tokens/{staffs}/revoke", data={"csrf_token": token}).status_code == 302
    assert next(t for t in tokens.listed(_engine(app)) if t.pk == staffs).revoked_at is not None


def test_a_bad_token_form_names_the_field_and_stores_nothing(client: FlaskClient, app: Flask) -> None:
    login(client, STAFF)
    token = csrf_token(client, "/account")
    response = client.post("/account/tokens", data={"csrf_token": token, "name": "", "scope": "admin", "expires": "7"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "name:" in body and "scope:" in body and "expires:" in body
    assert tokens.listed(_engine(app)) == []


def test_password_change_needs_the_old_one_and_ends_the_other_sessions(app: Flask) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    login(here, STAFF)
    login(elsewhere, STAFF)
    token = csrf_token(here, "/account")
    wrong = here.post(
        "/account/password", data={"csrf_token": token, "old_password": "not-it-at-all", "new_password": "x"}
    )
    assert wrong.status_code == 400
    assert "old_password: this is not your current password" in wrong.get_data(as_text=True)
    assert "new_password: at least 12 characters" in wrong.get_data(as_text=True)
    new = "a-brand-new-staff-password"
    done = here.post("/account/password", data={"csrf_token": token, "old_password": STAFF[1], "new_password": new})
    assert done.status_code == 302
    assert here.get("/admin/").status_code == 200  # this session goes on
    assert elsewhere.get("/admin/").status_code == 302  # the other one has ended
    assert users.authenticate(_engine(app), STAFF[0], new, "test") is not None
    assert users.authenticate(_engine(app), STAFF[0], STAFF[1], "test") is None


def test_an_admin_reset_gives_a_temporary_password_that_must_be_changed(app: Flask) -> None:
    admin, staff = app.test_client(), app.test_client()
    login(admin, ADMIN)
    pk = next(u.pk for u in users.list_users(_engine(app)) if u.username == STAFF[0])
    token = csrf_token(admin, "/admin/users")
    page = admin.post("/admin/users", data={"csrf_token": token, "action": "reset", "pk": str(pk)})
    assert page.status_code == 200
    found = re.search(r'<code id="temporary-password">([^<]+)</code>', page.get_data(as_text=True))
    assert found
    temporary = found.group(1)
    assert temporary not in admin.get("/admin/users").get_data(as_text=True)
    token = csrf_token(staff)
    signed = staff.post("/login", data={"csrf_token": token, "username": STAFF[0], "password": temporary})
    assert signed.status_code == 302 and signed.headers["Location"].endswith("/account")
    assert staff.get("/admin/").headers["Location"].endswith("/account")  # nothing else until it is changed
    token = csrf_token(staff, "/account")
    new = "chosen-after-the-reset"
    assert (
        staff.post(
            "/account/password", data={"csrf_token": token, "old_password": temporary, "new_password": new}
        ).status_code
        == 302
    )
    assert staff.get("/admin/").status_code == 200


def test_sign_ins_sign_outs_and_account_changes_are_in_the_audit_trail(app: Flask, client: FlaskClient) -> None:
    login(client, STAFF)
    _make_token(client, "audited", "read")
    token = csrf_token(client, "/account")
    client.post("/account/sign-out-everywhere", data={"csrf_token": token})
    assert client.get("/admin/").status_code == 302
    with _engine(app).connect() as conn:
        actions = [
            r[0] for r in conn.execute(text("SELECT action FROM audit_entry WHERE doc_id = :u"), {"u": STAFF[0]})
        ]
    assert actions[-3:] == ["sign_in", "create_token", "sign_out_everywhere"]
    # Anonymous visitors never see account entries.
    home = app.test_client().get("/")
    assert home.status_code == 200 and "Latest changes" in home.get_data(as_text=True)
    assert STAFF[0] not in home.get_data(as_text=True)


def _signed_in_from(app: Flask, address: str, agent: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": address, "HTTP_USER_AGENT": agent})
    login(client, STAFF)
    return client


def _session_rows(page: str) -> list[str]:
    table = page.split('id="sessions"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr(?: aria-current=\"true\")?>\s*<td>.*?</tr>", table, re.S)


def test_a_user_sees_where_they_are_signed_in_and_ends_one_session(app: Flask) -> None:
    laptop = _signed_in_from(app, "198.51.100.4", "Laptop-Browser/1.0")
    phone = _signed_in_from(app, "203.0.113.9", "Phone-Browser/2.0")
    page = laptop.get("/account").get_data(as_text=True)
    rows = _session_rows(page)
    assert len(rows) == 2
    mine = next(r for r in rows if "aria-current" in r)
    assert "198.51.100.4" in mine and "Laptop-Browser/1.0" in mine and "this session" in mine
    other = next(r for r in rows if "aria-current" not in r)
    assert "203.0.113.9" in other and "Phone-Browser/2.0" in other
    found = re.search(r'action="/account/sessions/(\d+)/end"', other)
    assert found
    token = csrf_token(laptop, "/account")
    # Ending it needs the form's token; one's own session is signed out of, not ended here.
    assert laptop.post(f"/account/sessions/{found.group(1)}/end", data={}).status_code == 400
    ended = laptop.post(f"/account/sessions/{found.group(1)}/end", data={"csrf_token": token})
    assert ended.status_code == 302
    assert phone.get("/admin/").headers["Location"].startswith("/login")  # the phone is signed out
    assert laptop.get("/admin/").status_code == 200  # the laptop goes on
    assert len(_session_rows(laptop.get("/account").get_data(as_text=True))) == 1
    again = laptop.post(f"/account/sessions/{found.group(1)}/end", data={"csrf_token": token})
    assert again.status_code == 404  # already ended
    with _engine(app).connect() as conn:
        actions = [r[0] for r in conn.execute(text("SELECT action FROM audit_entry WHERE action = 'end_session'"))]
        keys = [r[0] for r in conn.execute(text("SELECT key_sha256 FROM user_session"))]
    assert actions == ["end_session"] and all(len(k) == 64 for k in keys)


def test_nobody_ends_another_users_session_or_their_own_current_one(app: Flask) -> None:
    staff = _signed_in_from(app, "198.51.100.4", "Staff-Browser")
    admin = app.test_client()
    login(admin, ADMIN)
    found = re.search(r'<tr aria-current="true">', staff.get("/account").get_data(as_text=True))
    assert found
    with _engine(app).connect() as conn:
        staff_session = conn.execute(text("SELECT max(pk) FROM user_session WHERE client = '198.51.100.4'")).scalar()
        admin_session = conn.execute(text("SELECT max(pk) FROM user_session WHERE client <> '198.51.100.4'")).scalar()
    token = csrf_token(admin, "/account")
    assert admin.post(f"/account/sessions/{staff_session}/end", data={"csrf_token": token}).status_code == 404
    assert admin.post(f"/account/sessions/{admin_session}/end", data={"csrf_token": token}).status_code == 400
    assert staff.get("/admin/").status_code == 200 and admin.get("/admin/").status_code == 200


def test_signing_out_ends_this_session_only_and_idle_sessions_end(app: Flask) -> None:
    first = _signed_in_from(app, "198.51.100.4", "First")
    second = _signed_in_from(app, "198.51.100.5", "Second")
    token = csrf_token(first, "/account")
    assert first.post("/logout", data={"csrf_token": token}).status_code == 302
    assert first.get("/admin/").status_code == 302
    assert second.get("/admin/").status_code == 200  # signing out here leaves the other device signed in
    with _engine(app).begin() as conn:
        conn.execute(text("UPDATE user_session SET last_seen_at = :at"), {"at": dt.datetime(2020, 1, 1)})
    assert second.get("/admin/").status_code == 302  # unused for 30 days: ended


def test_deactivating_a_user_ends_their_sessions(app: Flask) -> None:
    staff = _signed_in_from(app, "198.51.100.4", "Staff-Browser")
    pk = next(u.pk for u in users.list_users(_engine(app)) if u.username == STAFF[0])
    users.update_user(_engine(app), pk, active=False, actor="test")
    assert staff.get("/admin/").status_code == 302
    users.update_user(_engine(app), pk, active=True, actor="test")
    assert staff.get("/admin/").status_code == 302  # reactivated: a new sign-in is needed
