"""What every blueprint shares: the one reader of the registry, the validator, rendered pages, who acts.

Views read only through ``Data.source`` (``registry.store.reader.StoreReader``, the ``Source`` over
the database of record); this module holds no SQL. Public views never pass ``drafts=True``: only
the administrator's pages, behind their role check, ask for drafts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, request

from registry import search
from registry.findings import Finding
from registry.model import DocumentRef
from registry.source import VersionInfo
from registry.store.reader import StoreReader
from registry.validation import Validator
from web.pagecache import PageCache


@dataclass
class Data:
    """The web registry's hold on the registry of record."""

    source: StoreReader
    validator: Validator
    rendered: PageCache = field(default_factory=PageCache)  # pages until the next write; content by hash
    index: search.Index = field(default_factory=search.Index)  # the search index of what the reader lists

    @property
    def engine(self) -> Any:
        """Return the database engine the writes use (``registry.store.service`` takes it)."""
        return self.source.engine

    @property
    def head_seen(self) -> int:
        """Return the audit head the reader reflects (part of every kept page's key)."""
        return self.source.head_seen

    def search(self, query: str, shown: int = search.SHOWN) -> search.Results:
        """Search what the reader lists (no drafts), the index first brought up to the reader's audit head."""
        self.index.sync(self.source, seen=self.source.refresh())
        return self.index.search(query, shown)

    def keep(self, key: tuple[Any, ...], value: Any) -> None:
        """Keep something rendered (bounded in bytes; too large a page is not kept)."""
        self.rendered.put(key, value)

    def content(self, info: VersionInfo) -> str:
        """Return a stored version's canonical JSON (kept by hash once frozen: it never changes again)."""
        found = self.rendered.get(("content", info.sha))
        if found is not None:
            return str(found)
        content = self.source.content(info)
        if info.state != "draft":
            self.keep(("content", info.sha), content)
        return content


def data() -> Data:
    """Return the registry the current app reads."""
    return current_app.extensions["registry"]  # type: ignore[no-any-return]


def actor() -> str:
    """Return who acts, for the audit trail: the signed-in user, and the API token when one is used."""
    from flask import g

    from web.auth import current_user

    user = current_user()
    token = g.get("token")
    if user is not None and token is not None:
        return f"api:{user.username} (token {token.pk} {token.prefix}…)"
    return f"web:{user.username}" if user else "web:?"


def validate_standard(doc: Any) -> list[Finding]:
    """Validate a criteria document in the context of the store (``StoreReader.validate_standard``)."""
    d = data()
    return d.source.validate_standard(doc, d.validator)


def ref_of(text: str) -> DocumentRef:
    """Parse ID or ID@VERSION from a request (ValueError for an empty id)."""
    ref = DocumentRef.parse(text)
    if not ref.id:
        raise ValueError("a standard reference is ID or ID@VERSION")
    return ref


STANDARD_FILTERS = ("label", "category", "kind", "status", "on", "updated_since")


def filtered_versions() -> list[VersionInfo]:
    """Return the stored versions this request's filters select (the standards page and the API list):
    ``label``, ``category``, ``kind``, ``status`` (published, superseded, withdrawn), ``on`` (in force on
    a day) and ``updated_since`` (a public change to the standard at or after a moment)."""
    from web.paging import date_arg, since_arg

    source, args = data().source, request.args
    on, since = date_arg("on"), since_arg("updated_since")
    found = source.in_force(on) if on is not None else source.versions()
    changed = None if since is None else {d for kind, d in source.changed_since(since) if kind == "standard"}
    return [
        v
        for v in found
        if (not args.get("category") or v.category == args["category"])
        and (not args.get("label") or args["label"] in v.labels)
        and (not args.get("kind") or v.kind == args["kind"])
        and (not args.get("status") or v.state == args["status"])
        and (changed is None or v.doc_id in changed)
    ]
