"""``ecolabel sheet`` on both engines: export, import as a new draft or into a draft, template, refusals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import text

from registry.store.engine import make_engine
from tests.integration.test_store_cli import ecolabel


def _stored(url: str) -> tuple[int, int, list[tuple[str, str, str]]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        audit = conn.execute(text("SELECT count(*) FROM audit_entry")).scalar_one()
        rows = conn.execute(text("SELECT doc_id, version, state FROM standard_version ORDER BY 1, 2")).all()
    engine.dispose()
    return audit, len(rows), [tuple(r) for r in rows]


def _content(url: str, doc_id: str, version: str) -> dict[str, object]:
    engine = make_engine(url)
    with engine.connect() as conn:
        raw = conn.execute(
            text("SELECT content FROM standard_version WHERE doc_id = :d AND version = :v"), {"d": doc_id, "v": version}
        ).scalar_one()
    engine.dispose()
    return json.loads(raw)  # type: ignore[no-any-return]


def test_export_change_import_as_a_new_draft_and_into_that_draft(db_url: str, tmp_path: Path) -> None:
    ecolabel(db_url, "db", "upgrade")
    xlsx, csv_file = tmp_path / "uz204.xlsx", tmp_path / "uz204.csv"
    code, out, _ = ecolabel(db_url, "sheet", "export", "de-uz-204", str(xlsx))
    assert code == 0 and out.strip() == f"{xlsx}: de-uz-204@2016-08 (published), 8 criteria"
    original = _content(db_url, "de-uz-204", "2016-08")
    # A certification officer changes one value in the workbook.
    wb = load_workbook(xlsx)
    ws = wb["criteria"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("requirement.unit")].value)
    old = row[header.index("requirement.value")].value
    row[header.index("requirement.value")].value = old + 1
    changed_id = row[0].value
    wb.save(xlsx)
    code, out, err = ecolabel(db_url, "sheet", "import", str(xlsx), "--draft", "de-uz-204@2026-01")
    assert (code, out.strip(), err) == (0, f"de-uz-204@2026-01: draft created from {xlsx}", "")
    draft = _content(db_url, "de-uz-204", "2026-01")
    assert draft["status"] == "draft" and draft["title"] == original["title"]
    criteria = {c["id"]: c for c in draft["criteria"]}  # type: ignore[attr-defined]
    assert criteria[changed_id]["requirement"]["value"]["value"] == old + 1
    # The CSV of the draft goes back into the same draft: criteria replaced, header kept.
    code, _, _ = ecolabel(db_url, "sheet", "export", "de-uz-204@2026-01", str(csv_file))
    assert code == 0
    rows = list(csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8-sig"))))
    rows = rows[:-1]  # one criterion fewer
    out_text = io.StringIO()
    csv.writer(out_text).writerows(rows)
    csv_file.write_text(out_text.getvalue(), encoding="utf-8")
    code, out, _ = ecolabel(db_url, "sheet", "import", str(csv_file), "--draft", "de-uz-204@2026-01")
    assert code == 0 and "draft replaced" in out
    assert len(_content(db_url, "de-uz-204", "2026-01")["criteria"]) == 7  # type: ignore[arg-type]
    audit, _, _ = _stored(db_url)
    code, out, _ = ecolabel(db_url, "audit", "verify")
    assert code == 0 and f"{audit} entries" in out


def test_bad_sheets_are_refused_at_their_cells_and_nothing_is_stored(db_url: str, tmp_path: Path) -> None:
    ecolabel(db_url, "db", "upgrade")
    sheet_file = tmp_path / "criteria.csv"
    ecolabel(db_url, "sheet", "export", "de-uz-204", str(sheet_file))
    rows = list(csv.reader(io.StringIO(sheet_file.read_text(encoding="utf-8-sig"))))
    unit, value = rows[0].index("requirement.unit"), rows[0].index("requirement.value")
    n = next(i for i, r in enumerate(rows) if i and r[unit])
    rows[n][unit], rows[n][value] = "kg", "-3,5"
    rows[1][rows[0].index("parameter")] = "noise.nonsense"
    out_text = io.StringIO()
    csv.writer(out_text).writerows(rows)
    sheet_file.write_text(out_text.getvalue(), encoding="utf-8")
    before = _stored(db_url)
    code, _, err = ecolabel(db_url, "sheet", "import", str(sheet_file), "--draft", "de-uz-204@2026-02")
    assert code == 1 and err.strip().endswith("rejected: nothing was stored")
    lines = err.splitlines()
    unit_cell = f"criteria!{get_column_letter(unit + 1)}{n + 1}"
    assert any(
        line.startswith(f"{sheet_file}: {unit_cell}: requirement.unit: ") and "'kg' measures a mass" in line
        for line in lines
    ), err
    assert any(line.startswith(f"{sheet_file}: criteria!D2: parameter: ") for line in lines), err
    assert any("cannot be negative (-3.5)" in line for line in lines), err
    assert _stored(db_url) == before
    # a published version never takes a sheet; a CSV of an unknown standard has no header to take
    code, _, err = ecolabel(db_url, "sheet", "import", str(sheet_file), "--draft", "de-uz-204@2016-08")
    assert code == 1 and "de-uz-204@2016-08 is published: published content never changes" in err
    code, _, err = ecolabel(db_url, "sheet", "import", str(sheet_file), "--draft", "brand-new@1")
    assert code == 1 and "a CSV holds criteria only, and brand-new has no stored version" in err
    assert _stored(db_url) == before
    # usage errors exit 2
    code, _, err = ecolabel(db_url, "sheet", "import", str(sheet_file), "--draft", "no-version")
    assert code == 2 and "'no-version' is not ID@VERSION" in err
    code, _, err = ecolabel(db_url, "sheet", "export", "de-uz-204", str(tmp_path / "x.ods"))
    assert code == 2 and "ends in .xlsx or .csv" in err
    code, _, err = ecolabel(db_url, "sheet", "export", "no-such-standard", str(tmp_path / "x.csv"))
    assert code == 1 and "no-such-standard" in err


def test_a_template_fills_into_a_new_standard(db_url: str, tmp_path: Path) -> None:
    ecolabel(db_url, "db", "upgrade")
    template = tmp_path / "template.xlsx"
    code, out, _ = ecolabel(db_url, "sheet", "template", "scanner", str(template))
    assert code == 0 and "template for scanner" in out
    wb = load_workbook(template)
    head = wb["document"]
    fields = {r[0].value: r[1] for r in head.iter_rows(min_row=2)}
    fields["designation"].value = "TEST 1-2026"
    fields["title.en"].value = "A scanner standard typed into the template"
    fields["labels.1"].value = "cn-cel"
    fields["scope.text.en"].value = "Scanners."
    fields["dates.published"].value = "2026-11-01"
    fields["languages.1"].value = "zh-Hans"
    fields["provenance.sources.1.title"].value = "A test sheet"
    fields["provenance.sources.1.url"].value = "https://example.org/scanner"
    ws = wb["criteria"]
    header = [c.value for c in ws[1]]
    params = [r[0] for r in wb["parameters"].iter_rows(min_row=2, values_only=True)]
    row = {
        "id": "halogen",
        "topic": "hazardous-substances",
        "parameter": params[0],
        "mandatory": True,
        "title.en": "A qualitative criterion",
        "requirement.type": "qualitative",
        "requirement.evidence.en": "As the official text says.",
        "provenance.verification": "unverified",
        "provenance.sources.1.title": "A test sheet",
        "provenance.sources.1.locator": "clause 5.1",
    }
    for column, value in row.items():
        ws.cell(row=2, column=header.index(column) + 1, value=value)
    wb.save(template)
    code, _, err = ecolabel(db_url, "sheet", "import", str(template), "--draft", "test-scanner@2026")
    source_cell = f"criteria!{get_column_letter(header.index('provenance.sources.1.title') + 1)}2"
    assert code == 1 and f"{source_cell}: provenance.sources.1.title: a source needs a url" in err
    ws.cell(row=2, column=header.index("provenance.sources.1.url") + 1, value="https://example.org/scanner")
    wb.save(template)
    code, out, err = ecolabel(db_url, "sheet", "import", str(template), "--draft", "test-scanner@2026")
    assert code == 0, err
    stored = _content(db_url, "test-scanner", "2026")
    assert stored["category"] == "scanner" and stored["designation"] == "TEST 1-2026"
    criterion = stored["criteria"][0]  # type: ignore[index]
    assert criterion["provenance"]["sources"][0]["locator"] == "clause 5.1"
    code, _, err = ecolabel(db_url, "sheet", "template", "no-such-category", str(template))
    assert code == 1 and "no category 'no-such-category'" in err
