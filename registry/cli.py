"""The ``ecolabel`` command line: a thin layer over the core."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from registry import render
from registry.catalog import Catalog
from registry.errors import NotFoundError
from registry.model import DocumentRef, pick
from registry.paths import bundled
from registry.validation import Validator

_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)


class _Settings:
    def __init__(self, schemas: Path, standards: Path) -> None:
        self.schemas = schemas
        self.standards = standards
        self._validator: Validator | None = None

    @property
    def validator(self) -> Validator:
        if self._validator is None:
            self._validator = Validator.from_dir(self.schemas)
        return self._validator

    def catalog(self) -> Catalog:
        result = self.validator.validate_paths([self.standards])
        if not result.report.valid:
            bad = sum(not f.valid for f in result.report.files)
            click.echo(
                f"warning: {bad} invalid document(s) in {self.standards} left out; run 'ecolabel validate' to see why",
                err=True,
            )
        return result.catalog


def _dump(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


@click.group()
@click.option(
    "--schemas",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar="ECOLABEL_SCHEMAS",
    default=None,
    help="Folder of JSON Schemas [bundled].",
)
@click.option(
    "--standards",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    envvar="ECOLABEL_STANDARDS",
    default=None,
    help="Folder of documents [bundled].",
)
@click.version_option(package_name="ecolabel-registry")
@click.pass_context
def main(ctx: click.Context, schemas: Path | None, standards: Path | None) -> None:
    """Ecolabel mutual-recognition standards registry."""
    ctx.obj = _Settings(schemas or bundled("schemas"), standards or bundled("standards"))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@_FORMAT
@click.option(
    "--context/--no-context",
    default=True,
    show_default=True,
    help="Resolve references against the registry's documents too.",
)
@click.pass_obj
def validate(settings: _Settings, paths: tuple[Path, ...], fmt: str, context: bool) -> None:
    """Validate documents (files or folders; default: the registry's documents)."""
    targets = list(paths) or [settings.standards]
    result = settings.validator.validate_paths(targets, [settings.standards] if context else [])
    report = result.report
    if fmt == "json":
        _dump(report.as_json())
    else:
        for line in report.lines():
            click.echo(line)
        invalid = sum(not f.valid for f in report.files)
        errors = sum(len(f.errors) for f in report.files)
        summary = (
            f"{len(report.files)} files: all valid"
            if report.valid
            else f"{len(report.files)} files: {invalid} invalid, {errors} errors"
        )
        click.echo(summary, err=not report.valid)
    sys.exit(0 if report.valid else 1)


def _items(catalog: Catalog, kind: str | None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if kind in (None, "label"):
        items += [
            {
                "id": lab.id,
                "type": "label",
                "title": pick(lab.names),
                "countries": list(lab.countries),
                "gen_membership": lab.gen_membership,
                "genices": lab.genices_status,
            }
            for lab in sorted(catalog.labels.values(), key=lambda x: x.id)
        ]
    if kind in (None, "standard"):
        items += [
            {
                "id": s.id,
                "type": "standard",
                "title": pick(s.title),
                "version": s.version,
                "designation": s.designation,
                "kind": s.kind,
                "labels": list(s.labels),
                "category": s.category,
                "status": s.status,
                "criteria": len(s.criteria),
            }
            for s in catalog.standards
        ]
    if kind in (None, "agreement"):
        items += [
            {
                "id": a.id,
                "type": "agreement",
                "title": pick(a.title),
                "scale": a.scale,
                "parties": list(a.parties),
                "types": list(a.types),
                "status": a.status,
            }
            for a in sorted(catalog.agreements.values(), key=lambda x: x.id)
        ]
    if kind in (None, "parameter"):
        for cat in sorted(catalog.vocabulary.categories.values(), key=lambda c: c.id):
            items += [
                {
                    "id": p.id,
                    "type": "parameter",
                    "title": pick(p.name),
                    "category": cat.id,
                    "kind": p.kind,
                    "unit": p.unit,
                    "better": p.better,
                }
                for p in cat.parameters.values()
            ]
    if kind in (None, "category"):
        items += [
            {"id": c.id, "type": "category", "title": pick(c.name), "broader": c.broader}
            for c in sorted(catalog.vocabulary.categories.values(), key=lambda c: c.id)
        ]
    return items


@main.command(name="list")
@click.option(
    "--type",
    "kind",
    type=click.Choice(["label", "standard", "agreement", "parameter", "category"]),
    default=None,
    help="Only documents of this type.",
)
@_FORMAT
@click.pass_obj
def list_(settings: _Settings, kind: str | None, fmt: str) -> None:
    """List labels, standards, agreements, parameters and categories."""
    items = _items(settings.catalog(), kind)
    if fmt == "json":
        _dump(items)
        return
    for item in items:
        version = f"@{item['version']}" if "version" in item else ""
        extra = f"  [{item['category']}]" if item["type"] == "parameter" else ""
        click.echo(f"{item['type']:<10} {item['id']}{version}  {item['title']}{extra}")


@main.command()
@click.argument("ident", metavar="ID[@VERSION]")
@_FORMAT
@click.option("--lang", default="en", show_default=True, help="Preferred language of texts.")
@click.pass_obj
def show(settings: _Settings, ident: str, fmt: str, lang: str) -> None:
    """Show one label, agreement or standard (latest published version unless @VERSION)."""
    catalog = settings.catalog()
    ref = DocumentRef.parse(ident)
    kind = catalog.kind_of_id(ref.id)
    try:
        if kind == "standard":
            std = catalog.standard(ref)
            raw, text = std.raw, render.standard(std, lang)
        elif kind == "label" and ref.version is None:
            lab = catalog.labels[ref.id]
            raw, text = lab.raw, render.label(lab, lang)
        elif kind == "agreement" and ref.version is None:
            agr = catalog.agreements[ref.id]
            raw, text = agr.raw, render.agreement(agr, lang)
        else:
            if kind in ("parameter", "category"):
                what = f"this is a {kind}; see 'ecolabel list --type {kind}'"
            else:
                what = f"a {kind} has no versions" if kind else "no document with that id"
            raise NotFoundError(f"{ident}: {what}")
    except NotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        _dump(dict(raw))
    else:
        click.echo(text)
