"""The Chinese UI catalogue: every UI string translated, and the compiled .mo in step with the .po."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from tests.conftest import ROOT
from tests.web.conftest import csrf_token

PO = ROOT / "web" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"


def test_every_ui_string_is_translated_and_compiled(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True
    )
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with PO.open("rb") as f:
        po = {m.id: m.string for m in read_po(f) if m.id}
    missing = sorted(w for w in wanted if not po.get(w))
    assert not missing, f"untranslated UI strings (run scripts/translations.py): {missing}"
    with PO.with_suffix(".mo").open("rb") as f:
        mo = {m.id: m.string for m in read_mo(io.BytesIO(f.read())) if m.id}
    assert mo == po, "messages.mo is stale: run scripts/translations.py"


class _Visible(HTMLParser):
    """The text a reader sees, less code, ids and what is marked as written in another language."""

    SKIPPED = frozenset({"code", "script", "style", "title"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        lang = dict(attrs).get("lang")
        skipped = self._skipping or tag in self.SKIPPED or (lang and not lang.startswith("zh"))
        if skipped and tag not in ("br", "hr", "input", "img", "meta", "link"):  # void elements have no end
            self._skipping.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _english_ui_strings() -> list[str]:
    """Return the catalogue's source strings that could only be UI text: two words or more of letters, cut at
    their placeholders (a fragment of a sentence with a number in it is still English)."""
    with PO.open("rb") as f:
        ids = [m.id for m in read_po(f) if m.id and isinstance(m.id, str)]
    found = set()
    for message in ids:
        for part in re.split(r"%\(\w+\)s", message):
            part = part.strip(" :;,.()")
            if len(re.findall(r"[A-Za-z]{2,}", part)) >= 2 and part not in ALLOWED:
                found.add(part)
    return sorted(found, key=len, reverse=True)


ALLOWED = {"API (OpenAPI)", "Ecolabel registry"}  # proper names, shown as they are


@pytest.fixture
def zh_pages(client: FlaskClient) -> dict[str, str]:
    zh = {"Accept-Language": "zh-CN"}
    paths = [
        "/",
        "/help",
        "/labels",
        "/labels/cn-cel",
        "/standards",
        "/compare?a=cn-de-room-air-conditioner@2017&b=de-uz-204@2016-08",
        "/compare?s=de-uz-204@2016-08&s=cn-de-room-air-conditioner@2017&s=cn-cel-room-air-conditioner@2013",
        "/standards/cn-cel-room-air-conditioner/revisions",
        "/search?q=空调",
        "/search?q=蓝天使",
        "/check?category=room-air-conditioner",
        "/labels/nope",
    ]
    pages = {p: client.get(p, headers=zh).get_data(as_text=True) for p in paths}
    token = csrf_token(client, "/check")
    product = (ROOT / "examples" / "products" / "split-ac-r290-3.5kw.json").read_bytes()
    pages["check report"] = client.post(
        "/check",
        data={"csrf_token": token, "date": "2026-11-23", "declaration": (io.BytesIO(product), "p.json")},
        content_type="multipart/form-data",
        headers=zh,
    ).get_data(as_text=True)
    return pages


def test_a_page_in_chinese_shows_no_english_ui_string(zh_pages: dict[str, str]) -> None:
    english = _english_ui_strings()
    assert len(english) > 300  # the catalogue was read
    left = {}
    for path, page in zh_pages.items():
        reader = _Visible()
        reader.feed(page)
        text = " ".join(" ".join(reader.parts).split())
        found = [e for e in english if re.search(rf"(?<![A-Za-z]){re.escape(e)}(?![A-Za-z])", text)]
        if found:
            left[path] = found[:8]
    assert not left, f"English UI strings on pages shown in Chinese: {left}"
