"""``-`` on the command line: a document read from standard input where a file is expected.

Standard input is read once and at most ``jsonfile.MAX_BYTES`` + 1 bytes of it (more is reported as
too large by ``jsonfile.loads``). Commands that work on paths (``validate``, ``import``) get a
temporary file standing in for it, and report it under the name ``-`` again.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from registry import jsonfile

DASH = "-"
NAME = "stdin.json"


def read() -> bytes:
    """Return the bytes of standard input, up to one byte over the size limit."""
    return sys.stdin.buffer.read(jsonfile.MAX_BYTES + 1)


def load() -> jsonfile.Loaded:
    """Parse standard input as one JSON document (errors as findings, never an exception)."""
    return jsonfile.loads(read(), what="standard input")


@contextlib.contextmanager
def as_paths(paths: Sequence[Path]) -> Iterator[tuple[list[Path], str | None]]:
    """Yield the paths with ``-`` replaced by a temporary file holding standard input, and that file's
    name (None without ``-``), so that reports can name it ``-`` again. ``-`` may be given once."""
    if sum(str(p) == DASH for p in paths) > 1:
        raise click.UsageError("'-' (standard input) may be given once")
    if all(str(p) != DASH for p in paths):
        yield list(paths), None
        return
    with tempfile.TemporaryDirectory(prefix="ecolabel-stdin-") as folder:
        stand_in = Path(folder) / NAME
        stand_in.write_bytes(read())
        yield [stand_in if str(p) == DASH else p for p in paths], str(stand_in)


def shown(path: str, stand_in: str | None) -> str:
    """Return how a reported path is shown: ``-`` for standard input's stand-in."""
    return DASH if stand_in is not None and path == stand_in else path
