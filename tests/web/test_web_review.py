"""The review queue on the web: a second staff member verifies a value from the queue (the document and the
locator are required, and kept); its author is shown why they cannot, and the server refuses them too."""

from __future__ import annotations

import html
import json
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from registry.store import users
from registry.store.models import StandardVersion
from tests.web.conftest import STAFF, csrf_token, login
from tests.web.test_web_editor import DOC, DRAFT, _first_numeric, _form, _make_draft, _stored

SECOND = ("tess-staff", "staff-password-456")


def _enter_a_value(app: Flask, client: FlaskClient) -> str:
    """Sam (staff) changes a value in the draft with the editor; return the criterion's id."""
    doc = _make_draft(app)
    target = _first_numeric(doc)
    login(client, STAFF)
    url = f"{DRAFT}/criteria/{target['id']}/edit"
    fields = _form(client.get(url).get_data(as_text=True))
    fields["requirement.value"] = "6.1"
    assert client.post(url, data=fields).status_code == 302
    return str(target["id"])


def _criterion(app: Flask, cid: str) -> dict[str, object]:
    return next(c for c in json.loads(_stored(app).content)["criteria"] if c["id"] == cid)


def test_the_author_cannot_verify_and_a_second_person_verifies_from_the_queue(app: Flask, client: FlaskClient) -> None:
    cid = _enter_a_value(app, client)
    item = f"review-{DOC}-{cid}"
    page = client.get("/admin/review").get_data(as_text=True)
    assert f'id="{item}"' in page and f'id="{item}-refused"' in page  # the author sees why not, and no form
    assert "you entered its value" in html.unescape(page)
    # The server refuses the author too, whatever is posted.
    token = csrf_token(client, "/admin/review")
    lock = str(_stored(app).lock_version)
    official = {
        "title": "DE-UZ 204 Basic Award Criteria",
        "standard_number": "DE-UZ 204",
        "edition": "2016-08",
        "locator": "3.2, table 1",
    }
    refused = client.post(
        f"/admin/review/{DOC}/2050/{cid}", data={**official, "lock": lock, "csrf_token": token, "outcome": "verify"}
    )
    assert refused.status_code == 400 and "you entered its value" in html.unescape(refused.get_data(as_text=True))
    assert _criterion(app, cid)["provenance"]["verification"] != "verified"  # type: ignore[index]

    users.add_user(app.extensions["registry"].engine, *SECOND, "staff")
    second = app.test_client()
    login(second, SECOND)
    page = second.get("/admin/review").get_data(as_text=True)
    assert f'action="/admin/review/{DOC}/2050/{cid}"' in page
    token = csrf_token(second, "/admin/review")
    # Without the locator: nothing stored, the field says what is missing, what was typed is kept.
    response = second.post(
        f"/admin/review/{DOC}/2050/{cid}",
        data={**official, "locator": "", "lock": lock, "csrf_token": token, "outcome": "verify"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(rf'id="{item}-locator-err">[^<]*Needed to verify', body), body[:2000]
    assert 'value="DE-UZ 204 Basic Award Criteria"' in body
    assert _stored(app).lock_version == int(lock)
    response = second.post(
        f"/admin/review/{DOC}/2050/{cid}", data={**official, "lock": lock, "csrf_token": token, "outcome": "verify"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    provenance = _criterion(app, cid)["provenance"]
    assert provenance["verification"] == "verified"  # type: ignore[index]
    assert provenance["review"]["by"] == SECOND[0] and provenance["review"]["source"]["locator"] == "3.2, table 1"  # type: ignore[index]
    draft_page = second.get(DRAFT).get_data(as_text=True)
    assert f"by {SECOND[0]}" in draft_page and "3.2, table 1" in draft_page
    assert f'id="{item}"' not in second.get("/admin/review").get_data(as_text=True)  # out of the queue


def test_send_back_needs_a_comment_and_the_author_sees_it(app: Flask, client: FlaskClient) -> None:
    cid = _enter_a_value(app, client)
    users.add_user(app.extensions["registry"].engine, *SECOND, "staff")
    second = app.test_client()
    login(second, SECOND)
    token = csrf_token(second, "/admin/review")
    lock = str(_stored(app).lock_version)
    url = f"/admin/review/{DOC}/2050/{cid}"
    response = second.post(url, data={"lock": lock, "csrf_token": token, "outcome": "send_back", "comment": ""})
    assert response.status_code == 400 and "Say what is wrong" in response.get_data(as_text=True)
    response = second.post(
        url, data={"lock": lock, "csrf_token": token, "outcome": "send_back", "comment": "Table 1 says 5.8"}
    )
    assert response.status_code == 302
    page = client.get(DRAFT).get_data(as_text=True)  # the author's draft page
    assert "sent back by tess-staff" in page and "Table 1 says 5.8" in page


def test_a_verified_flag_set_in_the_editor_is_not_kept(app: Flask, client: FlaskClient) -> None:
    doc = _make_draft(app)
    target = _first_numeric(doc)
    login(client, STAFF)
    url = f"{DRAFT}/criteria/{target['id']}/edit"
    page = client.get(url).get_data(as_text=True)
    assert '<option value="verified"' not in page  # not offered by the form
    fields = _form(page)
    fields["provenance.verification"] = "verified"
    response = client.post(url, data=fields, follow_redirects=True)
    assert "not marked verified" in response.get_data(as_text=True)
    assert _criterion(app, target["id"])["provenance"]["verification"] == target["provenance"]["verification"]  # type: ignore[index]


def test_the_administrator_starts_a_new_version_from_a_published_one(app: Flask, client: FlaskClient) -> None:
    from tests.web.conftest import ADMIN

    login(client, ADMIN)
    token = csrf_token(client, f"/admin/drafts/{DOC}/2016-08")
    response = client.post(
        f"/admin/standards/{DOC}/2016-08/new-version", data={"csrf_token": token, "version": "2016-08-r1"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/drafts/{DOC}/2016-08-r1")
    with Session(app.extensions["registry"].engine) as session:
        row = session.exec(
            select(StandardVersion).where(StandardVersion.doc_id == DOC, StandardVersion.version == "2016-08-r1")
        ).one()
        assert row.state == "draft"
        old = session.exec(
            select(StandardVersion).where(StandardVersion.doc_id == DOC, StandardVersion.version == "2016-08")
        ).one()
    assert json.loads(row.content)["criteria"] == json.loads(old.content)["criteria"]
    again = client.post(
        f"/admin/standards/{DOC}/2016-08/new-version",
        data={"csrf_token": token, "version": "2016-08-r1"},
        follow_redirects=True,
    )
    assert "exists already" in again.get_data(as_text=True)
