"""Safe loading of untrusted JSON: size, encoding, syntax, duplicate keys, constants, depth.

Every problem becomes a finding with a JSON pointer (or the line and column where the
pointer cannot be known); nothing here raises for bad input.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry.findings import Finding, join

MAX_BYTES = 8 * 1024 * 1024
MAX_DEPTH = 64


class _Duplicates(dict[str, Any]):
    """A JSON object that had repeated keys; remembers which."""

    duplicates: list[str]


class _BadNumber:
    """Stands in for NaN, Infinity or an overflowing number until it is reported."""

    def __init__(self, text: str) -> None:
        self.text = text


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    repeated: list[str] = []
    for key, value in pairs:
        if key in obj:
            repeated.append(key)
        obj[key] = value
    if not repeated:
        return obj
    marked = _Duplicates(obj)
    marked.duplicates = repeated
    return marked


def _parse_float(text: str) -> float | _BadNumber:
    value = float(text)
    return value if math.isfinite(value) else _BadNumber(text)


def _parse_int(text: str) -> int | _BadNumber:
    # Python's own digit limit raises ValueError far beyond any real value; keep ours lower.
    if len(text.lstrip("-")) > 300:
        return _BadNumber(text[:20] + "...")
    return int(text)


@dataclass
class Loaded:
    """The result of loading one JSON text: the data, or the findings that stopped it."""

    data: Any = None
    errors: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether the text loaded with no findings."""
        return not self.errors


def _scan(data: Any, max_depth: int, max_nodes: int | None = None) -> list[Finding]:
    """Walk parsed data iteratively: report depth, duplicate keys, bad numbers and too many values."""
    found: list[Finding] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    seen = 0
    while stack:
        node, where, depth = stack.pop()
        seen += 1
        if max_nodes is not None and seen > max_nodes:
            return [Finding("", f"more than {max_nodes} values (objects, arrays, strings, numbers); this is too large")]
        if isinstance(node, _BadNumber):
            found.append(Finding(where, f"{node.text} is not a finite number; JSON allows only finite numbers"))
        elif isinstance(node, dict | list):
            if depth > max_depth:
                found.append(Finding(where, f"nesting deeper than {max_depth} levels"))
                continue
            if isinstance(node, _Duplicates):
                for key in node.duplicates:
                    found.append(Finding(join(where, key), f"duplicate key {key!r} in one object"))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend((v, join(where, k), depth + 1) for k, v in items)
    return sorted(found)


# Byte-order marks and the NUL patterns of ASCII text in the wider encodings (RFC 8259 wants UTF-8).
_WIDE = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _wide_encoding(raw: bytes) -> str | None:
    """Return 'UTF-16' or 'UTF-32' when the bytes are text in one of those encodings."""
    for mark, name in _WIDE:
        if raw.startswith(mark):
            return name
    head = raw[:4]
    if len(head) == 4 and head[0] and not head[1] and not head[2] and not head[3]:
        return "UTF-32"
    if len(head) == 4 and not head[0] and not head[1] and not head[2] and head[3]:
        return "UTF-32"
    if len(head) >= 2 and bool(head[0]) != bool(head[1]):
        return "UTF-16"
    return None


def loads(
    raw: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int | None = None,
    top: type = dict,
    what: str = "file",
) -> Loaded:
    """Parse untrusted bytes as one JSON object (or array, with ``top=list``), reporting every way it is unusable.

    ``what`` names the input in messages ("file", "request body", "criteria field"); ``max_nodes`` bounds
    how many values it may hold, so that later work (schema validation) stays small.
    """
    expected = "an object" if top is dict else "an array"
    if len(raw) > max_bytes:
        return Loaded(errors=[Finding("", f"{what} is {len(raw)} bytes; the limit is {max_bytes} bytes")])
    if not raw.strip():
        return Loaded(errors=[Finding("", f"{what} is empty; expected a JSON {expected[3:]}")])
    if b"\x00" in raw:
        wide = _wide_encoding(raw)
        if wide:
            return Loaded(errors=[Finding("", f"{what} is {wide} text; save it as UTF-8 (JSON is UTF-8)")])
        return Loaded(errors=[Finding("", f"{what} is binary (contains NUL bytes); expected JSON text")])
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Loaded(errors=[Finding("", f"{what} is UTF-16 text; save it as UTF-8 (JSON is UTF-8)")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Loaded(errors=[Finding("", f"{what}: invalid UTF-8 at byte {exc.start}: {exc.reason}")])
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(
            text,
            object_pairs_hook=_object_pairs,
            parse_constant=_BadNumber,
            parse_float=_parse_float,
            parse_int=_parse_int,
        )
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        return Loaded(errors=[Finding("", f"malformed JSON at {where}: {exc.msg}")])
    except RecursionError:
        return Loaded(errors=[Finding("", f"nesting deeper than {max_depth} levels")])
    if not isinstance(data, top):
        kind = type(data).__name__ if not isinstance(data, _BadNumber) else "number"
        kind = {
            "list": "array",
            "str": "string",
            "int": "number",
            "float": "number",
            "bool": "boolean",
            "NoneType": "null",
        }.get(kind, kind)
        return Loaded(errors=[Finding("", f"top level is a JSON {kind}; expected {expected}")])
    problems = _scan(data, max_depth, max_nodes)
    if problems:
        return Loaded(errors=problems)
    return Loaded(data=data)


def load_path(path: Path, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Loaded:
    """Read and parse one file, refusing oversized files before reading them whole."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Loaded(errors=[Finding("", f"file is {size} bytes; the limit is {max_bytes} bytes")])
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        return Loaded(errors=[Finding("", f"cannot read file: {exc.strerror or exc}")])
    return loads(raw, max_bytes=max_bytes, max_depth=max_depth)
