"""Signing in and out, the language switch, and the role checks every admin page and API write uses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from registry.store import users
from registry.store.users import Account
from web.redirects import safe_next

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])


class LoginForm(FlaskForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def current_user() -> Account | None:
    """Return the signed-in user, if the session cookie is current (a pre-logout cookie is not)."""
    if "user" in g:
        return cast(Account | None, g.user)
    found = None
    uid, version = session.get("uid"), session.get("sv")
    if isinstance(uid, int):
        user = users.get_user(current_app.extensions["registry"].engine, uid)
        if user is not None and user.active and user.session_version == version:
            found = user
        else:
            session.clear()
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
                    abort(401, "sign in first")
                return redirect(url_for("auth.login", next=request.path))
            if user.role not in roles:
                abort(403, f"this needs the role {' or '.join(roles)}")
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
            session["uid"], session["sv"] = user.pk, user.session_version
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
    if user is not None and user.pk is not None:
        users.end_sessions(current_app.extensions["registry"].engine, user.pk)
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
