"""Validation of documents: safe loading, JSON Schema, then the rules a schema cannot express.

A ``Validator`` is built once (schemas checked, validators constructed) and reused for every
document. It returns reports with every finding; it never raises for bad data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry import jsonfile
from registry.catalog import Catalog, Entry
from registry.findings import FileReport, Finding, Report, blocking, echo
from registry.rules import catalog as catalog_rules
from registry.rules import documents as document_rules
from registry.schemas import SchemaSet


def expand(paths: Iterable[Path]) -> list[Path]:
    """Return the JSON files named, or found below the folders named, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        else:
            files.append(path)
    return files


@dataclass
class Result:
    """A validation report and the catalogue of every schema-valid document seen."""

    report: Report
    catalog: Catalog


class Validator:
    """Validates documents against the registry's schemas and rules."""

    def __init__(
        self,
        schemas: SchemaSet,
        *,
        max_bytes: int = jsonfile.MAX_BYTES,
        max_depth: int = jsonfile.MAX_DEPTH,
    ) -> None:
        self.schemas = schemas
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    @classmethod
    def from_dir(cls, schema_dir: Path) -> Validator:
        """Build a validator from a folder of schemas."""
        return cls(SchemaSet.from_dir(schema_dir))

    def shape(self, data: Mapping[str, Any]) -> tuple[str | None, list[Finding]]:
        """Return the document kind and the schema findings of parsed data."""
        declared = data.get("$schema")
        kind = self.schemas.kind_of(declared)
        if kind is None:
            known = ", ".join(sorted(self.schemas.validators))
            what = "missing $schema" if declared is None else f"unknown $schema {echo(declared)}"
            return None, [Finding("/$schema", f"{what}; expected one of: {known}")]
        return kind, list(self.schemas.iter_findings(dict(data), str(declared)))

    def _load(self, path: Path) -> tuple[FileReport, Entry | None]:
        report = FileReport(str(path))
        loaded = jsonfile.load_path(path, max_bytes=self.max_bytes, max_depth=self.max_depth)
        if not loaded.ok:
            report.extend(loaded.errors)
            return report, None
        kind, findings = self.shape(loaded.data)
        report.extend(findings)
        if kind is None or blocking(findings):
            return report, None
        return report, Entry(str(path), kind, loaded.data)

    def validate_paths(
        self,
        targets: Sequence[Path],
        context: Sequence[Path] = (),
        *,
        context_entries: Sequence[Entry] = (),
        check_context: bool = False,
    ) -> Result:
        """Validate files and folders; resolve references against them plus the context.

        Context comes from folders (a document defined there again is a duplicate) or from
        entries already loaded from a database (one with the same identity as a target is left
        out: the target stands for it, as a re-import or an update). With ``check_context``,
        context entries get reports too, so that a change to one document that breaks another
        (a parameter removed from the vocabulary) is seen.
        """
        target_files = expand(targets)
        chosen = {p.resolve() for p in target_files}
        reports: dict[str, FileReport] = {}
        entries: list[Entry] = []
        for path in target_files:
            report, entry = self._load(path)
            reports[report.path] = report
            if entry is not None:
                entries.append(entry)
        replaced = {e.key for e in entries}
        extra = [p for p in expand(context) if p.resolve() not in chosen]
        for path in extra:
            _, entry = self._load(path)
            if entry is not None:
                entries.append(entry)
        for entry in context_entries:
            if entry.key not in replaced:
                entries.append(entry)
                if check_context:
                    reports[entry.path] = FileReport(entry.path)
        catalog = self._check_entries(entries, reports)
        return Result(Report(list(reports.values())), catalog)

    def validate_data(
        self, data: Mapping[str, Any], *, context: Catalog | None = None, name: str = "<document>"
    ) -> list[Finding]:
        """Validate one parsed document against the schemas and the rules, with optional context."""
        kind, findings = self.shape(data)
        if kind is None or blocking(findings):
            return findings
        report = FileReport(name)
        report.extend(findings)
        entry = Entry(name, kind, data)
        self._check_catalog(context.led_by(entry) if context else Catalog([entry]), {name: report})
        return report.errors

    def _check_entries(self, entries: list[Entry], reports: Mapping[str, FileReport]) -> Catalog:
        """Run document rules on the reported entries and catalogue rules on all of them."""
        return self._check_catalog(Catalog(entries), reports)

    def _check_catalog(self, catalog: Catalog, reports: Mapping[str, FileReport]) -> Catalog:
        """Run document rules on the catalogue's reported entries and catalogue rules on all of them."""
        ctx = document_rules.Context(catalog.vocabulary)
        for entry in catalog.entries:
            if entry.path in reports:
                for rule in document_rules.RULES[entry.kind]:
                    reports[entry.path].extend(rule(entry.data, ctx))
        for cross in catalog_rules.RULES:
            for entry, finding in cross(catalog):
                if entry.path in reports:
                    reports[entry.path].extend([finding])
        return catalog
