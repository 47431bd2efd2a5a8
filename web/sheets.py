"""Criteria sheets on the web: download any published standard's criteria as XLSX or CSV; staff download
drafts and category templates; the administrator imports a sheet as a new draft or into a draft."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from registry import sheet
from registry.errors import ConflictError, ImmutableError, InvalidDocumentError, NotFoundError
from registry.model import DocumentRef
from registry.source import VersionInfo
from registry.store import service
from web import throttle
from web.auth import role_required
from web.data import actor, data

public = Blueprint("sheets", __name__)
admin = Blueprint("admin_sheets", __name__)
READ, WRITE = ("admin", "staff"), ("admin",)
MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _download(info: VersionInfo, fmt: str) -> Response:
    """Return a stored version's criteria as a sheet file (kept by content hash once frozen)."""
    d = data()
    key = ("sheet", info.sha, fmt)
    raw = d.rendered.get(key) if info.state != "draft" else None
    if raw is None:
        throttle.heavy()
        raw = sheet.write(json.loads(d.content(info)), fmt)
        if info.state != "draft":
            d.keep(key, raw)
    name = f"{info.doc_id}@{info.version}.{fmt}"
    return Response(raw, mimetype=MIMETYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@public.get("/standards/<ident>/<version>/criteria.<any(xlsx, csv):fmt>")
def published(ident: str, version: str, fmt: str) -> Response:
    """A published (or superseded, withdrawn) version's criteria; never a draft."""
    try:
        info = data().source.info(DocumentRef(ident, version))
    except NotFoundError as exc:
        abort(404, str(exc))
    return _download(info, fmt)


@admin.get("/drafts/<ident>/<version>/criteria.<any(xlsx, csv):fmt>")
@role_required(*READ)
def draft(ident: str, version: str, fmt: str) -> Response:
    """Any stored version's criteria, drafts included (staff and administrators)."""
    try:
        info = data().source.info(DocumentRef(ident, version), drafts=True)
    except NotFoundError as exc:
        abort(404, str(exc))
    return _download(info, fmt)


@admin.get("/templates/<category>.xlsx")
@role_required(*READ)
def template(category: str) -> Response:
    """An empty criteria workbook for a category: columns, parameters and their units, pick lists."""
    vocabulary = data().source.vocabulary
    if category not in vocabulary.categories:
        abort(404, f"no category {category!r}")
    rows = sheet.parameter_rows(vocabulary, category)
    raw = sheet.template_xlsx(category, rows, sheet.template_header(category))
    return Response(
        raw,
        mimetype=MIMETYPES["xlsx"],
        headers={"Content-Disposition": f'attachment; filename="criteria-template-{category}.xlsx"'},
    )


class SheetForm(FlaskForm):
    file = FileField("Criteria sheet (.xlsx, or .csv for criteria only)", validators=[FileRequired()])
    draft = StringField(
        "Draft to make or to fill (ID@VERSION)",
        validators=[DataRequired(), Length(max=200)],
    )


@admin.route("/sheets", methods=["GET", "POST"])
@role_required(*WRITE)
def import_sheet() -> Any:
    """Import a criteria sheet: a new draft, or the criteria of an existing draft replaced."""
    form = SheetForm()
    problems: list[sheet.Problem] = []
    status = 200
    if request.method == "GET" and request.args.get("draft"):
        form.draft.data = request.args["draft"][:200]
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            ref = DocumentRef.parse((form.draft.data or "").strip())
            if not ref.id or not ref.version:
                form.draft.errors = [_("Write the draft as ID@VERSION, e.g. de-uz-204@2027-01.")]
            else:
                raw = form.file.data.read(sheet.MAX_BYTES + 1)
                d = data()
                try:
                    done = service.import_sheet(
                        d.engine, d.source, d.validator, raw, ref.id, ref.version, actor=actor()
                    )
                except sheet.SheetError as exc:
                    problems = exc.problems
                except (ConflictError, ImmutableError, InvalidDocumentError) as exc:
                    problems = [sheet.Problem("", str(exc))]
                else:
                    flash(
                        _("Draft created from the sheet.")
                        if done == "created"
                        else _("Criteria replaced from the sheet.")
                    )
                    return redirect(url_for("admin.draft", ident=ref.id, version=ref.version))
    categories = sorted(data().source.vocabulary.categories.values(), key=lambda c: c.id)
    return render_template(
        "admin/sheets.html", form=form, problems=problems, categories=categories, name=_file_name(form)
    ), status


def _file_name(form: SheetForm) -> str:
    upload = form.file.data
    return str(getattr(upload, "filename", "") or "")
