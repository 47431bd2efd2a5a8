"""The JSON API under /api/v1: labels, standards and versions, agreements, diff, check; admin writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for

from registry import dates, in_force, jsonfile
from registry.diff import compare
from registry.errors import ConflictError, ImmutableError, InvalidDocumentError, NotFoundError
from registry.findings import capped
from registry.model import DocumentRef, pick
from web import checks, openapi, paging, throttle
from web.auth import SAFE_METHODS, current_user, role_required
from web.data import STANDARD_FILTERS, actor, data, filtered_versions, ref_of, validate_standard
from web.security import api_error

bp = Blueprint("api", __name__)


V = TypeVar("V", bound=Callable[..., Any])


def takes(*names: str) -> Callable[[V], V]:
    """Declare the query parameters a route reads; any other is refused (400 naming it), never ignored."""

    def mark(view: V) -> V:
        view.query_args = frozenset(names)  # type: ignore[attr-defined]
        return view

    return mark


@bp.before_request
def _known_arguments() -> Response | None:
    view = current_app.view_functions.get(request.endpoint or "")
    allowed: frozenset[str] = getattr(view, "query_args", frozenset())
    unknown = sorted(set(request.args) - allowed)
    if not unknown:
        return None
    takes_text = ", ".join(sorted(allowed)) or "none"
    return api_error(
        400, f"unknown query parameter {', '.join(unknown)} (this route takes: {takes_text})", field=unknown[0]
    )


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
    """This API's OpenAPI 3.1 description."""
    found = current_app.extensions.get("openapi")
    if found is None:
        found = current_app.extensions["openapi"] = openapi.document(current_app)
    return jsonify(found)


@bp.get("/labels")
@takes("country", "updated_since", *paging.API_ARGS)
def labels() -> Response:
    """Label programmes, by id."""
    catalog = data().source.catalog
    country, changed = request.args.get("country"), _changed("label")
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
            if (not country or country in lab.countries) and (changed is None or lab.id in changed)
        ]
    )


def _changed(kind: str) -> set[str] | None:
    """Return the ids of a kind's documents changed since ``updated_since``, or None without that filter."""
    since = paging.since_arg("updated_since")
    if since is None:
        return None
    return {doc_id for k, doc_id in data().source.changed_since(since) if k == kind}


def _listed(items: Sequence[dict[str, Any]]) -> Response:
    """Return one page of a list sorted by id as a JSON array, with X-Total-Count and a Link to the next."""
    page, headers = paging.after_cursor(items, lambda item: str(item["id"]))
    response = jsonify(page)
    response.headers.update(headers)
    return response


@bp.get("/labels/<ident>")
def label(ident: str) -> Response:
    """One label programme's document."""
    lab = data().source.catalog.labels.get(ident)
    if lab is None:
        raise NotFoundError(f"no label {ident!r}")
    return _document(dict(lab.raw))


@bp.get("/standards")
@takes(*STANDARD_FILTERS, *paging.API_ARGS)
def standards() -> Response:
    """Standards with their published versions, by id."""
    found: dict[str, dict[str, Any]] = {}
    for v in filtered_versions():
        entry = found.setdefault(
            v.doc_id, {"id": v.doc_id, "kind": v.kind, "labels": list(v.labels), "category": v.category, "versions": []}
        )
        entry["versions"].append(
            {"version": v.version, "state": v.state, "url": url_for("api.version", ident=v.doc_id, version=v.version)}
        )
        entry["title"] = pick(v.title)
    return _listed(sorted(found.values(), key=lambda e: str(e["id"])))


@bp.get("/standards/<ident>")
def standard(ident: str) -> Response:
    """The versions of one standard and their states (not cached: states change)."""
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
    """One published version's criteria document (immutable; conditional GET by ETag)."""
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
    # The content never changes once published, so it is cached as immutable; its state (superseded,
    # withdrawn) does change, so it is not served here but by /standards/{id}, which is not cached.
    response.headers["Cache-Control"] = "public, max-age=86400, immutable"
    response.headers["Link"] = f'<{url_for("api.standard", ident=ident)}>; rel="collection"'
    return response


def _document(raw: dict[str, Any]) -> Response:
    return jsonify(raw)


@bp.get("/agreements")
@takes("label", "status", "on", "updated_since", *paging.API_ARGS)
def agreements() -> Response:
    """Recognition and cooperation agreements, by id."""
    args, on, changed = request.args, paging.date_arg("on"), _changed("agreement")
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
            for a in sorted(data().source.agreements, key=lambda a: a.id)
            if (not args.get("label") or args["label"] in a.parties)
            and (not args.get("status") or a.status == args["status"])
            and (on is None or in_force.in_effect(a, on))
            and (changed is None or a.id in changed)
        ]
    )


@bp.get("/agreements/<ident>")
def agreement(ident: str) -> Response:
    """One agreement's document with its dated status history."""
    agr = data().source.catalog.agreements.get(ident)
    if agr is None:
        raise NotFoundError(f"no agreement {ident!r}")
    return _document(dict(agr.raw))


@bp.get("/licences")
@takes("label", "standard", "on", "updated_since", *paging.API_ARGS)
def licences() -> Response:
    """Licences (certified products), by id."""
    args, on, changed = request.args, paging.date_arg("on"), _changed("licence")
    return _listed(
        [
            {
                "id": x.id,
                "label": x.label,
                "number": x.number,
                "holder": x.holder,
                "standard": {"id": x.standard.id, "version": x.standard.version},
                "awarded": x.awarded,
                "valid_until": x.valid_until,
                "products": [p["model"] for p in x.products],
                "url": url_for("api.licence", ident=x.id),
            }
            for x in sorted(data().source.catalog.licences.values(), key=lambda x: x.id)
            if (not args.get("label") or x.label == args["label"])
            and (not args.get("standard") or x.standard.id == args["standard"])
            and (on is None or _valid_on(x.awarded, x.valid_until, on))
            and (changed is None or x.id in changed)
        ]
    )


def _valid_on(awarded: str | None, until: str | None, on: dt.date) -> bool:
    """Return whether a licence is valid on a day: awarded by then (a partial date by its last day), not
    yet expired (a partial date to its last day); a licence with no award date is not known to be."""
    return awarded is not None and dates.bounds(awarded)[1] <= on and (until is None or on <= dates.bounds(until)[1])


@bp.get("/licences/<ident>")
def licence(ident: str) -> Response:
    """One licence's document with its products' published figures."""
    found = data().source.catalog.licences.get(ident)
    if found is None:
        raise NotFoundError(f"no licence {ident!r}")
    return _document(dict(found.raw))


@bp.get("/diff")
@takes("a", "b")
def diff() -> Response:
    """Compare two standards criterion by criterion."""
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
@takes("date")
def check() -> Response:
    """Check a product declaration against every standard of its category.

    Needs no CSRF token: it changes nothing, so a cross-site request gains nothing.
    """
    on = paging.date_arg("date")
    return jsonify(checks.run_check(checks.declaration(request.get_data(cache=False), "request body"), on))


# --- writes (administrators)


@bp.post("/drafts")
@role_required("admin")
def create_draft() -> Response:
    """Store a draft criteria document (admin; a write token or a session with X-CSRFToken)."""
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
@takes("as_older")
def publish(ident: str, version: str) -> Response:
    """Publish a draft (admin; a write token or a session with X-CSRFToken)."""
    from registry.store import service

    as_older = request.args.get("as_older", "") in ("1", "true")
    try:
        state = service.publish(data().engine, data().validator, ident, version, actor=actor(), as_older=as_older)
    except (ImmutableError, ConflictError) as exc:
        return api_error(409, str(exc))
    return jsonify({"id": ident, "version": version, "state": state})
