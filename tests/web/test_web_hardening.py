"""Hostile requests get a clear answer fast and change nothing: units, budgets, cache, redirects, publish, forms."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from registry.store import service
from tests.conftest import ROOT, STANDARDS
from tests.web.conftest import ADMIN, csrf_token, login, make_app

PRODUCT = json.loads((ROOT / "examples" / "products" / "split-ac-r290-3.5kw.json").read_text())


def product(**values: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps(PRODUCT))
    for pid, entry in values.items():
        doc["values"][pid.replace("_", ".")] = entry
    return doc


@pytest.mark.parametrize("unit", ["9**9**9 kW", "kW/0", "10**999 kW"])
def test_a_hostile_unit_is_a_400_at_its_pointer_on_every_check_entry(client: FlaskClient, unit: str) -> None:
    body = product(**{"cooling_capacity_rated": {"value": 3.5, "unit": unit}})
    r = client.post("/api/v1/check", json=body)
    assert r.status_code == 400
    assert r.get_json()["error"]["pointer"] == "/values/cooling.capacity.rated/unit"
    upload = {"declaration": (io.BytesIO(json.dumps(body).encode()), "p.json")}
    r = client.post("/check", data={"csrf_token": csrf_token(client, "/check"), **upload})
    assert r.status_code == 400 and "/values/cooling.capacity.rated/unit" in r.get_data(as_text=True)
    form = {
        "csrf_token": csrf_token(client, "/check"),
        "category": "room-air-conditioner",
        "manufacturer": "M",
        "model": "X",
        "v:cooling.capacity.rated": "3.5",
        "u:cooling.capacity.rated": unit,
    }
    r = client.post("/check", data=form)
    assert r.status_code == 400 and "/values/cooling.capacity.rated/unit" in r.get_data(as_text=True)


@pytest.mark.parametrize("number", ["nan", "inf", "-inf", "1e999", "Infinity", "7,2x", "0x10"])
def test_the_check_form_takes_plain_finite_numbers_only(client: FlaskClient, number: str) -> None:
    form = {
        "csrf_token": csrf_token(client, "/check"),
        "category": "room-air-conditioner",
        "manufacturer": "M",
        "model": "X",
        "v:energy.seer": number,
    }
    r = client.post("/check", data=form)
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "/values/energy.seer/value" in page and "write a number such as 7.2 or 7,2" in page


def test_the_anonymous_check_refuses_other_documents_before_any_schema_work(client: FlaskClient) -> None:
    criteria = [{"id": f"c{i}", "parameter": "energy.seer"} for i in range(3000)]
    doc = {"$schema": "urn:ecolabel:schema:criteria-document:1", "id": "x", "criteria": criteria}
    r = client.post("/api/v1/check", json=doc)
    error = r.get_json()["error"]
    assert r.status_code == 400
    assert error["findings"] == [
        {"pointer": "/$schema", "message": "this is a standard document, not a product declaration"}
    ]


def test_the_anonymous_check_has_a_small_body_limit_named_in_the_answer(client: FlaskClient) -> None:
    big = product()
    big["evidence"] = [{"id": f"e{i}", "title": "t"} for i in range(300_000)]
    r = client.post("/api/v1/check", data=json.dumps(big))
    assert r.status_code == 413 and "256 KiB" in r.get_json()["error"]["message"]
    # Encoded here: the test client would spool so large a body to a file that it never closes.
    boundary, body = encode_multipart({"declaration": FileStorage(io.BytesIO(json.dumps(big).encode()), "big.json")})
    r = client.post("/check", data=body, content_type=f"multipart/form-data; boundary={boundary}")
    assert r.status_code == 413 and "256 KiB" in r.get_data(as_text=True)


def test_many_values_under_the_byte_limit_are_refused_by_count(client: FlaskClient) -> None:
    many = product()
    many["evidence"] = [1] * 20_000
    r = client.post("/api/v1/check", data=json.dumps(many))
    assert r.status_code == 400 and "more than 10000 values" in r.get_json()["error"]["message"] + json.dumps(
        r.get_json()
    )


def test_findings_are_capped_and_echoed_values_cut_short(client: FlaskClient) -> None:
    doc = product()
    doc["manufacturer"] = "M" * 100_000
    doc["values"] = {f"x.p{i}": {"value": None} for i in range(500)}
    r = client.post("/api/v1/check", data=json.dumps(doc))
    findings = r.get_json()["error"]["findings"]
    assert r.status_code == 400 and len(findings) == 100
    assert re.fullmatch(r"and \d+ more findings", findings[-1]["message"])
    assert max(len(f["message"]) for f in findings) <= 320
    assert len(r.get_data()) < 40_000


def test_heavy_anonymous_routes_are_limited_per_client(tmp_path: Path, seeded_db: Path) -> None:
    app = make_app(tmp_path, seeded_db, HEAVY_RATE_LIMIT=(3, 60))
    client = app.test_client()
    for _ in range(3):
        assert client.post("/api/v1/check", json=PRODUCT).status_code == 200
    r = client.post("/api/v1/check", json=PRODUCT)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert client.get("/search?q=air").status_code == 429
    other = client.post("/api/v1/check", json=PRODUCT, environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200  # another address has its own allowance
    app.extensions["registry"].engine.dispose()


def test_unknown_query_parameters_make_no_new_cache_entries(client: FlaskClient, app: Flask) -> None:
    kept = app.extensions["registry"].rendered
    url = "/compare?a=cn-de-room-air-conditioner@2017&b=de-uz-204@2016-08"
    first = client.get(url).get_data(as_text=True)
    entries, size = len(kept), kept.bytes
    for i in range(300):
        assert client.get(f"{url}&junk{i}={i}").get_data(as_text=True) == first
    assert (len(kept), kept.bytes) == (entries, size)


@pytest.mark.parametrize(
    "target",
    ["/%09/evil.example", "/%5C/evil.example", "/%0d%0aX:1", "//evil.example", "https://evil.example", "/\\evil"],
)
def test_next_never_leaves_the_site(client: FlaskClient, target: str) -> None:
    r = client.get(f"/lang/en?next={target}")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    token = csrf_token(client)
    r = client.post(f"/login?next={target}", data={"csrf_token": token, "username": ADMIN[0], "password": ADMIN[1]})
    assert r.status_code == 302 and r.headers["Location"] == "/admin/"
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})


def test_a_relative_next_is_kept(client: FlaskClient) -> None:
    assert client.get("/lang/zh_Hans?next=/standards?category=scanner").headers["Location"] == (
        "/standards?category=scanner"
    )


def test_publishing_an_older_version_is_refused_unless_asked_for(client: FlaskClient, app: Flask) -> None:
    doc = json.loads((STANDARDS / "criteria" / "de-uz-204" / "2016-08.json").read_text())
    doc["version"] = "rev-b"  # sorts before 2016-08
    engine = app.extensions["registry"].engine
    service.create_draft(engine, doc, actor="test")
    login(client, ADMIN)
    token = csrf_token(client, "/admin/")
    headers = {"X-CSRFToken": token}
    r = client.post("/api/v1/standards/de-uz-204/rev-b/publish", headers=headers)
    assert r.status_code == 409 and "sorts before the published de-uz-204@2016-08" in r.get_json()["error"]["message"]
    assert client.get("/api/v1/standards/de-uz-204").get_json()["versions"][-1]["state"] == "published"
    page = client.post("/admin/drafts/de-uz-204/rev-b/publish", data={"csrf_token": token}, follow_redirects=True)
    assert "Not published: de-uz-204@rev-b sorts before" in page.get_data(as_text=True)
    r = client.post("/api/v1/standards/de-uz-204/rev-b/publish?as_older=1", headers=headers)
    assert r.status_code == 200 and r.get_json()["state"] == "superseded"
    states = {v["version"]: v["state"] for v in client.get("/api/v1/standards/de-uz-204").get_json()["versions"]}
    assert states["2016-08"] == "published" and states["rev-b"] == "superseded"


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ("[" * 5000 + "]" * 5000, "nesting deeper than 64 levels"),
        ('[{"x": NaN}]', "NaN is not a finite number"),
        ('[{"x": 1e999}]', "1e999 is not a finite number"),
        ("[" + "9" * 5000 + "]", "is not a finite number"),
        ('[{"id": "a", "id": "b"}]', "/criteria/0/id: duplicate key"),
    ],
)
def test_the_draft_form_reads_criteria_through_the_safe_json_path(
    client: FlaskClient, criteria: str, message: str
) -> None:
    login(client, ADMIN)
    fields = {
        "f-csrf_token": csrf_token(client, "/admin/drafts/new"),
        "mode": "form",
        "f-id": "cn-xx-test",
        "f-version": "1",
        "f-title_en": "Test joint standard",
        "f-labels": ["cn-cel", "de-blue-angel"],
        "f-category": "room-air-conditioner",
        "f-published": "2031-02",
        "f-scope": "Air conditioners.",
        "f-source_title": "A test source",
        "f-verification": "unverified",
        "f-criteria": criteria,
    }
    r = client.post("/admin/drafts/new", data=fields)
    assert r.status_code == 400 and message in r.get_data(as_text=True)


def test_a_user_number_that_is_not_a_number_is_a_400(client: FlaskClient) -> None:
    login(client, ADMIN)
    token = csrf_token(client, "/admin/users")
    r = client.post("/admin/users", data={"csrf_token": token, "action": "role", "pk": "abc", "role": "staff"})
    assert r.status_code == 400 and "not a user number" in r.get_data(as_text=True)


def test_an_upload_in_utf16_is_named_as_such(client: FlaskClient) -> None:
    r = client.post("/api/v1/check", data=json.dumps(PRODUCT).encode("utf-16"))
    assert r.status_code == 400 and "UTF-16" in r.get_json()["error"]["findings"][0]["message"]


def test_readyz_touches_the_database_and_healthz_does_not(client: FlaskClient) -> None:
    assert client.get("/readyz").get_data(as_text=True) == "ready\n"
    assert client.get("/healthz").status_code == 200


def test_a_draft_reaches_no_public_page(client: FlaskClient, app: Flask) -> None:
    doc = json.loads((STANDARDS / "criteria" / "de-uz-204" / "2016-08.json").read_text())
    doc["version"] = "2099-01"
    limit = next(c for c in doc["criteria"] if c["requirement"]["type"] == "min" and c["requirement"].get("value"))
    limit["requirement"]["value"]["value"] = 99.25
    service.create_draft(app.extensions["registry"].engine, doc, actor="test")
    for url in (
        "/compare?a=de-uz-204@2016-08&b=de-uz-204@2099-01",
        "/compare.csv?a=de-uz-204@2016-08&b=de-uz-204@2099-01",
        "/standards/de-uz-204/revisions?a=2016-08&b=2099-01",
        "/standards/de-uz-204/2099-01",
        "/api/v1/diff?a=de-uz-204@2016-08&b=de-uz-204@2099-01",
    ):
        r = client.get(url)
        assert r.status_code == 404 and "99.25" not in r.get_data(as_text=True), url
    home = client.get("/").get_data(as_text=True)
    assert "2099-01" not in home and "create_draft" not in home
