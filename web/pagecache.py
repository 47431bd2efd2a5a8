"""Rendered pages and published content kept in memory: least recently used first out, bounded in bytes."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

MAX_BYTES = 64 * 1024 * 1024  # per worker
MAX_ITEM_BYTES = 256 * 1024  # a larger page is rendered each time, never kept


class PageCache:
    """A thread-safe LRU store whose values (strings) are counted by the memory they take."""

    def __init__(self, max_bytes: int = MAX_BYTES, max_item_bytes: int = MAX_ITEM_BYTES) -> None:
        self.max_bytes, self.max_item_bytes = max_bytes, max_item_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes(self) -> int:
        """Return the memory the kept values take."""
        return self._bytes

    def get(self, key: Hashable) -> Any:
        """Return a kept value (now the most recently used), or None."""
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            self._items.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: Any) -> bool:
        """Keep a value unless it is larger than an item may be; evict the least recently used to fit it."""
        size = sys.getsizeof(value)
        if size > self.max_item_bytes:
            return False
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._items:
                _, (_, freed) = self._items.popitem(last=False)
                self._bytes -= freed
        return True
