"""The criterion editor: staff edit a draft criterion by criterion (typed fields, problems at their fields),
save work that is not valid yet, and a stale or expired form keeps what was typed; the administrator
publishes after a confirmation, withdraws with a reason and deletes drafts."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from registry.store import service
from registry.store.models import AuditEntry, StandardVersion
from tests.web.conftest import ADMIN, STAFF, csrf_token, login

DOC, BASE = "de-uz-204", "2016-08"
DRAFT = f"/admin/drafts/{DOC}/2050"


def _make_draft(app: Flask) -> dict[str, Any]:
    """A draft of Blue Angel DE-UZ 204 (its bundled content as a new version)."""
    engine = app.extensions["registry"].engine
    with Session(engine) as session:
        row = session.exec(
            select(StandardVersion).where(StandardVersion.doc_id == DOC, StandardVersion.version == BASE)
        ).first()
        assert row is not None
        doc = json.loads(row.content)
    doc["version"] = "2050"
    doc["status"] = "published"
    doc["dates"] = {**doc["dates"], "published": "2050-01-01"}
    service.create_draft(engine, doc, actor="test")
    return doc


def _stored(app: Flask, version: str = "2050") -> StandardVersion:
    with Session(app.extensions["registry"].engine) as session:
        row = session.exec(
            select(StandardVersion).where(StandardVersion.doc_id == DOC, StandardVersion.version == version)
        ).one()
        session.expunge(row)
        return row


def _form(page: str) -> dict[str, str]:
    """Return the criterion form's fields as the browser would send them (text, selected options, textareas)."""
    form = page[page.index('id="criterion-form"') :]
    fields: dict[str, str] = {}
    for name, value in re.findall(
        r'<input type="(?:text|hidden)" (?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"', form
    ):
        fields[name] = html.unescape(value)
    for name, body in re.findall(r'<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]* selected>', body)
        fields[name] = html.unescape(chosen.group(1)) if chosen else ""
    for name, body in re.findall(r'<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        fields[name] = html.unescape(body)
    return fields


def _first_numeric(doc: dict[str, Any]) -> dict[str, Any]:
    return next(
        c
        for c in doc["criteria"]
        if c["requirement"]["type"] in ("max", "min") and isinstance(c["requirement"].get("value"), dict)
    )


def test_staff_edit_a_criterion_by_its_fields_and_the_draft_is_saved(app: Flask, client: FlaskClient) -> None:
    doc = _make_draft(app)
    target = _first_numeric(doc)
    login(client, STAFF)
    url = f"{DRAFT}/criteria/{target['id']}/edit"
    page = client.get(url).get_data(as_text=True)
    fields = _form(page)
    assert fields["requirement.type"] == target["requirement"]["type"]
    assert fields["requirement.unit"] == target["requirement"]["value"]["unit"]
    assert "csrf_token" in fields and fields["lock"] == "1"
    fields["requirement.value"] = "7,5"  # a decimal comma, as typed on a German or Chinese keyboard
    response = client.post(url, data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    row = _stored(app)
    saved = json.loads(row.content)
    edited = next(c for c in saved["criteria"] if c["id"] == target["id"])
    assert edited["requirement"]["value"] == {"value": 7.5, "unit": target["requirement"]["value"]["unit"]}
    assert row.work is None and row.lock_version == 2
    others = [c for c in saved["criteria"] if c["id"] != target["id"]]
    assert others == [c for c in doc["criteria"] if c["id"] != target["id"]]  # nothing else moved
    draft_page = client.get(DRAFT).get_data(as_text=True)
    assert "7.5" in draft_page and "saved" in draft_page


def test_a_wrong_unit_is_kept_as_work_in_progress_with_the_problem_at_its_field(
    app: Flask, client: FlaskClient
) -> None:
    doc = _make_draft(app)
    target = _first_numeric(doc)
    login(client, STAFF)
    url = f"{DRAFT}/criteria/{target['id']}/edit"
    fields = _form(client.get(url).get_data(as_text=True))
    fields["requirement.unit"] = "kg"
    response = client.post(url, data=fields)
    assert response.status_code == 302
    row = _stored(app)
    assert json.loads(row.content) == doc  # the draft itself is unchanged: still valid
    assert row.work is not None and json.loads(row.work)["criteria"] != doc["criteria"]
    page = client.get(url).get_data(as_text=True)
    message = re.search(r'<p class="field-error" id="err-f-requirement-unit-1">([^<]+)</p>', page)
    assert message, page[:3000]
    assert "kg" in html.unescape(message.group(1)) and "/criteria/" in message.group(1)
    assert _form(page)["requirement.unit"] == "kg"  # the work is what the editor shows
    draft_page = client.get(DRAFT).get_data(as_text=True)
    assert 'id="work"' in draft_page and "Problems to fix before publishing" in draft_page
    # Publishing is refused while there is work in progress.
    login(client, ADMIN)
    token = csrf_token(client, DRAFT)
    response = client.post(f"{DRAFT}/publish", data={"csrf_token": token}, follow_redirects=True)
    assert "work in progress" in response.get_data(as_text=True)
    assert _stored(app).state == "draft"
    # Fixing the unit makes the work the draft.
    fields = _form(client.get(url).get_data(as_text=True))
    fields["requirement.unit"] = target["requirement"]["value"]["unit"]
    assert client.post(url, data=fields).status_code == 302
    row = _stored(app)
    assert row.work is None and json.loads(row.content)["criteria"] == doc["criteria"]


def test_text_for_a_number_is_refused_at_its_field_and_nothing_is_stored(app: Flask, client: FlaskClient) -> None:
    doc = _make_draft(app)
    target = _first_numeric(doc)
    login(client, STAFF)
    url = f"{DRAFT}/criteria/{target['id']}/edit"
    fields = _form(client.get(url).get_data(as_text=True))
    fields["requirement.value"] = "about seven"
    response = client.post(url, data=fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "&#39;about seven&#39; is not a number" in page and 'id="err-f-requirement-value-1"' in page
    assert _form(page)["requirement.value"] == "about seven"  # what was typed is kept
    row = _stored(app)
    assert row.lock_version == 1 and row.work is None


def test_add_a_boolean_criterion_with_a_source_and_locator_then_duplicate_move_and_remove(
    app: Flask, client: FlaskClient
) -> None:
    doc = _make_draft(app)
    login(client, STAFF)
    page = client.get(f"{DRAFT}/criteria/add").get_data(as_text=True)
    fields = _form(page)
    assert fields["mandatory"] == "yes" and fields["provenance.verification"] == "unverified"
    fields.update(
        {
            "id": "halogen-free",
            "topic": "materials",
            "parameter": "refrigerant.halogen_free",
            "title.en": "Halogen-free refrigerant",
            "requirement.type": "boolean",
            "requirement.value@boolean": "yes",
            "provenance.sources.1.title": "Common standard text",
            "provenance.sources.1.publisher": "CEC",
            "provenance.sources.1.locator": "clause 5.2",
        }
    )
    response = client.post(f"{DRAFT}/criteria/add", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    saved = json.loads(_stored(app).content)
    added = saved["criteria"][-1]
    assert added["id"] == "halogen-free" and added["requirement"] == {"type": "boolean", "value": True}
    assert added["provenance"]["sources"][0]["locator"] == "clause 5.2"
    assert len(saved["criteria"]) == len(doc["criteria"]) + 1

    def press(cid: str, action: str) -> list[str]:
        token = csrf_token(client, DRAFT)
        lock = str(_stored(app).lock_version)
        response = client.post(f"{DRAFT}/criteria/{cid}/{action}", data={"csrf_token": token, "lock": lock})
        assert response.status_code == 302
        return [c["id"] for c in json.loads(_stored(app).content)["criteria"]]

    ids = press("halogen-free", "duplicate")
    assert ids[-2:] == ["halogen-free", "halogen-free-2"]
    ids = press("halogen-free-2", "up")
    assert ids[-2:] == ["halogen-free-2", "halogen-free"]
    ids = press("halogen-free-2", "remove")
    assert "halogen-free-2" not in ids and ids[-1] == "halogen-free"


def test_a_stale_form_keeps_what_was_typed_and_says_what_happened(app: Flask, client: FlaskClient) -> None:
    doc = _make_draft(app)
    target = _first_numeric(doc)
    login(client, STAFF)
    url = f"{DRAFT}/criteria/{target['id']}/edit"
    fields = _form(client.get(url).get_data(as_text=True))
    other = _form(client.get(url).get_data(as_text=True))
    other["title.en"] = "Saved first by someone else"
    assert client.post(url, data=other).status_code == 302
    fields["title.en"] = "My own careful wording"
    response = client.post(url, data=fields)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "someone else saved this draft" in page
    assert _form(page)["title.en"] == "My own careful wording"
    title = next(c for c in json.loads(_stored(app).content)["criteria"] if c["id"] == target["id"])["title"]
    assert title["en"] == "Saved first by someone else"
    # An expired (here: missing) form token: the same, nothing saved.
    fields["csrf_token"] = "expired"
    response = client.post(url, data=fields)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "the form had expired" in page and _form(page)["title.en"] == "My own careful wording"


def test_only_the_administrator_publishes_after_a_confirmation_page(app: Flask, client: FlaskClient) -> None:
    _make_draft(app)
    login(client, STAFF)
    assert client.get(f"{DRAFT}/publish").status_code == 403
    assert 'id="publish"' not in client.get(DRAFT).get_data(as_text=True)
    login(client, ADMIN)
    page = client.get(f"{DRAFT}/publish").get_data(as_text=True)
    assert f"Previous version: {DOC}@{BASE}" in page and 'id="publish-now"' in page
    token = csrf_token(client, f"{DRAFT}/publish")
    response = client.post(f"{DRAFT}/publish", data={"csrf_token": token})
    assert response.status_code == 302 and _stored(app).state == "published"


def test_the_administrator_withdraws_with_a_reason_and_deletes_a_draft(app: Flask, client: FlaskClient) -> None:
    _make_draft(app)
    login(client, STAFF)
    token = csrf_token(client, DRAFT)
    assert client.post(f"{DRAFT}/delete", data={"csrf_token": token, "lock": "1", "confirm": "yes"}).status_code == 403
    login(client, ADMIN)
    token = csrf_token(client, DRAFT)
    response = client.post(f"{DRAFT}/delete", data={"csrf_token": token, "lock": "1"}, follow_redirects=True)
    assert "tick the box" in response.get_data(as_text=True) and _stored(app).state == "draft"
    response = client.post(f"{DRAFT}/delete", data={"csrf_token": token, "lock": "1", "confirm": "yes"})
    assert response.status_code == 302
    assert client.get(DRAFT).status_code == 404
    assert f"{DOC}@2050" not in client.get("/admin/").get_data(as_text=True)

    published = f"/admin/drafts/{DOC}/{BASE}"
    token = csrf_token(client, published)
    response = client.post(f"/admin/standards/{DOC}/{BASE}/withdraw", data={"csrf_token": token, "reason": ""})
    assert response.status_code == 302
    assert _stored(app, BASE).state == "published"  # no reason, no withdrawal
    reason = "Replaced by a corrected edition (test)"
    response = client.post(f"/admin/standards/{DOC}/{BASE}/withdraw", data={"csrf_token": token, "reason": reason})
    assert response.status_code == 302 and _stored(app, BASE).state == "withdrawn"
    client.get("/logout")
    page = client.get(f"/standards/{DOC}/{BASE}")
    assert page.status_code == 200 and "withdrawn" in page.get_data(as_text=True)
    with Session(app.extensions["registry"].engine) as session:
        entries = session.exec(select(AuditEntry).where(AuditEntry.doc_id == DOC)).all()
    actions = [e.action for e in entries]
    assert "delete_draft" in actions and "withdrawn" in actions
    withdrawn = next(e for e in entries if e.action == "withdrawn")
    assert reason in json.dumps(withdrawn.diff)
