"""Plain-text rendering of documents for people: requirements in words, values with units."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from registry import glossary
from registry.model import Agreement, Label, Licence, Standard, pick

_UNKNOWN = "value not known"
LE, GE = "≤", "≥"  # the symbols of every limit in words: pages, command line, check reports

# What a compared pair's relation means, in words (the compare page, its CSV, the CLI, the draft preview).
RELATIONS = glossary.words_of("relation")


def value(v: Any, unit: str | None = None) -> str:
    """Return one value as every page, report and command writes it: '7.2 W/W', '3', 'true', 'R-290'."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        shown = str(v) if isinstance(v, int) else f"{v:g}"
        return shown if unit in (None, "dimensionless") else f"{shown} {unit}"
    return str(v)


def quantity(q: Mapping[str, Any] | None) -> str:
    """Return '7.0 W/W', or a marker when the value is not known."""
    if q is None:
        return _UNKNOWN
    return value(q["value"], q["unit"])


def bound(symbol_in: str, symbol_ex: str, shown: str | None, inclusive: bool | None) -> str:
    """Return one end of a limit in words, the one way every page, report and command writes it:
    '≥ 7 W/W', '> 7 W/W', '> or ≥ 7 W/W (comparator not known)', '≥ (value not known)'."""
    if shown is None:
        return f"{symbol_in} ({_UNKNOWN})"
    if inclusive is None:
        return f"{symbol_ex} or {symbol_in} {shown} (comparator not known)"
    return f"{symbol_in if inclusive else symbol_ex} {shown}"


def must_be(flag: bool) -> str:
    """Return a yes/no requirement in words."""
    return "must be true" if flag else "must be false"


def listed(kind: str, values: Iterable[Any]) -> str:
    """Return a list of allowed or excluded values in words, sorted: 'one of: R-290, R-32'."""
    shown = sorted(value(v) for v in values)
    return f"{'one of' if kind == 'one_of' else 'none of'}: {', '.join(shown) if shown else _UNKNOWN}"


def _bound(symbol_in: str, symbol_ex: str, q: Any, inclusive: bool | None) -> str:
    return bound(symbol_in, symbol_ex, None if q is None else quantity(q), inclusive)


def constraint(c: Mapping[str, Any]) -> str:
    """Return a constraint in words, e.g. '≥ 7 W/W' or 'none of: R-410A, R-32'."""
    kind = c["type"]
    if kind == "max":
        return _bound(LE, "<", c["value"], c["inclusive"])
    if kind == "min":
        return _bound(GE, ">", c["value"], c["inclusive"])
    if kind == "range":
        low = _bound(GE, ">", c["min"], c["min_inclusive"])
        high = _bound(LE, "<", c["max"], c["max_inclusive"])
        return f"{low} and {high}"
    if kind == "equals":
        given = c["value"]
        return f"= {quantity(given) if isinstance(given, Mapping) else value(given) if given is not None else _UNKNOWN}"
    if kind in ("one_of", "none_of"):
        return listed(kind, c["values"] or ())
    if kind == "boolean":
        return _UNKNOWN if c["value"] is None else must_be(c["value"])
    return "declaration: " + pick(c.get("evidence"))


def conditions(conds: Iterable[Mapping[str, Any]]) -> str:
    """Return a criterion's conditions in words, e.g. 'cooling.capacity.rated ≤ 4.5 kW'."""
    return "; ".join(f"{c['parameter']} {constraint(c)}" for c in conds)


def standard(std: Standard, language: str = "en") -> str:
    """Return a criteria document as text, criteria grouped by topic."""
    lines = [
        f"{std.id}@{std.version}  {std.designation or ''}".rstrip(),
        pick(std.title, language),
        f"kind: {std.kind}   labels: {', '.join(std.labels)}   category: {std.category}",
        f"status: {std.status}   " + "   ".join(f"{k}: {v}" for k, v in std.dates.items() if v),
        f"provenance: {std.verification}",
    ]
    if std.parties:
        lines.append(f"parties: {', '.join(std.parties)}")
    if std.parents:
        lines.append(f"harmonises: {', '.join(str(p) for p in std.parents)}")
    topics: dict[str, list[str]] = {}
    for crit in std.criteria:
        conds = conditions(crit.conditions)
        line = (
            f"  {crit.id}: {pick(crit.title, language)} — {crit.parameter} {constraint(crit.requirement)}"
            f"{' [when ' + conds + ']' if conds else ''}"
            f"{'' if crit.mandatory else ' (optional)'} [{crit.verification}]"
        )
        topics.setdefault(crit.topic, []).append(line)
    for topic in sorted(topics):
        lines.append(f"{topic}:")
        lines.extend(topics[topic])
    if not std.criteria:
        lines.append("(no criteria recorded)")
    return "\n".join(lines)


def label(lab: Label, language: str = "en") -> str:
    """Return a label programme as text."""
    raw = lab.raw
    operators = "; ".join(pick(o["name"], language) for o in raw["operators"])
    genices = raw["genices"]
    since = genices.get("certified_since")
    return "\n".join(
        [
            f"{lab.id}  {pick(lab.names, language)}",
            f"operator: {operators}",
            f"region: {pick(raw['region']['name'], language)} ({', '.join(lab.countries)})",
            f"GEN membership: {lab.gen_membership}"
            + (f" since {raw['gen']['since']}" if raw["gen"].get("since") else ""),
            f"GENICES: {lab.genices_status}" + (f" since {since}" if since else ""),
            f"website: {raw.get('website') or 'unknown'}",
            f"provenance: {raw['provenance']['verification']}",
        ]
    )


def agreement(agr: Agreement, language: str = "en") -> str:
    """Return an agreement as text, with its dated history."""
    lines = [
        f"{agr.id}  {pick(agr.title, language)}",
        f"{agr.scale}: {', '.join(agr.parties)}",
        f"types: {', '.join(agr.types)}",
        f"status: {agr.status}",
    ]
    if agr.categories:
        lines.append(f"categories: {', '.join(agr.categories)}")
    if agr.standards:
        lines.append(f"standards: {', '.join(str(s) for s in agr.standards)}")
    lines.append("history:")
    for event in agr.history:
        note = pick(event.get("note"), language)
        lines.append(f"  {event.get('date') or 'date unknown'}  {event['status']}" + (f"  {note}" if note else ""))
    for cond in agr.raw.get("conditions", ()):
        lines.append(f"condition: {pick(cond['text'], language)}")
    return "\n".join(lines)


def licence(lic: Licence, language: str = "en") -> str:
    """Return a licence as text: who holds it, under which standard, and each product's published figures."""
    lines = [
        f"{lic.id}  {lic.label} licence {lic.number or '(number not published)'}",
        f"holder: {lic.holder}",
        f"standard: {lic.standard}",
        f"awarded: {lic.awarded or 'date not known'}"
        + (f"   valid until: {lic.valid_until}" if lic.valid_until else ""),
    ]
    for product in lic.products:
        lines.append(f"product: {product['model']}")
        for pid, entry in product.get("declaration", {}).get("values", {}).items():
            unit = f" {entry['unit']}" if "unit" in entry else ""
            lines.append(f"  {pid} = {entry['value']}{unit}")
        note = pick(product.get("notes"), language)
        if note:
            lines.append(f"  note: {note}")
    lines.append(f"provenance: {lic.raw['provenance']['verification']}")
    return "\n".join(lines)
