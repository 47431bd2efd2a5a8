"""Ordering of version labels such as '2006', '2016-08', '1.3', 'v2.10'."""

from __future__ import annotations

import re

_PART = re.compile(r"\d+|[A-Za-z]+")


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Return a sort key: numeric parts compare as numbers, letters as lower-case text."""
    key: list[tuple[int, int | str]] = []
    for part in _PART.findall(version):
        key.append((1, int(part)) if part.isdigit() else (0, part.lower()))
    return tuple(key)
