"""The product as declared: its values in canonical units, and the check of a declaration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry import render, units
from registry.errors import NotFoundError
from registry.findings import Finding, blocking, pointer
from registry.model import DocumentRef, Parameter
from registry.rules import documents as document_rules
from registry.source import Source
from registry.validation import Validator
from registry.vocabulary import Vocabulary


@dataclass(frozen=True)
class Declared:
    """One declared value, in the parameter's canonical unit, and as the manufacturer wrote it."""

    parameter: Parameter
    value: Any
    text: str
    method: str | None


def validate_product(validator: Validator, data: Any, source: Source) -> list[Finding]:
    """Return what is wrong with a product declaration: its shape, values, units and labels held."""
    if not isinstance(data, Mapping):
        return [Finding("", "a product declaration is a JSON object")]
    declared = validator.schemas.kind_of(data.get("$schema"))
    if declared is not None and declared != "product":  # refused before any (costly) schema work
        return [Finding("/$schema", f"this is a {declared} document, not a product declaration")]
    kind, findings = validator.shape(data)
    if kind is None or blocking(findings):
        return findings
    if kind != "product":
        return [Finding("/$schema", f"this is a {kind} document, not a product declaration")]
    ctx = document_rules.Context(source.vocabulary)
    for rule in document_rules.RULES["product"]:
        findings.extend(rule(data, ctx))
    for i, held in enumerate(data.get("labels_held", ())):
        if held["label"] not in source.labels:
            findings.append(Finding(pointer("labels_held", i, "label"), f"unknown label programme {held['label']!r}"))
        if "standard" in held:
            ref = DocumentRef.from_json(held["standard"])
            try:
                source.info(ref)  # its listing says it is stored: it is parsed only if the check needs it
            except NotFoundError:
                findings.append(Finding(pointer("labels_held", i, "standard"), f"unknown standard {ref}"))
    return findings


def _shown(value: Any, unit: str | None) -> str:
    return render.value(value, unit)


def declared_values(product: Mapping[str, Any], vocabulary: Vocabulary) -> dict[str, Declared]:
    """Return a validated product's values keyed by parameter, quantities in canonical units."""
    found = {}
    for pid, entry in product["values"].items():
        param = vocabulary.parameter(product["category"], pid)
        if param is None:
            continue  # reported by validation
        value = entry["value"]
        unit = entry.get("unit")
        if param.kind == "quantity" and param.unit is not None and unit is not None:
            value = units.convert(value, unit, param.unit)
        found[pid] = Declared(param, value, _shown(entry["value"], unit), entry.get("test_method"))
    return found
