"""The ``ecolabel`` command line: a thin layer over the core."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from registry import completion, diff_text, jsonfile, qualification_text, render, stdin, truth
from registry.catalog import Catalog
from registry.diff import compare
from registry.errors import InvalidDocumentError, NotFoundError
from registry.findings import Finding, blocking
from registry.model import DocumentRef, Standard, pick
from registry.paths import bundled
from registry.qualification import Checker
from registry.source import FolderSource, Source
from registry.store.cli import register, store_source, stored_entries
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
    def __init__(self, schemas: Path, standards: Path, *, from_db: bool = False) -> None:
        self.schemas = schemas
        self.standards = standards
        self.from_db = from_db
        self._validator: Validator | None = None

    @property
    def validator(self) -> Validator:
        if self._validator is None:
            self._validator = Validator.from_dir(self.schemas)
        return self._validator

    def catalog(self) -> Catalog:
        if self.from_db:
            return Catalog(stored_entries())
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


class _Main(click.Group):
    """The command group: a fault of the database or the disk ends a command with one line and exit 1.

    ``--help`` lists each command with its whole summary (the first paragraph of its help), not cut
    at 45 characters; subgroups (``db``, ``user``, ...) are of this class too.
    """

    group_class = type

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.short_help or " ".join((command.help or "").split("\n\n")[0].split())))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            problem = _fault(exc)
            if problem is None:
                raise
            raise click.ClickException(problem) from None


def _fault(exc: Exception) -> str | None:
    """Return a database or disk fault in one line (SQLAlchemy is looked at only once a command loaded it)."""
    if not (isinstance(exc, OSError) or "sqlalchemy" in sys.modules):
        return None
    from registry.store import faults

    return faults.describe(exc)


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120})
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
@click.option(
    "--db",
    "from_db",
    is_flag=True,
    help="Read documents from the database of record (DATABASE_URL) instead of the standards folder.",
)
@click.version_option(package_name="ecolabel-registry")
@click.pass_context
def main(ctx: click.Context, schemas: Path | None, standards: Path | None, from_db: bool) -> None:
    """Ecolabel mutual-recognition standards registry."""
    ctx.obj = _Settings(schemas or bundled("schemas"), standards or bundled("standards"), from_db=from_db)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, allow_dash=True, path_type=Path))
@_FORMAT
@click.option(
    "--context/--no-context",
    default=True,
    show_default=True,
    help="Resolve references against the registry's documents too.",
)
@click.pass_obj
def validate(settings: _Settings, paths: tuple[Path, ...], fmt: str, context: bool) -> None:
    """Validate documents (files or folders, - for standard input; default: the registry's documents)."""
    if settings.from_db and not paths:
        raise click.UsageError("with --db, name the files to validate against the stored documents")
    with stdin.as_paths(paths) as (targets, stand_in):
        targets = targets or [settings.standards]
        if settings.from_db:
            result = settings.validator.validate_paths(targets, context_entries=stored_entries() if context else [])
        else:
            result = settings.validator.validate_paths(targets, [settings.standards] if context else [])
    report = result.report
    for file_report in report.files:
        file_report.path = stdin.shown(file_report.path, stand_in)
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
    if kind in (None, "licence"):
        items += [
            {
                "id": lic.id,
                "type": "licence",
                "title": f"{lic.holder}: {', '.join(p['model'] for p in lic.products)}",
                "label": lic.label,
                "number": lic.number,
                "holder": lic.holder,
                "standard": str(lic.standard),
                "awarded": lic.awarded,
                "products": len(lic.products),
            }
            for lic in sorted(catalog.licences.values(), key=lambda x: x.id)
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
    type=click.Choice(["label", "standard", "agreement", "licence", "parameter", "category"]),
    default=None,
    help="Only documents of this type.",
)
@_FORMAT
@click.pass_obj
def list_(settings: _Settings, kind: str | None, fmt: str) -> None:
    """List labels, standards, agreements, licences, parameters and categories."""
    items = _items(settings.catalog(), kind)
    if fmt == "json":
        _dump(items)
        return
    for item in items:
        version = f"@{item['version']}" if "version" in item else ""
        extra = f"  [{item['category']}]" if item["type"] == "parameter" else ""
        click.echo(f"{item['type']:<10} {item['id']}{version}  {item['title']}{extra}")


@main.command()
@_FORMAT
@click.pass_obj
def stats(settings: _Settings, fmt: str) -> None:
    """Data-truth counts: criteria with a value by verification flag, complete records, licences."""
    found = truth.counts(settings.catalog())
    if fmt == "json":
        _dump(found)
    else:
        click.echo(truth.sentence(found))


@main.command()
@click.argument("ident", metavar="ID[@VERSION]", shell_complete=completion.document_ids)
@_FORMAT
@click.option("--lang", default="en", show_default=True, help="Preferred language of texts.")
@click.pass_obj
def show(settings: _Settings, ident: str, fmt: str, lang: str) -> None:
    """Show one label, agreement, licence or standard (latest published version unless @VERSION)."""
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
        elif kind == "licence" and ref.version is None:
            lic = catalog.licences[ref.id]
            raw, text = lic.raw, render.licence(lic, lang)
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


def _standard_arg(settings: _Settings, catalog: Catalog, arg: str) -> Standard:
    """Return the standard an argument names: ID[@VERSION], a JSON file, or - (standard input); a document
    is validated in context."""
    path = Path(arg)
    if arg == stdin.DASH:
        loaded = stdin.load()
    elif arg.endswith(".json") or path.is_file():
        if not path.is_file():
            raise click.BadParameter(f"no such file: {arg}")
        loaded = jsonfile.load_path(path)
    else:
        try:
            return catalog.standard(arg)
        except NotFoundError as exc:
            raise click.ClickException(str(exc)) from None
    errors = loaded.errors
    if not errors:
        kind, errors = settings.validator.shape(loaded.data)
        if not blocking(errors) and kind != "standard":
            errors = [Finding("", f"this is a {kind} document, not a criteria document")]
    if not blocking(errors):
        key = ("standard", f"{loaded.data['id']}@{loaded.data['version']}")
        others = Catalog(e for e in catalog.entries if e.key != key)  # the document stands for its namesake
        errors = settings.validator.validate_data(loaded.data, context=others, name=arg)
    if errors:
        for finding in errors:
            click.echo(f"{arg}: {finding}", err=True)
        sys.exit(1)
    return Standard.from_json(loaded.data)


@main.command()
@click.argument("first", metavar="A", shell_complete=completion.standard_ids_or_files)
@click.argument("second", metavar="B", shell_complete=completion.standard_ids_or_files)
@_FORMAT
@click.option("--lang", default="en", show_default=True, help="Preferred language of texts.")
@click.pass_obj
def diff(settings: _Settings, first: str, second: str, fmt: str, lang: str) -> None:
    """Compare standard A with standard B criterion by criterion (ID[@VERSION], a JSON file, or - for one
    read from standard input).

    Two versions of one standard are compared by criterion id (revision mode), with editorial
    changes listed apart; standards of different labels by parameter and conditions
    (cross-label mode). Exit 0 on a comparison, 1 when a file is invalid or an id unknown.
    """
    if first == second == stdin.DASH:
        raise click.UsageError("'-' (standard input) may stand for A or B, not both")
    catalog = settings.catalog()
    a = _standard_arg(settings, catalog, first)
    b = _standard_arg(settings, catalog, second)
    result = compare(a, b, catalog.vocabulary)
    if fmt == "json":
        _dump(result.as_json())
    else:
        click.echo(diff_text.text(result, catalog.vocabulary, lang))


@main.command()
@click.argument("product", metavar="PRODUCT.json", type=click.Path(path_type=Path))
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Day to check on: the standards and agreements in force then [today].",
)
@_FORMAT
@click.pass_obj
def check(settings: _Settings, product: Path, on: dt.datetime | None, fmt: str) -> None:
    """Check a product declaration against every standard of its category in force on a date.

    Per standard: the verdict (qualifies / fails / incomplete), each criterion's outcome, and the
    recognition pathways the labels held open. PRODUCT.json may be - (standard input). Exit 0 on a
    report, 1 on an invalid declaration, 2 when the file is missing; with --format json, errors are
    JSON on standard output too: {"error": {"message", "findings": [{"pointer", "message"}]}}.
    """
    name = str(product)
    if name == "-":
        loaded = stdin.load()
    elif not product.is_file():
        if fmt == "json":
            _dump({"error": {"message": f"no such file: {product}", "findings": []}})
            sys.exit(2)
        raise click.BadParameter(f"no such file: {product}", param_hint="PRODUCT.json")
    else:
        loaded = jsonfile.load_path(product)
    source: Source = store_source() if settings.from_db else FolderSource(settings.catalog())
    checker = Checker(source, settings.validator)
    try:
        if loaded.errors:
            raise InvalidDocumentError("malformed JSON", loaded.errors)
        report = checker.check(loaded.data, on.date() if on else None)
    except InvalidDocumentError as exc:
        findings = [f for f in exc.findings if isinstance(f, Finding)]
        if fmt == "json":
            items = [{"pointer": f.pointer, "message": f.message} for f in findings]
            _dump({"error": {"message": f"{name}: {exc}", "findings": items}})
        else:
            for finding in findings:
                click.echo(f"{name}: {finding}", err=True)
        sys.exit(1)
    if fmt == "json":
        _dump(report.as_json())
    else:
        click.echo(qualification_text.text(report))


register(main)
