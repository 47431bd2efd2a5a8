"""Per-client limits on the anonymous routes that compute (checks, comparisons, search, CSV, API diffs).

Counted with ``limits`` (the engine of Flask-Limiter) in a sliding window: two counters per client,
the previous window's weighted by how much of it is still in view. In each worker's memory by default,
or in Redis (``ECOLABEL_RATE_LIMIT_STORAGE``) so that every worker of every host of one database shares
one count per client address. The address is the real client's: ``web.proxies`` has replaced it
already when the request came through trusted proxies, and a forwarded header is ignored otherwise.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from urllib.parse import urlsplit

from flask import current_app, request
from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)
NAMESPACE = "heavy"


class RateLimiter:
    """``rate`` computed answers per ``per`` seconds per client, counted in ``storage`` (a limits URI).

    The counts of one database share a key prefix, so the hosts of one registry count together and two
    registries on one Redis do not. When the shared storage cannot be reached the limit goes on in this
    worker's memory (logged at most once a minute), so an outage of Redis neither opens nor closes the
    routes.
    """

    def __init__(self, rate: int, per: int, storage: str = "memory://", database_url: str = "") -> None:
        self.item = RateLimitItemPerSecond(rate, per)
        self.storage = storage
        prefix = "ecolabel-" + hashlib.sha256(database_url.encode()).hexdigest()[:12]
        options: dict[str, str | bool] = {"wrap_exceptions": True}
        if not storage.startswith("memory://"):
            options["key_prefix"] = prefix
        self.shared = SlidingWindowCounterRateLimiter(storage_from_string(storage, **options))
        self.local = SlidingWindowCounterRateLimiter(MemoryStorage())
        self._warned_at = -math.inf
        self._lock = threading.Lock()

    @property
    def is_shared(self) -> bool:
        return not self.storage.startswith("memory://")

    def take(self, client: str) -> float:
        """Count one request of the client; return 0, or the seconds to wait when it is over its limit."""
        limiter = self.shared
        try:
            allowed = limiter.hit(self.item, NAMESPACE, client)
        except StorageError as exc:
            self._warn(exc)
            limiter = self.local
            allowed = limiter.hit(self.item, NAMESPACE, client)
        if allowed:
            return 0.0
        try:
            reset = limiter.get_window_stats(self.item, NAMESPACE, client).reset_time
        except StorageError:
            reset = time.time() + self.item.get_expiry()
        return max(1.0, reset - time.time())

    def _warn(self, exc: StorageError) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._warned_at < 60:
                return
            self._warned_at = now
        log.warning("rate-limit storage %s unreachable (%s); counting in this worker meanwhile", self.where, exc)

    @property
    def where(self) -> str:
        """The storage without any password in its URI, for logs."""
        parts = urlsplit(self.storage)
        return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}{parts.path}"


def heavy() -> None:
    """Count one computing request against the client's limit; 429 with Retry-After when over it."""
    limiter: RateLimiter | None = current_app.extensions.get("throttle")
    if limiter is None:
        return
    wait = limiter.take(request.remote_addr or "unknown")
    if wait > 0:
        seconds = math.ceil(wait)
        raise TooManyRequests(f"too many requests from your address; try again in {seconds} s", retry_after=seconds)
