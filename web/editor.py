"""The criterion editor: staff edit a draft criterion by criterion (typed fields, no JSON), save work that is
not valid yet, and the administrator publishes (after a confirmation showing the differences), withdraws
a published version or deletes a draft.

A draft's content is always valid; an edit that is not valid yet is kept as the draft's work in progress
(``service.save_work``) with its problems listed, until it becomes valid (then it is the content) or is
discarded. Every form posts the draft's lock version: a stale form, or an expired form token, comes back
with what was typed and says what happened; nothing is lost and nothing is half-saved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from registry import render, review, sheet
from registry.diff import compare
from registry.errors import ConflictError, ImmutableError, InvalidDocumentError, NotFoundError
from registry.findings import Finding
from registry.model import DocumentRef, Standard
from registry.source import VersionInfo
from registry.store import service
from registry.versions import version_key
from web.auth import role_required
from web.data import actor, data, validate_standard

bp = Blueprint("editor", __name__)
EDIT, ADMIN = ("admin", "staff"), ("admin",)  # staff enter criteria; the administrator publishes and deletes
ACTIONS = ("duplicate", "remove", "up", "down")
_BOOLEAN_SUFFIX = "@boolean"  # a yes/no value's own select, beside the number field of the same column


class WithdrawForm(FlaskForm):
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])


# --- the working copy


def _draft_or_404(ident: str, version: str) -> VersionInfo:
    try:
        info = data().source.info(DocumentRef(ident, version), drafts=True)
    except NotFoundError as exc:
        abort(404, str(exc))
    if info.state != "draft":
        abort(409, f"{ident}@{version} is {info.state}: published content never changes; make a new version")
    return info


def working_copy(info: VersionInfo) -> tuple[dict[str, Any], bool]:
    """Return what the editor edits: the work in progress if there is some, else the draft's content."""
    work = data().source.work(info)
    return json.loads(work if work is not None else data().content(info)), work is not None


def store(info: VersionInfo, doc: Mapping[str, Any], lock: int) -> list[Finding]:
    """Save an edited draft: valid, it is the draft; not valid yet, it is kept as work in progress.
    Return the problems (empty when the draft itself was saved). ConflictError for a stale lock."""
    base = json.loads(data().content(info))
    for notice in review.settle(base, doc, actor=actor(), on=service.today())[1]:
        if notice.reason == "changed":
            flash(
                _(
                    "%(id)s: its value changed, so it is not verified any more; someone other than you "
                    "verifies it again from the review queue.",
                    id=notice.criterion,
                )
            )
        else:
            flash(
                _(
                    "%(id)s: not marked verified. A value becomes verified from the review queue, by someone "
                    "other than the person who entered it.",
                    id=notice.criterion,
                )
            )
    findings = validate_standard(dict(doc))
    if findings:
        service.save_work(data().engine, info.doc_id, info.version, doc, expected_lock=lock, actor=actor())
    else:
        service.update_draft(data().engine, info.doc_id, info.version, doc, expected_lock=lock, actor=actor())
    return findings


def _lock() -> int:
    try:
        return int(request.form.get("lock", ""))
    except ValueError:
        abort(400, "the form lacks the draft's edit number (lock); reload the page")


def _index(doc: Mapping[str, Any], cid: str) -> int | None:
    for i, c in enumerate(doc.get("criteria") or []):
        if isinstance(c, Mapping) and c.get("id") == cid:
            return i
    return None


def _free_id(doc: Mapping[str, Any], base: str) -> str:
    taken = {c.get("id") for c in doc.get("criteria") or [] if isinstance(c, Mapping)}
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def line(criterion: Mapping[str, Any]) -> tuple[str, str]:
    """Return a criterion's requirement and conditions in words, or what is missing (work in progress may
    lack fields)."""
    try:
        requirement = render.constraint(criterion["requirement"])
    except (KeyError, TypeError, AttributeError):
        requirement = _("(requirement incomplete)")
    try:
        conditions = render.conditions(criterion.get("conditions") or [])
    except (KeyError, TypeError, AttributeError):
        conditions = _("(conditions incomplete)")
    return requirement, conditions


# --- the criterion form


def _posted_fields() -> dict[str, str]:
    """Return the posted criterion fields (named like sheet columns); a yes/no value's own select counts
    for its column when the requirement (or condition) is a yes/no one."""
    form = request.form
    values: dict[str, str] = {}
    for name in form:
        if name.endswith(_BOOLEAN_SUFFIX):
            continue
        if sheet.known_column(name):
            values[name] = form.get(name, "")
    for name in form:
        if name.endswith(_BOOLEAN_SUFFIX):
            column = name[: -len(_BOOLEAN_SUFFIX)]
            prefix = column.rsplit(".", 1)[0]
            if sheet.known_column(column) and values.get(f"{prefix}.type", "").strip() == "boolean":
                values[column] = form.get(name, "")
    return values


def _field_errors(
    findings: Sequence[Finding], index: int | None, read: sheet.Fields | None
) -> tuple[dict[str, list[str]], list[Finding]]:
    """Split a document's findings into those at this criterion's fields and the others."""
    at: dict[str, list[str]] = {}
    others: list[Finding] = []
    base = f"/criteria/{index}" if index is not None else None
    for f in findings:
        name = None
        if base is not None and (f.pointer == base or f.pointer.startswith(base + "/")):
            inner = f.pointer[len(base) :]
            missing = re.match(r"'([a-z_]+)' is a required property", f.message)
            if missing:  # a field left empty: the problem belongs to it, not to the object holding it
                inner = f"{inner}/{missing.group(1)}"
            exact = read.sheet.fields.get(read.sheet.cells.get(f"/criteria/0{inner}", "")) if read else None
            name = exact or _field_of_pointer(inner) or (read.field(inner) if read else None) or "id"
        if name:
            at.setdefault(name, []).append(f"{f.message} ({f.pointer})")
        else:
            others.append(f)
    return at, others


def _field_of_pointer(inner: str) -> str | None:
    """Return the field of a pointer inside a criterion when no value was read from it (a missing one)."""
    parts = [p for p in inner.split("/") if p]
    if not parts:
        return None
    if parts[0] in ("conditions", "test_methods") and len(parts) > 1 and parts[1].isdigit():
        parts[1] = str(int(parts[1]) + 1)
    if parts[:2] == ["provenance", "sources"] and len(parts) > 2 and parts[2].isdigit():
        parts[2] = str(int(parts[2]) + 1)
    if len(parts) >= 2 and parts[-1] in ("value", "unit") and parts[-2] in ("value", "min", "max"):
        end = parts[-2]
        parts = parts[:-2] + ([end] if parts[-1] == "value" else ["unit" if end == "value" else f"{end}_unit"])
    name = ".".join(parts)
    return name if sheet.known_column(name) else None


def _render_form(
    info: VersionInfo,
    doc: Mapping[str, Any],
    *,
    cid: str | None,
    values: Mapping[str, str],
    errors: Mapping[str, list[str]],
    others: Sequence[Finding],
    lock: int,
    in_work: bool,
    status: int = 200,
    message: str | None = None,
) -> Any:
    vocabulary = data().source.vocabulary
    parameters = sheet.parameter_rows(vocabulary, str(doc.get("category", "")))
    languages = ["en", "zh-Hans"] + [
        lang for lang in doc.get("languages") or [] if isinstance(lang, str) and lang not in ("en", "zh-Hans")
    ]

    def count(prefix: str) -> int:
        found = [int(k.split(".")[1]) for k in values if k.startswith(prefix + ".") and k.split(".")[1].isdigit()]
        return max(found, default=0) + 1  # one empty set of fields to add another

    sources = [int(k.split(".")[2]) for k in values if k.startswith("provenance.sources.")]
    by_id = {p.id: p for p in parameters}
    better = {
        "higher": _("higher is better"),
        "lower": _("lower is better"),
        "true": _("yes is better"),
        "false": _("no is better"),
    }
    parameter_options = [
        (
            p.id,
            f"{p.id} · {p.name} ("
            + "; ".join(x for x in (p.unit if p.kind == "quantity" else p.kind, better.get(p.better or "", "")) if x)
            + ")",
        )
        for p in parameters
    ]
    prefixes = ["requirement"] + [f"conditions.{n}" for n in range(1, count("conditions") + 1)]
    unit_lists = []
    for prefix in prefixes:
        chosen = values.get("parameter" if prefix == "requirement" else f"{prefix}.parameter", "")
        unit_lists.append((prefix, by_id[chosen].units if chosen in by_id else ()))
    type_words = {
        "max": _("at most (max)"),
        "min": _("at least (min)"),
        "range": _("between (range)"),
        "equals": _("equal to (equals)"),
        "one_of": _("one of a list (one_of)"),
        "none_of": _("none of a list (none_of)"),
        "boolean": _("yes or no (boolean)"),
        "qualitative": _("a declaration (qualitative)"),
    }
    type_options = [(t, type_words.get(t, t)) for t in sheet.TYPES]
    return render_template(
        "admin/criterion.html",
        info=info,
        doc=doc,
        cid=cid,
        values=values,
        errors=errors,
        others=others,
        lock=lock,
        in_work=in_work,
        message=message,
        parameters=parameters,
        languages=languages,
        conditions=range(1, count("conditions") + 1),
        methods=range(1, count("test_methods") + 1),
        sources=range(1, max(sources, default=0) + 2),
        parameter_options=parameter_options,
        unit_lists=unit_lists,
        units={p.id: " ".join(p.units) for p in parameters},
        topic_options=[(t, t.replace("_", " ")) for t in sheet.TOPICS],
        type_options=type_options,
        condition_type_options=[o for o in type_options if o[0] != "qualitative"],
        # "verified" comes from the review queue (someone other than the value's author), not from this form
        verification_options=[
            (v, v) for v in sheet.VERIFICATION if v != "verified" or values.get("provenance.verification") == "verified"
        ],
        boolean_suffix=_BOOLEAN_SUFFIX,
    ), status


@bp.route("/drafts/<ident>/<version>/criteria/add", methods=["GET", "POST"])
@bp.route("/drafts/<ident>/<version>/criteria/<cid>/edit", methods=["GET", "POST"])
@role_required(*EDIT)
def criterion(ident: str, version: str, cid: str | None = None) -> Any:
    """Edit one criterion of a draft (or add one): typed fields, problems at their fields."""
    info = _draft_or_404(ident, version)
    doc, in_work = working_copy(info)
    index = _index(doc, cid) if cid is not None else None
    if cid is not None and index is None and request.method == "GET":
        abort(404, f"{ident}@{version} has no criterion {cid!r}")
    if request.method == "GET":
        values = sheet.fields_of(doc["criteria"][index]) if index is not None else {}
        if index is None:
            values = {"mandatory": "yes", "provenance.verification": "unverified"}
        findings = validate_standard(doc) if in_work else []
        read = None
        if index is not None:
            try:
                read = sheet.read_fields(values)
            except sheet.SheetError:
                read = None
        errors, others = _field_errors(findings, index, read)
        return _render_form(
            info, doc, cid=cid, values=values, errors=errors, others=others, lock=info.lock_version, in_work=in_work
        )
    values = _posted_fields()
    lock = _lock()

    def again(status: int, message: str, errors: Mapping[str, list[str]] | None = None) -> Any:
        """The form once more, with what was typed, the message and the problems at their fields."""
        return _render_form(
            info,
            doc,
            cid=cid,
            values=values,
            errors=errors or {},
            others=[],
            lock=lock,
            in_work=in_work,
            status=status,
            message=message,
        )

    if not FlaskForm().validate_on_submit():
        return again(
            400,
            _(
                "Not saved: the form had expired or did not come from this page. What you typed is kept below; "
                "check it and save again."
            ),
        )
    try:
        read = sheet.read_fields(values)
    except sheet.SheetError as exc:
        marked: dict[str, list[str]] = {}
        for p in exc.problems:
            marked.setdefault(p.where or "id", []).append(p.message)
        return again(400, _("Not saved: fix the fields marked below."), marked)
    criteria = list(doc.get("criteria") or [])
    if cid is not None and index is None:
        return again(
            409,
            _(
                "Not saved: criterion %(id)s was removed from the draft since you opened this form. What you "
                "typed is kept below; save it to add it again.",
                id=cid,
            ),
        )
    if index is None:
        index = len(criteria)
        criteria.append(read.criterion)
    else:
        criteria[index] = read.criterion
    edited = {**doc, "criteria": criteria}
    try:
        findings = store(info, edited, lock)
    except ConflictError:
        return again(
            409,
            _(
                "Not saved: someone else saved this draft since you opened the form. What you typed is kept "
                "below; open the draft again in another tab to see their change, then save this again."
            ),
        )
    except (ImmutableError, InvalidDocumentError) as exc:
        abort(409, str(exc))
    new_id = str(read.criterion.get("id"))
    if findings:
        flash(
            _(
                "Saved as work in progress: the draft is not valid yet (%(n)d problems). The draft itself is "
                "unchanged until they are fixed.",
                n=len(findings),
            )
        )
        return redirect(url_for("editor.criterion", ident=ident, version=version, cid=new_id))
    flash(_("Criterion %(id)s saved.", id=new_id))
    return redirect(url_for("admin.draft", ident=ident, version=version, _anchor=f"criterion-{new_id}"))


@bp.post("/drafts/<ident>/<version>/criteria/<cid>/<any(duplicate, remove, up, down):action>")
@role_required(*EDIT)
def act(ident: str, version: str, cid: str, action: str) -> Any:
    """Duplicate, remove or move one criterion (one press, one save)."""
    info = _draft_or_404(ident, version)
    if not FlaskForm().validate_on_submit():
        abort(400, "CSRF token missing or expired: nothing changed; reload the draft and press the button again")
    lock = _lock()
    doc, _in_work = working_copy(info)
    criteria = list(doc.get("criteria") or [])
    index = _index(doc, cid)
    if index is None:
        flash(_("Nothing changed: the draft has no criterion %(id)s (any more).", id=cid))
        return redirect(url_for("admin.draft", ident=ident, version=version, _anchor="criteria"))
    anchor = cid
    if action == "duplicate":
        copy = json.loads(json.dumps(criteria[index]))
        copy["id"] = anchor = _free_id(doc, cid)
        criteria.insert(index + 1, copy)
    elif action == "remove":
        del criteria[index]
        anchor = "criteria"
    else:
        to = index - 1 if action == "up" else index + 1
        if 0 <= to < len(criteria):
            criteria[index], criteria[to] = criteria[to], criteria[index]
    try:
        findings = store(info, {**doc, "criteria": criteria}, lock)
    except ConflictError:
        flash(_("Nothing changed: someone else saved this draft in between. Here it is as it is now."))
        return redirect(url_for("admin.draft", ident=ident, version=version, _anchor="criteria"))
    words = {
        "duplicate": _("Criterion %(id)s duplicated as %(copy)s.", id=cid, copy=anchor),
        "remove": _("Criterion %(id)s removed.", id=cid),
        "up": _("Criterion %(id)s moved up.", id=cid),
        "down": _("Criterion %(id)s moved down.", id=cid),
    }
    flash(words[action])
    if findings:
        flash(
            _("The draft is not valid yet: the change is kept as work in progress (%(n)d problems).", n=len(findings))
        )
    target = f"criterion-{anchor}" if anchor != "criteria" else "criteria"
    return redirect(url_for("admin.draft", ident=ident, version=version, _anchor=target))


@bp.post("/drafts/<ident>/<version>/discard")
@role_required(*EDIT)
def discard(ident: str, version: str) -> Any:
    """Drop the work in progress; the draft's (valid) content stays."""
    info = _draft_or_404(ident, version)
    if not FlaskForm().validate_on_submit():
        abort(400, "CSRF token missing or expired: nothing changed; reload the draft and press the button again")
    try:
        service.discard_work(data().engine, ident, version, expected_lock=_lock(), actor=actor())
    except ConflictError:
        flash(_("Nothing discarded: someone else saved this draft in between. Here it is as it is now."))
    else:
        flash(_("Work in progress discarded: the draft is as it was last saved valid."))
    return redirect(url_for("admin.draft", ident=info.doc_id, version=info.version))


# --- publishing, withdrawing, deleting (the administrator)


def _previous(info: VersionInfo) -> VersionInfo | None:
    """Return the newest published (or superseded) version before this one, if any."""
    older = [
        v
        for v in data().source.versions(info.doc_id)
        if v.version != info.version and version_key(v.version) < version_key(info.version)
    ]
    return older[-1] if older else None


def previews(std: Standard, info: VersionInfo) -> list[tuple[str, DocumentRef, Any]]:
    """Return the diffs a publisher looks at: against the previous version, then against each parent."""
    vocabulary = data().source.vocabulary
    found: list[tuple[str, DocumentRef, Any]] = []
    previous = _previous(info)
    if previous is not None:
        other = data().source.parsed([previous])[0]
        found.append(("previous", DocumentRef(previous.doc_id, previous.version), compare(other, std, vocabulary)))
    for parent in std.parents:
        try:
            other = data().source.get(parent)[0]
        except NotFoundError:
            found.append(("parent", parent, None))
            continue
        found.append(("parent", parent, compare(other, std, vocabulary)))
    return found


@bp.get("/drafts/<ident>/<version>/publish")
@role_required(*ADMIN)
def confirm_publish(ident: str, version: str) -> Any:
    """Ask for confirmation, showing what publishing changes against the previous version and the parents."""
    info = _draft_or_404(ident, version)
    std = data().source.get(DocumentRef(ident, version), drafts=True)[0]
    _doc, in_work = working_copy(info)
    problems = validate_standard(dict(std.raw))
    return render_template(
        "admin/publish.html",
        std=std,
        info=info,
        in_work=in_work,
        problems=problems,
        previews=previews(std, info),
        relation_words=render.RELATIONS,
    )


@bp.post("/drafts/<ident>/<version>/delete")
@role_required(*ADMIN)
def delete(ident: str, version: str) -> Any:
    """Delete a draft (after its confirmation box is ticked); audited."""
    info = _draft_or_404(ident, version)
    if not FlaskForm().validate_on_submit():
        abort(400, "CSRF token missing or expired: nothing changed; reload the draft and press the button again")
    if request.form.get("confirm") != "yes":
        flash(_("Not deleted: tick the box to confirm that the draft is to be deleted."))
        return redirect(url_for("admin.draft", ident=ident, version=version, _anchor="delete"))
    try:
        service.delete_draft(data().engine, ident, version, expected_lock=_lock(), actor=actor())
    except ConflictError:
        flash(_("Not deleted: someone else saved this draft in between. Look at it again first."))
        return redirect(url_for("admin.draft", ident=info.doc_id, version=info.version))
    flash(_("Draft %(ref)s deleted.", ref=f"{ident}@{version}"))
    return redirect(url_for("admin.index"))


@bp.post("/standards/<ident>/<version>/withdraw")
@role_required(*ADMIN)
def withdraw(ident: str, version: str) -> Any:
    """Withdraw a published version with a reason (audited); it stays readable as withdrawn."""
    form = WithdrawForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "CSRF token missing or expired: nothing was withdrawn; reload the page and try again")
        flash(_("Not withdrawn: give the reason (up to 500 characters)."))
        return redirect(url_for("admin.draft", ident=ident, version=version, _anchor="withdraw"))
    try:
        service.withdraw(data().engine, ident, version, actor=actor(), reason=form.reason.data)
    except NotFoundError as exc:
        abort(404, str(exc))
    except ImmutableError as exc:
        flash(_("Not withdrawn: %(reason)s", reason=str(exc)))
        return redirect(url_for("admin.draft", ident=ident, version=version))
    flash(_("Withdrawn: %(ref)s stays readable, marked withdrawn.", ref=f"{ident}@{version}"))
    return redirect(url_for("admin.draft", ident=ident, version=version))


class NewVersionForm(FlaskForm):
    version = StringField("Version", validators=[DataRequired(), Length(max=40)])


@bp.post("/standards/<ident>/<version>/new-version")
@role_required(*ADMIN)
def new_version(ident: str, version: str) -> Any:
    """Start a draft from a stored version (a new edition, or a correction of the record): its criteria keep
    their verification until their value changes."""
    try:
        info = data().source.info(DocumentRef(ident, version), drafts=True)
    except NotFoundError as exc:
        abort(404, str(exc))
    form = NewVersionForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400, "CSRF token missing or expired: nothing was made; reload the page and try again")
        flash(_("No draft made: give the new version (up to 40 characters)."))
        return redirect(url_for("admin.draft", ident=ident, version=version, _anchor="new-version"))
    new = (form.version.data or "").strip()
    doc = {**json.loads(data().content(info)), "version": new}
    findings = validate_standard(doc)
    try:
        if findings:
            raise InvalidDocumentError("not valid", findings)
        service.create_draft(data().engine, doc, actor=actor())
    except (ConflictError, InvalidDocumentError) as exc:
        found = getattr(exc, "findings", None) or [Finding("/version", str(exc))]
        flash(_("No draft made: %(reason)s", reason="; ".join(str(f) for f in found[:3])))
        return redirect(url_for("admin.draft", ident=ident, version=version, _anchor="new-version"))
    flash(_("Draft %(ref)s made from %(old)s.", ref=f"{ident}@{new}", old=f"{ident}@{version}"))
    return redirect(url_for("admin.draft", ident=ident, version=new))
