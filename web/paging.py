"""Every list is paginated the same way: ``?page=N&per_page=M`` on pages and in the API."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import abort, current_app, request, url_for

T = TypeVar("T")
MAX_PER_PAGE = 200
ARGS = ("page", "per_page")  # the query parameters a paginated page reads


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
        abort(400, f"{name}: a whole number from 1 to {top}")
    return int(text)


def paginate(items: Sequence[T]) -> Page[T]:
    """Return the page of a list this request asks for (400 for a page number that is not one)."""
    size = _number("per_page", int(current_app.config.get("PAGE_SIZE", 50)), MAX_PER_PAGE)
    pages = max(1, math.ceil(len(items) / size))
    number = _number("page", 1, 999_999)
    if number > pages:
        abort(404, f"page: there are {pages} pages")
    start = (number - 1) * size
    return Page(list(items[start : start + size]), number, size, len(items))
