"""The API's lists: cursor pagination, filters, unknown parameters refused; 405 with Allow; UTF-8 JSON; caching."""

from __future__ import annotations

import datetime as dt
import json
import re

from flask.testing import FlaskClient

from registry import in_force
from registry.catalog import Catalog


def _walk(client: FlaskClient, url: str) -> tuple[list[dict[str, object]], int]:
    """Follow the Link headers from a first page; return every item and the number of pages."""
    items: list[dict[str, object]] = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        items += response.get_json()
        pages += 1
        found = re.match(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        url = found.group(1) if found else ""
    return items, pages


def test_every_list_pages_by_cursor_to_exactly_the_whole_list(client: FlaskClient) -> None:
    for name in ("labels", "standards", "agreements", "licences"):
        whole = client.get(f"/api/v1/{name}?limit=200")
        everything = whole.get_json()
        assert int(whole.headers["X-Total-Count"]) == len(everything) and "Link" not in whole.headers
        walked, pages = _walk(client, f"/api/v1/{name}?limit=4")
        assert walked == everything, name
        assert pages == -(-len(everything) // 4)
        ids = [item["id"] for item in walked]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)  # type: ignore[type-var]


def test_a_cursor_keeps_its_place_and_a_forged_one_is_refused(client: FlaskClient) -> None:
    first = client.get("/api/v1/labels?limit=3")
    following = re.match(r"<([^>]+)>", first.headers["Link"])
    assert following
    second = client.get(following.group(1)).get_json()
    assert second[0]["id"] > first.get_json()[-1]["id"]
    # A cursor is the last id seen: any one is usable, an id that is gone too.
    after = client.get("/api/v1/labels?cursor=de-blue-angel-zzz&limit=200").get_json()
    assert after and all(lab["id"] > "de-blue-angel-zzz" for lab in after)
    for limit in ("0", "201", "x"):
        refused = client.get(f"/api/v1/labels?limit={limit}")
        assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "limit"


def test_unknown_query_parameters_are_refused_by_name(client: FlaskClient) -> None:
    for url in (
        "/api/v1/labels?lable=cn-cel",
        "/api/v1/standards?per_page=5",
        "/api/v1/labels/cn-cel?verbose=1",
        "/api/v1/diff?a=de-uz-204@2016-08&b=de-uz-204@2016-08&c=1",
        "/api/v1/openapi.json?x=1",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        error = response.get_json()["error"]
        assert "unknown query parameter" in error["message"] and error["field"] in url, url
    assert client.post("/api/v1/check?dat=2020-01-01", data="{}").get_json()["error"]["field"] == "dat"


def test_filters_select_what_they_say(client: FlaskClient, catalog: Catalog) -> None:
    everything = client.get("/api/v1/standards?limit=200").get_json()
    blue = client.get("/api/v1/standards?label=de-blue-angel&limit=200").get_json()
    assert blue and all("de-blue-angel" in s["labels"] for s in blue)
    assert {s["id"] for s in everything if "de-blue-angel" in s["labels"]} == {s["id"] for s in blue}
    scanners = client.get("/api/v1/standards?category=scanner").get_json()
    assert scanners and all(s["category"] == "scanner" for s in scanners)
    current = client.get("/api/v1/standards?on=2018-06-01&limit=200").get_json()
    assert 0 < len(current) <= len(everything)
    bad = client.get("/api/v1/standards?on=2018-13-01")
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "on"
    # Everything was imported just now: all of it changed since 2000, none of it since 2999.
    assert len(client.get("/api/v1/standards?updated_since=2000-01-01&limit=200").get_json()) == len(everything)
    assert client.get("/api/v1/standards?updated_since=2999-01-01").get_json() == []
    assert client.get("/api/v1/labels?updated_since=2999-01-01T00:00:00%2B08:00").get_json() == []
    assert client.get("/api/v1/labels?updated_since=soon").get_json()["error"]["field"] == "updated_since"
    german = client.get("/api/v1/labels?country=DE").get_json()
    assert german and all("DE" in lab["countries"] for lab in german)
    signed = client.get("/api/v1/agreements?label=cn-cel&limit=200").get_json()
    assert signed and all("cn-cel" in a["parties"] for a in signed)
    statuses = {a["status"] for a in client.get("/api/v1/agreements?limit=200").get_json()}
    for status in statuses:
        chosen = client.get(f"/api/v1/agreements?status={status}&limit=200").get_json()
        assert chosen and {a["status"] for a in chosen} == {status}
    day = dt.date(2016, 1, 1)
    expected = sorted(a.id for a in catalog.agreements.values() if in_force.in_effect(a, day))
    in_effect = [a["id"] for a in client.get(f"/api/v1/agreements?on={day}&limit=200").get_json()]
    assert in_effect == expected and 0 < len(in_effect) < len(statuses) * 200
    licences = client.get("/api/v1/licences?label=jp-eco-mark").get_json()
    assert licences and all(x["label"] == "jp-eco-mark" for x in licences)
    assert client.get("/api/v1/licences?on=1990-01-01").get_json() == []


def test_methods_not_taken_get_405_with_allow(client: FlaskClient) -> None:
    for method, url, allowed in (
        ("DELETE", "/api/v1/standards/de-uz-204/2016-08", {"GET", "HEAD", "OPTIONS"}),
        ("GET", "/api/v1/check", {"POST", "OPTIONS"}),
        ("PUT", "/api/v1/labels", {"GET", "HEAD", "OPTIONS"}),
    ):
        response = client.open(url, method=method)
        assert response.status_code == 405
        assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed, url
        assert response.get_json()["error"]["status"] == 405


def test_json_answers_are_utf8_with_chinese_as_is(client: FlaskClient) -> None:
    for url in ("/api/v1/labels/cn-cel", "/api/v1/standards/cn-cel-room-air-conditioner/2013", "/api/v1/agreements"):
        response = client.get(url)
        raw = response.get_data()
        assert response.mimetype == "application/json"
        assert b"\\u" not in raw, url
        assert url.endswith("agreements") or re.search("[\u4e00-\u9fff]", raw.decode("utf-8")), url
        json.loads(raw)


def test_immutable_content_carries_no_state_and_the_state_is_served_uncached(client: FlaskClient) -> None:
    content = client.get("/api/v1/standards/de-uz-204/2016-08")
    assert "immutable" in content.headers["Cache-Control"]
    assert not any("state" in name.lower() for name, _ in content.headers)
    assert b'"state"' not in content.get_data()
    listing = client.get("/api/v1/standards/de-uz-204")
    assert "immutable" not in listing.headers["Cache-Control"]
    assert {v["state"] for v in listing.get_json()["versions"]} <= {"published", "superseded", "withdrawn"}
