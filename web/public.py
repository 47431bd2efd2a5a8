"""The public pages: home and search, labels, standards, compare, recognition, the qualification check."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from registry import glossary, render, sheet, truth
from registry import search as registry_search
from registry.diff import compare
from registry.errors import InvalidDocumentError, NotFoundError
from registry.findings import Finding, capped, echo, pointer
from registry.glossary import N_
from registry.model import DocumentRef, Standard, pick
from registry.qualification import validate_product
from registry.source import in_force_on
from web import certified, checks, paging, throttle, views
from web.data import STANDARD_FILTERS, Data, data, filtered_versions, ref_of

bp = Blueprint("public", __name__)


def _doc_lang(std: Standard, ui: str) -> str:
    wanted = request.args.get("lang") or ("zh-Hans" if ui == "zh_Hans" else "en")
    languages = std.raw.get("languages", ["en"])
    return wanted if wanted in languages else "en"


def page_key(*parts: Any, reads: tuple[str, ...] = ()) -> tuple[Any, ...]:
    """Return the key a page is kept under: the audit head, UI language, path and only the parameters it reads
    (any other query parameter changes nothing, so it cannot make new entries)."""
    d = data()
    args = tuple(tuple(request.args.getlist(name)) for name in reads)  # every value: s may be given five times
    return ("page", d.head_seen, str(get_locale()), request.path, args, *parts)


def kept(*reads: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Keep an anonymous GET page until the next write: pages here depend only on the stored documents,
    the UI language, the path and the query parameters named in ``reads``; every write moves the audit
    head that is part of the key. A page that has to be computed counts against the client's limit."""

    def wrap(view: Callable[..., str]) -> Callable[..., str]:
        @functools.wraps(view)
        def inner(*args: Any, **kwargs: Any) -> str:
            d = data()
            anonymous = "uid" not in session and "_flashes" not in session
            key = page_key(reads=reads)
            if anonymous and (page := d.rendered.get(key)) is not None:
                return page  # type: ignore[no-any-return]
            if anonymous:
                throttle.heavy()
            page = view(*args, **kwargs)
            if anonymous:
                d.keep(key, page)
            return page

        return inner

    return wrap


@bp.app_template_filter("t")
def _t(value: Any, lang: str = "en") -> str:
    return pick(value, lang) if value is not None else ""


def picked_language(text: Any, wanted: str) -> str | None:
    """Return the language ``pick`` takes from a text in several languages (None for an empty text)."""
    if not text:
        return None
    for lang in (wanted, wanted.split("-")[0], "en"):
        if lang in text:
            return str(lang)
    return str(next(iter(text)))


@bp.app_template_filter("lt")
def _lt(value: Any, lang: str | None = None) -> Markup:
    """Return a text in the wanted language (default: the page's), marked with its language when it is
    another (a document written only in English, on a Chinese page)."""
    wanted = lang or _lang()
    found = picked_language(value, wanted)
    if found is None:
        return Markup("")
    text = pick(value, wanted)
    page = _lang()
    if found == page or found.split("-")[0] == page.split("-")[0]:
        return Markup.escape(text)
    return Markup('<span lang="{}">{}</span>').format(found, text)


@bp.app_template_filter("en")
def _en(value: Any) -> Markup:
    """Return a sentence the registry's core wrote in English, marked as English on a page in another language."""
    if value is None or value == "":
        return Markup("")
    if _lang() == "en":
        return Markup.escape(value)
    return Markup('<span lang="en">{}</span>').format(value)


@bp.app_template_global()
def requirement_words(req: Any) -> str:
    return render.constraint(req)


@bp.app_template_global()
def condition_words(conds: Any) -> str:
    return render.conditions(conds)


@bp.app_template_global()
def completeness(std: Standard) -> truth.Completeness:
    return truth.completeness(std)


@bp.app_template_global()
def word(group: str, code: Any) -> str:
    """Return a code's words in the page's language (the glossary's term; the code when it has none)."""
    return str(_(glossary.words(group, str(code))))


@bp.app_template_global()
def explained(group: str, code: Any) -> Markup:
    """Return a code's words linked to their meaning on the help page."""
    href = url_for("public.help_page", _anchor=f"{group}-{code}")
    return Markup('<a class="term" href="{}">{}</a>').format(href, word(group, code))


def _lang() -> str:
    return "zh-Hans" if str(get_locale()) == "zh_Hans" else "en"


@bp.app_template_global()
def label_name(ident: str) -> str:
    """Return a label's name in the page's language (its id when the label is not known)."""
    lab = data().source.labels.get(ident)
    return pick(lab.names, _lang()) if lab is not None else ident


@bp.app_template_global()
def languages_with_text(std: Standard) -> list[str]:
    """Return the languages a document lists that it has text in (its title, or a criterion's title or text):
    the language switch offers only these."""
    texts = [std.title, *(c.title for c in std.criteria), *(c.raw.get("text") or {} for c in std.criteria)]
    return [lang for lang in std.raw.get("languages", ["en"]) if any(lang in t for t in texts if t)]


@bp.app_template_global()
def country_name(code: str) -> str:
    """Return a country's name in the page's language (CLDR's, through Babel), the code when it has none."""
    return str(get_locale().territories.get(code.upper(), code))


NETWORK_NAME = 32  # characters of a label's name in the network picture (the full name is its node's title)


@bp.app_template_global()
def short_label_text(ident: str) -> str:
    """Return the name a label goes by where space is short: its short name, else its name cut to fit."""
    lab = data().source.labels.get(ident)
    if lab is None:
        return ident
    name = lab.short_name or pick(lab.names, _lang())
    return name if len(name) <= NETWORK_NAME else name[: NETWORK_NAME - 1] + "…"


@bp.app_template_global()
def short_label(lab: Any) -> str:
    """Return the short name of a label object (the matrix's column heads)."""
    return short_label_text(lab.id)


@bp.app_template_global()
def category_name(ident: str) -> str:
    """Return a category's name in the page's language (its id when the category is not known)."""
    cat = data().source.vocabulary.categories.get(ident)
    return pick(cat.name, _lang()) if cat is not None else ident


@bp.app_template_global()
def parameter_name(category: str, pid: str) -> str:
    """Return a parameter's name in the page's language (its id when the category does not know it)."""
    param = data().source.vocabulary.parameter(category, pid)
    return pick(param.name, _lang()) if param is not None else pid


@bp.app_template_global()
def standard_name(ref: str) -> str:
    """Return "designation (label names)" for a listed version ID@VERSION: the name people know it by."""
    d = data()
    try:
        info = d.source.info(ref_of(ref))
    except (NotFoundError, ValueError):
        return ref
    return _name_of(info, {x: label_name(x) for x in info.labels}, _lang())


def _name_of(info: Any, label_names: dict[str, str], lang: str) -> str:
    """Return "designation (label names)", the title standing in for a missing designation: the one way a
    listed version is named in pickers, headers and search results."""
    name = info.designation or pick(info.title, lang)
    labels = ", ".join(label_names.get(x, x) for x in info.labels)
    return f"{name} ({labels})" if labels else name


# The editorial changes of a revision, grouped by what they touch (the first match of the path names the group).
_EDIT_GROUPS = (
    ("/scope", N_("Scope")),
    ("/dates", N_("Dates")),
    ("/designation", N_("Designation and title")),
    ("/title", N_("Designation and title")),
    ("/criteria/", N_("Criteria: texts and sources")),
    ("/provenance", N_("Sources")),
    ("/related_standards", N_("Related standards")),
    ("/notes", N_("Notes and coverage")),
    ("/coverage", N_("Notes and coverage")),
)


@bp.app_template_global()
def editorial_groups(edits: Any) -> list[tuple[str, list[Any]]]:
    """Return a revision's editorial changes grouped (scope, dates, designation, criteria, sources, ...)."""
    groups: dict[str, list[Any]] = {}
    for e in edits:
        heading = next((h for prefix, h in _EDIT_GROUPS if e.path.startswith(prefix)), N_("Other"))
        groups.setdefault(heading, []).append(e)
    order = [h for _p, h in _EDIT_GROUPS] + [N_("Other")]
    return [(_(h), groups[h]) for h in dict.fromkeys(order) if h in groups]


@bp.get("/help")
@kept()
def help_page() -> str:
    return render_template("help.html", groups=glossary.GROUPS)


@bp.get("/")
@kept()
def home() -> str:
    source = data().source
    versions = source.versions()
    counts = {
        "labels": len(source.labels),
        "standards": len({v.doc_id for v in versions}),
        "versions": len(versions),
        "criteria": sum(v.criteria_count for v in versions),
        "agreements": len(source.agreements),
    }
    return render_template("home.html", counts=counts, changes=source.changes(limit=10, public=True))


SEARCH_LIMIT = 200  # characters of a query searched for (the search fields take no more)


@bp.get("/search")
def search() -> str:
    throttle.heavy()
    given = request.args.get("q", "")
    query = given[:SEARCH_LIMIT]
    kind = request.args.get("kind", "")
    kind = kind if kind in registry_search.KINDS else ""
    found = data().search(query, shown=500 if kind else registry_search.SHOWN)
    cut = len(given) > SEARCH_LIMIT
    return render_template(
        "search.html", q=query, found=found, only=kind, kinds=registry_search.KINDS, cut=cut, limit=SEARCH_LIMIT
    )


_MARK_LIMIT = 20  # alternatives highlighted at most


@bp.app_template_global()
def marked(text: str, found: Any) -> Markup:
    """Return text with what the query matched in it marked (case-insensitive, every alternative of every word)."""
    alternatives = sorted({a for word in found.words for a in word.split(" | ") if "=" not in a}, key=len, reverse=True)
    if not alternatives or not text:
        return Markup.escape(text)
    pattern = re.compile("|".join(re.escape(a) for a in alternatives[:_MARK_LIMIT]), re.IGNORECASE)
    out, at = [], 0
    for m in pattern.finditer(text):
        if m.end() == m.start():
            continue
        out += [Markup.escape(text[at : m.start()]), Markup("<mark>{}</mark>").format(m.group(0))]
        at = m.end()
    out.append(Markup.escape(text[at:]))
    joined = Markup("").join(out)
    if _lang() != "en" and not registry_search.CJK.search(text):
        return Markup('<span lang="en">{}</span>').format(joined)  # a name written only in English
    return joined


@bp.get("/labels")
@kept("country", "gen", "genices", *paging.ARGS)
def labels() -> str:
    catalog = data().source.catalog
    country, gen, genices = (request.args.get(k, "") for k in ("country", "gen", "genices"))
    found = [
        lab
        for lab in sorted(catalog.labels.values(), key=lambda x: x.id)
        if (not country or country.upper() in lab.countries)
        and (not gen or lab.gen_membership == gen)
        and (not genices or lab.genices_status == genices)
    ]
    countries = sorted({c for lab in catalog.labels.values() for c in lab.countries})
    page = paging.paginate(found)
    return render_template("labels.html", labels=page.items, page=page, countries=countries, args=request.args)


@bp.get("/labels/<ident>")
@kept()
def label(ident: str) -> str:
    source = data().source
    catalog = source.catalog
    lab = catalog.labels.get(ident)
    if lab is None:
        abort(404, f"no label {ident!r}")
    standards = [v for v in source.versions() if ident in v.labels]
    agreements = sorted((a for a in catalog.agreements.values() if ident in a.parties), key=lambda a: a.id)
    licences = certified.for_label(data(), ident)
    return render_template("label.html", lab=lab, standards=standards, agreements=agreements, licences=licences)


@bp.get("/licences/<ident>")
@kept()
def licence(ident: str) -> str:
    d = data()
    lic = d.source.catalog.licences.get(ident)
    if lic is None:
        abort(404, f"no licence {ident!r}")
    return render_template("licence.html", lic=lic, certified=certified.checked(d, [lic]))


@bp.get("/standards")
@kept(*STANDARD_FILTERS, *paging.ARGS)
def standards() -> str:
    source = data().source
    args = request.args
    rows = filtered_versions()
    page = paging.paginate(rows)
    categories = sorted(source.vocabulary.categories)
    return render_template(
        "standards.html", rows=page.items, page=page, categories=categories, labels=sorted(source.labels), args=args
    )


@bp.get("/standards/<ident>")
@bp.get("/standards/<ident>/<version>")
def standard(ident: str, version: str | None = None) -> str:
    d = data()
    try:
        std, info = d.source.get(DocumentRef(ident, version))
    except NotFoundError as exc:
        abort(404, str(exc))
    ui = str(get_locale())
    lang = _doc_lang(std, ui)
    # The page shows the version's content (never changing once published) and the standard's own
    # history (versions and states): it is kept under exactly those, so a write to another standard
    # leaves it in place, and a write to this one (a new version, a state) makes a new key.
    anonymous = "uid" not in session and "_flashes" not in session
    history = d.source.versions(ident)
    licences = certified.for_standard(d, std)
    key = (
        "standard",
        info.sha,
        lang,
        ui,
        tuple((v.version, v.state) for v in history),
        certified.fingerprint(licences),
    )
    whole = (*key, request.path, request.args.get("lang"))
    if anonymous and (page := d.rendered.get(whole)) is not None:
        return page  # type: ignore[no-any-return]
    body = d.rendered.get(key)
    if body is None:
        body = Markup(
            render_template(
                "_standard_body.html", std=std, info=info, lang=lang, groups=views.topics(std), history=history
            )
        )
        d.keep(key, body)
    page = render_template(
        "standard.html",
        std=std,
        info=info,
        body=body,
        lang=lang,
        certified=certified.checked(d, licences),
        agreements=_agreements_of(d, std),
        compare_with=_compare_with(d, std),
    )
    if anonymous:
        d.keep(whole, page)
    return page


def _agreements_of(d: Data, std: Standard) -> list[Any]:
    """Return the agreements that name this standard, or whose parties include one of its labels and whose
    categories cover its category (a network's peer review is left out: it covers no category)."""
    vocabulary = d.source.vocabulary
    found = []
    for agr in sorted(d.source.agreements, key=lambda a: a.id):
        named = any(ref.id == std.id and ref.version in (None, std.version) for ref in agr.standards)
        covers = bool(agr.categories) and any(vocabulary.within(std.category, c) for c in agr.categories)
        if named or (covers and set(std.labels) & set(agr.parties)):
            found.append(agr)
    return found


def _compare_with(d: Data, std: Standard) -> list[str]:
    """Return the standards worth comparing this one with: itself first, its parents, the joint standards and the
    other labels' standards of its category in force today (at most five in all)."""
    me = _ref(std)
    picked = [me] + [f"{p.id}@{p.version}" for p in std.parents if p.version]
    today = dt.date.today()
    current = [v for v in in_force_on(d.source.versions(), today) if v.category == std.category and v.doc_id != std.id]
    picked += [v.ref for v in current if v.kind == "joint"]
    picked += [v.ref for v in current if v.kind != "joint" and not set(v.labels) & set(std.labels)]
    return list(dict.fromkeys(picked))[:MAX_SIDE_BY_SIDE]


@bp.get("/standards/<ident>/revisions")
@kept("a", "b")
def revisions(ident: str) -> str:
    d = data()
    versions = [v.version for v in d.source.versions(ident)]
    if not versions:
        abort(404, "no standard has that id")
    a = request.args.get("a") or versions[0]
    b = request.args.get("b") or versions[-1]
    try:
        sa, sb = _published(d, DocumentRef(ident, a)), _published(d, DocumentRef(ident, b))
    except NotFoundError as exc:
        abort(404, str(exc))
    result = compare(sa, sb, d.source.vocabulary)
    return render_template(
        "compare.html",
        result=result,
        rows=views.compare_rows(result),
        refs=_refs(d),
        a=f"{ident}@{a}",
        b=f"{ident}@{b}",
        revision=True,
    )


def _refs(d: Data) -> list[tuple[str, str, str | None]]:
    """Return every listed version as (ID@VERSION, the name people know it by, the language of that name when
    it is not the page's: a title written only in English) for the pickers."""
    lang = _lang()
    names = {lab.id: pick(lab.names, lang) for lab in d.source.labels.values()}
    found = []
    for v in d.source.versions():
        name = _name_of(v, names, lang)
        written = None if v.designation else picked_language(v.title, lang)
        other = written if written and written.split("-")[0] != lang.split("-")[0] else None
        found.append((v.ref, f"{name} · {v.version}" if v.version not in name else name, other))
    return found


def _pair(d: Data) -> tuple[Standard, Standard] | None:
    a, b = request.args.get("a", ""), request.args.get("b", "")
    if not a or not b:
        return None
    try:
        return _published(d, ref_of(a)), _published(d, ref_of(b))
    except (NotFoundError, ValueError) as exc:
        abort(404, str(exc))


def _published(d: Data, ref: DocumentRef) -> Standard:
    """Return a stored version for a public page; a draft is not found here (drafts are the admin pages')."""
    return d.source.get(ref)[0]


MAX_SIDE_BY_SIDE = 5  # standards compared at once on one page


def _several(d: Data) -> list[Standard]:
    """Return the standards named by ``s`` (2 to 5, the first is the reference), or [] when fewer are named."""
    wanted = [r for r in request.args.getlist("s") if r][: MAX_SIDE_BY_SIDE + 1]
    if len(wanted) > MAX_SIDE_BY_SIDE:
        abort(400, f"s: at most {MAX_SIDE_BY_SIDE} standards at once")
    if len(wanted) < 2:
        return []
    try:
        return [_published(d, ref_of(r)) for r in wanted]
    except (NotFoundError, ValueError) as exc:
        abort(404, str(exc))


def _ref(std: Standard) -> str:
    return f"{std.id}@{std.version}"


@bp.get("/compare")
@kept("a", "b", "s")
def compare_page() -> str:
    d = data()
    several = _several(d)
    if several:
        diffs = [compare(several[0], other, d.source.vocabulary) for other in several[1:]]
        return render_template(
            "compare_many.html",
            standards=several,
            refs=_refs(d),
            chosen=[_ref(x) for x in several],
            diffs=diffs,
            rows=views.side_by_side(diffs),
            limit=MAX_SIDE_BY_SIDE,
        )
    pair = _pair(d)
    if pair is None:
        return render_template("compare.html", result=None, rows=[], refs=_refs(d), a="", b="", revision=False)
    result = compare(pair[0], pair[1], d.source.vocabulary)
    return render_template(
        "compare.html",
        result=result,
        rows=views.compare_rows(result),
        refs=_refs(d),
        a=request.args["a"],
        b=request.args["b"],
        revision=False,
    )


@bp.get("/compare.csv")
def compare_csv() -> Response:
    throttle.heavy()
    d = data()
    several = _several(d)
    if several:
        diffs = [compare(several[0], other, d.source.vocabulary) for other in several[1:]]
        refs = [_ref(x) for x in several]
        return Response(
            views.side_by_side_csv(refs, views.side_by_side(diffs)),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{"_".join(refs)}.csv"'},
        )
    pair = _pair(d)
    if pair is None:
        abort(400, "a and b: two standards, ID@VERSION (or s: two to five)")
    result = compare(pair[0], pair[1], d.source.vocabulary)
    name = f"{pair[0].id}@{pair[0].version}_vs_{pair[1].id}@{pair[1].version}.csv"
    return Response(
        views.compare_csv(result),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/compare.json")
def compare_json() -> Response:
    """The side-by-side comparison as JSON: the reference and, per other standard, the API's diff document."""
    throttle.heavy()
    d = data()
    several = _several(d)
    if not several:
        abort(400, "s: two to five standards, ID@VERSION, the first is the reference")
    diffs = [compare(several[0], other, d.source.vocabulary) for other in several[1:]]
    body = {"reference": _ref(several[0]), "comparisons": [x.as_json() for x in diffs]}
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")


@bp.get("/recognition")
@kept("category")
def recognition() -> str:
    catalog = data().source.catalog
    category = request.args.get("category") or None
    labels, cells = views.matrix(catalog, category)
    picture = views.network_svg(labels, cells, dt.date.today())
    return render_template(
        "recognition.html",
        labels=labels,
        cells=cells,
        picture=picture,
        categories=sorted(catalog.vocabulary.categories),
        category=category,
        multilateral=[a for a in catalog.agreements.values() if a.scale == "multilateral"],
    )


@bp.get("/agreements/<ident>")
@kept()
def agreement(ident: str) -> str:
    agr = data().source.catalog.agreements.get(ident)
    if agr is None:
        abort(404, f"no agreement {ident!r}")
    return render_template("agreement.html", agr=agr)


# --- the qualification check


@dataclass(frozen=True)
class Filled:
    """A value the check form filled in because another value implies it (the vocabulary says so, with a source)."""

    parameter: str
    value: Any
    unit: str | None
    because: str  # the parameter whose value implies it
    given: Any
    source: str


def _implied(product: dict[str, Any], vocabulary: Any) -> list[Filled]:
    """Fill in, where the user left them empty, the values the vocabulary says follow from a declared one."""
    filled = []
    for pid, entry in list(product["values"].items()):
        param = vocabulary.parameter(product["category"], pid)
        implied = param.implied(entry["value"]) if param is not None else None
        if implied is None:
            continue
        sources = implied.provenance.get("sources", [{}])
        source = "; ".join(filter(None, (sources[0].get("title"), sources[0].get("publisher"))))
        for target, value in implied.values.items():
            if target not in product["values"] and vocabulary.parameter(product["category"], target) is not None:
                product["values"][target] = dict(value)
                filled.append(Filled(target, value["value"], value.get("unit"), pid, entry["value"], source))
    return filled


def _form_product(form: Any, catalog: Any) -> tuple[dict[str, Any], list[Finding]]:
    """Build a declaration from the check form's fields (empty fields are left out); findings for
    what cannot be a declaration (a number that is not a plain finite decimal, a bad standard)."""
    errors: list[Finding] = []
    category = form.get("category", "")
    product: dict[str, Any] = {
        "$schema": "urn:ecolabel:schema:product-declaration:1",
        "category": category,
        "manufacturer": form.get("manufacturer", ""),
        "model": form.get("model", ""),
        "values": {},
    }
    for pid, param in catalog.vocabulary.parameters(category).items():
        raw = form.get(f"v:{pid}", "").strip()
        if not raw or param.kind == "qualitative":
            continue
        entry: dict[str, Any] = {}
        if param.kind == "quantity":
            try:
                if len(raw) > 40:
                    raise ValueError(f"{echo(raw)} is too long for a number")
                entry["value"] = float(sheet.number(raw))
            except ValueError as exc:
                errors.append(Finding(pointer("values", pid, "value"), f"{exc} (write a number such as 7.2 or 7,2)"))
                continue
            entry["unit"] = form.get(f"u:{pid}", "").strip() or (param.unit or "")
        elif param.kind == "boolean":
            entry["value"] = raw == "true"
        else:
            entry["value"] = raw
        method = form.get(f"m:{pid}", "").strip()
        if method:
            entry["test_method"] = method
        product["values"][pid] = entry
    held: list[dict[str, Any]] = []
    for i in range(3):
        label, licence = form.get(f"held:{i}:label", ""), form.get(f"held:{i}:licence", "").strip()
        if not label and (licence or form.get(f"held:{i}:standard")):
            errors.append(Finding(pointer("labels_held", i, "label"), "choose the label this licence is of"))
        elif label and not licence:
            # Never dropped in silence: a pathway needs the licence, so the row is refused at its field.
            message = f"give the licence number of your {label} licence (it is on the certificate)"
            errors.append(Finding(pointer("labels_held", i, "licence_id"), message))
        if label and licence:
            item: dict[str, Any] = {"label": label, "licence_id": licence}
            if form.get(f"held:{i}:standard"):
                try:
                    ref = DocumentRef.parse(form[f"held:{i}:standard"])
                except ValueError as exc:
                    errors.append(Finding(pointer("labels_held", i, "standard"), str(exc)))
                    continue
                item["standard"] = {k: v for k, v in ref.__dict__.items() if v is not None}
            held.append(item)
    if held:
        product["labels_held"] = held
    return product, errors


_FIELD_IDS = (
    (re.compile(r"/values/([^/]+)/unit$"), "u-{}"),
    (re.compile(r"/values/([^/]+)/test_method$"), "m-{}"),
    (re.compile(r"/values/([^/]+)(?:/.*)?$"), "v-{}"),
    (re.compile(r"/labels_held/(\d+)/licence_id$"), "held-{}-licence"),
    (re.compile(r"/labels_held/(\d+)/standard(?:/.*)?$"), "held-{}-standard"),
    (re.compile(r"/labels_held/(\d+)(?:/.*)?$"), "held-{}-label"),
    (re.compile(r"/(manufacturer|model|date)$"), "{}"),
)


def field_of(finding_pointer: str) -> str | None:
    """Return the id of the check form's field a finding's JSON pointer names (None: no field shows it)."""
    for pattern, field in _FIELD_IDS:
        if m := pattern.match(finding_pointer):
            return field.format(m.group(1).replace("~1", "/").replace("~0", "~"))
    return None


@bp.route("/check", methods=["GET", "POST"])
def check() -> Any:
    d = data()
    catalog = d.source.catalog
    category = request.values.get("category", "")
    report, product, status = None, None, 200
    errors: list[Finding] = []
    filled: list[Filled] = []
    shown = dict(request.form)  # what the form shows again: what was typed, and what was filled in
    on_text = request.values.get("date", "")
    if request.method == "POST":
        upload = request.files.get("declaration")
        if upload is not None and upload.filename:
            try:
                product = checks.declaration(upload.read(checks.MAX_BYTES + 1), "uploaded file")
            except InvalidDocumentError as exc:
                errors = list(exc.findings)  # type: ignore[arg-type]
        else:
            product, errors = _form_product(request.form, catalog)
            filled = _implied(product, catalog.vocabulary)
            for f in filled:
                shown[f"v:{f.parameter}"] = str(f.value).lower() if isinstance(f.value, bool) else str(f.value)
                if f.unit:
                    shown[f"u:{f.parameter}"] = f.unit
            if errors:  # every problem at once: what the fields could be read as is checked too
                seen = {e.pointer for e in errors}
                errors += [e for e in validate_product(d.validator, product, d.source) if e.pointer not in seen]
        on = None
        if on_text:
            try:
                on = dt.date.fromisoformat(on_text)
            except ValueError:
                errors.append(Finding("/date", "a date YYYY-MM-DD"))
        if product is not None and not errors:
            try:
                report = checks.run_check(product, on)
            except InvalidDocumentError as exc:
                errors = list(exc.findings)  # type: ignore[arg-type]
        if errors:
            status = 400
        if isinstance(product, dict):
            category = str(product.get("category", category))
    parameters = catalog.vocabulary.parameters(category) if category in catalog.vocabulary.categories else {}
    at_field: dict[str, list[str]] = {}
    for e in errors:
        if (field := field_of(e.pointer)) is not None:
            at_field.setdefault(field, []).append(e.message)
    return (
        render_template(
            "check.html",
            categories=sorted(catalog.vocabulary.categories),
            category=category,
            parameters=parameters,
            labels=sorted(catalog.labels),
            refs=_refs(d),
            report=report,
            summary=views.check_summary(report) if report else [],
            errors=capped(errors),
            at_field=at_field,
            field_of=field_of,
            form=shown,
            filled=filled,
            product_json=json.dumps(product, ensure_ascii=False, indent=1) if product else "",
            date=on_text,
            title=_("Qualification check"),
        ),
        status,
    )
