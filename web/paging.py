"""Every list is paginated the same way: ``?page=N&per_page=M`` on pages, ``?limit=N&cursor=C`` in the API.

The API's cursor is the sort key (the id) of the last item of the page before: a page starts after it,
so it does not shift when items are added or removed before it, and any cursor is usable. Numbers
and dates that are not usable are refused (400 naming the parameter).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import current_app, request, url_for

from web.security import FieldError

T = TypeVar("T")
MAX_PER_PAGE = 200
ARGS = ("page", "per_page")  # the query parameters a paginated page reads
API_ARGS = ("limit", "cursor")  # the query parameters a paginated API list reads


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list."""

    items: list[T]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """Return how many pages the list has (at least one)."""
        return max(1, math.ceil(self.total / self.size))

    def url(self, number: int) -> str:
        """Return this request's address for another page (other parameters kept)."""
        args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page"}
        return url_for(str(request.endpoint), **(request.view_args or {}), **args, page=number)

    @property
    def next_url(self) -> str | None:
        """Return the next page's address, if there is one."""
        return self.url(self.number + 1) if self.number < self.pages else None

    @property
    def prev_url(self) -> str | None:
        """Return the previous page's address, if there is one."""
        return self.url(self.number - 1) if self.number > 1 else None

    def headers(self) -> dict[str, str]:
        """Return the API's paging headers: the total and RFC 8288 links to the neighbouring pages."""
        links = [f'<{u}>; rel="{rel}"' for rel, u in (("prev", self.prev_url), ("next", self.next_url)) if u]
        found = {"X-Total-Count": str(self.total)}
        if links:
            found["Link"] = ", ".join(links)
        return found


def _number(name: str, default: int, top: int) -> int:
    text = request.args.get(name, "")
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or not 1 <= int(text) <= top:
        raise FieldError(name, f"a whole number from 1 to {top}")
    return int(text)


def paginate(items: Sequence[T]) -> Page[T]:
    """Return the page of a list this request asks for (400 for a page number that is not one)."""
    size = _number("per_page", int(current_app.config.get("PAGE_SIZE", 50)), MAX_PER_PAGE)
    pages = max(1, math.ceil(len(items) / size))
    number = _number("page", 1, 999_999)
    if number > pages:
        from flask import abort

        abort(404, f"page: there are {pages} pages")
    start = (number - 1) * size
    return Page(list(items[start : start + size]), number, size, len(items))


def after_cursor(items: Sequence[T], key: Callable[[T], str]) -> tuple[list[T], dict[str, str]]:
    """Return the API page this request asks for (``limit``, ``cursor``) of a list sorted by ``key``, and its
    headers: ``X-Total-Count`` and an RFC 8288 ``Link`` to the next page when there is one."""
    limit = _number("limit", int(current_app.config.get("PAGE_SIZE", 50)), MAX_PER_PAGE)
    start = 0
    if "cursor" in request.args:
        start = bisect.bisect_right([key(i) for i in items], request.args["cursor"])
    chunk = list(items[start : start + limit])
    headers = {"X-Total-Count": str(len(items))}
    if start + limit < len(items):
        args: dict[str, Any] = {k: v for k, v in request.args.items() if k != "cursor"}
        following = url_for(str(request.endpoint), **(request.view_args or {}), **args, cursor=key(chunk[-1]))
        headers["Link"] = f'<{following}>; rel="next"'
    return chunk, headers


def date_arg(name: str) -> dt.date | None:
    """Return a query parameter's date (YYYY-MM-DD), None when absent; 400 naming it when it is not one."""
    text = request.args.get(name, "")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError(name, "a date YYYY-MM-DD") from None


def since_arg(name: str) -> dt.datetime | None:
    """Return a query parameter's moment (a date, or an ISO 8601 time; UTC when no offset is given)."""
    text = request.args.get(name, "")
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise FieldError(name, "a date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SS[+HH:MM]") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
