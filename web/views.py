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
from registry.model import Agreement, Label, Standard


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


NETWORK_SIZE, NETWORK_RADIUS, LABEL_GAP = 960, 250, 14  # px: the picture, the ring of nodes, node to its name


def network_svg(labels: Sequence[Label], cells: dict[tuple[str, str], Cell], today: dt.date) -> dict[str, Any]:
    """Return node positions and edges for the recognition network picture (drawn by the template).

    Nodes sit on a ring; each name runs outward along its node's radius (turned to read left to right), so
    names never cross each other or another node: neighbours on the ring are ``2 pi r / n`` apart, far more
    than a line of text is high, and a name lies outside the ring where no node is."""
    size, radius = NETWORK_SIZE, NETWORK_RADIUS
    centre = size / 2
    nodes = []
    for i, lab in enumerate(labels):
        angle = 2 * math.pi * i / max(1, len(labels)) - math.pi / 2
        cos, sin = math.cos(angle), math.sin(angle)
        left = cos < -1e-9
        degrees = math.degrees(angle) + (180 if left else 0)
        nodes.append(
            {
                "id": lab.id,
                "name": lab.short_name or lab.id,
                "x": round(centre + radius * cos, 1),
                "y": round(centre + radius * sin, 1),
                "lx": round(centre + (radius + LABEL_GAP) * cos, 1),
                "ly": round(centre + (radius + LABEL_GAP) * sin, 1),
                "rotate": round(degrees, 1),
                "anchor": "end" if left else "start",
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
                    "agreement": agr,
                    "kind": kind,
                    "status": status,
                    "active": status in in_force.ACTIVE,
                }
            )
    return {"size": size, "nodes": nodes, "edges": edges}


# --- the check report's summary


@dataclass(frozen=True)
class Needed:
    """One thing a manufacturer still has to show for a label: the criterion and why."""

    criterion: str
    title: str
    why: str


@dataclass(frozen=True)
class Reachable:
    """One row of the check summary: a standard in force, its verdict, the best route to it, what is still needed."""

    standard: str
    version: str
    name: str
    labels: tuple[str, ...]
    verdict: str
    route: str  # a glossary "route" code: held, own, agreement, joint_standard
    via: tuple[str, ...]  # the agreements or joint standards the route goes through, by title
    licence: str | None  # the licence the route starts from (held for this label, or the one recognised)
    needed: tuple[Needed, ...]


_STILL_OPEN = ("fail", "unknown", "declaration")


def check_summary(report: dict[str, Any]) -> list[Reachable]:
    """Return, per standard in force, the verdict, the route with the least still to show, and what that is.

    A label held already needs nothing but what contradicts it; a pathway (an agreement or a joint standard)
    needs its extra proof; otherwise the product applies directly and needs every mandatory criterion not yet met."""
    rows = []
    for r in report["results"]:
        titles = {c["id"]: c["title"] for c in r["criteria"]}
        open_ = tuple(
            Needed(c["id"], c["title"], c["detail"])
            for c in r["criteria"]
            if c["mandatory"] and c["outcome"] in _STILL_OPEN
        )
        route, via, licence, needed = "own", (), None, open_
        if r["held_licences"]:
            route, licence = "held", r["held_licences"][0]
            failed = {c["id"] for c in r["criteria"] if c["outcome"] == "fail"}
            needed = tuple(n for n in open_ if n.criterion in failed)  # certified already: only a contradiction
        elif r["pathways"]:
            best = min(r["pathways"], key=lambda p: len(p["extra_proof"]))
            kinds = [v["kind"] for v in best["via"]]
            route = "joint_standard" if "joint_standard" in kinds else "agreement"
            via = tuple(dict.fromkeys(v["title"] for v in best["via"]))
            licence = best["licence_id"]
            needed = tuple(
                Needed(e["criterion"], titles.get(e["criterion"], e["criterion"]), e["reason"])
                for e in best["extra_proof_reasons"]
            )
        rows.append(
            Reachable(
                r["standard"],
                r["version"],
                r["designation"] or r["title"],
                tuple(r["labels"]),
                r["verdict"],
                route,
                via,
                licence,
                needed,
            )
        )
    return rows


# --- several standards side by side


@dataclass(frozen=True)
class Entry:
    """One criterion of one standard in a side-by-side row, with its relation to the reference's criteria."""

    criterion: str
    requirement: str
    relation: str | None  # None in the reference's own column


def side_by_side(diffs: Sequence[Diff]) -> list[dict[str, Any]]:
    """Return one row per parameter for a reference compared with each other standard (``diffs``: reference
    as A against each other standard as B): the reference's criteria, then each other standard's with its
    relation to the reference; a parameter only the reference has shows "only in A" in the others' cells."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(topic: str, parameter: str) -> dict[str, Any]:
        return rows.setdefault(
            (topic, parameter), {"topic": topic, "parameter": parameter, "cells": [[] for _ in range(len(diffs) + 1)]}
        )

    for i, result in enumerate(diffs, start=1):
        for pair in result.pairs:
            r = row(pair.topic, pair.parameter)
            if pair.a is not None and pair.facts_a is not None:
                mine = Entry(pair.a.id, pair.facts_a.text, None)
                if mine not in r["cells"][0]:
                    r["cells"][0].append(mine)
            if pair.b is not None and pair.facts_b is not None:
                entry = Entry(pair.b.id, pair.facts_b.text, pair.relation)
                if entry not in r["cells"][i]:
                    r["cells"][i].append(entry)
            elif pair.relation == "only_a":
                r["cells"][i].append(Entry("", "", "only_a"))
    return [rows[k] for k in sorted(rows)]


def side_by_side_csv(refs: Sequence[str], rows: Sequence[dict[str, Any]]) -> str:
    """Return the side-by-side comparison as CSV: one line per criterion of each standard, with its relation
    to the reference (the first standard)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["topic", "parameter", "standard", "criterion", "requirement", "relation_to_reference"])
    for row in rows:
        for ref, cell in zip(refs, row["cells"], strict=True):
            for e in cell:
                writer.writerow(
                    [
                        _cell(row["topic"]),
                        _cell(row["parameter"]),
                        ref,
                        _cell(e.criterion),
                        _cell(e.requirement),
                        e.relation or "reference",
                    ]
                )
    return out.getvalue()
