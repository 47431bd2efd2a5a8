"""A signed-in user's own account: the password, where they are signed in, and personal API tokens.

Administrators also see every user's tokens here and may revoke any of them, and reset a user's
password (the temporary one only opens this page until it is changed).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from registry.errors import InvalidDocumentError, NotFoundError
from registry.store import sessions, tokens, users
from registry.store.users import Account
from web.auth import current_user
from web.data import actor, data

bp = Blueprint("account", __name__)
EXPIRY_DAYS = ["30", "90", "365", "never"]


class PasswordForm(FlaskForm):
    old_password = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(max=200)])


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=80)])
    scope = SelectField("Scope", choices=list(tokens.SCOPES), default="read")
    expires = SelectField("Expires after (days)", choices=EXPIRY_DAYS, default="90")


def _me() -> Account:
    user = current_user()
    if user is None:
        abort(401)
    return user


def _signed_in(view: Any) -> Any:
    """Let only signed-in users in (others to the sign-in page); a must-change user stays on this page."""

    @functools.wraps(view)
    def inner(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)

    return inner


def _page(status: int = 200, **shown: Any) -> tuple[str, int]:
    me = _me()
    everyone = me.role == "admin"
    listed = tokens.listed(data().engine, None if everyone else me.pk)
    shown.setdefault("password_form", PasswordForm(formdata=None))
    shown.setdefault("token_form", TokenForm(formdata=None))
    mine = [t for t in listed if t.username == me.username]
    others = [t for t in listed if t.username != me.username]
    now = dt.datetime.now(dt.UTC)
    signed_in = sessions.listed(data().engine, me.pk)
    return (
        render_template(
            "account/page.html",
            me=me,
            mine=mine,
            others=others,
            now=now,
            signed_in=signed_in,
            this_session=g.get("session_pk"),
            **shown,
        ),
        status,
    )


@bp.get("/account")
@_signed_in
def page() -> tuple[str, int]:
    return _page()


@bp.post("/account/password")
@_signed_in
def password() -> Any:
    form = PasswordForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            users.change_password(
                data().engine,
                _me().pk,
                form.old_password.data or "",
                form.new_password.data or "",
                keep=g.get("session_pk"),  # this session goes on; every other one ends
            )
        except InvalidDocumentError as exc:
            errors = [f"{f.pointer[1:]}: {f.message}" for f in exc.findings]  # type: ignore[attr-defined]
        else:
            flash(_("Password changed. Every other session of yours has ended."))
            return redirect(url_for("account.page"))
    else:
        errors = [f"{k}: {', '.join(v)}" for k, v in form.errors.items()] or [_("Invalid request.")]
    return _page(400, password_form=form, password_errors=errors)


@bp.post("/account/tokens")
@_signed_in
def create_token() -> Any:
    form = TokenForm()
    errors: list[str] = []
    if form.validate_on_submit():
        days = None if form.expires.data == "never" else int(form.expires.data or "90")
        try:
            issued = tokens.create(
                data().engine, _me().pk, form.name.data or "", form.scope.data or "", days=days, actor=actor()
            )
        except (InvalidDocumentError, NotFoundError) as exc:
            errors = [f"{f.pointer[1:]}: {f.message}" for f in getattr(exc, "findings", ())] or [str(exc)]
        else:
            # Shown in this answer only (never stored, never in a cookie); the page is not cached.
            return _page(201, issued=issued)
    else:
        errors = [f"{k}: {', '.join(v)}" for k, v in form.errors.items()] or [_("Invalid request.")]
    return _page(400, token_form=form, token_errors=errors)


@bp.post("/account/tokens/<int:pk>/revoke")
@_signed_in
def revoke_token(pk: int) -> Any:
    if not FlaskForm().validate_on_submit():
        abort(400, "the form is out of date; reload the page")
    me = _me()
    try:
        revoked = tokens.revoke(data().engine, pk, actor=actor(), owner=None if me.role == "admin" else me.pk)
    except NotFoundError:
        abort(404, "no such token of yours")
    flash(_("Token %(name)s revoked.", name=revoked.name))
    return redirect(url_for("account.page"))


@bp.post("/account/sessions/<int:pk>/end")
@_signed_in
def end_session(pk: int) -> Any:
    if not FlaskForm().validate_on_submit():
        abort(400, "the form is out of date; reload the page")
    me = _me()
    if pk == g.get("session_pk"):
        abort(400, "this is the session you are using: sign out instead")
    try:
        ended = sessions.end(data().engine, pk, user_pk=me.pk, actor=f"web:{me.username}")
    except NotFoundError:
        abort(404, "no such session of yours")
    flash(_("The session from %(client)s has ended.", client=ended.client))
    return redirect(url_for("account.page"))


@bp.post("/account/sign-out-everywhere")
@_signed_in
def sign_out_everywhere() -> Response:
    if not FlaskForm().validate_on_submit():
        abort(400, "the form is out of date; reload the page")
    sessions.sign_out(data().engine, _me(), g.get("session_pk"), everywhere=True)
    session.clear()
    flash(_("Signed out everywhere."))
    return redirect(url_for("auth.login"))
