"""The review queue: staff verify the values another person entered (the four-eyes rule, ``registry.review``).

Per draft, the criteria with a value that is not verified, oldest entry first; per criterion one form that
verifies it against the official document (title, edition, URL if any, and the locator where the value
was read) or sends it back to its author with a comment. Published content never changes, so a published
version's values are verified in a new version made from it (the administrator starts one from the
version's page).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length, Optional, Regexp

from registry import review
from registry.errors import ConflictError, ImmutableError, NotFoundError, ReviewRefused
from registry.source import VersionInfo
from web.auth import role_required
from web.data import actor, data
from web.editor import EDIT, line

bp = Blueprint("review", __name__)


class ReviewForm(FlaskForm):
    """One criterion's review: the official document it was checked against, or a comment sending it back."""

    title = StringField("Official document", validators=[Optional(), Length(max=500)])
    standard_number = StringField("Document number", validators=[Optional(), Length(max=120)])
    edition = StringField("Edition", validators=[Optional(), Length(max=120)])
    url = StringField(
        "URL", validators=[Optional(), Length(max=2000), Regexp(r"^https?://\S+$", message="a web address (http…)")]
    )
    publisher = StringField("Publisher", validators=[Optional(), Length(max=300)])
    locator = StringField("Where the value was read", validators=[Optional(), Length(max=300)])
    comment = TextAreaField("Comment", validators=[Optional(), Length(max=2000)])
    lock = StringField()

    def source(self) -> dict[str, str]:
        """Return the official document as a source (the fields filled in)."""
        keys = ("title", "standard_number", "edition", "url", "publisher", "locator")
        return {k: getattr(self, k).data.strip() for k in keys if (getattr(self, k).data or "").strip()}

    def problems(self, outcome: str) -> dict[str, list[str]]:
        """Return what is missing for this outcome, by field."""
        out: dict[str, list[str]] = {}
        if outcome == "verify":
            words = {
                "title": _("Needed to verify: say which document and where in it."),
                "locator": _("Needed to verify: say which document and where in it."),
                "standard_number": _(
                    "Give a document number, a URL or the publisher, so that a reader can find the document."
                ),
            }
            out = {field: [words[field]] for field in review.source_problems(self.source())}
        elif not (self.comment.data or "").strip():
            out["comment"] = [_("Say what is wrong, so that its author can fix it.")]
        return out


@dataclass(frozen=True)
class Item:
    """One criterion waiting for review."""

    info: VersionInfo
    criterion: Mapping[str, Any]
    requirement: str
    conditions: str
    refusal: str | None

    @property
    def entered(self) -> Mapping[str, Any]:
        return dict(self.criterion.get("provenance", {}).get("entered") or {})

    @property
    def last_review(self) -> Mapping[str, Any] | None:
        found = self.criterion.get("provenance", {}).get("review")
        return found if isinstance(found, Mapping) else None

    @property
    def form_id(self) -> str:
        return f"review-{self.info.doc_id}-{self.criterion['id']}"


def waiting(who: str) -> list[tuple[VersionInfo, list[Item]]]:
    """Return the drafts with criteria waiting for review, each with its criteria, oldest entry first."""
    groups: list[tuple[VersionInfo, list[Item]]] = []
    for info in data().source.versions(drafts=True):
        if info.state != "draft":
            continue
        doc = json.loads(data().content(info))
        items = []
        for criterion in doc.get("criteria") or []:
            if isinstance(criterion, Mapping) and review.waiting(criterion):
                requirement, conditions = line(criterion)
                items.append(Item(info, criterion, requirement, conditions, review.refusal(criterion, who)))
        if items:
            items.sort(key=lambda i: str(i.entered.get("on", "")))
            groups.append((info, items))
    groups.sort(key=lambda g: (str(g[1][0].entered.get("on", "")), g[0].doc_id))
    return groups


def _published_waiting() -> list[tuple[VersionInfo, int]]:
    out = []
    for info in data().source.versions():
        if info.state == "published":
            doc = json.loads(data().content(info))
            n = sum(review.waiting(c) for c in doc.get("criteria") or [] if isinstance(c, Mapping))
            if n:
                out.append((info, n))
    return out


def _prefilled(item: Item) -> ReviewForm:
    """Return an empty review form started with the document's own name and number (the reviewer checks them
    and says which edition and where the value is): the criterion's sources may be secondary ones."""
    form = ReviewForm(formdata=None)
    title = item.info.title
    form.title.data = title.get("en") or next(iter(title.values()), "") if title else ""
    form.standard_number.data = item.info.designation or ""
    form.lock.data = str(item.info.lock_version)
    return form


@bp.get("/review")
@role_required(*EDIT)
def queue() -> str:
    """The review queue."""
    me = actor()
    groups = waiting(me)
    forms = {item.form_id: _prefilled(item) for _info, items in groups for item in items}
    return render_template(
        "admin/review.html", groups=groups, forms=forms, errors={}, published=_published_waiting(), me=me
    )


@bp.post("/review/<ident>/<version>/<cid>")
@role_required(*EDIT)
def decide(ident: str, version: str, cid: str) -> Any:
    """Verify one criterion, or send it back with a comment."""
    outcome = request.form.get("outcome", "")
    if outcome not in ("verify", "send_back"):
        abort(400, "outcome must be verify or send_back")
    form = ReviewForm()
    me = actor()
    problems: dict[str, list[str]] = {}
    if not form.validate_on_submit():
        problems = {k: list(v) for k, v in form.errors.items()}
        if "csrf_token" in problems:
            problems = {
                "csrf_token": [_("The form had expired: nothing was saved. What you typed is kept; send again.")]
            }
    else:
        problems = form.problems(outcome)
    if not problems:
        try:
            service_review(ident, version, cid, form, outcome, me)
        except (ReviewRefused, ConflictError, ImmutableError, NotFoundError) as exc:
            problems = {"": [str(exc)]}
        else:
            if outcome == "verify":
                flash(_("%(id)s verified: reviewer, date and locator recorded.", id=cid))
            else:
                flash(_("%(id)s sent back to its author with your comment.", id=cid))
            return redirect(url_for("review.queue", _anchor=f"review-{ident}"))
    groups = waiting(me)
    forms = {item.form_id: _prefilled(item) for _info, items in groups for item in items}
    for info, _items in groups:  # what was typed is kept; the edit number is the current one
        if info.doc_id == ident and info.version == version:
            form.lock.data = str(info.lock_version)
    forms[f"review-{ident}-{cid}"] = form
    return render_template(
        "admin/review.html",
        groups=groups,
        forms=forms,
        errors={f"review-{ident}-{cid}": problems},
        published=_published_waiting(),
        me=me,
    ), 400


def service_review(ident: str, version: str, cid: str, form: ReviewForm, outcome: str, me: str) -> None:
    """Store the review (the four-eyes rule is checked by the service, in the same transaction)."""
    from registry.store import service

    try:
        lock = int(form.lock.data or "")
    except ValueError:
        abort(400, "the form lacks the draft's edit number (lock); reload the queue")
    if outcome == "verify":
        service.review_criterion(data().engine, ident, version, cid, expected_lock=lock, actor=me, source=form.source())
    else:
        comment = (form.comment.data or "").strip()
        service.review_criterion(data().engine, ident, version, cid, expected_lock=lock, actor=me, comment=comment)
