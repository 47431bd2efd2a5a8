"""Values derived from objects, kept while those very objects are: keyed by ``id``, checked by identity.

Parsed standards, vocabularies and blocks are immutable and kept by the reader by content hash, so
what is derived from them (compiled criteria, a standard's block, a pathway's proof, a batch's
arrays) stays valid as long as the objects are the same. Each entry holds its objects, so their ids
are not reused while it lives; at the limit the whole table is dropped and rebuilt as needed.
"""

from __future__ import annotations

from typing import Generic, TypeVar

V = TypeVar("V")


class ByIdentity(Generic[V]):
    """A bounded table of values, each derived from a tuple of objects."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._found: dict[tuple[int, ...], tuple[tuple[object, ...], V]] = {}

    def get(self, *objects: object) -> V | None:
        """Return the value derived from exactly these objects, if kept."""
        hit = self._found.get(tuple(map(id, objects)))
        if hit is None or any(a is not b for a, b in zip(hit[0], objects, strict=True)):
            return None
        return hit[1]

    def put(self, objects: tuple[object, ...], value: V) -> None:
        """Keep the value derived from the objects."""
        if len(self._found) >= self.limit:
            self._found.clear()
        self._found[tuple(map(id, objects))] = (objects, value)

    def clear(self) -> None:
        """Forget every value (what a fresh process starts without)."""
        self._found.clear()
