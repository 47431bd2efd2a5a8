"""The JSON API under /api/v1: labels, standards and versions, agreements, diff, check; admin writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for

from registry import jsonfile
from registry.diff import compare
from registry.errors import ConflictError, ImmutableError, InvalidDocumentError, NotFoundError
from registry.findings import capped
from registry.model import DocumentRef, pick
from web import checks, openapi, paging, throttle
from web.auth import SAFE_METHODS, current_user, role_required
from web.data import actor, data, ref_of, validate_standard
from web.security import api_error

bp = Blueprint("api", __name__)


@bp.before_request
def _caller() -> None:
    """Who calls: a Bearer token needs no CSRF token; a browser session's write does; an anonymous write
    gets 401 from its role check. ``POST /check`` changes nothing and needs neither."""
    user = current_user()
    if request.method in SAFE_METHODS or request.endpoint == "api.check" or g.token is not None or user is None:
        return
    from web import csrf

    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


def _findings(status: int, message: str, findings: Any) -> Response:
    items = [{"pointer": f.pointer, "message": f.message} for f in capped(findings)]
    first = items[0]["pointer"] if items else None
    return api_error(status, message, pointer=first, findings=items)


def _body() -> Any:
    """Return the request's JSON body, read safely (size, depth, duplicate keys, NaN), or raise."""
    loaded = jsonfile.loads(request.get_data(cache=False), what="request body")
    if loaded.errors:
        raise InvalidDocumentError("the request body is not valid JSON", loaded.errors)
    return loaded.data


@bp.errorhandler(InvalidDocumentError)
def _invalid(exc: InvalidDocumentError) -> Response:
    return _findings(400, str(exc), exc.findings)


@bp.errorhandler(NotFoundError)
def _missing(exc: NotFoundError) -> Response:
    return api_error(404, str(exc))


@bp.get("/openapi.json")
def spec() -> Response:
    return jsonify(openapi.document())


@bp.get("/labels")
def labels() -> Response:
    catalog = data().source.catalog
    return _listed(
        [
            {
                "id": lab.id,
                "name": pick(lab.names),
                "countries": list(lab.countries),
                "gen_membership": lab.gen_membership,
                "genices": lab.genices_status,
                "url": url_for("api.label", ident=lab.id),
            }
            for lab in sorted(catalog.labels.values(), key=lambda x: x.id)
        ]
    )


def _listed(items: list[Any]) -> Response:
    """Return one page of a list as a JSON array, with X-Total-Count and Link headers for the others."""
    page = paging.paginate(items)
    response = jsonify(page.items)
    response.headers.update(page.headers())
    return response


@bp.get("/labels/<ident>")
def label(ident: str) -> Response:
    lab = data().source.catalog.labels.get(ident)
    if lab is None:
        raise NotFoundError(f"no label {ident!r}")
    return _document(dict(lab.raw))


@bp.get("/standards")
def standards() -> Response:
    found: dict[str, dict[str, Any]] = {}
    for v in data().source.versions():
        entry = found.setdefault(
            v.doc_id, {"id": v.doc_id, "kind": v.kind, "labels": list(v.labels), "category": v.category, "versions": []}
        )
        entry["versions"].append(
            {"version": v.version, "state": v.state, "url": url_for("api.version", ident=v.doc_id, version=v.version)}
        )
        entry["title"] = pick(v.title)
    return _listed(list(found.values()))


@bp.get("/standards/<ident>")
def standard(ident: str) -> Response:
    versions = data().source.versions(ident)
    if not versions:
        raise NotFoundError("no standard has that id")
    return jsonify(
        {
            "id": ident,
            "versions": [
                {
                    "version": v.version,
                    "state": v.state,
                    "sha256": v.sha,
                    "url": url_for("api.version", ident=ident, version=v.version),
                }
                for v in versions
            ],
        }
    )


@bp.get("/standards/<ident>/<version>")
def version(ident: str, version: str) -> Response:
    d = data()
    info = d.source.info(DocumentRef(ident, version))
    etag = f'"{info.sha}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")] or (
        request.if_none_match and request.if_none_match.contains(info.sha)
    ):
        response = Response(status=304)
    else:
        response = Response(d.content(info), mimetype="application/json")
    response.headers["ETag"] = etag
    # Published (and superseded) content never changes; a withdrawal changes the state, not the content.
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"
    response.headers["X-Registry-State"] = info.state
    return response


def _document(raw: dict[str, Any]) -> Response:
    return jsonify(raw)


@bp.get("/agreements")
def agreements() -> Response:
    return _listed(
        [
            {
                "id": a.id,
                "title": pick(a.title),
                "scale": a.scale,
                "parties": list(a.parties),
                "types": list(a.types),
                "status": a.status,
                "url": url_for("api.agreement", ident=a.id),
            }
            for a in data().source.agreements
        ]
    )


@bp.get("/agreements/<ident>")
def agreement(ident: str) -> Response:
    agr = data().source.catalog.agreements.get(ident)
    if agr is None:
        raise NotFoundError(f"no agreement {ident!r}")
    return _document(dict(agr.raw))


@bp.get("/licences")
def licences() -> Response:
    return _listed(
        [
            {
                "id": x.id,
                "label": x.label,
                "number": x.number,
                "holder": x.holder,
                "standard": {"id": x.standard.id, "version": x.standard.version},
                "awarded": x.awarded,
                "products": [p["model"] for p in x.products],
                "url": url_for("api.licence", ident=x.id),
            }
            for x in sorted(data().source.catalog.licences.values(), key=lambda x: x.id)
        ]
    )


@bp.get("/licences/<ident>")
def licence(ident: str) -> Response:
    found = data().source.catalog.licences.get(ident)
    if found is None:
        raise NotFoundError(f"no licence {ident!r}")
    return _document(dict(found.raw))


@bp.get("/diff")
def diff() -> Response:
    throttle.heavy()
    d = data()
    sides = []
    for name in ("a", "b"):
        value = request.args.get(name, "")
        if not value:
            return api_error(400, f"{name}: a standard, ID@VERSION", field=name)
        try:
            sides.append(d.source.get(ref_of(value))[0])
        except (NotFoundError, ValueError) as exc:
            return api_error(404, str(exc), field=name)
    return jsonify(compare(sides[0], sides[1], d.source.vocabulary).as_json())


@bp.post("/check")
def check() -> Response:
    """Check a product declaration (CSRF-exempt: it changes nothing, so a cross-site request gains nothing)."""
    on = None
    if request.args.get("date"):
        try:
            on = dt.date.fromisoformat(request.args["date"])
        except ValueError:
            return api_error(400, "date: YYYY-MM-DD", field="date")
    return jsonify(checks.run_check(checks.declaration(request.get_data(cache=False), "request body"), on))


# --- writes (administrators)


@bp.post("/drafts")
@role_required("admin")
def create_draft() -> Response:
    doc = _body()
    findings = validate_standard(doc)
    if findings:
        return _findings(400, "the document is not valid; nothing was stored", findings)
    try:
        from registry.store import service

        service.create_draft(data().engine, doc, actor=actor())
    except ConflictError as exc:
        return api_error(409, str(exc), pointer="/version")
    response = jsonify({"id": doc["id"], "version": doc["version"], "state": "draft"})
    response.status_code = 201
    response.headers["Location"] = url_for("admin.draft", ident=doc["id"], version=doc["version"])
    return response


@bp.post("/standards/<ident>/<version>/publish")
@role_required("admin")
def publish(ident: str, version: str) -> Response:
    from registry.store import service

    as_older = request.args.get("as_older", "") in ("1", "true")
    try:
        state = service.publish(data().engine, data().validator, ident, version, actor=actor(), as_older=as_older)
    except (ImmutableError, ConflictError) as exc:
        return api_error(409, str(exc))
    return jsonify({"id": ident, "version": version, "state": state})
