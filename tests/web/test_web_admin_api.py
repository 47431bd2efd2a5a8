"""Administrators' work through the pages and the API: drafts with errors at their paths, publish, agreements, users."""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient

from tests.conftest import STANDARDS
from tests.web.conftest import ADMIN, STAFF, csrf_token, login


def _joint(version: str = "2030") -> dict:  # type: ignore[type-arg]
    doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
    doc["version"] = version
    doc["dates"] = {"published": "2030-01", "valid_from": None, "valid_until": None, "review_due": None}
    return doc  # type: ignore[no-any-return]


def test_upload_with_an_error_shows_its_path_then_fix_and_publish(client: FlaskClient) -> None:
    login(client, ADMIN)
    token = csrf_token(client, "/admin/drafts/new")
    bad = _joint()
    bad["criteria"][1]["requirement"] = {"type": "min", "value": {"value": 7, "unit": "kg"}, "inclusive": True}
    response = client.post(
        "/admin/drafts/new", data={"u-csrf_token": token, "mode": "upload", "u-text": json.dumps(bad)}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "/criteria/1/requirement/value/unit" in page and "measures a mass" in page
    assert client.get("/admin/").get_data(as_text=True).count("@2030") == 0  # nothing stored
    good = _joint()
    response = client.post(
        "/admin/drafts/new", data={"u-csrf_token": token, "mode": "upload", "u-text": json.dumps(good)}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/admin/drafts/cn-de-room-air-conditioner/2030"
    )
    draft = client.get("/admin/drafts/cn-de-room-air-conditioner/2030").get_data(as_text=True)
    assert "Differences from the previous version and the parent standards" in draft
    assert "Parent: de-uz-204@2016-08" in draft
    assert client.get("/standards/cn-de-room-air-conditioner/2030").status_code == 404  # drafts are not public
    response = client.post("/admin/drafts/cn-de-room-air-conditioner/2030/publish", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/standards/cn-de-room-air-conditioner/2030").status_code == 200
    listing = client.get("/standards?kind=joint").get_data(as_text=True)
    assert "/standards/cn-de-room-air-conditioner/2030" in listing
    compare = client.get("/compare?a=cn-de-room-air-conditioner@2030&b=de-uz-204@2016-08")
    assert compare.status_code == 200 and "not comparable" in compare.get_data(as_text=True)
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "web:alice-admin" in audit and "publish" in audit


def test_the_form_shows_errors_at_their_fields(client: FlaskClient) -> None:
    login(client, ADMIN)
    token = csrf_token(client, "/admin/drafts/new")
    fields = {
        "f-csrf_token": token,
        "mode": "form",
        "f-id": "cn-xx-test",
        "f-version": "1",
        "f-title_en": "Test joint standard",
        "f-labels": ["cn-cel", "de-blue-angel"],
        "f-category": "room-air-conditioner",
        "f-published": "2031-02-30",  # not a date
        "f-parties": "cn-cel, xx-nobody",
        "f-scope": "Air conditioners.",
        "f-source_title": "A test source",
        "f-source_publisher": "Ecolabel registry test suite",
        "f-verification": "unverified",
        "f-criteria": "[]",
    }
    page = client.post("/admin/drafts/new", data=fields).get_data(as_text=True)
    assert re.search(r'name="f-parties"[^>]*>\s*</label><p class="field-error">/parties/1', page), page[:3000]
    fields["f-parties"] = ""  # the labels, by default
    response = client.post("/admin/drafts/new", data=fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'name="f-published"[^>]*>\s*</label><p class="field-error">/dates/published', page), page[-3000:]
    fields["f-published"] = "2031-02"
    fields["f-criteria"] = "[{"
    page = client.post("/admin/drafts/new", data=fields).get_data(as_text=True)
    assert "/criteria: malformed JSON at line 1" in page
    fields["f-criteria"] = "[]"
    assert client.post("/admin/drafts/new", data=fields).status_code == 302


def test_stale_draft_edit_is_a_conflict(client: FlaskClient) -> None:
    login(client, ADMIN)
    token = csrf_token(client, "/admin/drafts/new")
    client.post("/admin/drafts/new", data={"u-csrf_token": token, "mode": "upload", "u-text": json.dumps(_joint())})
    url = "/admin/drafts/cn-de-room-air-conditioner/2030"
    edited = _joint()
    edited["title"]["en"] += " (edited)"
    assert client.post(url, data={"csrf_token": token, "text": json.dumps(edited), "lock": "1"}).status_code == 302
    again = client.post(url, data={"csrf_token": token, "text": json.dumps(edited), "lock": "1"})
    assert again.status_code == 400 and "saved by someone else" in again.get_data(as_text=True)


def test_agreement_status_event_and_upload(client: FlaskClient) -> None:
    login(client, ADMIN)
    token = csrf_token(client, "/admin/agreements")
    response = client.post(
        "/admin/agreements/cec-sgls-project",
        data={"csrf_token": token, "status": "signed", "date": "2026-11-01", "note": "Signed at the <b>summit</b>"},
    )
    assert response.status_code == 302
    page = client.get("/agreements/cec-sgls-project").get_data(as_text=True)
    assert "2026-11-01" in page and "&lt;b&gt;summit&lt;/b&gt;" in page
    bad = client.post(
        "/admin/agreements/cec-sgls-project", data={"csrf_token": token, "status": "signed", "date": "2026-13-01"}
    )
    assert bad.status_code == 400 and "/status_history/2/date" in bad.get_data(as_text=True)
    doc = json.loads((STANDARDS / "agreements" / "cec-sgls-project.json").read_text())
    doc["parties"] = ["cn-cel", "xx-unknown"]
    response = client.post("/admin/agreements", data={"u-csrf_token": token, "u-text": json.dumps(doc)})
    assert response.status_code == 400 and "/parties/1" in response.get_data(as_text=True)


def test_users_are_managed_by_admins(client: FlaskClient) -> None:
    login(client, ADMIN)
    token = csrf_token(client, "/admin/users")
    short = client.post(
        "/admin/users",
        data={"csrf_token": token, "action": "add", "username": "x", "password": "short", "role": "staff"},
    )
    assert short.status_code == 400
    ok = client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "action": "add",
            "username": "carol",
            "password": "carol-password-1",
            "role": "staff",
        },
    )
    assert ok.status_code == 302 and "carol" in client.get("/admin/users").get_data(as_text=True)


def test_api_documents_etag_and_errors(client: FlaskClient) -> None:
    first = client.get("/api/v1/standards/de-uz-204/2016-08")
    assert first.status_code == 200 and first.headers["ETag"].startswith('"')
    assert first.get_json()["id"] == "de-uz-204"
    again = client.get("/api/v1/standards/de-uz-204/2016-08", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    other = client.get("/api/v1/standards/de-uz-204/2016-08", headers={"If-None-Match": '"abc"'})
    assert other.status_code == 200
    missing = client.get("/api/v1/standards/de-uz-204/1999")
    assert missing.status_code == 404 and "no such version (versions: 2016-08" in missing.get_json()["error"]["message"]
    bad = client.get("/api/v1/diff?a=de-uz-204@2016-08")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "b"
    assert client.get("/api/v1/labels/cn-cel").get_json()["id"] == "cn-cel"
    assert len(client.get("/api/v1/agreements").get_json()) == 31
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1") and "/api/v1/check" in spec["paths"]


def test_api_writes_need_an_admin_and_a_csrf_token(client: FlaskClient) -> None:
    body = json.dumps(_joint())
    anonymous = client.post("/api/v1/drafts", data=body)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    login(client, STAFF)
    token = csrf_token(client, "/check")
    assert client.post("/api/v1/drafts", data=body, headers={"X-CSRFToken": token}).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login(client, ADMIN)
    no_csrf = client.post("/api/v1/drafts", data=body)  # a browser session's write needs the CSRF token
    assert no_csrf.status_code == 400 and no_csrf.get_json()["error"]["field"] == "X-CSRFToken"
    token = csrf_token(client, "/check")
    bad = _joint("2031")
    bad["labels"] = ["cn-cel", "zz-nobody"]
    response = client.post("/api/v1/drafts", data=json.dumps(bad), headers={"X-CSRFToken": token})
    assert response.status_code == 400 and response.get_json()["error"]["pointer"] == "/labels/1"
    response = client.post("/api/v1/drafts", data=body, headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert client.post("/api/v1/drafts", data=body, headers={"X-CSRFToken": token}).status_code == 409
    published = client.post("/api/v1/standards/cn-de-room-air-conditioner/2030/publish", headers={"X-CSRFToken": token})
    assert published.status_code == 200
    assert client.get("/api/v1/standards/cn-de-room-air-conditioner/2030").status_code == 200


def test_user_changes_are_audited_but_not_public(client: FlaskClient) -> None:
    login(client, ADMIN)
    token = csrf_token(client, "/admin/users")
    client.post(
        "/admin/users",
        data={
            "csrf_token": token,
            "action": "add",
            "username": "dora",
            "password": "dora-password-12",
            "role": "staff",
        },
    )
    page = client.get("/admin/users").get_data(as_text=True)
    pk = re.search(r'<td>dora</td>.*?name="pk" value="(\d+)"', page, re.S)
    assert pk is not None
    client.post("/admin/users", data={"csrf_token": token, "action": "role", "pk": pk.group(1), "role": "admin"})
    audit = client.get("/admin/audit").get_data(as_text=True)
    assert "add_user" in audit and "user dora" in audit
    assert re.search(r"<td>update_user</td><td>user dora</td>", audit)
    client.post("/logout", data={"csrf_token": token})
    assert "dora" not in client.get("/").get_data(as_text=True)  # the home page lists document changes only
