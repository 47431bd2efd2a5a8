"""The set of loaded documents, with lookups by id and version."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.errors import NotFoundError
from registry.model import Agreement, Category, DocumentRef, Label, Licence, Standard
from registry.versions import version_key
from registry.vocabulary import Vocabulary


@dataclass(frozen=True)
class Entry:
    """One schema-valid document and the file it came from."""

    path: str
    kind: str
    data: Mapping[str, Any] = field(repr=False)

    @functools.cached_property
    def key(self) -> tuple[str, str]:
        """Return the (kind, identity) under which the document must be unique (worked out once: the entries
        of a context are asked again for every document validated in it)."""
        if self.kind == "standard":
            return self.kind, f"{self.data['id']}@{self.data['version']}"
        if self.kind == "vocabulary":
            return self.kind, str(self.data["category"]["id"])
        if self.kind == "product":
            return self.kind, self.path
        return self.kind, str(self.data["id"])


class Catalog:
    """Labels, standards (every version), agreements and the vocabulary of a document set."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: list[Entry] = list(entries)
        by_kind: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.entries:
            by_kind[entry.kind].append(entry)
        self.vocabulary = Vocabulary.of(Category.from_json(e.data) for e in by_kind["vocabulary"])
        self.labels: dict[str, Label] = {}
        for e in by_kind["label"]:
            self.labels.setdefault(e.data["id"], Label.from_json(e.data))
        self.agreements: dict[str, Agreement] = {}
        for e in by_kind["agreement"]:
            self.agreements.setdefault(e.data["id"], Agreement.from_json(e.data))
        self.licences: dict[str, Licence] = {}
        for e in by_kind["licence"]:
            self.licences.setdefault(e.data["id"], Licence.from_json(e.data))
        versions: dict[str, dict[str, Standard]] = defaultdict(dict)
        for e in by_kind["standard"]:
            versions[e.data["id"]].setdefault(e.data["version"], Standard.from_json(e.data))
        self._by_id = {sid: sorted(vs.values(), key=lambda s: version_key(s.version)) for sid, vs in versions.items()}
        self._pending: Entry | None = None  # a standard that leads the catalogue, parsed when first needed
        self.focus: Entry | None = None  # the one document whose findings are wanted (``led_by``), if any

    @property
    def _versions(self) -> dict[str, list[Standard]]:
        pending = self._pending
        if pending is not None:
            std = Standard.from_json(pending.data)
            same = [s for s in self._by_id.get(std.id, ()) if s.version != std.version]
            ordered = sorted([std, *same], key=lambda s: version_key(s.version))
            self._by_id = {std.id: ordered} | {k: v for k, v in self._by_id.items() if k != std.id}
            self._pending = None
        return self._by_id

    def led_by(self, entry: Entry) -> Catalog:
        """Return the catalogue of ``[entry, *others]`` (others: every entry from another file): the entry wins
        over a namesake, as in a full build, and is its focus: the rules across documents report on it only.
        Validating one document in context takes this path, so the context's documents are not parsed again
        (only a vocabulary rebuilds everything), and a standard is parsed only if a rule asks for it."""
        entries = [entry, *(e for e in self.entries if e.path != entry.path)]
        if entry.kind == "vocabulary" or len(entries) != len(self.entries) + 1:
            new = Catalog(entries)
            new.focus = entry
            return new
        new = object.__new__(Catalog)
        new.entries = entries
        new.focus = entry
        new.vocabulary = self.vocabulary
        new.labels, new.agreements, new.licences = self.labels, self.agreements, self.licences
        new._by_id, new._pending = self._versions, None
        data = entry.data
        records: dict[str, tuple[str, Callable[[Mapping[str, Any]], Any]]] = {
            "label": ("labels", Label.from_json),
            "agreement": ("agreements", Agreement.from_json),
            "licence": ("licences", Licence.from_json),
        }
        if entry.kind in records:
            name, parse = records[entry.kind]
            first = {data["id"]: parse(data)}
            old: dict[str, Any] = getattr(self, name)
            setattr(new, name, first | {k: v for k, v in old.items() if k != data["id"]})
        elif entry.kind == "standard":
            new._pending = entry
        return new

    @property
    def standards(self) -> list[Standard]:
        """Return every version of every standard, by id then version."""
        return [s for sid in sorted(self._versions) for s in self._versions[sid]]

    def versions(self, standard_id: str) -> list[Standard]:
        """Return the versions of one standard, oldest first."""
        return list(self._versions.get(standard_id, ()))

    def standard(self, ref: DocumentRef | str) -> Standard:
        """Return one version; without a version, the latest published one."""
        ref = DocumentRef.parse(ref) if isinstance(ref, str) else ref
        versions = self._versions.get(ref.id)
        if not versions:
            raise NotFoundError(f"no standard with id {ref.id!r}")
        if ref.version is not None:
            for std in versions:
                if std.version == ref.version:
                    return std
            known = ", ".join(s.version for s in versions)
            raise NotFoundError(f"{ref.id} has no version {ref.version!r} (versions: {known})")
        published = [s for s in versions if s.status == "published"]
        if not published:
            known = ", ".join(f"{s.version} ({s.status})" for s in versions)
            raise NotFoundError(f"{ref.id} has no published version; name one: {known}")
        return published[-1]

    def has(self, ref: DocumentRef) -> bool:
        """Return whether a standard (and the version, if given) exists."""
        versions = self._versions.get(ref.id, ())
        return bool(versions) and (ref.version is None or any(s.version == ref.version for s in versions))

    def kind_of_id(self, ident: str) -> str | None:
        """Return which kind of document an id names: label, standard, agreement, licence, parameter, category."""
        if ident in self.labels:
            return "label"
        if ident in self._versions:
            return "standard"
        if ident in self.agreements:
            return "agreement"
        if ident in self.licences:
            return "licence"
        if any(ident in cat.parameters for cat in self.vocabulary.categories.values()):
            return "parameter"
        if ident in self.vocabulary.categories:
            return "category"
        return None

    def iter_entries(self, kind: str) -> Iterator[Entry]:
        """Yield the entries of one kind."""
        return (e for e in self.entries if e.kind == kind)

    def reported(self, kind: str) -> Iterator[Entry]:
        """Yield the entries of one kind whose findings are wanted: the focus alone, if the catalogue has one."""
        if self.focus is not None:
            return iter([self.focus] if self.focus.kind == kind else [])
        return self.iter_entries(kind)
