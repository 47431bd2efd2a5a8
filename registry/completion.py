"""Shell completion of document ids (``ecolabel show de-<TAB>``), read from the documents folder.

Click's completion calls these with the partly typed word. The folder is ``--standards`` when given on
the command line, else the bundled documents; each file is read as plain JSON (no validation, so a
keypress stays fast) and files that cannot be read are passed over. An argument that also takes a
file offers file names too.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from registry.paths import bundled

STANDARD = "urn:ecolabel:schema:criteria-document:1"
STORED_KINDS = ("label-programme", "agreement", "licence", "criteria-document")


def _folder(ctx: click.Context) -> Path:
    given = ctx.find_root().params.get("standards")
    return Path(given) if given else bundled("standards")


def known(folder: Path, *, standards_only: bool = False) -> list[str]:
    """Return the ids in a documents folder, and ``ID@VERSION`` for each criteria document."""
    found: set[str] = set()
    for path in folder.rglob("*.json"):
        try:
            data = json.loads(path.read_bytes())
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            continue
        schema = str(data.get("$schema", ""))
        if schema == STANDARD:
            found.add(data["id"])
            if isinstance(data.get("version"), str):
                found.add(f"{data['id']}@{data['version']}")
        elif not standards_only and any(f"schema:{kind}:" in schema for kind in STORED_KINDS):
            found.add(data["id"])
    return sorted(found)


def _matching(ctx: click.Context, incomplete: str, standards_only: bool) -> list[CompletionItem]:
    return [CompletionItem(i) for i in known(_folder(ctx), standards_only=standards_only) if i.startswith(incomplete)]


def document_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Complete the id of any document (label, agreement, licence, standard; ``ID@VERSION`` too)."""
    return _matching(ctx, incomplete, standards_only=False)


def standard_ids(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Complete the id of a criteria document (``ID`` or ``ID@VERSION``)."""
    return _matching(ctx, incomplete, standards_only=True)


def standard_ids_or_files(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Complete a standard's id, or a file name (the shell lists the files)."""
    return [*_matching(ctx, incomplete, standards_only=True), CompletionItem(incomplete, type="file")]
