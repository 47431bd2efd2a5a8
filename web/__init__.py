"""The web registry: pages for staff, manufacturers and administrators, and the JSON API.

``create_app(config)`` builds everything; importing this package builds nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request, session
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from registry import settings as settings_of
from registry.paths import bundled
from registry.store import migrate
from registry.store.engine import make_engine
from registry.store.reader import StoreReader
from registry.validation import Validator
from web import checks, proxies, throttle
from web.pagecache import PageCache
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
    """Build the web registry from the settings (``registry.settings``: environment, instance settings.toml).

    ``config`` overrides them by setting name (``DATABASE_URL``, ``ECOLABEL_...``; ``INSTANCE_PATH``,
    ``SECRET_KEY`` and ``HEAVY_RATE_LIMIT`` name theirs too) and sets Flask keys (``TESTING``, ...).
    """
    given = dict(config or {})
    aliases = {"INSTANCE_PATH": "ECOLABEL_INSTANCE", "SECRET_KEY": "ECOLABEL_SECRET_KEY"}
    aliases["HEAVY_RATE_LIMIT"] = "ECOLABEL_HEAVY_RATE_LIMIT"
    overrides = {aliases.get(k, k): given.pop(k) for k in list(given) if k in aliases or k in settings_of.BY_NAME}
    settings = settings_of.load(overrides)
    app = Flask(__name__, instance_path=str(settings.instance))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        BABEL_DEFAULT_LOCALE="en",
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        JSON_SORT_KEYS=False,
        PAGE_SIZE=settings.page_size,
    )
    app.config.update(given)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # every JSON answer is UTF-8 text, 中文 as is
    app.config["SECRET_KEY"] = signing_key(settings.instance, settings.secret_key, settings.database_url)
    app.extensions["settings"] = settings

    engine = make_engine(settings.database_url)
    migrate.require_current(engine)  # an unmigrated database is refused: run `ecolabel db upgrade`
    validator = Validator.from_dir(bundled("schemas"))
    from web.data import Data

    pages = PageCache(settings.page_cache_mb * 1024 * 1024)
    reader = StoreReader(engine, parsed_limit=settings.parsed_limit, auto_refresh=False)
    app.extensions["registry"] = Data(reader, validator, pages)

    proxies.install(app, settings.trusted_proxies)
    rate, per = settings.heavy_rate_limit
    limiter = throttle.RateLimiter(rate, per, settings.rate_limit_storage, settings.database_url)
    app.extensions["throttle"] = limiter
    if not limiter.is_shared and not settings.database_url.startswith("sqlite"):
        app.logger.warning(
            "heavy-route limits are counted in each worker: set ECOLABEL_RATE_LIMIT_STORAGE=redis://HOST:PORT/DB "
            "so that every host of this database shares them"
        )

    @app.before_request
    def _one_state_per_request() -> None:
        # One freshness check (the audit head) per request; only what changed since is read again.
        if request.endpoint not in ("healthz", "readyz", "static"):
            reader.refresh()

    @app.before_request
    def _small_bodies() -> None:
        # Before CSRF protection reads the form: anonymous endpoints take small bodies only.
        if request.endpoint in checks.SMALL_BODY_ENDPOINTS:
            checks.limit_body()

    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    from web import account, admin, api, auth, editor, public, records, review, security, sheets

    security.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(sheets.public)
    app.register_blueprint(sheets.admin, url_prefix="/admin")
    app.register_blueprint(api.bp, url_prefix="/api/v1")
    csrf.exempt(api.bp)  # the API checks CSRF itself: for browser sessions' writes, not for Bearer tokens
    app.register_blueprint(editor.bp, url_prefix="/admin")
    # The editors check their form token themselves, so an expired one brings the form back with what was typed.
    csrf.exempt(editor.bp)
    app.register_blueprint(review.bp, url_prefix="/admin")
    csrf.exempt(review.bp)  # the review forms check their token themselves and keep what was typed
    app.register_blueprint(records.bp, url_prefix="/admin")
    csrf.exempt(records.bp)  # likewise: an expired form comes back with what was typed
    csrf.exempt(admin.draft)

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
