"""The qualification check as the web runs it, for anonymous callers: bounded input, bounded work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, request

from registry import jsonfile
from registry.errors import InvalidDocumentError
from registry.qualification import Checker
from web import throttle

MAX_BYTES = 256 * 1024  # a product declaration is a few KB; admin uploads may be 4 MiB
MAX_VALUES = 10_000  # objects, arrays, strings and numbers in one declaration
SMALL_BODY_ENDPOINTS = frozenset({"public.check", "api.check", "auth.login", "auth.logout"})


def limit_body() -> None:
    """Apply the check's smaller body limit to this request (a 413 names it)."""
    request.max_content_length = MAX_BYTES


def declaration(raw: bytes, what: str) -> Any:
    """Return a declaration read from untrusted bytes, or raise InvalidDocumentError saying what is wrong."""
    loaded = jsonfile.loads(raw, max_bytes=MAX_BYTES, max_nodes=MAX_VALUES, what=what)
    if loaded.errors:
        raise InvalidDocumentError(f"the {what} is not a usable JSON document", loaded.errors)
    return loaded.data


def run_check(product: Any, on: dt.date | None) -> dict[str, Any]:
    """Check a declaration against the database (the same call for the page and the API)."""
    throttle.heavy()
    d = current_app.extensions["registry"]
    return Checker(d.source, d.validator).check(product, on).as_json()
