"""The Chinese UI catalogue: every UI string translated, and the compiled .mo in step with the .po."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import ROOT

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
