"""Security headers and error pages: CSP without inline script, no framing, no sniffing; JSON errors under /api."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, abort, g, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException

from registry.glossary import N_
from registry.store import faults

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    private = request.path.startswith(("/admin", "/account"))
    response.headers.setdefault("Cache-Control", "no-store" if private else "no-cache")
    return response


def api_error(status: int, message: str, **extra: Any) -> Response:
    """Return a JSON error: a message, and where (field or JSON pointer) when known."""
    response = jsonify({"error": {"status": status, "message": message, **extra}})
    response.status_code = status
    return response


class FieldError(BadRequest):
    """400 for one query parameter or form field, named in the JSON error's ``field``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def init_app(app: Flask) -> None:
    """Install the headers and the error handlers."""
    app.after_request(_headers)
    app.before_request(too_long)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        if request.path.startswith("/api/"):
            return api_error(400, f"CSRF check failed: {exc.description}", field="X-CSRFToken")
        return _error(400, f"CSRF check failed: {exc.description}")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        status = exc.code or 500
        message = exc.description or exc.name
        if status == 413:
            limit = request.max_content_length or 0
            message = f"the request is larger than {limit // 1024} KiB, the limit for this address"
        field = getattr(exc, "field", None)
        response = _error(status, message, **({"field": field} if field else {}))
        for name, value in exc.get_headers():
            if name in ("Allow", "WWW-Authenticate"):  # 405 says what is allowed; 401 and 403 how to sign in
                response.headers.add(name, value)
        retry = getattr(exc, "retry_after", None)
        if isinstance(retry, int):
            response.headers["Retry-After"] = str(retry)
        return response

    @app.errorhandler(Exception)
    def _fault(exc: Exception) -> Any:
        problem = faults.describe(exc)
        if problem is None:
            raise exc  # a bug: Flask logs it and answers 500
        app.logger.warning("database or disk fault on %s %s: %s", request.method, request.path, problem)
        g.user = None  # the page must not ask the database who is signed in
        response = _error(503, f"the registry cannot use its database right now ({problem}); try again shortly")
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response


RETRY_AFTER = 30  # seconds a client is asked to wait after a fault of the database
URL_LIMIT = 8000  # bytes of path and query the app takes; gunicorn refuses request lines over 8190 bare

# What each error means for the person who met it, and what to do (translated on the page).
PAGES = {
    400: (
        N_("The request could not be used"),
        N_("Something in the address or the form is not right: the detail says what and where."),
    ),
    401: (N_("Sign in first"), N_("This page is for signed-in staff.")),
    403: (N_("Not allowed"), N_("Your account may not do this: sign in with one that may, or ask an administrator.")),
    404: (
        N_("Not found"),
        N_("Nothing is recorded at this address: search the registry, or start from the home page."),
    ),
    405: (N_("Not taken here"), N_("This address does not take that kind of request.")),
    413: (N_("Too large"), N_("What was sent is larger than this address takes: send a smaller file.")),
    414: (N_("Address too long"), N_("The address is longer than the registry takes: shorten the search or the form.")),
    429: (
        N_("Too many requests"),
        N_("Too many requests came from your address in a short time: wait a moment, then try again."),
    ),
    500: (
        N_("Something went wrong on our side"),
        N_("The registry could not answer, and nothing was changed: try again later."),
    ),
    503: (N_("Not available right now"), N_("The registry cannot use its database right now: try again shortly.")),
}
_OTHER = (N_("The request could not be answered"), N_("The detail says why."))
_ESCAPED = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")


def _error(status: int, message: str, **extra: Any) -> Response:
    """Return the error in the caller's format: JSON under /api, the error page elsewhere."""
    if request.path.startswith("/api/"):
        return api_error(status, message, **extra)
    heading, advice = PAGES.get(status, _OTHER)
    shown = _ESCAPED.sub("\N{REPLACEMENT CHARACTER}", message)  # a control character quoted in a message
    page = render_template("error.html", status=status, message=shown, heading=_(heading), advice=_(advice))
    return make_response(page, status)


def too_long() -> None:
    """Refuse an address longer than the app takes with its own 414 page (before gunicorn's bare one)."""
    if len(request.full_path.encode()) > URL_LIMIT:
        abort(414, f"the address is {len(request.full_path.encode())} bytes; the registry takes {URL_LIMIT}")
