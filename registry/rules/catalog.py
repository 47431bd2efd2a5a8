"""Rules across documents: unique ids, references that resolve, versions that follow each other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from itertools import pairwise

from registry import dates
from registry.catalog import Catalog, Entry
from registry.findings import Finding, pointer
from registry.model import DocumentRef
from registry.versions import version_key

Located = tuple[Entry, Finding]


def unique_ids(cat: Catalog) -> Iterator[Located]:
    """An id (an id@version for standards) is used by one document only, and by one kind only."""
    first: dict[tuple[str, str], Entry] = {}
    kind_of: dict[str, Entry] = {}
    for entry in cat.entries:
        if entry.kind == "product":
            continue
        if entry.key in first:
            other = first[entry.key]
            yield entry, Finding("/id", f"{entry.key[1]} is already defined in {other.path}")
            yield other, Finding("/id", f"{entry.key[1]} is defined again in {entry.path}")
            continue
        first[entry.key] = entry
        ident = entry.key[1].split("@")[0]
        other = kind_of.setdefault(ident, entry)
        if other.kind != entry.kind:
            yield (
                entry,
                Finding("/id", f"id {ident!r} is already used by a {other.kind} in {other.path}"),
            )


def _label_refs(entry: Entry, field: str, cat: Catalog) -> Iterator[Located]:
    for i, label in enumerate(entry.data.get(field, ())):
        if label not in cat.labels:
            yield entry, Finding(pointer(field, i), f"unknown label programme {label!r}")


def standard_references(cat: Catalog) -> Iterator[Located]:
    """A standard's labels, parties and parent documents exist."""
    for entry in cat.reported("standard"):
        yield from _label_refs(entry, "labels", cat)
        yield from _label_refs(entry, "parties", cat)
        for i, parent in enumerate(entry.data.get("parents", ())):
            ref = DocumentRef.from_json(parent)
            if ref.id == entry.data["id"]:
                yield entry, Finding(pointer("parents", i), "a document cannot be its own parent")
            elif not cat.has(ref):
                yield entry, Finding(pointer("parents", i), f"unknown parent document {ref}")


def agreement_references(cat: Catalog) -> Iterator[Located]:
    """An agreement's parties, categories and standards exist."""
    for entry in cat.reported("agreement"):
        yield from _label_refs(entry, "parties", cat)
        scope = entry.data["scope"]
        for i, category in enumerate(scope.get("categories", ())):
            if category not in cat.vocabulary.categories:
                yield (
                    entry,
                    Finding(pointer("scope", "categories", i), f"unknown product category {category!r}"),
                )
        for i, raw in enumerate(scope.get("standards", ())):
            ref = DocumentRef.from_json(raw)
            if not cat.has(ref):
                yield entry, Finding(pointer("scope", "standards", i), f"unknown standard {ref}")
        for i, cond in enumerate(entry.data.get("conditions", ())):
            granted_by = cond.get("granted_by")
            if granted_by and granted_by not in entry.data["parties"]:
                yield (
                    entry,
                    Finding(
                        pointer("conditions", i, "granted_by"),
                        f"{granted_by!r} is not a party of this agreement",
                    ),
                )


def _standard_entries(cat: Catalog) -> dict[str, list[Entry]]:
    """Return the standards' entries by id, oldest version first (with a focus, only its standard's)."""
    grouped: dict[str, list[Entry]] = defaultdict(list)
    focus = cat.focus
    if focus is not None and focus.kind != "standard":
        return grouped
    for entry in cat.iter_entries("standard"):
        if focus is None or entry.data["id"] == focus.data["id"]:
            grouped[entry.data["id"]].append(entry)
    for entries in grouped.values():
        entries.sort(key=lambda e: version_key(e.data["version"]))
    return {sid: entries for sid, entries in grouped.items() if len(entries) > 1}  # one version: nothing to compare


def versions_increase(cat: Catalog) -> Iterator[Located]:
    """A later version of a standard is not published before an earlier one."""
    for entries in _standard_entries(cat).values():
        dated = [e for e in entries if e.data["dates"].get("published")]
        for older, newer in pairwise(dated):
            if older.data["version"] == newer.data["version"]:
                continue  # a repeated version is reported by unique_ids
            try:
                wrong = dates.surely_before(older.data["dates"]["published"], newer.data["dates"]["published"])
            except dates.DateError:
                continue
            if wrong:
                new, old = newer.data, older.data
                new_pub, old_pub = new["dates"]["published"], old["dates"]["published"]
                yield (
                    newer,
                    Finding(
                        "/version",
                        (
                            f"version {new['version']} (published {new_pub}) orders after version "
                            f"{old['version']} (published {old_pub}) but was published earlier; versions must increase"
                        ),
                    ),
                )
                yield (
                    older,
                    Finding(
                        "/version",
                        (
                            f"version {old['version']} (published {old_pub}) orders before version "
                            f"{new['version']} (published {new_pub}) but was published later; versions must increase"
                        ),
                    ),
                )


def stable_criterion_ids(cat: Catalog) -> Iterator[Located]:
    """A criterion id keeps its parameter across every version of a standard."""
    for entries in _standard_entries(cat).values():
        meaning: dict[str, tuple[str, Entry]] = {}
        for entry in entries:
            for i, crit in enumerate(entry.data["criteria"]):
                known = meaning.setdefault(crit["id"], (crit["parameter"], entry))
                if known[0] != crit["parameter"] and known[1] is not entry:
                    yield (
                        entry,
                        Finding(
                            pointer("criteria", i, "parameter"),
                            (
                                f"criterion id {crit['id']!r} meant parameter {known[0]!r} in version "
                                f"{known[1].data['version']}; a criterion id is never reused for another "
                                f"meaning (give this criterion a new id)"
                            ),
                        ),
                    )


def vocabulary_links(cat: Catalog) -> Iterator[Located]:
    """A broader category exists and the broader chain has no cycle."""
    for entry in cat.reported("vocabulary"):
        broader = entry.data["category"].get("broader")
        if broader is None:
            continue
        if broader not in cat.vocabulary.categories:
            yield entry, Finding("/category/broader", f"unknown broader category {broader!r}")
            continue
        chain = [c.id for c in cat.vocabulary.lineage(broader)]
        if entry.data["category"]["id"] in chain:
            yield (
                entry,
                Finding("/category/broader", f"broader categories form a cycle: {' -> '.join(chain)}"),
            )


def product_labels(cat: Catalog) -> Iterator[Located]:
    """Labels a product holds exist, and so do the standards it names."""
    for entry in cat.reported("product"):
        for i, held in enumerate(entry.data.get("labels_held", ())):
            if held["label"] not in cat.labels:
                yield (
                    entry,
                    Finding(
                        pointer("labels_held", i, "label"),
                        f"unknown label programme {held['label']!r}",
                    ),
                )
            if "standard" in held and not cat.has(DocumentRef.from_json(held["standard"])):
                yield (
                    entry,
                    Finding(
                        pointer("labels_held", i, "standard"),
                        f"unknown standard {DocumentRef.from_json(held['standard'])}",
                    ),
                )


def licence_references(cat: Catalog) -> Iterator[Located]:
    """A licence names a known label and a standard of that label; it is not granted before the standard was
    published, and its products' declarations are of the standard's category."""
    for entry in cat.reported("licence"):
        data = entry.data
        if data["label"] not in cat.labels:
            yield entry, Finding("/label", f"unknown label programme {data['label']!r}")
        ref = DocumentRef.from_json(data["standard"])
        if not cat.has(ref):
            yield entry, Finding("/standard", f"unknown standard {ref}")
            continue
        std = cat.standard(ref)
        if std.status not in ("published", "superseded"):
            yield entry, Finding("/standard", f"{ref} is a {std.status} version; a licence names a published one")
        if data["label"] in cat.labels and data["label"] not in std.labels:
            yield (
                entry,
                Finding("/label", f"{ref} is a standard of {', '.join(std.labels)}, not of {data['label']!r}"),
            )
        awarded, published = data["dates"].get("awarded"), std.dates.get("published")
        try:
            early = bool(awarded and published and dates.surely_before(published, awarded))
        except dates.DateError:
            early = False  # refused by the schemas
        if early:
            yield entry, Finding("/dates/awarded", f"awarded {awarded}, before {ref} was published ({published})")
        for i, product in enumerate(data["products"]):
            declared = product.get("declaration", {}).get("category")
            if declared and declared in cat.vocabulary.categories and not cat.vocabulary.within(declared, std.category):
                yield (
                    entry,
                    Finding(
                        pointer("products", i, "declaration", "category"),
                        f"a declaration of {declared!r}, but {ref} is a standard for {std.category!r}",
                    ),
                )


RULES: tuple[Callable[[Catalog], Iterator[Located]], ...] = (
    unique_ids,
    standard_references,
    agreement_references,
    versions_increase,
    stable_criterion_ids,
    vocabulary_links,
    product_labels,
    licence_references,
)
