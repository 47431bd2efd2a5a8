"""Signing in and out, the language switch, and the role checks every admin page and API write uses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Forbidden, Unauthorized
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from registry.store import sessions, tokens, users
from registry.store.users import Account
from web.redirects import safe_next

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


class LoginForm(FlaskForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
REALM = "ecolabel registry"


def _challenge(error: str | None = None, description: str | None = None) -> WWWAuthenticate:
    """Return the RFC 6750 challenge a 401 or 403 of the API carries."""
    params: dict[str, str | None] = {"realm": REALM}
    if error:
        params["error"] = error
    if description:
        params["error_description"] = description
    return WWWAuthenticate("bearer", params)


class InsufficientScope(Forbidden):
    """403 for a token whose scope is too narrow, with its RFC 6750 challenge."""

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        challenge = _challenge("insufficient_scope", "this needs a token of the write scope")
        return [*super().get_headers(*args, **kwargs), ("WWW-Authenticate", challenge.to_header())]


def bearer_secret() -> str | None:
    """Return the token of an ``Authorization: Bearer`` header under /api, else None (401 for another scheme)."""
    header = request.headers.get("Authorization")
    if header is None or not request.path.startswith("/api/"):
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("use Authorization: Bearer TOKEN", www_authenticate=_challenge("invalid_request"))
    return value.strip()


def current_user() -> Account | None:
    """Return who makes this request: an API token's user, or the signed-in user if the cookie's session
    still works (``registry.store.sessions``). A bad token is refused (401), never taken as anonymous."""
    if "user" in g:
        return cast(Account | None, g.user)
    g.token = None
    secret = bearer_secret()
    if secret is not None:
        found_token = tokens.authenticate(current_app.extensions["registry"].engine, secret)
        if found_token is None:
            g.user = None
            raise Unauthorized("the token is unknown, expired or revoked", www_authenticate=_challenge("invalid_token"))
        g.user, g.token = found_token
        return cast(Account, g.user)
    found, g.session_pk = None, None
    key = session.get("sid")
    if isinstance(key, str):
        signed = sessions.lookup(current_app.extensions["registry"].engine, key)
        if signed is not None:
            found, g.session_pk = signed[0], signed[1].pk
        else:
            session.clear()  # ended, idle too long, or its user deactivated
    g.user = found
    return found


def role_required(*roles: str) -> Callable[[F], F]:
    """Allow a view only to signed-in users of these roles (401 anonymous, 403 other roles)."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None:
                if request.path.startswith("/api/"):
                    raise Unauthorized(
                        "sign in first, or send Authorization: Bearer TOKEN", www_authenticate=_challenge()
                    )
                return redirect(url_for("auth.login", next=request.path))
            if user.must_change_password and g.get("token") is None:
                if request.path.startswith("/api/"):
                    abort(403, "your password was reset: change it at /account first")
                return redirect(url_for("account.page"))
            if user.role not in roles:
                abort(403, f"this needs the role {' or '.join(roles)}")
            token = g.get("token")
            if token is not None and request.method not in SAFE_METHODS and not token.writes:
                raise InsufficientScope(f"token {token.prefix}… has the scope {token.scope}; writes need a write token")
            return view(*args, **kwargs)

        return cast(F, inner)

    return wrap


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    error = None
    status, wait = 200, None
    if form.validate_on_submit():
        data = current_app.extensions["registry"]
        try:
            user = users.authenticate(data.engine, form.username.data or "", form.password.data or "", _client())
        except users.RateLimited as exc:
            user, error, status, wait = None, str(exc), 429, exc.retry_after
        else:
            if user is None:
                error, status = _("Wrong user name or password."), 401
        if user is not None:
            session.clear()  # a new session: nothing from before the sign-in carries over
            session["sid"] = sessions.start(data.engine, user, _client(), request.user_agent.string)[0]
            if user.must_change_password:
                flash(_("Your password was reset: choose a new one."))
                return redirect(url_for("account.page"))
            return redirect(safe_next(request.args.get("next"), url_for("admin.index")))
    elif request.method == "POST":
        status = 400
    headers = {"Retry-After": str(wait)} if wait else {}
    return render_template("login.html", form=form, error=error), status, headers


def _client() -> str:
    return request.remote_addr or "unknown"


@bp.post("/logout")
def logout() -> Response:
    user = current_user()
    if user is not None:
        sessions.sign_out(current_app.extensions["registry"].engine, user, g.session_pk)
    session.clear()
    flash(_("Signed out."))
    return redirect(url_for("public.home"))


@bp.get("/lang/<code>")
def language(code: str) -> Response:
    if code not in ("en", "zh_Hans"):
        abort(404)
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
