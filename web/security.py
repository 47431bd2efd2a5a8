"""Security headers and error pages: CSP without inline script, no framing, no sniffing; JSON errors under /api."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException

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

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> Any:
        if request.path.startswith("/api/"):
            return api_error(400, f"CSRF check failed: {exc.description}", field="X-CSRFToken")
        return render_template("error.html", status=400, message=exc.description), 400

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


def _error(status: int, message: str, **extra: Any) -> Response:
    """Return the error in the caller's format: JSON under /api, the error page elsewhere."""
    if request.path.startswith("/api/"):
        return api_error(status, message, **extra)
    response = make_response(render_template("error.html", status=status, message=message), status)
    return response
