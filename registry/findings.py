"""Validation findings and reports: every problem with its JSON pointer and a message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


def pointer(*parts: str | int) -> str:
    """Build an RFC 6901 JSON pointer from path parts."""
    return "".join([_part(p) for p in parts])


def _part(p: str | int) -> str:
    text = str(p)
    if "~" in text or "/" in text:
        text = text.replace("~", "~0").replace("/", "~1")
    return "/" + text


def join(base: str, *parts: str | int) -> str:
    """Extend a JSON pointer with more path parts."""
    return base + pointer(*parts)


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in a document: where (JSON pointer) and what (a human message)."""

    pointer: str
    message: str
    # A value of the right shape that the schema refuses for what it says (a day that does not exist, a source
    # no reader can follow): the rules can still read the document, so its other problems are found too.
    content: bool = field(default=False, compare=False, repr=False)

    def as_json(self) -> dict[str, str]:
        """Return the finding as the CLI's JSON object."""
        return {"pointer": self.pointer, "message": self.message}

    def __str__(self) -> str:
        """Return the finding as one line of text: '/criteria/2/unit: unknown unit ...' (the root is '/')."""
        return f"{self.pointer or '/'}: {self.message}"


def blocking(findings: Iterable[Finding]) -> bool:
    """Return whether the schema findings leave a document unreadable for the rules (a shape error)."""
    return any(not f.content for f in findings)


MAX_SHOWN = 100  # findings shown to a person or an API client at once
MAX_ECHO = 80  # characters of a value quoted back in a message


def echo(value: Any) -> str:
    """Return a value as quoted in a message: its repr, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 1] + "…"


def capped(findings: Sequence[Any], limit: int = MAX_SHOWN) -> list[Any]:
    """Return at most ``limit`` findings, the last saying how many more there are."""
    items = list(findings)
    if len(items) <= limit:
        return items
    return [*items[: limit - 1], Finding("", f"and {len(items) - limit + 1} more findings")]


@dataclass
class FileReport:
    """The findings for one file."""

    path: str
    errors: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Return whether the file has no errors."""
        return not self.errors

    def extend(self, findings: Iterable[Finding]) -> None:
        """Add findings, keeping each distinct finding once."""
        seen = set(self.errors)
        for f in findings:
            if f not in seen:
                self.errors.append(f)
                seen.add(f)

    def as_json(self) -> dict[str, Any]:
        """Return the report as the CLI's JSON object."""
        return {
            "path": self.path,
            "valid": self.valid,
            "errors": [e.as_json() for e in self.errors],
        }


@dataclass
class Report:
    """The findings for a set of files."""

    files: Sequence[FileReport]

    @property
    def valid(self) -> bool:
        """Return whether every file is valid."""
        return all(f.valid for f in self.files)

    def as_json(self) -> dict[str, Any]:
        """Return the report as the CLI's JSON object."""
        return {"valid": self.valid, "files": [f.as_json() for f in self.files]}

    def lines(self) -> list[str]:
        """Return one 'PATH: /pointer: message' line per error."""
        return [f"{f.path}: {e}" for f in self.files for e in f.errors]
