"""Which address a request comes from, behind trusted proxies only (``ECOLABEL_TRUSTED_PROXIES``).

With no trusted proxy, ``X-Forwarded-For`` is ignored: the client is the connection's address, so a
client cannot pick the address its rate limits are kept under. With a count N, Werkzeug's ProxyFix
takes the N-th address from the right of ``X-Forwarded-For`` (what the nearest of N proxies saw).
With CIDRs, the header is believed only when the connection comes from one of them, and the client
is the rightmost address in it that is not one of them (RFC 7239's rule for a chain of proxies).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


def client_address(peer: str, forwarded: str | None, networks: Sequence[Network]) -> str:
    """Return the client's address: ``peer`` unless it is a trusted proxy that says who it serves."""
    found = _address(peer)
    if forwarded is None or found is None or not any(found in n for n in networks):
        return peer
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return peer  # a malformed chain is not believed
        if not any(address in n for n in networks):
            return str(address)
    return str(_address(hops[0])) if hops else peer


class TrustedNetworks:
    """WSGI middleware: the client address (and scheme) as trusted proxies in these networks report it."""

    def __init__(self, app: Any, networks: Iterable[Network]) -> None:
        self.app, self.networks = app, tuple(networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        peer = environ.get("REMOTE_ADDR", "")
        client = client_address(peer, environ.get("HTTP_X_FORWARDED_FOR"), self.networks)
        if client != peer:
            environ["werkzeug.proxy_fix.orig_remote_addr"] = peer
            environ["REMOTE_ADDR"] = client
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.app(environ, start_response)


def install(app: Flask, trusted: int | Sequence[Network]) -> None:
    """Put the middleware for the trusted proxies in front of the app (nothing when none is trusted)."""
    if isinstance(trusted, int):
        if trusted > 0:
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted)  # type: ignore[method-assign]
    elif trusted:
        app.wsgi_app = TrustedNetworks(app.wsgi_app, trusted)  # type: ignore[method-assign]
