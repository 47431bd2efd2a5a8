"""Categories, parameters and agreements by form (no JSON): the administrator adds a product category and its
parameters (kind, canonical unit, better direction, enum values, declared test-method equivalences with
their source), and makes an agreement or links it to the standards and categories it covers by picking them.

Every change is a whole record written as an import is (``transfer.import_documents``): validated in the
context of what is stored, all or nothing, audited. Problems come back at their form field when a pointer
names one, else listed with their JSON pointer.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from registry.findings import Finding
from registry.store import transfer
from registry.truth import FLAGS
from web.auth import current_user, role_required
from web.data import actor, data

bp = Blueprint("records", __name__)
READ, WRITE = ("admin", "staff"), ("admin",)
ID = Regexp(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$", message="lower-case letters, digits and '-'")
PARAMETER_ID = Regexp(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$", message="lower-case words joined by '.', e.g. energy.seer")
KINDS = ("quantity", "boolean", "enum", "qualitative")
BETTER = ("lower", "higher", "true", "false", "none")
TYPES = (
    "recognition_of_criteria",
    "recognition_of_verification",
    "recognition_of_certified_products",
    "recognition_of_scheme",
    "cooperation_mou",
    "information_exchange",
    "common_core_criteria",
)
STATUSES = ("proposed", "negotiating", "signed", "in_force", "suspended", "expired", "terminated")


class _Source:
    """The fields of a public source (the form's own): title, document number, URL, publisher, locator."""

    source_title = StringField("Source title", validators=[DataRequired(), Length(max=500)])
    source_number = StringField("Document number", validators=[Optional(), Length(max=120)])
    source_url = StringField(
        "Source URL", validators=[Optional(), Length(max=2000), Regexp(r"^https?://\S+$", message="http(s)://…")]
    )
    source_publisher = StringField("Publisher", validators=[Optional(), Length(max=300)])
    source_locator = StringField("Where (clause, page, table)", validators=[Optional(), Length(max=300)])
    verification = SelectField("Checked against the official text?", choices=list(FLAGS), default="secondary")


def _provenance(form: Any) -> dict[str, Any]:
    source = {
        key: value
        for key, value in (
            ("title", form.source_title.data),
            ("standard_number", form.source_number.data),
            ("url", form.source_url.data),
            ("publisher", form.source_publisher.data),
            ("locator", form.source_locator.data),
        )
        if (value or "").strip()
    }
    return {"verification": form.verification.data, "sources": [{k: v.strip() for k, v in source.items()}]}


def _text(en: str | None, zh: str | None) -> dict[str, str]:
    out = {"en": (en or "").strip()}
    if (zh or "").strip():
        out["zh-Hans"] = (zh or "").strip()
    return out


class CategoryForm(FlaskForm):
    id = StringField("Id", validators=[DataRequired(), ID])
    name_en = StringField("Name (English)", validators=[DataRequired(), Length(max=300)])
    name_zh = StringField("Name (Chinese)", validators=[Optional(), Length(max=300)])
    definition_en = TextAreaField("Definition (English)", validators=[DataRequired(), Length(max=4000)])
    broader = SelectField("Broader category (its parameters are inherited)", validators=[Optional()])


class ParameterForm(FlaskForm):
    id = StringField("Id", validators=[DataRequired(), PARAMETER_ID, Length(max=120)])
    name_en = StringField("Name (English)", validators=[DataRequired(), Length(max=300)])
    name_zh = StringField("Name (Chinese)", validators=[Optional(), Length(max=300)])
    kind = SelectField("Kind", choices=list(KINDS))
    unit = StringField("Canonical unit (quantities only)", validators=[Optional(), Length(max=64)])
    better = SelectField("Which direction is better", choices=list(BETTER))
    values = TextAreaField("Values (enum only; one per line)", validators=[Optional(), Length(max=20000)])
    signed = BooleanField("Negative values are meaningful")


class EquivalenceForm(_Source, FlaskForm):
    parameter = SelectField("Parameter", validators=[DataRequired()])
    methods = TextAreaField("Equivalent test methods (one per line)", validators=[DataRequired(), Length(max=4000)])


class AgreementForm(_Source, FlaskForm):
    id = StringField("Id", validators=[DataRequired(), ID])
    title_en = StringField("Title (English)", validators=[DataRequired(), Length(max=500)])
    title_zh = StringField("Title (Chinese)", validators=[Optional(), Length(max=500)])
    scale = SelectField("Scale", choices=["bilateral", "plurilateral"])
    parties = SelectMultipleField("Parties (label programmes)", validators=[DataRequired()])
    types = SelectMultipleField("Types", choices=list(TYPES), validators=[DataRequired()])
    status = SelectField("Status", choices=list(STATUSES), default="signed")
    date = StringField("Status date (YYYY, YYYY-MM or YYYY-MM-DD)", validators=[Optional(), Length(max=10)])
    standards = SelectMultipleField("Standards it covers", validators=[Optional()])
    categories = SelectMultipleField("Categories it covers", validators=[Optional()])


class ScopeForm(FlaskForm):
    standards = SelectMultipleField("Standards it covers", validators=[Optional()])
    categories = SelectMultipleField("Categories it covers", validators=[Optional()])


# --- reading what is stored


def vocabulary_doc(cid: str) -> dict[str, Any] | None:
    """Return a category's stored vocabulary record (a copy), or None."""
    for entry in data().source.entries():
        if entry.kind == "vocabulary" and entry.data.get("category", {}).get("id") == cid:
            return copy.deepcopy(dict(entry.data))
    return None


def _category_choices() -> list[tuple[str, str]]:
    categories = data().source.vocabulary.categories
    return [(c.id, f"{c.id}: {c.name.get('en', c.id)}") for c in sorted(categories.values(), key=lambda c: c.id)]


def _standard_choices() -> list[tuple[str, str]]:
    ids = sorted({v.doc_id for v in data().source.versions()})
    return [(i, i) for i in ids]


def _label_choices() -> list[tuple[str, str]]:
    return [
        (i, f"{i}: {lab.short_name or lab.names.get('en', i)}")
        for i, lab in sorted(data().source.catalog.labels.items())
    ]


def _save(doc: Mapping[str, Any], fields: Mapping[str, str]) -> dict[str, list[str]]:
    """Store one record as an import does; return the problems by form field ('' for the rest)."""
    report = transfer.import_documents(data().engine, data().validator, [doc], actor=actor())
    problems: dict[str, list[str]] = {}
    for _where, found in report.rejected:
        for finding in found:
            field = _field(finding, fields)
            problems.setdefault(field, []).append(str(finding) if not field else finding.message)
    return problems


def _field(finding: Finding, fields: Mapping[str, str]) -> str:
    for prefix in sorted(fields, key=len, reverse=True):
        if finding.pointer == prefix or finding.pointer.startswith(prefix + "/"):
            return fields[prefix]
    return ""


def _form_problems(form: FlaskForm) -> dict[str, list[str]]:
    problems = {k: [str(e) for e in v] for k, v in form.errors.items()}
    if "csrf_token" in problems:
        problems[""] = [_("The form had expired: nothing was saved. What you typed is kept; send again.")]
        del problems["csrf_token"]
    return problems


def _writer() -> None:
    if current_user().role not in WRITE:  # type: ignore[union-attr]
        abort(403, "this needs the role admin")


# --- categories and parameters


@bp.route("/categories", methods=["GET", "POST"])
@role_required(*READ)
def categories() -> Any:
    """The categories, and the administrator's form for a new one."""
    form = CategoryForm()
    form.broader.choices = [("", "—"), *_category_choices()]
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        _writer()
        if not form.validate_on_submit():
            problems = _form_problems(form)
        elif vocabulary_doc(form.id.data or "") is not None or form.id.data in data().source.vocabulary.categories:
            problems = {"id": [_("A category with this id exists already.")]}
        else:
            category: dict[str, Any] = {
                "id": form.id.data,
                "name": _text(form.name_en.data, form.name_zh.data),
                "definition": {"en": (form.definition_en.data or "").strip()},
            }
            if form.broader.data:
                category["broader"] = form.broader.data
            doc = {"$schema": "urn:ecolabel:schema:parameter-vocabulary:1", "category": category, "parameters": []}
            fields = {"/category/id": "id", "/category/name": "name_en", "/category/definition": "definition_en"}
            problems = _save(doc, {**fields, "/category/broader": "broader"})
            if not problems:
                flash(_("Category %(id)s added: now add its parameters.", id=form.id.data))
                return redirect(url_for("records.category", cid=form.id.data))
    found = sorted(data().source.vocabulary.categories.values(), key=lambda c: c.id)
    status = 400 if problems else 200
    return render_template("admin/categories.html", categories=found, form=form, problems=problems), status


@bp.route("/categories/<cid>", methods=["GET", "POST"])
@role_required(*READ)
def category(cid: str) -> Any:
    """One category: its parameters, and the administrator's forms to add a parameter or a method equivalence."""
    doc = vocabulary_doc(cid)
    if doc is None:
        abort(404, f"no category {cid!r}")
    parameter_form, equivalence_form = ParameterForm(prefix="p"), EquivalenceForm(prefix="e")
    equivalence_form.parameter.choices = [(p["id"], p["id"]) for p in doc["parameters"]]
    problems: dict[str, dict[str, list[str]]] = {}
    if request.method == "POST":
        _writer()
        which = request.form.get("form")
        if which == "parameter":
            problems["parameter"] = _add_parameter(copy.deepcopy(doc), parameter_form)
        elif which == "equivalence":
            problems["equivalence"] = _add_equivalence(copy.deepcopy(doc), equivalence_form)
        else:
            abort(400, "form must be parameter or equivalence")
        if not any(problems.values()):
            return redirect(url_for("records.category", cid=cid, _anchor="parameters"))
    cat = data().source.vocabulary.categories.get(cid)
    inherited = [p for c in data().source.vocabulary.lineage(cid) if c.id != cid for p in c.parameters.values()]
    status = 400 if any(problems.values()) else 200
    return render_template(
        "admin/category.html",
        doc=doc,
        cat=cat,
        inherited=inherited,
        parameter_form=parameter_form,
        equivalence_form=equivalence_form,
        problems=problems,
    ), status


def _add_parameter(doc: dict[str, Any], form: ParameterForm) -> dict[str, list[str]]:
    if not form.validate_on_submit():
        return _form_problems(form)
    if any(p["id"] == form.id.data for p in doc["parameters"]):
        return {"id": [_("This category has a parameter with this id already.")]}
    parameter: dict[str, Any] = {
        "id": form.id.data,
        "name": _text(form.name_en.data, form.name_zh.data),
        "kind": form.kind.data,
        "better": form.better.data,
    }
    if (form.unit.data or "").strip():
        parameter["unit"] = (form.unit.data or "").strip()
    values = [v.strip() for v in (form.values.data or "").splitlines() if v.strip()]
    if values:
        parameter["values"] = values
    if form.signed.data:
        parameter["signed"] = True
    n = len(doc["parameters"])
    doc["parameters"].append(parameter)
    base = f"/parameters/{n}"
    fields = {base: "", f"{base}/id": "id", f"{base}/name": "name_en", f"{base}/kind": "kind"}
    fields |= {f"{base}/unit": "unit", f"{base}/better": "better", f"{base}/values": "values"}
    problems = _save(doc, fields)
    if not problems:
        flash(_("Parameter %(id)s added.", id=form.id.data))
    return problems


def _add_equivalence(doc: dict[str, Any], form: EquivalenceForm) -> dict[str, list[str]]:
    if not form.validate_on_submit():
        return _form_problems(form)
    methods = [m.strip() for m in (form.methods.data or "").splitlines() if m.strip()]
    if len(methods) < 2 or len(set(methods)) != len(methods):
        return {"methods": [_("Give two or more different test methods, one per line.")]}
    index = next(i for i, p in enumerate(doc["parameters"]) if p["id"] == form.parameter.data)
    groups = doc["parameters"][index].setdefault("method_equivalences", [])
    groups.append({"methods": methods, "provenance": _provenance(form)})
    base = f"/parameters/{index}/method_equivalences/{len(groups) - 1}"
    problems = _save(doc, {f"{base}/methods": "methods", f"{base}/provenance": "source_title"})
    if not problems:
        flash(_("Equivalence of %(methods)s added to %(id)s.", methods=", ".join(methods), id=form.parameter.data))
    return problems


# --- agreements


def _agreement_choices(form: AgreementForm | ScopeForm) -> None:
    form.standards.choices = _standard_choices()
    form.categories.choices = _category_choices()
    if isinstance(form, AgreementForm):
        form.parties.choices = _label_choices()


def _scope(form: AgreementForm | ScopeForm) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    if form.categories.data:
        scope["categories"] = list(form.categories.data)
    if form.standards.data:
        scope["standards"] = [{"id": ident} for ident in form.standards.data]
    return scope


@bp.route("/agreements/new", methods=["GET", "POST"])
@role_required(*WRITE)
def new_agreement() -> Any:
    """A new bilateral or plurilateral agreement by form: parties, types, status, source, and what it covers."""
    form = AgreementForm()
    _agreement_choices(form)
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        if not form.validate_on_submit():
            problems = _form_problems(form)
        elif form.id.data in data().source.catalog.agreements:
            problems = {"id": [_("An agreement with this id exists already.")]}
        else:
            event: dict[str, Any] = {"status": form.status.data, "date": (form.date.data or "").strip() or None}
            doc = {
                "$schema": "urn:ecolabel:schema:agreement:1",
                "id": form.id.data,
                "title": _text(form.title_en.data, form.title_zh.data),
                "scale": form.scale.data,
                "parties": list(form.parties.data or []),
                "types": list(form.types.data or []),
                "scope": _scope(form),
                "status_history": [event],
                "provenance": _provenance(form),
            }
            fields = {"/id": "id", "/title": "title_en", "/scale": "scale", "/parties": "parties", "/types": "types"}
            fields |= {"/scope/standards": "standards", "/scope/categories": "categories"}
            fields |= {"/status_history/0/date": "date", "/status_history": "status", "/provenance": "source_title"}
            problems = _save(doc, fields)
            if not problems:
                flash(_("Agreement saved."))
                return redirect(url_for("admin.agreement", ident=form.id.data))
    status = 400 if problems else 200
    return render_template("admin/new_agreement.html", form=form, problems=problems), status


@bp.post("/agreements/<ident>/scope")
@role_required(*WRITE)
def scope(ident: str) -> Any:
    """Link an agreement to the standards and categories it covers (replacing the lists)."""
    agr = data().source.catalog.agreements.get(ident)
    if agr is None:
        abort(404, f"no agreement {ident!r}")
    form = ScopeForm()
    _agreement_choices(form)
    if not form.validate_on_submit():
        problems = _form_problems(form)
    else:
        doc = copy.deepcopy(dict(agr.raw))
        doc["scope"] = {k: v for k, v in doc.get("scope", {}).items() if k not in ("standards", "categories")}
        doc["scope"] |= _scope(form)
        problems = _save(doc, {"/scope/standards": "standards", "/scope/categories": "categories"})
    if problems:
        for field, messages in problems.items():
            for message in messages:
                flash(_("Not saved: %(field)s: %(message)s", field=field or "/", message=message))
    else:
        flash(_("What the agreement covers is saved."))
    return redirect(url_for("admin.agreement", ident=ident, _anchor="scope"))


def scope_form(agr: Any) -> ScopeForm:
    """Return the scope form of an agreement, with its current standards and categories chosen."""
    form = ScopeForm(formdata=None)
    _agreement_choices(form)
    scope = agr.raw.get("scope", {})
    form.standards.data = [ref["id"] for ref in scope.get("standards", [])]
    form.categories.data = list(scope.get("categories", []))
    return form
