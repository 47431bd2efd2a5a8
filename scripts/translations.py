"""Extract the UI strings, merge them into the Chinese catalogue and compile it.

Run after changing UI texts: .venv/bin/python scripts/translations.py
(then fill any empty msgstr in web/translations/zh_Hans/LC_MESSAGES/messages.po and run it again).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "web" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        subprocess.run(
            [str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", "-o", str(pot), "."],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        with pot.open("rb") as f:
            template = read_po(f)
    with PO.open("rb") as f:
        catalog = read_po(f, locale="zh_Hans")
    catalog.update(template, no_fuzzy_matching=True)
    with PO.open("wb") as f:
        write_po(f, catalog, width=0, omit_header=False, ignore_obsolete=True)
    with PO.with_suffix(".mo").open("wb") as f:
        write_mo(f, catalog)
    missing = [m.id for m in catalog if m.id and not m.string]
    print(f"{len(catalog)} messages, {len(missing)} untranslated")
    for m in missing:
        print(f"  untranslated: {m}")


if __name__ == "__main__":
    main()
