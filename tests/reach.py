"""The data-reach matrix: which routes reach stored documents, asked with a draft's reference by each role.

Two drafts are stored: a new version of a published standard (one limit changed to 99.25, a
marked title) and a standard that was never published (its id appears nowhere else). Every route
that takes a document reference is requested with them; a body may show a draft's id, version,
title or values only where the route is meant for drafts (the administrator's pages) and the
role may see drafts. ``NO_REFERENCE`` lists the routes that take none; a route in neither list
fails ``unclassified``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from registry.store import service
from tests.conftest import STANDARDS

PUBLISHED = "de-uz-204@2016-08"
NEW_VERSION = ("de-uz-204", "2099-01")  # a draft of a published standard
NEW_ID = ("zz-unpublished-draft", "1")  # a draft of a standard never published
VALUE = "99.25"
TITLE = "Quokka draft title"
ROLES = ("anonymous", "staff", "admin")


@dataclass(frozen=True)
class Reach:
    """A request that names a draft; ``for_drafts``: the route is meant to show drafts to staff and admin."""

    rule: str  # the route's rule, as Flask lists it
    method: str
    url: str
    body: Any = None
    for_drafts: bool = False


def _declaration(ref: str) -> dict[str, Any]:
    ident, _, version = ref.partition("@")
    return {
        "$schema": "urn:ecolabel:schema:product-declaration:1",
        "category": "room-air-conditioner",
        "manufacturer": "Test",
        "model": "T-1",
        "values": {"energy.seer": {"value": 8.1, "unit": "W/W"}},
        "labels_held": [
            {"label": "de-blue-angel", "licence_id": "RAL-1", "standard": {"id": ident, "version": version}}
        ],
    }


def requests() -> Iterator[Reach]:
    """Yield, per route that takes a reference, the requests that name each draft."""
    for ident, version in (NEW_VERSION, NEW_ID):
        ref = f"{ident}@{version}"
        yield Reach("/standards/<ident>", "GET", f"/standards/{ident}")
        yield Reach("/standards/<ident>/<version>", "GET", f"/standards/{ident}/{version}")
        yield Reach("/standards/<ident>/revisions", "GET", f"/standards/{ident}/revisions?a=2016-08&b={version}")
        yield Reach("/standards/<ident>/revisions", "GET", f"/standards/{ident}/revisions")
        yield Reach("/compare", "GET", f"/compare?a={PUBLISHED}&b={ref}")
        yield Reach("/compare.csv", "GET", f"/compare.csv?a={ref}&b={PUBLISHED}")
        yield Reach("/compare", "GET", f"/compare?s={PUBLISHED}&s={ref}&s={PUBLISHED}")  # side by side
        yield Reach("/compare.csv", "GET", f"/compare.csv?s={ref}&s={PUBLISHED}")
        yield Reach("/compare.json", "GET", f"/compare.json?s={PUBLISHED}&s={ref}")
        yield Reach("/api/v1/standards/<ident>", "GET", f"/api/v1/standards/{ident}")
        yield Reach("/api/v1/standards/<ident>/<version>", "GET", f"/api/v1/standards/{ident}/{version}")
        yield Reach("/api/v1/diff", "GET", f"/api/v1/diff?a={PUBLISHED}&b={ref}")
        yield Reach("/check", "POST", "/check", {"declaration": json.dumps(_declaration(ref))})
        yield Reach("/api/v1/check", "POST", "/api/v1/check", json.dumps(_declaration(ref)))
        yield Reach("/admin/drafts/<ident>/<version>", "GET", f"/admin/drafts/{ident}/{version}", for_drafts=True)
        editor = f"/admin/drafts/{ident}/{version}/criteria"
        yield Reach("/admin/drafts/<ident>/<version>/criteria/add", "GET", f"{editor}/add", for_drafts=True)
        edit_rule = "/admin/drafts/<ident>/<version>/criteria/<cid>/edit"
        yield Reach(edit_rule, "GET", f"{editor}/energy-seer/edit", for_drafts=True)
        sheet_rule = "/standards/<ident>/<version>/criteria.<any(xlsx, csv):fmt>"
        yield Reach(sheet_rule, "GET", f"/standards/{ident}/{version}/criteria.csv")
        draft_sheet = "/admin/drafts/<ident>/<version>/criteria.<any(xlsx, csv):fmt>"
        yield Reach(draft_sheet, "GET", f"/admin/drafts/{ident}/{version}/criteria.csv", for_drafts=True)
    for url in ("/search?q=quokka", "/search?q=zz-unpublished", "/search?q=de-uz-204"):
        yield Reach("/search", "GET", url)
    yield Reach("/", "GET", "/")  # the latest changes
    yield Reach("/standards", "GET", "/standards?per_page=200")
    yield Reach("/standards", "GET", "/standards?status=draft")
    yield Reach("/labels/<ident>", "GET", "/labels/de-blue-angel")
    yield Reach("/api/v1/standards", "GET", "/api/v1/standards?limit=200")
    yield Reach("/admin/", "GET", "/admin/", for_drafts=True)  # the list of drafts
    yield Reach("/admin/audit", "GET", "/admin/audit", for_drafts=True)
    yield Reach("/admin/review", "GET", "/admin/review", for_drafts=True)  # drafts' values waiting for review
    yield Reach("/admin/drafts/new", "GET", "/admin/drafts/new")  # parents offered: published versions only
    yield Reach("/admin/agreements/new", "GET", "/admin/agreements/new")  # standards offered: published ones only


# Routes that take no document reference (and why they cannot reach a draft).
NO_REFERENCE = {
    "/healthz": "no data",
    "/help": "the glossary of codes: no stored data",
    "/readyz": "no data",
    "/labels": "labels only",
    "/api/v1/labels": "labels only",
    "/api/v1/labels/<ident>": "labels only",
    "/recognition": "labels and agreements only",
    "/agreements/<ident>": "an agreement",
    "/api/v1/agreements": "agreements only",
    "/api/v1/agreements/<ident>": "an agreement",
    "/licences/<ident>": "a licence (its standard is read as a published version only)",
    "/api/v1/licences": "licences only",
    "/api/v1/licences/<ident>": "a licence",
    "/admin/agreements": "agreements only",
    "/admin/agreements/<ident>": "an agreement",
    "/admin/users": "user accounts",
    "/admin/categories": "categories and parameters only",
    "/admin/categories/<cid>": "a category's parameters",
    "/admin/agreements/<ident>/scope": "a write (admin only, redirects)",
    "/admin/templates/<category>.xlsx": "a category's parameters (an empty sheet)",
    "/admin/sheets": "a write (admin only; a draft it names is shown only after the import, on the draft page)",
    "/account": "the user's own account and API tokens",
    "/account/password": "the user's own password",
    "/account/tokens": "the user's own API tokens",
    "/account/tokens/<int:pk>/revoke": "an API token",
    "/account/sessions/<int:pk>/end": "one of the user's own sessions",
    "/account/sign-out-everywhere": "the user's own sessions",
    "/api/v1/openapi.json": "the API description",
    "/login": "sign-in",
    "/logout": "sign-out",
    "/lang/<code>": "the language switch",
    "/static/<path:filename>": "files",
    "/admin/drafts/<ident>/<version>/publish": "a write (admin only, redirects); GET: the admin's confirmation",
    "/admin/drafts/<ident>/<version>/criteria/<cid>/<any(duplicate, remove, up, down):action>": "a write (redirects)",
    "/admin/drafts/<ident>/<version>/discard": "a write (redirects)",
    "/admin/drafts/<ident>/<version>/delete": "a write (admin only, redirects)",
    "/admin/standards/<ident>/<version>/withdraw": "a write (admin only, redirects)",
    "/admin/standards/<ident>/<version>/new-version": "a write (admin only, redirects)",
    "/admin/review/<ident>/<version>/<cid>": "a write (staff; a refused review shows the queue, staff only)",
    "/api/v1/drafts": "a write (admin only)",
    "/api/v1/standards/<ident>/<version>/publish": "a write (admin only)",
}


def unclassified(app: Flask) -> list[str]:
    """Return the routes in neither the reach list nor ``NO_REFERENCE``."""
    reached = {r.rule for r in requests()}
    return sorted(
        rule.rule for rule in app.url_map.iter_rules() if rule.rule not in reached and rule.rule not in NO_REFERENCE
    )


def store_drafts(engine: Engine) -> None:
    """Store the two drafts."""
    doc = json.loads((STANDARDS / "criteria" / "de-uz-204" / "2016-08.json").read_text())
    doc["version"] = NEW_VERSION[1]
    doc["title"] = {"en": TITLE}
    limit = next(c for c in doc["criteria"] if c["requirement"]["type"] == "min" and c["requirement"].get("value"))
    limit["requirement"]["value"]["value"] = float(VALUE)
    service.create_draft(engine, doc, actor="test")
    doc = dict(doc, id=NEW_ID[0], version=NEW_ID[1])
    service.create_draft(engine, doc, actor="test")


def leaks(body: str, url: str) -> list[str]:
    """Return the draft markers a response body shows (the request's own words excepted)."""
    found = [m for m in (VALUE, TITLE, NEW_ID[0]) if m in body and m not in url]
    if re.search(r"(?<![\w-])2099-01(?![\w-])", body) and "2099-01" not in url:
        found.append("2099-01")
    return found


def visit(client: FlaskClient, reach: Reach) -> tuple[int, str]:
    """Make one request of the matrix; return the status and the body."""
    if reach.method == "GET":
        response = client.get(reach.url)
    elif isinstance(reach.body, dict):
        response = client.post(reach.url, data=reach.body)
    else:
        response = client.post(reach.url, data=reach.body, content_type="application/json")
    body = response.get_data(as_text=True)
    response.close()
    return response.status_code, body


def shown(role: str, reach: Reach, body: str) -> list[str]:
    """Return what the body shows of the drafts that this role must not see there."""
    if reach.for_drafts and role != "anonymous":
        return []
    found = leaks(body, reach.url)
    if reach.method == "POST" and reach.url.endswith("check"):
        # The check echoes the declaration it was given (the reference typed in); no standard is read from it.
        found = [m for m in found if m in (VALUE, TITLE)]
    return found
