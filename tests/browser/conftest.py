"""Browser tests: the registry served by gunicorn (2 workers) on a fresh SQLite copy, driven by Playwright in
Debian's Chromium (/usr/bin/chromium, headless; no browser is downloaded). Screenshots: tests/output/screenshots/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from registry.store import users
from registry.store.engine import make_engine
from registry.validation import Validator
from tests.conftest import ROOT
from tests.serving import seeded_sqlite, serve

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "tests" / "output" / "screenshots"
ADMIN = ("browser-admin", "browser-password-1")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, validator: Validator) -> Iterator[str]:
    """Serve the registry the way ./run does, and yield its base URL."""
    folder = tmp_path_factory.mktemp("served")
    url = seeded_sqlite(folder, validator)
    engine = make_engine(url)
    users.add_user(engine, ADMIN[0], ADMIN[1], "admin")
    engine.dispose()
    with serve(folder, url) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is needed for the browser tests: {CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, tmp_path: Path):  # type: ignore[no-untyped-def]
    context = browser.new_context(accept_downloads=True)  # type: ignore[attr-defined]
    errors: list[str] = []
    pg = context.new_page()
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    pg.errors = errors
    yield pg
    context.close()


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, server: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in as the administrator through the login form."""
    page.goto(server + "/login")
    page.fill("#username", ADMIN[0])
    page.fill("#password", ADMIN[1])
    page.click("form button[type=submit]")
    page.wait_for_url("**/admin/")
