"""Canonical JSON: one byte form per document, so that equal content has an equal SHA-256."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def dumps(data: Any) -> str:
    """Return the canonical text: sorted keys, no insignificant space, UTF-8 characters kept."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def pretty(data: Any) -> str:
    """Return the export form: sorted keys, two-space indent, a final newline."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def sha256(text: str) -> str:
    """Return the hex SHA-256 of a text's UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
