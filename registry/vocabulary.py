"""The controlled vocabulary: product categories and the parameters each one defines."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from registry import canonical
from registry.model import Category, Parameter


@dataclass(frozen=True)
class Vocabulary:
    """Categories by id; a category inherits the parameters of its broader categories."""

    categories: Mapping[str, Category]
    # (category, parameter) -> the parameter ``parameter`` found: the vocabulary never changes, and a check of 500
    # standards asks it for every criterion and condition.
    _found: dict[tuple[str, str], Parameter] = field(default_factory=dict, repr=False, compare=False, hash=False)
    _fingerprint: list[str] = field(default_factory=list, repr=False, compare=False, hash=False)

    @property
    def fingerprint(self) -> str:
        """Return the SHA-256 of the vocabulary's documents in canonical form (what derived data depends on)."""
        if not self._fingerprint:
            docs = [self.categories[cid].raw for cid in sorted(self.categories)]
            self._fingerprint.append(canonical.sha256(canonical.dumps([dict(d) for d in docs])))
        return self._fingerprint[0]

    @classmethod
    def of(cls, categories: Iterable[Category]) -> Vocabulary:
        """Build from categories (the first of a repeated id wins; validation reports the rest)."""
        found: dict[str, Category] = {}
        for cat in categories:
            found.setdefault(cat.id, cat)
        return cls(found)

    def lineage(self, category: str) -> Iterator[Category]:
        """Yield a category, then its broader ones, stopping at unknown ids or a cycle."""
        seen: set[str] = set()
        current: str | None = category
        while current is not None and current in self.categories and current not in seen:
            seen.add(current)
            cat = self.categories[current]
            yield cat
            current = cat.broader

    def parameter(self, category: str, parameter: str) -> Parameter | None:
        """Return a parameter as defined for a category or inherited, or None."""
        key = (category, parameter)
        hit = self._found.get(key)
        if hit is not None:
            return hit
        for cat in self.lineage(category):
            if parameter in cat.parameters:
                self._found[key] = found = cat.parameters[parameter]  # hits only: a hostile name is not kept
                return found
        return None

    def parameters(self, category: str) -> dict[str, Parameter]:
        """Return every parameter usable in a category, own ones first."""
        merged: dict[str, Parameter] = {}
        for cat in self.lineage(category):
            for pid, param in cat.parameters.items():
                merged.setdefault(pid, param)
        return merged

    def within(self, category: str, ancestor: str) -> bool:
        """Return whether a category is the ancestor or narrower than it."""
        return any(cat.id == ancestor for cat in self.lineage(category))
