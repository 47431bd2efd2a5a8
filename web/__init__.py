"""The web registry: pages for staff, manufacturers and administrators, and the JSON API.

``create_app(config)`` builds everything; importing this package builds nothing.
"""

from __future__ import annotations

import os
import secrets
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

LOCALES = ("en", "zh_Hans")
csrf = CSRFProtect()
babel = Babel()


def _secret_key(instance: Path) -> str:
    """Return the signing key: ECOLABEL_SECRET_KEY, else one kept in the instance folder (made once)."""
    if os.environ.get("ECOLABEL_SECRET_KEY"):
        return os.environ["ECOLABEL_SECRET_KEY"]
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip()


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
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(instance)

    engine = make_engine(app.config["DATABASE_URL"])
    migrate.require_current(engine)  # an unmigrated database is refused: run `ecolabel db upgrade`
    validator = Validator.from_dir(bundled("schemas"))
    from web.data import Data

    app.extensions["registry"] = Data(engine, validator, StoreSource(engine))

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

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"locale": select_locale(), "user": auth.current_user(), "session_user": session.get("uid")}

    return app
