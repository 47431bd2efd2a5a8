"""Every setting of the registry in one place: its name, default and meaning, read once.

Precedence: what the caller passes (``create_app(config)``, tests) over the environment over the
instance folder's ``settings.toml`` over the default. The README's settings table lists ``TABLE``
(a test keeps the two the same). No other module reads the environment.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.errors import ConfigurationError


@dataclass(frozen=True)
class Setting:
    """One setting: its environment variable, its default (as written), what it means and how it is read."""

    name: str
    default: str
    meaning: str
    read: Callable[[str], Any] = str


def _flag(text: str) -> bool:
    if text.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if text.strip().lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("use 1 or 0")


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError("a whole number above 0")
    return value


def _proxies(text: str) -> int | tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    text = text.strip()
    if text.isdigit():
        return int(text)
    try:
        return tuple(ipaddress.ip_network(part.strip()) for part in text.split(",") if part.strip())
    except ValueError as exc:
        raise ValueError(f"a number of proxies, or CIDRs separated by commas ({exc})") from None


STORAGE_SCHEMES = ("memory", "redis", "rediss", "redis+unix")


def _storage(text: str) -> str:
    scheme, sep, _ = text.strip().partition("://")
    if not sep or scheme not in STORAGE_SCHEMES:
        raise ValueError(f"a URI of the schemes {', '.join(STORAGE_SCHEMES)}, e.g. redis://127.0.0.1:6379/0")
    return text.strip()


def _rate(text: str) -> tuple[int, int]:
    count, _, seconds = text.partition("/")
    return _positive(count), _positive(seconds or "60")


TABLE = (
    Setting(
        "ECOLABEL_INSTANCE", "instance", "Folder of the instance: the SQLite file, the signing key, settings.toml."
    ),
    Setting(
        "DATABASE_URL",
        "sqlite:///$ECOLABEL_INSTANCE/registry.sqlite3",
        "The database of record: `sqlite:///FILE` or `postgresql://USER@HOST:PORT/NAME` (psycopg 3).",
    ),
    Setting(
        "ECOLABEL_SECRET_KEY",
        "(SQLite: made once, kept in $ECOLABEL_INSTANCE/secret_key)",
        "Key that signs session cookies; 32 bytes or more. Needed on PostgreSQL (start-up is refused without "
        "it): give every app host the same key.",
    ),
    Setting("ECOLABEL_SECURE_COOKIES", "0", "1: session cookies only over HTTPS (set it behind TLS).", _flag),
    Setting(
        "ECOLABEL_TRUSTED_PROXIES",
        "0",
        "Proxies whose `X-Forwarded-For`/`-Proto` are believed: how many stand in front of the app, or their "
        "CIDRs (`10.0.0.0/8,::1/128`). 0: none; the client is the connection's address.",
        _proxies,
    ),
    Setting(
        "ECOLABEL_HEAVY_RATE_LIMIT",
        "60/60",
        "Computed answers (checks, searches, uncached pages, CSV, API diffs) per client address: COUNT/SECONDS.",
        _rate,
    ),
    Setting(
        "ECOLABEL_RATE_LIMIT_STORAGE",
        "memory://",
        "Where that limit is counted: `memory://` (each worker on its own) or `redis://HOST:PORT/DB`, shared by "
        "every worker and host on one database. Give several hosts one Redis.",
        _storage,
    ),
    Setting("ECOLABEL_PAGE_CACHE_MB", "64", "Rendered pages kept per worker, in MB.", _positive),
    Setting("ECOLABEL_PARSED_LIMIT", "256", "Parsed standards kept per worker (least recently used out).", _positive),
    Setting(
        "ECOLABEL_PAGE_SIZE",
        "50",
        "Rows per page of every list (pages and API); `per_page` (pages) and `limit` (API) up to 200.",
        _positive,
    ),
    Setting(
        "ECOLABEL_CACHE_DIR",
        "~/.cache/ecolabel",
        "Where derived data that outlives a process is kept: pint's parsed unit definitions, and by content hash "
        "(`kept.sqlite3`) each standard's criteria laid out for the checker and recognition pathways' extra "
        "proof. If the folder is not writable, nothing is kept.",
    ),
    Setting("PORT", "5000", "`./run`: the port served on 127.0.0.1.", _positive),
    Setting("WORKERS", "4", "`./run`: gunicorn worker processes.", _positive),
)
BY_NAME = {s.name: s for s in TABLE}


@dataclass(frozen=True)
class Settings:
    """The settings in force, read."""

    instance: Path
    database_url: str
    secret_key: str | None
    secure_cookies: bool
    trusted_proxies: int | tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    heavy_rate_limit: tuple[int, int]
    rate_limit_storage: str
    page_cache_mb: int
    parsed_limit: int
    page_size: int


def cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Return the folder for derived data that outlives a process (ECOLABEL_CACHE_DIR, default ~/.cache/ecolabel).
    Read on its own, not through ``load``: the unit registry needs it before any settings are."""
    env = os.environ if environ is None else environ
    return Path(env.get("ECOLABEL_CACHE_DIR") or BY_NAME["ECOLABEL_CACHE_DIR"].default).expanduser()


def load(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Read the settings (overrides by setting name, e.g. ``{"DATABASE_URL": ...}``); a bad value is a
    ConfigurationError that names the setting and where it came from."""
    given = dict(overrides or {})
    env = os.environ if environ is None else environ
    instance = Path(str(given.get("ECOLABEL_INSTANCE") or env.get("ECOLABEL_INSTANCE") or "instance")).resolve()
    from_file = _instance_file(instance / "settings.toml")

    def value(name: str) -> Any:
        setting = BY_NAME[name]
        for where, found in (("the caller", given), ("the environment", env), ("settings.toml", from_file)):
            if name in found and found[name] not in (None, ""):
                raw = found[name]
                if not isinstance(raw, str):
                    return raw
                try:
                    return setting.read(raw)
                except ValueError as exc:
                    raise ConfigurationError(f"{name} from {where}: {raw!r} is not usable ({exc})") from None
        return None if setting.default.startswith("(") or "$" in setting.default else setting.read(setting.default)

    return Settings(
        instance=instance,
        database_url=value("DATABASE_URL") or f"sqlite:///{instance / 'registry.sqlite3'}",
        secret_key=value("ECOLABEL_SECRET_KEY"),
        secure_cookies=bool(value("ECOLABEL_SECURE_COOKIES")),
        trusted_proxies=value("ECOLABEL_TRUSTED_PROXIES"),
        heavy_rate_limit=tuple(value("ECOLABEL_HEAVY_RATE_LIMIT")),
        rate_limit_storage=value("ECOLABEL_RATE_LIMIT_STORAGE"),
        page_cache_mb=value("ECOLABEL_PAGE_CACHE_MB"),
        parsed_limit=value("ECOLABEL_PARSED_LIMIT"),
        page_size=value("ECOLABEL_PAGE_SIZE"),
    )


def _instance_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        found = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{path}: not readable TOML ({exc})") from None
    unknown = sorted(set(found) - set(BY_NAME))
    if unknown:
        raise ConfigurationError(f"{path}: unknown settings {', '.join(unknown)} (known: {', '.join(BY_NAME)})")
    return {k: v if isinstance(v, str) else str(v) for k, v in found.items()}


def table_markdown() -> str:
    """Return the settings as the README's Markdown table."""
    lines = ["| name | default | meaning |", "|---|---|---|"]
    lines += [f"| `{s.name}` | `{s.default}` | {s.meaning} |" for s in TABLE]
    return "\n".join(lines)
