"""How true the registry's data is: criteria with a value, by verification flag, complete records, licences."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from registry.catalog import Catalog
from registry.model import Standard

FLAGS = ("verified", "secondary", "unverified")


def counts(catalog: Catalog) -> dict[str, Any]:
    """Return the data-truth counts of a document set (every version of every standard)."""
    standards = catalog.standards
    criteria = [c for s in standards for c in s.criteria]
    with_value = [c for c in criteria if c.has_value]
    flags = Counter(c.verification for c in with_value)
    return {
        "standards": len({s.id for s in standards}),
        "versions": len(standards),
        "complete_versions": sum(s.complete for s in standards),
        "criteria": len(criteria),
        "criteria_with_value": len(with_value),
        "with_value_by_verification": {f: flags.get(f, 0) for f in FLAGS},
        "labels": len(catalog.labels),
        "agreements": len(catalog.agreements),
        "licences": len(catalog.licences),
        "categories": len(catalog.vocabulary.categories),
        "parameters": sum(len(c.parameters) for c in catalog.vocabulary.categories.values()),
    }


def sentence(found: dict[str, Any]) -> str:
    """Return the counts as the README's sentence (a test keeps the README equal to it)."""
    by = found["with_value_by_verification"]
    return (
        f"{found['labels']} label programmes, {found['versions']} versions of {found['standards']} criteria "
        f"documents ({found['complete_versions']} recorded complete; {found['criteria']} criteria, "
        f"{found['criteria_with_value']} with a value: {by['verified']} verified, {by['secondary']} secondary, "
        f"{by['unverified']} unverified), {found['agreements']} agreements, {found['licences']} licences, "
        f"{found['categories']} categories with {found['parameters']} parameters."
    )


@dataclass(frozen=True)
class Completeness:
    """How much of one document is known: criteria recorded, with a value, verified; complete or partial."""

    recorded: int
    with_value: int
    verified: int
    complete: bool


def completeness(std: Standard) -> Completeness:
    """Return how much of a document is known (the one count pages, reports and lists show)."""
    criteria = std.criteria
    return Completeness(
        recorded=len(criteria),
        with_value=sum(c.has_value for c in criteria),
        verified=sum(c.verification == "verified" for c in criteria),
        complete=std.complete,
    )
