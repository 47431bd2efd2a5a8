"""Frozen, typed views over validated JSON documents.

JSON Schema is the one definition of a document's shape; these classes only give the
rest of the core typed, read-only access to the fields it reasons about. Each view keeps
the raw document for anything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

Text = Mapping[str, str]


def pick(text: Text | None, language: str = "en") -> str:
    """Return a text in the wanted language, else English, else the first one given."""
    if not text:
        return ""
    for lang in (language, language.split("-")[0], "en"):
        if lang in text:
            return text[lang]
    return next(iter(text.values()))


@dataclass(frozen=True)
class DocumentRef:
    """A criteria document, optionally one version of it."""

    id: str
    version: str | None = None

    @classmethod
    def parse(cls, text: str) -> DocumentRef:
        """Parse 'ID' or 'ID@VERSION'."""
        ident, _, version = text.partition("@")
        return cls(ident, version or None)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> DocumentRef:
        """Build from a schema `document_ref` object."""
        return cls(raw["id"], raw.get("version"))

    def __str__(self) -> str:
        return f"{self.id}@{self.version}" if self.version else self.id


@dataclass(frozen=True)
class Implication:
    """Values of other parameters that follow from one value of an enum parameter, with their source."""

    when: str
    values: Mapping[str, Mapping[str, Any]]
    provenance: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True)
class Parameter:
    """One parameter of the controlled vocabulary of a category."""

    id: str
    category: str
    name: Text
    kind: str
    better: str
    unit: str | None = None
    values: tuple[str, ...] | None = None
    signed: bool = False
    method_equivalences: tuple[frozenset[str], ...] = ()
    implies: tuple[Implication, ...] = field(default=(), compare=False)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], category: str) -> Parameter:
        """Build from one entry of a vocabulary document."""
        values = raw.get("values")
        return cls(
            id=raw["id"],
            category=category,
            name=raw["name"],
            kind=raw["kind"],
            better=raw["better"],
            unit=raw.get("unit"),
            values=tuple(values) if values is not None else None,
            signed=bool(raw.get("signed", False)),
            method_equivalences=tuple(frozenset(g["methods"]) for g in raw.get("method_equivalences", ())),
            implies=tuple(
                Implication(i["when"], MappingProxyType(i["values"]), i["provenance"]) for i in raw.get("implies", ())
            ),
        )

    def implied(self, value: Any) -> Implication | None:
        """Return what follows from one of this (enum) parameter's values, or None."""
        return next((i for i in self.implies if i.when == value), None)


@dataclass(frozen=True)
class Category:
    """A product category with its definition and its own parameters."""

    id: str
    name: Text
    definition: Text
    broader: str | None
    parameters: Mapping[str, Parameter]
    aliases: tuple[str, ...] = ()  # everyday and alternative names people search with
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)  # the vocabulary document

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Category:
        """Build from a parameter vocabulary document."""
        cat = raw["category"]
        params = {p["id"]: Parameter.from_json(p, cat["id"]) for p in raw["parameters"]}
        return cls(
            cat["id"],
            cat["name"],
            cat["definition"],
            cat.get("broader"),
            MappingProxyType(params),
            tuple(cat.get("aliases", ())),
            MappingProxyType(raw),
        )


@dataclass(frozen=True)
class Criterion:
    """One criterion of a criteria document."""

    id: str
    title: Text
    topic: str
    parameter: str
    requirement: Mapping[str, Any]
    conditions: tuple[Mapping[str, Any], ...]
    mandatory: bool
    verification: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    methods: frozenset[str] = field(default=frozenset(), repr=False, compare=False)  # the test methods named

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Criterion:
        """Build from one criterion object."""
        named = raw.get("test_methods")
        return cls(
            id=raw["id"],
            title=raw["title"],
            topic=raw["topic"],
            parameter=raw["parameter"],
            requirement=MappingProxyType(raw["requirement"]),
            conditions=tuple(raw.get("conditions", ())),
            mandatory=raw["mandatory"],
            verification=raw["provenance"]["verification"],
            raw=MappingProxyType(raw),
            methods=frozenset(m["standard"] for m in named) if named else frozenset(),
        )

    @property
    def has_value(self) -> bool:
        """Return whether the requirement carries its value (qualitative ones have none to carry)."""
        req = self.requirement
        kind = req["type"]
        if kind == "qualitative":
            return False
        if kind == "range":
            return req["min"] is not None or req["max"] is not None
        if kind in ("one_of", "none_of"):
            return req["values"] is not None
        return req["value"] is not None


@dataclass(frozen=True)
class Standard:
    """One version of a criteria document."""

    id: str
    version: str
    title: Text
    kind: str
    labels: tuple[str, ...]
    parties: tuple[str, ...]
    parents: tuple[DocumentRef, ...]
    category: str
    status: str
    dates: Mapping[str, str | None]
    designation: str | None
    verification: str
    criteria: tuple[Criterion, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)
    sha: str | None = field(default=None, repr=False, compare=False)  # the stored content's hash, when known

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], *, sha: str | None = None) -> Standard:
        """Build from a validated criteria document (``sha``: the SHA-256 of its stored canonical form)."""
        return cls(
            id=raw["id"],
            version=raw["version"],
            title=raw["title"],
            kind=raw["kind"],
            labels=tuple(raw["labels"]),
            parties=tuple(raw.get("parties", ())),
            parents=tuple(DocumentRef.from_json(p) for p in raw.get("parents", ())),
            category=raw["category"],
            status=raw["status"],
            dates=MappingProxyType(raw["dates"]),
            designation=raw.get("designation"),
            verification=raw["provenance"]["verification"],
            criteria=tuple(Criterion.from_json(c) for c in raw["criteria"]),
            raw=MappingProxyType(raw),
            sha=sha,
        )

    @property
    def ref(self) -> DocumentRef:
        """Return the reference 'ID@VERSION' of this version."""
        return DocumentRef(self.id, self.version)

    @property
    def complete(self) -> bool:
        """Return whether every criterion of the official text is recorded."""
        return bool(self.raw["coverage"]["complete"])


@dataclass(frozen=True)
class Label:
    """An ecolabel programme."""

    id: str
    names: Text
    short_name: str | None
    countries: tuple[str, ...]
    gen_membership: str
    genices_status: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Label:
        """Build from a validated label programme document."""
        return cls(
            id=raw["id"],
            names=raw["names"],
            short_name=raw.get("short_name"),
            countries=tuple(raw["region"]["countries"]),
            gen_membership=raw["gen"]["membership"],
            genices_status=raw["genices"]["status"],
            raw=MappingProxyType(raw),
        )


@dataclass(frozen=True)
class Agreement:
    """A recognition or cooperation agreement."""

    id: str
    title: Text
    scale: str
    parties: tuple[str, ...]
    types: tuple[str, ...]
    categories: tuple[str, ...]
    standards: tuple[DocumentRef, ...]
    history: tuple[Mapping[str, Any], ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Agreement:
        """Build from a validated agreement document."""
        scope = raw["scope"]
        return cls(
            id=raw["id"],
            title=raw["title"],
            scale=raw["scale"],
            parties=tuple(raw["parties"]),
            types=tuple(raw["types"]),
            categories=tuple(scope.get("categories", ())),
            standards=tuple(DocumentRef.from_json(s) for s in scope.get("standards", ())),
            history=tuple(raw["status_history"]),
            raw=MappingProxyType(raw),
        )

    @property
    def network(self) -> str | None:
        """Return the network of a multilateral peer-review scheme (GEN's GENICES: "gen"), else None."""
        found = self.raw.get("network")
        return str(found) if found else None

    @property
    def status(self) -> str:
        """Return the current status: the last event of the history."""
        return str(self.history[-1]["status"])


@dataclass(frozen=True)
class Licence:
    """A licence to use a label, granted to a holder for products certified under one version of a standard."""

    id: str
    label: str
    number: str | None
    holder: str
    standard: DocumentRef
    awarded: str | None
    valid_until: str | None
    products: tuple[Mapping[str, Any], ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Licence:
        """Build from a validated licence document."""
        return cls(
            id=raw["id"],
            label=raw["label"],
            number=raw.get("number"),
            holder=raw["holder"],
            standard=DocumentRef.from_json(raw["standard"]),
            awarded=raw["dates"].get("awarded"),
            valid_until=raw["dates"].get("valid_until"),
            products=tuple(raw["products"]),
            raw=MappingProxyType(raw),
        )

    def declarations(self) -> list[tuple[int, Mapping[str, Any]]]:
        """Return (product index, declaration) for every product whose published figures are recorded."""
        return [(i, p["declaration"]) for i, p in enumerate(self.products) if "declaration" in p]
