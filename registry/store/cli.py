"""Database commands of the ``ecolabel`` command line.

This module imports only click at load time: SQLAlchemy is loaded when a database command
runs, so that ``ecolabel validate`` and ``ecolabel diff`` stay quick and the core stays free of it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from registry import completion

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from registry.catalog import Entry
    from registry.store.reader import StoreReader
    from registry.validation import Validator

_ACTOR = click.option(
    "--actor", default=None, help="Who makes the change, for the audit trail [the login name, 'cli:' prefixed]."
)


def _actor(actor: str | None) -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return actor or f"cli:{name}"


def _engine(migrated: bool = True) -> Engine:
    from registry import settings
    from registry.errors import ConfigurationError
    from registry.store import migrate
    from registry.store.engine import make_engine

    try:
        engine = make_engine(settings.load().database_url)
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from None
    click.get_current_context().call_on_close(engine.dispose)  # pooled connections closed with the command
    if migrated:
        try:
            migrate.require_current(engine)
        except ConfigurationError as exc:
            raise click.ClickException(str(exc)) from None
    return engine


def store_source() -> StoreReader:
    """Return the reader over the database of record (the ``Source`` of ``check --db``)."""
    from registry.store.reader import StoreReader

    source = StoreReader(_engine())
    source.refresh()
    return source


def stored_entries() -> list[Entry]:
    """Return the stored non-draft documents, for the read commands run with --db."""
    return store_source().entries()


def _validator(ctx: click.Context) -> Validator:
    return ctx.obj.validator  # type: ignore[no-any-return]


def _progress(label: str) -> Any:
    """Return a progress wrapper for long work on a terminal, nothing when output is not one."""
    if not sys.stderr.isatty():
        return None

    def wrap(items: Iterable[Any]) -> Iterator[Any]:
        items = list(items)
        with click.progressbar(items, label=label, file=sys.stderr, show_pos=True) as bar:
            yield from bar

    return wrap


def _print_import(report: Any, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        return
    for path, findings in report.rejected:
        for finding in findings:
            click.echo(f"{path}: {finding}", err=True)
    verdict = "imported" if report.ok else "rejected: nothing was imported"
    click.echo(
        f"{verdict} (added {len(report.added)}, unchanged {len(report.unchanged)}, "
        f"updated {len(report.updated)}, rejected {len(report.rejected)})",
        err=not report.ok,
    )


def _named_user(engine: Engine, username: str) -> Any:
    """Return the account of a user name, or end the command naming it."""
    from registry.store import users

    found = next((u for u in users.list_users(engine) if u.username == username), None)
    if found is None:
        raise click.ClickException(f"no user {username!r}")
    return found


def register(main: click.Group) -> None:
    """Add the database commands to the command line."""

    @main.group()
    def db() -> None:
        """The database: migrations and status (DATABASE_URL, default: instance/registry.sqlite3)."""

    @db.command()
    @click.option(
        "--seed/--no-seed", default=True, show_default=True, help="Load the bundled documents into an empty database."
    )
    @_ACTOR
    @click.pass_context
    def upgrade(ctx: click.Context, seed: bool, actor: str | None) -> None:
        """Apply the migrations; on first run, seed the database from the bundled standards."""
        from registry.store import migrate, reader, transfer

        engine = _engine(migrated=False)
        with migrate.one_at_a_time(engine):  # hosts started together: the first migrates and seeds
            before = migrate.current(engine)
            migrate.upgrade(engine)
            click.echo(f"database at migration {migrate.current(engine)} (was {before or 'empty'})")
            if seed and reader.is_empty(engine):
                report = transfer.import_paths(engine, _validator(ctx), [ctx.obj.standards], actor=_actor(actor))
                _print_import(report, "text")
                if not report.ok:
                    sys.exit(1)

    @db.command()
    def status() -> None:
        """Show the migration and how many documents are stored, by kind and state."""
        from sqlmodel import Session

        from registry.store import reader

        engine = _engine()
        with Session(engine) as session:
            for key, count in reader.counts(session).items():
                click.echo(f"{key:<24} {count}")

    @main.command(name="import")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True, path_type=Path))
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @_ACTOR
    @click.pass_context
    def import_(ctx: click.Context, paths: tuple[Path, ...], fmt: str, actor: str | None) -> None:
        """Import documents (files or folders, - for one from standard input) all or nothing; exit 1 if any
        is rejected."""
        from registry import stdin
        from registry.store import transfer

        engine = _engine()
        with stdin.as_paths(paths) as (targets, stand_in):
            report = transfer.import_paths(
                engine, _validator(ctx), targets, actor=_actor(actor), progress=_progress("importing")
            )
        report.rejected = [(stdin.shown(where, stand_in), found) for where, found in report.rejected]
        _print_import(report, fmt)
        sys.exit(0 if report.ok else 1)

    @main.command()
    @click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
    def export(folder: Path) -> None:
        """Write every stored document as JSON, one file per version, sorted keys, and a manifest."""
        from registry.store import transfer

        written = transfer.export(_engine(), folder)
        click.echo(f"exported {written} documents to {folder}")

    @main.command()
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def backup(file: Path) -> None:
        """Copy the SQLite database to FILE with SQLite's online backup (PostgreSQL: see the README)."""
        from registry.store import backup as backups

        engine = _engine()
        try:
            backups.backup(engine, file)
        except backups.BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"backed up to {file}")

    @main.command()
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def restore(file: Path) -> None:
        """Replace the SQLite database with a backup FILE, after checking the backup is whole."""
        from registry.store import backup as backups

        engine = _engine(migrated=False)
        try:
            backups.restore(engine, file)
        except backups.BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"restored from {file}")

    @main.group()
    def user() -> None:
        """Users of the web registry (roles: admin, staff)."""

    @user.command(name="add")
    @click.argument("username")
    @click.option("--role", type=click.Choice(["admin", "staff"]), default="admin", show_default=True)
    @click.option(
        "--password",
        envvar="ECOLABEL_PASSWORD",
        default=None,
        help="The password [asked for; or ECOLABEL_PASSWORD]. At least 12 characters.",
    )
    def user_add(username: str, role: str, password: str | None) -> None:
        """Create a user who signs in to the web registry (the first administrator, say)."""
        from registry.errors import ConflictError, InvalidDocumentError
        from registry.store import users

        secret = password or click.prompt("password", hide_input=True, confirmation_prompt=True)
        try:
            users.add_user(_engine(), username, secret, role, actor=_actor(None))
        except InvalidDocumentError as exc:
            raise click.ClickException("; ".join(f"{f.pointer[1:]}: {f.message}" for f in exc.findings)) from None  # type: ignore[attr-defined]
        except ConflictError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"user {username} ({role}) created")

    @user.command(name="list")
    def user_list() -> None:
        """List users and their roles."""
        from registry.store import users

        for u in users.list_users(_engine()):
            click.echo(f"{u.username}  {u.role}{'' if u.active else '  (inactive)'}")

    @user.group(name="token")
    def token() -> None:
        """Personal API tokens (Authorization: Bearer TOKEN): make, list, revoke."""

    @token.command(name="create")
    @click.argument("username")
    @click.option("--name", "name", required=True, help="What the token is for (shown in lists).")
    @click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
    @click.option("--days", type=click.IntRange(1, 3650), default=90, show_default=True, help="Days until it expires.")
    @click.option("--no-expiry", is_flag=True, help="Never expires (revoke it when no longer needed).")
    def token_create(username: str, name: str, scope: str, days: int, no_expiry: bool) -> None:
        """Make a token for USERNAME and print its secret once (it is stored hashed)."""
        from registry.errors import InvalidDocumentError, NotFoundError
        from registry.store import tokens

        engine = _engine()
        found = _named_user(engine, username)
        try:
            issued = tokens.create(engine, found.pk, name, scope, days=None if no_expiry else days, actor=_actor(None))
        except InvalidDocumentError as exc:
            raise click.ClickException("; ".join(f"{f.pointer[1:]}: {f.message}" for f in exc.findings)) from None  # type: ignore[attr-defined]
        except NotFoundError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"token {issued.token.pk} ({scope}) for {username}; copy it now, it is not shown again:", err=True)
        click.echo(issued.secret)

    @token.command(name="list")
    @click.argument("username", required=False)
    def token_list(username: str | None) -> None:
        """List tokens (of USERNAME, or everyone's): number, user, name, start, scope, expiry, last use, state."""
        import datetime as dt

        from registry.store import tokens

        now = dt.datetime.now(dt.UTC)
        for t in tokens.listed(_engine()):
            if username is not None and t.username != username:
                continue
            state = "revoked" if t.revoked_at else ("active" if t.usable(now) else "expired")
            expires = t.expires_at.date().isoformat() if t.expires_at else "never"
            used = t.last_used_at.isoformat(timespec="minutes") if t.last_used_at else "never"
            click.echo(f"{t.pk}\t{t.username}\t{t.name}\t{t.prefix}…\t{t.scope}\t{expires}\t{used}\t{state}")

    @token.command(name="revoke")
    @click.argument("number", type=int)
    def token_revoke(number: int) -> None:
        """Revoke token NUMBER (from `ecolabel user token list`)."""
        from registry.errors import NotFoundError
        from registry.store import tokens

        try:
            revoked = tokens.revoke(_engine(), number, actor=_actor(None))
        except NotFoundError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"token {revoked.pk} ({revoked.name}) of {revoked.username} revoked")

    @user.command(name="reset-password")
    @click.argument("username")
    def user_reset_password(username: str) -> None:
        """Give USERNAME a temporary password, printed once; it must be changed at the next sign-in."""
        from registry.store import users

        engine = _engine()
        found = _named_user(engine, username)
        click.echo(users.reset_password(engine, found.pk, actor=_actor(None)))

    @main.group()
    def audit() -> None:
        """The audit trail of every write."""

    @audit.command()
    def verify() -> None:
        """Check the hash chain; name the first broken entry (exit 1) if any."""
        from sqlmodel import Session

        from registry.store import audit as trail

        with Session(_engine()) as session:
            verdict = trail.verify(session)
        if not verdict.ok:
            click.echo(f"audit trail broken at entry {verdict.broken_at}: {verdict.reason}", err=True)
            sys.exit(1)
        click.echo(f"audit trail intact: {verdict.entries} entries")

    @main.group()
    def sheet() -> None:
        """Criteria sheets (XLSX or CSV, one row per criterion) of the database of record."""

    def _format(file: Path) -> str:
        fmt = file.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "csv"):
            raise click.BadParameter(f"{file.name!r}: the file name ends in .xlsx or .csv", param_hint="FILE")
        return fmt

    @sheet.command(name="export")
    @click.argument("ref", metavar="ID[@VERSION]", shell_complete=completion.standard_ids)
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def sheet_export(ref: str, file: Path) -> None:
        """Write a standard's criteria to FILE.xlsx (with its header on a 'document' sheet) or FILE.csv;
        ID alone is the version in force, ID@VERSION any version, drafts included."""
        from registry import sheet as sheets
        from registry.errors import NotFoundError
        from registry.model import DocumentRef

        fmt = _format(file)
        source = store_source()
        try:
            _std, info = source.get(DocumentRef.parse(ref), drafts="@" in ref)
        except NotFoundError as exc:
            raise click.ClickException(f"{ref}: {exc}") from None
        raw = sheets.write(json.loads(source.content(info)), fmt)
        file.write_bytes(raw)
        click.echo(f"{file}: {info.doc_id}@{info.version} ({info.state}), {info.criteria_count} criteria")

    @sheet.command(name="template")
    @click.argument("category")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    def sheet_template(category: str, file: Path) -> None:
        """Write an empty criteria workbook for a category (FILE.xlsx): the columns, the parameters with
        the units they take, and lists to pick from."""
        from registry import sheet as sheets

        if _format(file) != "xlsx":
            raise click.BadParameter("a template is a workbook: FILE.xlsx", param_hint="FILE")
        vocabulary = store_source().vocabulary
        if category not in vocabulary.categories:
            raise click.ClickException(f"no category {category!r} (known: {', '.join(sorted(vocabulary.categories))})")
        rows = sheets.parameter_rows(vocabulary, category)
        file.write_bytes(sheets.template_xlsx(category, rows, sheets.template_header(category)))
        click.echo(f"{file}: template for {category}, {len(rows)} parameters")

    @sheet.command(name="import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--draft", "target", required=True, metavar="ID@VERSION", help="The draft to create or to fill.")
    @_ACTOR
    @click.pass_context
    def sheet_import(ctx: click.Context, file: Path, target: str, actor: str | None) -> None:
        """Make the draft ID@VERSION from a sheet, or replace the criteria of that draft. A CSV holds criteria
        only: the header comes from the draft or the standard's newest version. Exit 1, with
        'FILE: sheet!CELL: message' lines, if anything is wrong; nothing is stored then."""
        from registry import sheet as sheets
        from registry.model import DocumentRef

        _format(file)
        ref = DocumentRef.parse(target)
        if not ref.id or not ref.version:
            raise click.BadParameter(f"{target!r} is not ID@VERSION", param_hint="--draft")
        with file.open("rb") as handle:
            raw = handle.read(sheets.MAX_BYTES + 1)
        engine = _engine()
        from registry.store import service

        try:
            done = service.import_sheet(
                engine, store_source(), _validator(ctx), raw, ref.id, ref.version, actor=_actor(actor)
            )
        except sheets.SheetError as exc:
            for problem in exc.problems[:100]:
                click.echo(f"{file}: {problem}", err=True)
            if len(exc.problems) > 100:
                click.echo(f"{file}: and {len(exc.problems) - 100} more", err=True)
            click.echo("rejected: nothing was stored", err=True)
            sys.exit(1)
        click.echo(f"{ref.id}@{ref.version}: draft {done} from {file}")

    @main.command(name="in-force")
    @click.argument("standard_id", shell_complete=completion.standard_ids)
    @click.option("--date", "on", default=None, help="YYYY-MM-DD [today].")
    def in_force(standard_id: str, on: str | None) -> None:
        """Show which versions of a standard are in force on a date (two in a transition window)."""
        try:
            day = dt.date.fromisoformat(on) if on else dt.date.today()
        except ValueError:
            raise click.BadParameter(f"{on!r} is not a date YYYY-MM-DD", param_hint="--date") from None
        rows = store_source().in_force(day, standard_id)
        if not rows:
            click.echo(f"no version of {standard_id} is known to be in force on {day}")
        for row in rows:
            until = row.in_force_until or "end not recorded"
            click.echo(f"{row.doc_id}@{row.version}  {row.state}  in force {row.in_force_from} .. {until}")
