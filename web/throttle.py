"""Per-client limits on the anonymous routes that compute (checks, comparisons, search)."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

from flask import current_app, request
from werkzeug.exceptions import TooManyRequests


class RateLimiter:
    """A token bucket per client address: ``rate`` requests per ``per`` seconds, bursts up to ``rate``.

    Kept in each worker's memory (a cheap guard against one client occupying a worker, not an account
    lock-out): with N workers a client gets at most N times the rate. Remembers at most ``clients``.
    """

    def __init__(self, rate: int, per: float, clients: int = 10_000) -> None:
        self.rate, self.per, self.clients = rate, per, clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """Spend one token of the client's bucket; return 0, or the seconds to wait when it is empty."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, then = self._buckets.pop(client, (float(self.rate), now))
            tokens = min(float(self.rate), tokens + (now - then) * self.rate / self.per)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) * self.per / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.clients:
                self._buckets.popitem(last=False)
        return wait


def heavy() -> None:
    """Count one computing request against the client's limit; 429 with Retry-After when over it."""
    limiter: RateLimiter | None = current_app.extensions.get("throttle")
    if limiter is None:
        return
    wait = limiter.take(request.remote_addr or "unknown")
    if wait > 0:
        seconds = math.ceil(wait)
        raise TooManyRequests(f"too many requests from your address; try again in {seconds} s", retry_after=seconds)
