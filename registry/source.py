"""The one way to read the registry: the ``Source`` port, what it lists, and the folder implementation.

Everything that reads documents (the command line, the qualification checker, every web view)
reads a ``Source``: the standards folder (``FolderSource``) or the database of record
(``registry.store.reader.StoreReader``). A draft is returned only when it is named **and** the
caller says drafts are allowed; without ``drafts=True`` a draft is exactly as absent as a version
that was never stored, and no message names it.
"""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from registry import canonical, in_force, truth
from registry.catalog import Catalog, Entry
from registry.errors import NotFoundError
from registry.model import Agreement, DocumentRef, Label, Standard, Text
from registry.versions import version_key
from registry.vocabulary import Vocabulary


@dataclass(frozen=True)
class VersionInfo:
    """One stored version as lists show it: its state and dates, and a summary of its content."""

    doc_id: str
    version: str
    state: str
    category: str
    sha: str
    lock_version: int
    in_force_from: dt.date | None
    in_force_until: dt.date | None
    title: Text = field(default_factory=dict, compare=False)
    kind: str = ""
    labels: tuple[str, ...] = ()
    designation: str | None = None
    criteria_count: int = 0
    with_value: int = 0  # criteria with their value, and of those verified (``truth.completeness``)
    verified: int = 0
    complete: bool = False  # the document says every criterion of the official text is recorded

    @property
    def completeness(self) -> truth.Completeness:
        """Return how much of the document is known, as its page shows it (``truth.completeness``)."""
        return truth.Completeness(self.criteria_count, self.with_value, self.verified, self.complete)

    @property
    def ref(self) -> str:
        """Return the reference ID@VERSION."""
        return f"{self.doc_id}@{self.version}"

    @property
    def adopted(self) -> bool:
        """Return whether the version counts as adopted (published or superseded)."""
        return self.state in in_force.ADOPTED

    def spans(self, on: dt.date) -> bool:
        """Return whether the version's own dates span a day (no known start: never)."""
        start, until = self.in_force_from, self.in_force_until
        return start is not None and start <= on and (until is None or on <= until)

    @classmethod
    def of(cls, data: Mapping[str, Any], *, state: str, sha: str, lock_version: int = 1) -> VersionInfo:
        """Summarise a criteria document stored in a state."""
        start, until = in_force.window(data)
        criteria = [c for c in data.get("criteria") or () if isinstance(c, Mapping)]
        known = truth.completeness(Standard.from_json(data))
        return cls(
            doc_id=str(data["id"]),
            version=str(data["version"]),
            state=state,
            category=str(data.get("category", "")),
            sha=sha,
            lock_version=lock_version,
            in_force_from=start,
            in_force_until=until,
            title=dict(data.get("title") or {}),
            kind=str(data.get("kind", "")),
            labels=tuple(data.get("labels") or ()),
            designation=data.get("designation"),
            criteria_count=len(criteria),
            with_value=known.with_value,
            verified=known.verified,
            complete=known.complete,
        )

    def content_summary(self) -> str:
        """Return what this listing says of the content alone, as JSON (no state, no lock: see ``of``)."""
        start, until = self.in_force_from, self.in_force_until
        return json.dumps(
            {
                "title": self.title,
                "kind": self.kind,
                "labels": list(self.labels),
                "designation": self.designation,
                "criteria_count": self.criteria_count,
                "in_force_from": start.isoformat() if start else None,
                "in_force_until": until.isoformat() if until else None,
                "record": [self.with_value, self.verified, self.complete],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_content_summary(cls, text: str, *, sha: str) -> VersionInfo:
        """Return the listing of content from its ``content_summary`` (state and lock to be filled in)."""
        found = json.loads(text)
        start, until = found["in_force_from"], found["in_force_until"]
        return cls(
            doc_id="",
            version="",
            state="",
            category="",
            sha=sha,
            lock_version=1,
            in_force_from=dt.date.fromisoformat(start) if start else None,
            in_force_until=dt.date.fromisoformat(until) if until else None,
            title=found["title"],
            kind=found["kind"],
            labels=tuple(found["labels"]),
            designation=found["designation"],
            criteria_count=found["criteria_count"],
            with_value=found["record"][0],
            verified=found["record"][1],
            complete=found["record"][2],
        )


def criteria_lines(data: Mapping[str, Any]) -> str:
    """Return what a search reads of a document's criteria: one line per criterion,
    "id<TAB>parameter<TAB>lang=title<TAB>...", kept as one string (a tuple of objects per criterion took ten
    times the memory at 10,000 standards). Not part of a listing: only a search needs it."""

    def titles(c: Mapping[str, Any]) -> list[tuple[str, Any]]:
        found = c.get("title")
        return sorted(found.items()) if isinstance(found, Mapping) else []

    criteria = [c for c in data.get("criteria") or () if isinstance(c, Mapping)]
    return "\n".join(
        "\t".join([_flat(c.get("id")), _flat(c.get("parameter"))] + [f"{k}={_flat(v)}" for k, v in titles(c)])
        for c in criteria
    )


def criteria_of(lines: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """Yield each criterion's id, parameter and titles by language from ``criteria_lines``."""
    for line in lines.splitlines():
        ident, parameter, *titles = line.split("\t")
        yield ident, parameter, dict(t.split("=", 1) for t in titles if "=" in t)


def _flat(value: Any) -> str:
    """Return a value as one line without tabs (a field of ``criteria_lines``)."""
    return " ".join(str(value).split())


def not_found(doc_id: str, version: str | None, listed: Sequence[VersionInfo]) -> NotFoundError:
    """Return the error for a reference that names nothing the caller may see (a hidden draft is named
    exactly like a version that was never stored: the message echoes neither)."""
    if not listed:
        return NotFoundError("no standard has that id")
    known = ", ".join(v.version for v in listed)
    if version is None:
        return NotFoundError(f"{doc_id} has no published version; name one: {known}")
    return NotFoundError(f"{doc_id} has no such version (versions: {known})")


def pick_version(doc_id: str, version: str | None, infos: Sequence[VersionInfo], *, drafts: bool) -> VersionInfo:
    """Return the version a reference names (no version: the published one, else the newest adopted);
    drafts count only when ``drafts`` is allowed."""
    visible = [v for v in infos if drafts or v.state != "draft"]
    if version is not None:
        for v in visible:
            if v.version == version:
                return v
        raise not_found(doc_id, version, [v for v in visible if v.state != "draft"])
    published = [v for v in visible if v.state == "published"] or [v for v in visible if v.adopted]
    if not published:
        raise not_found(doc_id, None, [v for v in visible if v.state != "draft"])
    return published[-1]


def in_force_on(infos: Iterable[VersionInfo], on: dt.date) -> list[VersionInfo]:
    """Return, per standard, the adopted versions in force on a day (the one rule: ``in_force.current_keys``),
    by id, newest first."""
    listed = list(infos)
    by_key = {(v.doc_id, v.version): v for v in listed}
    keys = in_force.current_keys((v.doc_id, v.version, v.adopted, v.spans(on), v.in_force_until) for v in listed)
    return [by_key[k] for k in keys]


class Deferred(Standard):
    """A stored version known from its listing: what the listing says is here at once, the rest is read and
    parsed when first asked for (``load``: a reader reads the standards deferred together at once). A check of
    hundreds of standards whose criteria are kept as arrays (``registry.qualification.outcomes.blocks``) parses
    none of them; its report's words parse them all; a page of one standard (``get``) parses that one."""

    def __init__(self, info: VersionInfo, load: Callable[[], Standard]) -> None:
        # Standard is a frozen dataclass: the fields are set in the instance's dict, as its own __init__ does.
        self.__dict__.update(
            id=info.doc_id,
            version=info.version,
            title=info.title,
            kind=info.kind,
            labels=info.labels,
            category=info.category,
            designation=info.designation,
            sha=info.sha,
            _listed_complete=info.complete,
            _load=load,
        )

    def __getattr__(self, name: str) -> Any:
        """Read and parse the document on the first use of a field the listing does not hold."""
        if name.startswith("__") or name in ("_load", "_listed_complete") or self.loaded:
            raise AttributeError(name)
        self.fill(self.__dict__["_load"]())
        return getattr(self, name)

    @property
    def loaded(self) -> bool:
        """Return whether the document has been read."""
        return "criteria" in self.__dict__

    def fill(self, full: Standard) -> None:
        """Take the parsed document's fields (read once, by ``load`` or by a reader reading many at once)."""
        if full.sha != self.__dict__["sha"]:
            raise NotFoundError(f"{self.id}@{self.version} changed while it was read; try again")
        found = {f.name: getattr(full, f.name) for f in dataclasses.fields(Standard) if f.name not in self.__dict__}
        self.__dict__.update(found)  # at once: another thread sees every field or none of them

    @property
    def complete(self) -> bool:
        """Return whether every criterion of the official text is recorded (the listing says)."""
        return bool(self.__dict__["_listed_complete"])


class Source(Protocol):
    """Where the registry is read: standards (drafts only when allowed), labels, agreements, vocabulary."""

    @property
    def vocabulary(self) -> Vocabulary:
        """Return the parameter vocabulary."""

    @property
    def labels(self) -> Mapping[str, Label]:
        """Return the label programmes by id."""

    @property
    def agreements(self) -> Sequence[Agreement]:
        """Return every agreement."""

    def versions(self, doc_id: str | None = None, *, drafts: bool = False) -> list[VersionInfo]:
        """Return stored versions (all standards, or one), oldest first per standard."""

    def info(self, ref: DocumentRef, *, drafts: bool = False) -> VersionInfo:
        """Return the version a reference names, or raise NotFoundError."""

    def get(self, ref: DocumentRef, *, drafts: bool = False) -> tuple[Standard, VersionInfo]:
        """Return the parsed version a reference names and its listing, or raise NotFoundError."""

    def standard(self, ref: DocumentRef, *, drafts: bool = False) -> Standard | None:
        """Return one version (the published one when the version is omitted), or None."""

    def listed(self, categories: Sequence[str], *, drafts: bool = False) -> list[VersionInfo]:
        """Return the stored versions of the categories; drafts only when allowed."""

    def deferred(self, infos: Sequence[VersionInfo]) -> list[Standard]:
        """Return the documents of listed versions, parsed now or when first read beyond their listing."""

    def current(self, categories: Sequence[str], on: dt.date) -> list[Standard]:
        """Return the versions of the categories in force on the day (``in_force_on``), by id, newest first;
        a source may defer parsing them until more than their listing is read (``Deferred``)."""

    def criteria_texts(self, infos: Sequence[VersionInfo]) -> dict[str, str]:
        """Return the ``criteria_lines`` of listed versions, by content hash (what a search indexes)."""


class Reading(abc.ABC):
    """What every source does the same way, given its catalogue of records, its listings and a parser."""

    @property
    @abc.abstractmethod
    def catalog(self) -> Catalog:
        """Return the labels, agreements and vocabularies as a catalogue."""

    @property
    def vocabulary(self) -> Vocabulary:
        """Return the parameter vocabulary."""
        return self.catalog.vocabulary

    @property
    def labels(self) -> Mapping[str, Label]:
        """Return the label programmes by id."""
        return self.catalog.labels

    @property
    def agreements(self) -> Sequence[Agreement]:
        """Return every agreement, by id."""
        return sorted(self.catalog.agreements.values(), key=lambda a: a.id)

    @abc.abstractmethod
    def versions(self, doc_id: str | None = None, *, drafts: bool = False) -> list[VersionInfo]:
        """Return stored versions (all standards, or one), oldest first per standard."""

    @abc.abstractmethod
    def info(self, ref: DocumentRef, *, drafts: bool = False) -> VersionInfo:
        """Return the listing of the version a reference names."""

    @abc.abstractmethod
    def parsed(self, infos: Sequence[VersionInfo]) -> list[Standard]:
        """Return the documents of listed versions."""

    def get(self, ref: DocumentRef, *, drafts: bool = False) -> tuple[Standard, VersionInfo]:
        """Return the parsed version a reference names and its listing."""
        info = self.info(ref, drafts=drafts)
        return self.parsed([info])[0], info

    def standard(self, ref: DocumentRef, *, drafts: bool = False) -> Standard | None:
        """Return one version (the published one when the version is omitted), or None."""
        try:
            return self.get(ref, drafts=drafts)[0]
        except NotFoundError:
            return None

    def listed(self, categories: Sequence[str], *, drafts: bool = False) -> list[VersionInfo]:
        """Return the stored versions of the categories; drafts only when allowed."""
        wanted = set(categories)
        return [v for v in self.versions(drafts=drafts) if v.category in wanted]

    def deferred(self, infos: Sequence[VersionInfo]) -> list[Standard]:
        """Return the documents of listed versions, parsed now or when first read beyond their listing."""
        return self.parsed(infos)

    def current(self, categories: Sequence[str], on: dt.date) -> list[Standard]:
        """Return the versions of the categories in force on the day (``in_force_on``), by id, newest first."""
        return self.deferred(in_force_on([v for v in self.listed(categories) if v.adopted and v.spans(on)], on))

    def criteria_texts(self, infos: Sequence[VersionInfo]) -> dict[str, str]:
        """Return the ``criteria_lines`` of listed versions, by content hash (what a search indexes)."""
        return {v.sha: criteria_lines(std.raw) for v, std in zip(infos, self.parsed(infos), strict=True)}


class FolderSource(Reading):
    """A source over a validated catalogue (the standards folder): its documents carry their own status."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._infos: dict[str, list[VersionInfo]] = {}
        seen: set[tuple[str, str]] = set()
        for entry in catalog.iter_entries("standard"):
            raw = entry.data
            if entry.key in seen:
                continue  # a repeated id@version: the catalogue keeps the first, and so does this
            seen.add(entry.key)
            sha = canonical.sha256(canonical.dumps(raw))
            info = VersionInfo.of(raw, state=str(raw.get("status", "")), sha=sha)
            self._infos.setdefault(info.doc_id, []).append(info)
        for infos in self._infos.values():
            infos.sort(key=lambda v: version_key(v.version))

    @property
    def catalog(self) -> Catalog:
        """Return the folder's catalogue (its standards too)."""
        return self._catalog

    def versions(self, doc_id: str | None = None, *, drafts: bool = False) -> list[VersionInfo]:
        """Return the catalogue's versions, oldest first per standard."""
        ids = sorted(self._infos) if doc_id is None else [doc_id]
        return [v for i in ids for v in self._infos.get(i, ()) if drafts or v.state != "draft"]

    def info(self, ref: DocumentRef, *, drafts: bool = False) -> VersionInfo:
        """Return the listing of the version a reference names."""
        return pick_version(ref.id, ref.version, self._infos.get(ref.id, ()), drafts=drafts)

    def parsed(self, infos: Sequence[VersionInfo]) -> list[Standard]:
        """Return the catalogue's documents of listed versions."""
        return [self.catalog.standard(DocumentRef(v.doc_id, v.version)) for v in infos]

    def entries(self) -> list[Entry]:
        """Return every document as validation context."""
        return list(self.catalog.entries)
