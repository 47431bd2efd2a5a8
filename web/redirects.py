"""Where a ``next`` parameter may send the browser: a path on this site, nothing else."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")  # controls, spaces (browsers strip tabs and newlines), backslashes


def safe_next(target: str | None, default: str = "/") -> str:
    """Return ``target`` when it is a relative path on this site, else ``default``.

    Browsers drop tabs and newlines from URLs and read a backslash as a slash, so '/\\t/evil.example'
    and '/\\\\evil.example' would leave the site: anything with such characters is refused outright.
    """
    if not target or len(target) > 2000 or _UNSAFE.search(target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
