"""Data shaping shared by the pages and the API: lists, comparisons as rows, the recognition matrix."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from registry import in_force, render
from registry.catalog import Catalog
from registry.diff import Diff
from registry.model import Agreement, Label, Standard, pick
from registry.source import Source


def search(source: Source, query: str) -> list[dict[str, str]]:
    """Find labels, standards and criteria whose id, name or title contains the words (no drafts)."""
    words = [w.casefold() for w in query.split() if w]
    if not words:
        return []

    def hit(*texts: Any) -> bool:
        blob = " ".join(str(t) for t in texts).casefold()
        return all(w in blob for w in words)

    found: list[dict[str, str]] = []
    for lab in sorted(source.labels.values(), key=lambda x: x.id):
        if hit(lab.id, lab.short_name or "", *lab.names.values(), *lab.countries):
            found.append({"kind": "label", "id": lab.id, "title": pick(lab.names)})
    for v in source.versions():
        if hit(v.doc_id, v.designation or "", *v.title.values(), v.category):
            found.append({"kind": "standard", "id": v.doc_id, "version": v.version, "title": pick(v.title)})
        if not hit(v.criteria_text):
            continue  # no criterion of this version has every word
        for ident, parameter, titles in v.criteria():
            if hit(ident, parameter, *titles.values()):
                found.append(
                    {
                        "kind": "criterion",
                        "id": v.doc_id,
                        "version": v.version,
                        "criterion": ident,
                        "title": pick(titles),
                    }
                )
    for agr in source.agreements:
        if hit(agr.id, *agr.title.values(), *agr.parties):
            found.append({"kind": "agreement", "id": agr.id, "title": pick(agr.title)})
    return found


def topics(std: Standard) -> list[tuple[str, list[Any]]]:
    """Return a standard's criteria grouped by topic, in the order topics first appear."""
    groups: dict[str, list[Any]] = {}
    for c in std.criteria:
        groups.setdefault(c.topic, []).append(c)
    return list(groups.items())


def compare_rows(result: Diff) -> list[dict[str, Any]]:
    """Return the compared pairs as table rows."""
    return [
        {**pair.as_json(), "relation_words": render.RELATIONS[pair.relation]}
        for pair in sorted(result.pairs, key=lambda p: (p.topic, p.parameter))
    ]


def compare_csv(result: Diff) -> str:
    """Return the comparison as CSV: one row per pair."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["topic", "parameter", "a_criterion", "a_requirement", "relation", "b_criterion", "b_requirement", "detail"]
    )
    for row in compare_rows(result):
        writer.writerow(
            [
                _cell(row["topic"]),
                _cell(row["parameter"]),
                _cell(row["a"] or ""),
                _cell(row["a_requirement"] or ""),
                row["relation"],
                _cell(row["b"] or ""),
                _cell(row["b_requirement"] or ""),
                _cell(row["detail"]),
            ]
        )
    return out.getvalue()


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas in a CSV cell (CWE-1236)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- recognition


@dataclass(frozen=True)
class Cell:
    """What links two labels: their bilateral or plurilateral agreements (a network's peer review is not one)."""

    agreements: tuple[Agreement, ...]


def relevant(agreement: Agreement, category: str | None, catalog: Catalog) -> bool:
    """Return whether an agreement covers a product category (no category filter: all)."""
    if not category or not agreement.categories:
        return True
    return any(catalog.vocabulary.within(category, c) for c in agreement.categories)


def matrix(catalog: Catalog, category: str | None) -> tuple[list[Label], dict[tuple[str, str], Cell]]:
    """Return the labels that take part in any agreement and, per ordered pair, what links them."""
    agreements = [a for a in catalog.agreements.values() if relevant(a, category, catalog)]
    involved = {p for a in agreements if a.scale != "multilateral" for p in a.parties if p in catalog.labels}
    labels = sorted((catalog.labels[i] for i in involved), key=lambda x: x.id)
    cells: dict[tuple[str, str], Cell] = {}
    for a in labels:
        for b in labels:
            if a.id == b.id:
                continue
            linked = tuple(
                sorted(
                    (x for x in agreements if x.scale != "multilateral" and a.id in x.parties and b.id in x.parties),
                    key=lambda x: x.id,
                )
            )
            cells[(a.id, b.id)] = Cell(linked)
    return labels, cells


def network_svg(labels: Sequence[Label], cells: dict[tuple[str, str], Cell], today: dt.date) -> dict[str, Any]:
    """Return node positions and edges for the recognition network picture (drawn by the template)."""
    size, radius = 720, 290
    nodes = []
    for i, lab in enumerate(labels):
        angle = 2 * math.pi * i / max(1, len(labels)) - math.pi / 2
        nodes.append(
            {
                "id": lab.id,
                "name": lab.short_name or lab.id,
                "x": round(size / 2 + radius * math.cos(angle), 1),
                "y": round(size / 2 + radius * math.sin(angle), 1),
                "genices": lab.genices_status == "certified",
            }
        )
    at = {n["id"]: n for n in nodes}
    edges = []
    for (a, b), cell in cells.items():
        if a >= b:
            continue
        for agr in cell.agreements:
            event = in_force.agreement_status(agr, today)
            status = event["status"] if event else "unknown"
            kind = (
                "common"
                if "common_core_criteria" in agr.types
                else "recognition"
                if in_force.RECOGNISING.intersection(agr.types)
                else "cooperation"
            )
            edges.append(
                {
                    "a": at[a],
                    "b": at[b],
                    "id": agr.id,
                    "kind": kind,
                    "status": status,
                    "active": status in in_force.ACTIVE,
                    "title": f"{agr.id}: {', '.join(agr.types)} ({status})",
                }
            )
    return {"size": size, "nodes": nodes, "edges": edges}
