"""The administrator's pages: joint-standard drafts (form or JSON), preview, publish; agreements; users; audit."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FileField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp

from registry import jsonfile, render
from registry.errors import ConflictError, ImmutableError, InvalidDocumentError, NotFoundError
from registry.findings import Finding, capped, join
from registry.model import DocumentRef, Standard
from registry.source import VersionInfo
from registry.store import service, transfer, users
from web.auth import current_user, role_required
from web.data import actor, data, validate_standard

bp = Blueprint("admin", __name__)
ID = Regexp(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$", message="lower-case letters, digits and '-'")
READ, WRITE = ("admin", "staff"), ("admin",)


class DraftForm(FlaskForm):
    """A joint standard's header by fields; its criteria as a JSON list."""

    id = StringField("Id", validators=[DataRequired(), ID])
    version = StringField("Version", validators=[DataRequired(), Length(max=40)])
    designation = StringField("Designation (official number)", validators=[Optional(), Length(max=120)])
    title_en = StringField("Title (English)", validators=[DataRequired(), Length(max=500)])
    title_zh = StringField("Title (Chinese)", validators=[Optional(), Length(max=500)])
    labels = SelectMultipleField("Labels", validators=[DataRequired()])
    parties = StringField(
        "Parties (label ids, comma-separated; default: the labels)", validators=[Optional(), Length(max=500)]
    )
    parents = SelectMultipleField("Parent standards", validators=[Optional()])
    category = SelectField("Category", validators=[DataRequired()])
    published = StringField("Published (YYYY, YYYY-MM or YYYY-MM-DD)", validators=[DataRequired(), Length(max=10)])
    valid_from = StringField("Valid from", validators=[Optional(), Length(max=10)])
    scope = TextAreaField("Scope", validators=[DataRequired(), Length(max=4000)])
    source_title = StringField("Source", validators=[DataRequired(), Length(max=500)])
    source_url = StringField("Source URL", validators=[Optional(), Length(max=2000)])
    source_publisher = StringField(
        "Source publisher (needed when there is no URL)", validators=[Optional(), Length(max=300)]
    )
    verification = SelectField(
        "Checked against the official text?",
        choices=["unverified", "secondary", "verified"],
    )
    complete = BooleanField("Every criterion of the official text is recorded")
    criteria = TextAreaField("Criteria (a JSON list)", default="[]", validators=[Length(max=2_000_000)])


class UploadForm(FlaskForm):
    file = FileField("JSON file")
    text = TextAreaField("or paste the JSON document", validators=[Length(max=3_000_000)])


EDIT_LIMIT = 4 * 1024 * 1024  # the app's request limit (MAX_CONTENT_LENGTH): whatever an upload took fits


class EditForm(FlaskForm):
    text = TextAreaField("Document (JSON)", validators=[DataRequired(), Length(max=EDIT_LIMIT)])
    lock = HiddenField()


class EventForm(FlaskForm):
    status = SelectField(
        "Status",
        choices=["proposed", "negotiating", "signed", "in_force", "suspended", "expired", "terminated"],
    )
    date = StringField("Date", validators=[Optional(), Length(max=10)])
    note = StringField("Note", validators=[Optional(), Length(max=2000)])


class UserForm(FlaskForm):
    username = StringField("User name", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password (12 characters or more)", validators=[DataRequired(), Length(min=12, max=200)])
    role = SelectField("Role", choices=["staff", "admin"])


# Which form field a JSON pointer of the document belongs to.
FIELD_OF = {
    "/id": "id",
    "/version": "version",
    "/designation": "designation",
    "/title": "title_en",
    "/labels": "labels",
    "/parties": "parties",
    "/parents": "parents",
    "/category": "category",
    "/dates": "published",
    "/scope": "scope",
    "/provenance": "source_title",
    "/coverage": "complete",
    "/criteria": "criteria",
}


def field_of(pointer: str, message: str = "") -> str | None:
    """Return the form field a finding belongs to (a missing property belongs to its own field)."""
    missing = re.match(r"'([a-z_]+)' is a required property", message)
    if missing and pointer in ("", "/"):
        pointer = "/" + missing.group(1)
    for prefix, name in FIELD_OF.items():
        if pointer == prefix or pointer.startswith(prefix + "/"):
            return name
    return None


def _parts(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def _document(form: DraftForm) -> tuple[dict[str, Any], list[Finding]]:
    loaded = jsonfile.loads((form.criteria.data or "[]").encode(), top=list, what="criteria field")
    if loaded.errors:
        return {}, [Finding(join("/criteria", *_parts(f.pointer)), f.message) for f in loaded.errors]
    criteria = loaded.data
    source: dict[str, Any] = {"title": form.source_title.data}
    if form.source_url.data:
        source["url"] = form.source_url.data
    if form.source_publisher.data:
        source["publisher"] = form.source_publisher.data
    title = {"en": form.title_en.data}
    if form.title_zh.data:
        title["zh-Hans"] = form.title_zh.data
    doc: dict[str, Any] = {
        "$schema": "urn:ecolabel:schema:criteria-document:1",
        "id": form.id.data,
        "version": form.version.data,
        "title": title,
        "kind": "joint",
        "labels": list(form.labels.data or []),
        "parties": [p.strip() for p in (form.parties.data or "").split(",") if p.strip()]
        or list(form.labels.data or []),
        "parents": [
            {k: v for k, v in DocumentRef.parse(p).__dict__.items() if v is not None} for p in form.parents.data or []
        ],
        "category": form.category.data,
        "scope": {"text": {"en": form.scope.data}},
        "status": "published",
        "dates": {"published": form.published.data, "valid_from": form.valid_from.data or None, "valid_until": None},
        "languages": ["en", "zh-Hans"] if form.title_zh.data else ["en"],
        "provenance": {"verification": form.verification.data, "sources": [source]},
        "coverage": {"complete": bool(form.complete.data)},
        "criteria": criteria,
    }
    if form.designation.data:
        doc["designation"] = form.designation.data
    return doc, []


def _choices(form: DraftForm) -> None:
    source = data().source
    form.labels.choices = sorted(source.labels)
    form.parents.choices = [v.ref for v in source.versions()]
    form.category.choices = sorted(source.vocabulary.categories)


@bp.get("/")
@role_required(*READ)
def index() -> str:
    drafts = [v for v in data().source.versions(drafts=True) if v.state == "draft"]
    return render_template("admin/index.html", drafts=drafts)


@bp.route("/drafts/new", methods=["GET", "POST"])
@role_required(*WRITE)
def new_draft() -> Any:
    form, upload = DraftForm(prefix="f"), UploadForm(prefix="u")
    _choices(form)
    errors: list[Finding] = []
    field_errors: dict[str, list[str]] = {}
    status = 200
    doc: Any = None
    if request.method == "POST" and request.form.get("mode") == "upload" and upload.validate_on_submit():
        raw = upload.file.data.read() if upload.file.data else (upload.text.data or "").encode()
        loaded = jsonfile.loads(raw)
        errors = list(loaded.errors)
        doc = loaded.data
        upload.text.data = raw.decode("utf-8", "replace")
    elif request.method == "POST" and request.form.get("mode") == "form":
        if form.validate_on_submit():
            doc, errors = _document(form)
        else:
            status = 400
            field_errors = {k: list(v) for k, v in form.errors.items()}
    if doc is not None and not errors:
        errors = validate_standard(doc)
        if not errors:
            try:
                service.create_draft(data().engine, doc, actor=actor())
            except (ConflictError, InvalidDocumentError) as exc:
                errors = getattr(exc, "findings", None) or [Finding("/version", str(exc))]
            else:
                flash(_("Draft saved. Preview it, then publish."))
                return redirect(url_for("admin.draft", ident=doc["id"], version=doc["version"]))
    if errors:
        status = 400
        for f in errors if request.form.get("mode") == "form" else ():  # an upload's errors stay with the upload
            name = field_of(f.pointer, f.message)
            if name:
                field_errors.setdefault(name, []).append(str(f))
    return render_template(
        "admin/new_draft.html", form=form, upload=upload, errors=errors, field_errors=field_errors
    ), status


def _standard_or_404(ident: str, version: str) -> tuple[Standard, VersionInfo]:
    """Return a stored version, drafts included: these pages are for staff and administrators only."""
    try:
        return data().source.get(DocumentRef(ident, version), drafts=True)
    except NotFoundError as exc:
        abort(404, str(exc))


@bp.route("/drafts/<ident>/<version>", methods=["GET", "POST"])
@role_required(*READ)
def draft(ident: str, version: str) -> Any:
    """A stored version for staff: a draft's criteria (edited one by one, or as JSON) and its problems;
    for the administrator, publishing and deleting a draft, or withdrawing a published version."""
    from web.editor import EDIT, WithdrawForm, line, previews, store, working_copy

    std, info = _standard_or_404(ident, version)
    form = EditForm()
    errors: list[Finding] = []
    status = 200
    doc, in_work = working_copy(info) if info.state == "draft" else (dict(std.raw), False)
    if request.method == "POST":
        if current_user().role not in EDIT:  # type: ignore[union-attr]
            abort(403, "this needs the role admin or staff")
        if info.state != "draft":
            abort(409, f"{ident}@{version} is {info.state}: published content never changes; make a new version")
        if form.validate_on_submit():
            loaded = jsonfile.loads((form.text.data or "").encode())
            errors = list(loaded.errors)
            if not errors and (not isinstance(loaded.data, dict) or not loaded.data.get("category")):
                errors = [Finding("", "a criteria document is a JSON object with its category")]
            if not errors:
                try:
                    found = store(info, loaded.data, int(form.lock.data or 0))
                except (ConflictError, ImmutableError, InvalidDocumentError) as exc:
                    errors = getattr(exc, "findings", None) or [Finding("", str(exc))]
                else:
                    if found:
                        flash(
                            _("Saved as work in progress: the draft is not valid yet (%(n)d problems).", n=len(found))
                        )
                    else:
                        flash(_("Draft saved."))
                    return redirect(url_for("admin.draft", ident=ident, version=version))
        elif "csrf_token" in form.errors:
            errors = [Finding("", _("Not saved: the form had expired. What you typed is kept below; save again."))]
        else:
            errors = [Finding("", "; ".join(str(e) for v in form.errors.values() for e in v))]
        status = 400
        form.lock.data = form.lock.data or str(info.lock_version)
    else:
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        if len(text.encode()) > EDIT_LIMIT // 2:  # a large draft compact, so it fits the request when saved
            text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        form.text.data = text
        form.lock.data = str(info.lock_version)
    problems = validate_standard(doc) if info.state == "draft" else []
    return render_template(
        "admin/draft.html",
        std=std,
        info=info,
        doc=doc,
        in_work=in_work,
        form=form,
        errors=errors,
        previews=previews(std, info),
        problems=problems,
        relation_words=render.RELATIONS,
        withdraw_form=WithdrawForm(),
        lines={c.get("id"): line(c) for c in doc.get("criteria") or [] if isinstance(c, dict)},
    ), status


@bp.post("/drafts/<ident>/<version>/publish")
@role_required(*WRITE)
def publish(ident: str, version: str) -> Any:
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400, "CSRF token missing")
    try:
        state = service.publish(
            data().engine, data().validator, ident, version, actor=actor(), as_older=request.form.get("as_older") == "1"
        )
    except InvalidDocumentError as exc:
        flash(_("Not published: the draft is not valid."))
        for f in capped(exc.findings):
            flash(str(f))
        return redirect(url_for("admin.draft", ident=ident, version=version))
    except ConflictError as exc:
        flash(_("Not published: %(reason)s", reason=str(exc)))
        return redirect(url_for("admin.draft", ident=ident, version=version))
    except (ImmutableError, NotFoundError) as exc:
        abort(409 if isinstance(exc, ImmutableError) else 404, str(exc))
    flash(
        _("Published.") if state == "published" else _("Published as an older edition: it is %(state)s.", state=state)
    )
    return redirect(url_for("public.standard", ident=ident, version=version))


# --- agreements


def _import(doc: Any) -> list[tuple[str, list[Finding]]]:
    report = transfer.import_documents(data().engine, data().validator, [doc], actor=actor())
    return [(where, list(found)) for where, found in report.rejected]


@bp.route("/agreements", methods=["GET", "POST"])
@role_required(*READ)
def agreements() -> Any:
    upload = UploadForm(prefix="u")
    rejected: list[tuple[str, list[Finding]]] = []
    status = 200
    if request.method == "POST":
        if current_user().role != "admin":  # type: ignore[union-attr]
            abort(403, "this needs the role admin")
        if upload.validate_on_submit():
            raw = upload.file.data.read() if upload.file.data else (upload.text.data or "").encode()
            loaded = jsonfile.loads(raw)
            if loaded.errors:
                rejected = [("upload", list(loaded.errors))]
            elif not isinstance(loaded.data, dict) or loaded.data.get("$schema") != "urn:ecolabel:schema:agreement:1":
                rejected = [("upload", [Finding("/$schema", "an agreement document is expected")])]
            else:
                rejected = _import(loaded.data)
                if not rejected:
                    flash(_("Agreement saved."))
                    return redirect(url_for("admin.agreement", ident=loaded.data["id"]))
        status = 400
    found = list(data().source.agreements)
    return render_template("admin/agreements.html", agreements=found, upload=upload, rejected=rejected), status


@bp.route("/agreements/<ident>", methods=["GET", "POST"])
@role_required(*READ)
def agreement(ident: str) -> Any:
    agr = data().source.catalog.agreements.get(ident)
    if agr is None:
        abort(404, f"no agreement {ident!r}")
    form = EventForm()
    rejected: list[tuple[str, list[Finding]]] = []
    status = 200
    if request.method == "POST":
        if current_user().role != "admin":  # type: ignore[union-attr]
            abort(403, "this needs the role admin")
        if form.validate_on_submit():
            doc = json.loads(json.dumps(dict(agr.raw)))
            event: dict[str, Any] = {"status": form.status.data, "date": form.date.data or None}
            if form.note.data:
                event["note"] = {"en": form.note.data}
            doc["status_history"].append(event)
            rejected = _import(doc)
            if not rejected:
                flash(_("Status event added."))
                return redirect(url_for("admin.agreement", ident=ident))
        status = 400
    from web.records import scope_form

    return render_template("admin/agreement.html", agr=agr, form=form, rejected=rejected, scope=scope_form(agr)), status


# --- users and audit


@bp.route("/users", methods=["GET", "POST"])
@role_required(*WRITE)
def users_page() -> Any:
    form = UserForm()
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        action = request.form.get("action", "add")
        if action == "add" and form.validate_on_submit():
            try:
                users.add_user(
                    data().engine,
                    form.username.data or "",
                    form.password.data or "",
                    form.role.data or "",
                    actor=actor(),
                )
            except InvalidDocumentError as exc:
                errors = [f"{f.pointer[1:]}: {f.message}" for f in exc.findings]  # type: ignore[attr-defined]
            except ConflictError as exc:
                errors = [str(exc)]
            else:
                flash(_("User added."))
                return redirect(url_for("admin.users_page"))
        elif action in ("role", "deactivate", "activate", "reset") and FlaskForm().validate_on_submit():
            text = request.form.get("pk", "")
            pk = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else -1
            me = current_user()
            if pk < 0:
                errors = [_("pk: not a user number")]
            elif me is not None and pk == me.pk:
                errors = [_("You cannot change your own account here.")]
            else:
                try:
                    if action == "reset":
                        temporary = users.reset_password(data().engine, pk, actor=actor())
                        reset = (next(u.username for u in users.list_users(data().engine) if u.pk == pk), temporary)
                        return render_template(
                            "admin/users.html", users=users.list_users(data().engine), form=form, reset=reset
                        )
                    if action == "role":
                        users.update_user(data().engine, pk, role=request.form.get("role", ""), actor=actor())
                    else:
                        users.update_user(data().engine, pk, active=action == "activate", actor=actor())
                except (InvalidDocumentError, NotFoundError) as exc:
                    errors = [str(exc)]
                else:
                    flash(_("User updated."))
                    return redirect(url_for("admin.users_page"))
        else:
            errors = [f"{k}: {', '.join(v)}" for k, v in form.errors.items()] or [_("Invalid request.")]
        status = 400
    return render_template("admin/users.html", users=users.list_users(data().engine), form=form, errors=errors), status


@bp.get("/audit")
@role_required(*READ)
def audit() -> str:
    before = request.args.get("before", type=int)
    entries = data().source.changes(limit=50, before=before)
    return render_template("admin/audit.html", entries=entries, now=dt.datetime.now(dt.UTC))
