"""Security headers and error pages: CSP without inline script, no framing, no sniffing; JSON errors under /api."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store" if request.path.startswith("/admin") else "no-cache")
    return response


def api_error(status: int, message: str, **extra: Any) -> Response:
    """Return a JSON error: a message, and where (field or JSON pointer) when known."""
    response = jsonify({"error": {"status": status, "message": message, **extra}})
    response.status_code = status
    return response


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
        if request.path.startswith("/api/"):
            return api_error(status, exc.description or exc.name)
        return render_template("error.html", status=status, message=exc.description or exc.name), status
