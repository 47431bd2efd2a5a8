"""The web registry: pages for staff, manufacturers and administrators, and the JSON API.

``create_app(config)`` builds everything; importing this package builds nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request, session
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from registry.paths import bundled
from registry.store import migrate
from registry.store.checking import StoreSource
from registry.store.engine import default_url, make_engine
from registry.validation import Validator
from web import checks, throttle
from web.secret import signing_key

LOCALES = ("en", "zh_Hans")
csrf = CSRFProtect()
babel = Babel()


def select_locale() -> str:
    """Return the UI language: the switch (a cookie), else the browser's Accept-Language."""
    chosen = request.cookies.get("lang")
    if chosen in LOCALES:
        return chosen
    best = request.accept_languages.best_match(["en", "zh-Hans", "zh-CN", "zh-SG", "zh"], default="en")
    return "zh_Hans" if best.startswith("zh") else "en"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web registry. Config keys (all optional): DATABASE_URL, SECRET_KEY, SESSION_COOKIE_SECURE,
    MAX_CONTENT_LENGTH, INSTANCE_PATH, TESTING, WTF_CSRF_ENABLED."""
    settings = dict(config or {})
    instance = Path(settings.pop("INSTANCE_PATH", os.environ.get("ECOLABEL_INSTANCE", "instance"))).resolve()
    app = Flask(__name__, instance_path=str(instance))
    app.config.update(
        DATABASE_URL=os.environ.get("DATABASE_URL") or default_url(instance),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("ECOLABEL_SECURE_COOKIES") == "1",
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        BABEL_DEFAULT_LOCALE="en",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        JSON_SORT_KEYS=False,
    )
    app.config.update(settings)
    app.config["SECRET_KEY"] = signing_key(
        instance, app.config.get("SECRET_KEY") or os.environ.get("ECOLABEL_SECRET_KEY")
    )

    engine = make_engine(app.config["DATABASE_URL"])
    migrate.require_current(engine)  # an unmigrated database is refused: run `ecolabel db upgrade`
    validator = Validator.from_dir(bundled("schemas"))
    from web.data import Data

    app.extensions["registry"] = Data(engine, validator, StoreSource(engine))

    rate, per = app.config.get("HEAVY_RATE_LIMIT", (60, 60))
    app.extensions["throttle"] = throttle.RateLimiter(rate, per)

    @app.before_request
    def _small_bodies() -> None:
        # Before CSRF protection reads the form: anonymous endpoints take small bodies only.
        if request.endpoint in checks.SMALL_BODY_ENDPOINTS:
            checks.limit_body()

    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    from web import admin, api, auth, public, security

    security.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    csrf.exempt(api.check)  # computes an answer and changes nothing

    @app.get("/healthz")
    def healthz() -> tuple[str, int, dict[str, str]]:
        """Liveness: the process answers (no database work; also the benchmark's floor route)."""
        return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}

    @app.get("/readyz")
    def readyz() -> tuple[str, int, dict[str, str]]:
        """Readiness: the database answers and its migrations are current (503 otherwise)."""
        problem = migrate.readiness(engine)
        if problem:
            return f"not ready: {problem}\n", 503, {"Content-Type": "text/plain; charset=utf-8", "Retry-After": "5"}
        return "ready\n", 200, {"Content-Type": "text/plain; charset=utf-8"}

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"locale": select_locale(), "user": auth.current_user(), "session_user": session.get("uid")}

    return app
