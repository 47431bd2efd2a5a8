"""Rules over one document at a time: each function yields findings, none raises for bad data."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from registry import dates, units
from registry.findings import Finding, echo, join, pointer
from registry.model import Parameter
from registry.rules.constraints import Path, check_constraint, check_quantity
from registry.vocabulary import Vocabulary

Doc = Mapping[str, Any]


@dataclass(frozen=True)
class Context:
    """What the document rules need to know beyond the document itself (one per validation run).

    Dates (real calendar days) and sources (public citations) are checked by the schemas, where each field
    is defined: the rules here are what a schema cannot say."""

    vocabulary: Vocabulary


def _ordered(pairs: list[tuple[str, str, str | None, str | None]]) -> Iterator[Finding]:
    """Yield a finding for each (pointer, message, earlier, later) whose later date is surely earlier."""
    for where, message, earlier, later in pairs:
        if earlier and later:
            try:
                if dates.surely_before(earlier, later):
                    yield Finding(where, message.format(earlier=earlier, later=later))
            except dates.DateError:
                continue  # refused by the schemas


def standard_dates(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """Dates of a criteria document are in order: published, valid from, valid until; review after publication."""
    d = doc["dates"]
    yield from _ordered(
        [
            (
                "/dates/valid_until",
                "valid_until {later} is before valid_from {earlier}",
                d.get("valid_from"),
                d.get("valid_until"),
            ),
            (
                "/dates/valid_until",
                "valid_until {later} is before published {earlier}",
                d.get("published"),
                d.get("valid_until"),
            ),
            (
                "/dates/review_due",
                "review_due {later} is before published {earlier}",
                d.get("published"),
                d.get("review_due"),
            ),
        ]
    )


def known_category(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """The category is in the controlled vocabulary."""
    if doc["category"] not in ctx.vocabulary.categories:
        known = ", ".join(sorted(ctx.vocabulary.categories)) or "none loaded"
        yield Finding("/category", f"unknown product category {doc['category']!r} (known: {known})")


def unique_criterion_ids(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """No two criteria share an id."""
    first: dict[str, int] = {}
    for i, crit in enumerate(doc["criteria"]):
        if crit["id"] in first:
            yield Finding(
                pointer("criteria", i, "id"),
                f"duplicate criterion id {crit['id']!r} (first at /criteria/{first[crit['id']]})",
            )
        else:
            first[crit["id"]] = i


def _constraint_findings(
    c: Mapping[str, Any], category: str, where: Path, ctx: Context, *, need_values: bool
) -> list[Finding]:
    param = ctx.vocabulary.parameter(category, c["parameter"])
    if param is None:
        return [
            Finding(pointer(*where, "parameter"), f"unknown parameter {c['parameter']!r} for category {category!r}")
        ]
    return check_constraint(c, param, where, need_values=need_values)


def criteria_parameters(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """Each criterion and condition names a parameter of the category and fits its type and unit."""
    category = doc["category"]
    if category not in ctx.vocabulary.categories:
        return  # reported by known_category
    parameter = ctx.vocabulary.parameter
    for i, crit in enumerate(doc["criteria"]):
        param = parameter(category, crit["parameter"])
        if param is None:
            yield Finding(
                pointer("criteria", i, "parameter"),
                f"unknown parameter {crit['parameter']!r} for category {category!r}",
            )
        else:
            found = check_constraint(crit["requirement"], param, ("criteria", i, "requirement"))
            if found:
                yield from found
        for j, cond in enumerate(crit.get("conditions", ())):
            found = _constraint_findings(cond, category, ("criteria", i, "conditions", j), ctx, need_values=True)
            if found:
                yield from found


def scope_limits(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """Typed scope limits name parameters of the category and have known values."""
    category = doc["category"]
    if category not in ctx.vocabulary.categories:
        return
    for i, limit in enumerate(doc["scope"].get("limits", ())):
        yield from _constraint_findings(limit, category, ("scope", "limits", i), ctx, need_values=True)


def joint_parties(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """A joint document awards only the labels of its parties."""
    if doc["kind"] != "joint":
        return
    parties = set(doc.get("parties", ()))
    for i, label in enumerate(doc["labels"]):
        if label not in parties:
            yield Finding(pointer("labels", i), f"label {label!r} is not one of the joint document's parties")


def agreement_history(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """Status events are listed oldest first."""
    last: tuple[int, str] | None = None
    for i, event in enumerate(doc["status_history"]):
        when = event.get("date")
        if not when:
            continue
        if last is not None:
            yield from _ordered(
                [
                    (
                        pointer("status_history", i, "date"),
                        "status event dated {later} comes after one dated {earlier}",
                        last[1],
                        when,
                    )
                ]
            )
        last = (i, when)


def agreement_scale(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """A bilateral agreement has exactly two parties."""
    if doc["scale"] == "bilateral" and len(doc["parties"]) != 2:
        yield Finding("/parties", f"a bilateral agreement has 2 parties, not {len(doc['parties'])}")


def label_genices(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """GENICES dates are in order and certification needs GEN membership."""
    g = doc["genices"]
    yield from _ordered(
        [
            (
                "/genices/known_as_of",
                "known_as_of {later} is before certified_since {earlier}",
                g.get("certified_since"),
                g.get("known_as_of"),
            ),
            (
                "/genices/next_review_due",
                "next_review_due {later} is before last_peer_review {earlier}",
                g.get("last_peer_review"),
                g.get("next_review_due"),
            ),
        ]
    )
    if g["status"] == "certified" and doc["gen"]["membership"] == "none":
        yield Finding(
            "/genices/status",
            "GENICES certification needs GEN membership, but membership is 'none'",
        )


def vocabulary_parameters(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """Parameter ids are unique, canonical units parse, and 'better' fits the kind."""
    seen: set[str] = set()
    fits = {
        "quantity": {"lower", "higher", "none"},
        "boolean": {"true", "false", "none"},
        "enum": {"none"},
        "qualitative": {"none"},
    }
    for i, param in enumerate(doc["parameters"]):
        where = pointer("parameters", i)
        if param["id"] in seen:
            yield Finding(join(where, "id"), f"duplicate parameter id {param['id']!r}")
        seen.add(param["id"])
        if param["better"] not in fits[param["kind"]]:
            yield Finding(
                join(where, "better"),
                f"better={param['better']!r} does not fit a {param['kind']} parameter",
            )
        if "unit" in param:
            try:
                units.parse_unit(param["unit"])
            except units.UnitError as exc:
                yield Finding(join(where, "unit"), str(exc))
    yield from _implications(doc, ctx)


def _implications(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """What an enum value implies follows from one of its values and names parameters of the category that
    the implied values fit."""
    category = doc["category"]["id"]
    own = {p["id"]: Parameter.from_json(p, category) for p in doc["parameters"]}
    broader = doc["category"].get("broader")
    for i, param in enumerate(doc["parameters"]):
        for k, implied in enumerate(param.get("implies", ())):
            where: Path = ("parameters", i, "implies", k)
            if param["kind"] != "enum" or implied["when"] not in param.get("values", ()):
                yield Finding(pointer(*where, "when"), f"{echo(implied['when'])} is not a value of {param['id']!r}")
            for pid, entry in implied["values"].items():
                target = own.get(pid) or (ctx.vocabulary.parameter(broader, pid) if broader else None)
                if target is None:
                    yield Finding(
                        pointer(*where, "values", pid), f"unknown parameter {pid!r} for category {category!r}"
                    )
                elif pid == param["id"]:
                    yield Finding(pointer(*where, "values", pid), "a value cannot imply its own parameter")
                else:
                    yield from declared(pid, entry, target, (*where, "values", pid))


def product_values(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """Declared values name parameters of the category, with units of the right dimension."""
    category = doc["category"]
    if category not in ctx.vocabulary.categories:
        return
    for pid, entry in doc["values"].items():
        where: Path = ("values", pid)
        param = ctx.vocabulary.parameter(category, pid)
        if param is None:
            yield Finding(pointer(*where), f"unknown parameter {pid!r} for category {category!r}")
            continue
        yield from declared(pid, entry, param, where)


def declared(pid: str, entry: Mapping[str, Any], param: Parameter, where: Path) -> Iterator[Finding]:
    """Check one declared {value, unit} of a parameter: its kind, unit and (for enums) its value."""
    value = entry["value"]
    if param.kind == "quantity":
        if isinstance(value, bool) or not isinstance(value, int | float):
            yield Finding(pointer(*where, "value"), f"{pid} takes a number with a unit")
        elif "unit" not in entry:
            yield Finding(pointer(*where, "unit"), f"{pid} needs a unit (measured in {param.unit})")
        else:
            yield from check_quantity({"value": value, "unit": entry["unit"]}, param, where)
    elif param.kind == "boolean" and not isinstance(value, bool):
        yield Finding(pointer(*where, "value"), f"{pid} takes true or false")
    elif param.kind == "enum" and (param.values is not None and value not in param.values):
        yield Finding(pointer(*where, "value"), f"{echo(value)} is not a known value of {pid!r}")


def licence_dates(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """A licence ends after it was granted."""
    d = doc["dates"]
    yield from _ordered(
        [
            (
                "/dates/valid_until",
                "valid until {later} is before the award {earlier}",
                d.get("awarded"),
                d.get("valid_until"),
            )
        ]
    )


def licence_declarations(doc: Doc, ctx: Context) -> Iterator[Finding]:
    """Each product's published figures are a valid declaration: known category, parameters and units."""
    for i, product in enumerate(doc["products"]):
        declaration = product.get("declaration")
        if declaration is None:
            continue
        for rule in (known_category, product_values):
            for f in rule(declaration, ctx):
                yield Finding(pointer("products", i, "declaration") + f.pointer, f.message)


Rule = Callable[[Doc, Context], Iterator[Finding]]

RULES: dict[str, tuple[Rule, ...]] = {
    "standard": (
        standard_dates,
        known_category,
        unique_criterion_ids,
        criteria_parameters,
        scope_limits,
        joint_parties,
    ),
    "label": (label_genices,),
    "agreement": (agreement_history, agreement_scale),
    "vocabulary": (vocabulary_parameters,),
    "product": (known_category, product_values),
    "licence": (licence_dates, licence_declarations),
}
