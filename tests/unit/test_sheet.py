"""Criteria sheets: the round trip on every bundled document, and every kind of bad input refused at its cell."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from registry import sheet
from registry.findings import Finding
from tests.conftest import STANDARDS

BUNDLED = sorted((STANDARDS / "criteria").glob("*/*.json"))


def _doc(name: str = "de-uz-204") -> dict[str, Any]:
    path = next(p for p in BUNDLED if p.parent.name == name)
    return json.loads(path.read_text(encoding="utf-8"))


def _rows(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def _csv(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def _problems(raw: bytes, fmt: str | None = None) -> list[str]:
    with pytest.raises(sheet.SheetError) as caught:
        sheet.read(raw, fmt)
    return [str(p) for p in caught.value.problems]


def _back(doc: dict[str, Any], fmt: str) -> dict[str, Any]:
    read = sheet.read(sheet.write(doc, fmt), fmt)
    header = read.header if fmt == "xlsx" else doc
    assert header is not None
    back = sheet.document(read, header, doc["id"], doc["version"])
    back["status"] = doc["status"]
    return back


@pytest.mark.parametrize("fmt", sheet.FORMATS)
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}@{p.stem}")
def test_every_bundled_document_comes_back_the_same(path: Path, fmt: str) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    back = _back(doc, fmt)
    assert back == doc
    # export -> import -> export gives the same sheet
    if fmt == "csv":
        assert sheet.write(back, fmt) == sheet.write(doc, fmt)
    else:
        assert sheet.table(back) == sheet.table(doc) and sheet.header_fields(back) == sheet.header_fields(doc)


def test_every_requirement_type_and_condition_survives_both_formats() -> None:
    doc = _doc()
    base = doc["criteria"][0]
    kinds = [
        {"type": "max", "value": {"value": 4.5, "unit": "kW"}, "inclusive": True},
        {"type": "min", "value": None, "inclusive": None},
        {
            "type": "range",
            "min": {"value": 3, "unit": "W"},
            "max": None,
            "min_inclusive": False,
            "max_inclusive": None,
        },
        {"type": "equals", "value": {"value": -1.25e-7, "unit": "kg"}},
        {"type": "equals", "value": '=HYPERLINK("http://x")', "note": {"en": "+1 'quoted'", "de": "@home"}},
        {"type": "equals", "value": None},
        {"type": "one_of", "values": ["R-290", "R-32", "-minus"]},
        {"type": "none_of", "values": None},
        {"type": "boolean", "value": False},
        {"type": "qualitative", "evidence": {"en": "text\nwith a second line", "zh-Hans": "无卤素"}},
    ]
    doc["criteria"] = []
    for n, requirement in enumerate(kinds):
        criterion = json.loads(json.dumps(base))
        criterion.update(id=f"c{n}", requirement=requirement, clause="'4.1" if n == 1 else None)
        criterion["conditions"] = [
            {
                "parameter": "cooling.capacity.rated",
                "type": "max",
                "value": {"value": 4.5, "unit": "kW"},
                "inclusive": True,
            },
            {"parameter": "unit.configuration", "type": "one_of", "values": ["single-split"]},
        ][: n % 3]
        if not criterion["conditions"]:
            del criterion["conditions"]
        criterion["test_methods"] = [{"standard": "EN 12102-1", "note": "-"}] if n % 2 else []
        if not criterion["test_methods"]:
            del criterion["test_methods"]
        criterion["provenance"]["sources"][0]["locator"] = "clause 3.1.2, table 2"
        doc["criteria"].append(criterion)
    for fmt in sheet.FORMATS:
        assert _back(doc, fmt) == doc


def test_text_a_spreadsheet_would_run_is_neutralised_in_both_formats() -> None:
    doc = _doc()
    doc["criteria"][0]["title"] = {"en": "=cmd|' /C calc'!A0", "de": "@SUM(1)", "ja": "+1", "ko": "-2", "fr": "'x"}
    rows = _rows(sheet.write_csv(doc))
    cells = dict(zip(rows[0], rows[1], strict=True))
    assert cells["title.en"] == "'=cmd|' /C calc'!A0"
    assert [cells[f"title.{k}"] for k in ("de", "ja", "ko", "fr")] == ["'@SUM(1)", "'+1", "'-2", "''x"]
    ws = load_workbook(io.BytesIO(sheet.write_xlsx(doc)))["criteria"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("title.en") + 1)
    assert cell.data_type == "s" and cell.value == "'=cmd|' /C calc'!A0"
    assert _back(doc, "xlsx")["criteria"][0]["title"] == doc["criteria"][0]["title"]


def _sheet_rows(doc: dict[str, Any] | None = None) -> list[list[Any]]:
    return _rows(sheet.write_csv(doc or _doc()))


def _set(rows: list[list[Any]], row: int, column: str, value: Any) -> list[list[Any]]:
    rows[row][rows[0].index(column)] = value
    return rows


def test_text_for_a_number_a_bad_flag_and_a_duplicate_id_are_named_at_their_cells() -> None:
    rows = _sheet_rows()
    value_col = rows[0].index("requirement.value")
    numeric = next(n for n, r in enumerate(rows) if n and r[rows[0].index("requirement.unit")])
    letter = get_column_letter(value_col + 1)
    _set(rows, numeric, "requirement.value", "about five")
    _set(rows, 2, "mandatory", "perhaps")
    _set(rows, 4, "id", rows[3][0])
    found = _problems(_csv(rows))
    assert f"criteria!{letter}{numeric + 1}: requirement.value: 'about five' is not a number" in found
    assert "criteria!E3: mandatory: 'perhaps' is not yes or no (TRUE or FALSE)" in found
    assert f"criteria!A5: id: {rows[3][0]!r} is used twice (also criteria!A4)" in found


def test_decimal_commas_are_read_where_unambiguous() -> None:
    assert sheet.number("7,2") == 7.2 and sheet.number(" -0,125 ") == -0.125 and sheet.number("0,500") == 0.5
    assert sheet.number("4") == 4 and isinstance(sheet.number("4"), int) and sheet.number("1e3") == 1000.0
    with pytest.raises(ValueError, match="ambiguous"):
        sheet.number("1,000")
    for bad in ("1.000,5", "7,2,1", "nan", "inf", "1e999", "", "TRUE"):
        with pytest.raises(ValueError):
            sheet.number(bad)


def test_a_semicolon_csv_with_decimal_commas_reads_as_the_same_document() -> None:
    doc = _doc()
    rows = _sheet_rows(doc)
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(
        [[c.replace(".", ",") if re.fullmatch(r"-?\d+\.\d+", c) else c for c in row] for row in rows]
    )
    read = sheet.read(out.getvalue().encode("utf-8"))
    assert sheet.document(read, doc, doc["id"], doc["version"])["criteria"] == doc["criteria"]


def test_unknown_and_repeated_columns_and_values_without_a_column() -> None:
    rows = _sheet_rows()
    rows[0][1] = "clauses"
    rows[0][2] = "id"
    assert "criteria!B1: unknown column 'clauses'" in "\n".join(_problems(_csv(rows)))
    assert "criteria!C1: column 'id' is there twice" in _problems(_csv(rows))
    rows = _sheet_rows()
    rows[1].append("stray")
    assert _problems(_csv(rows)) == [
        f"criteria!{get_column_letter(len(rows[0]) + 1)}2: a value in a column with no name"
    ]


def test_a_requirement_needs_its_type_and_fields_of_another_type_are_refused() -> None:
    rows = _sheet_rows()
    _set(rows, 1, "requirement.type", "")
    found = "\n".join(_problems(_csv(rows)))
    assert "requirement.type: a requirement needs its type" in found
    rows = _sheet_rows()
    qualitative = next(n for n, r in enumerate(rows) if n and r[rows[0].index("requirement.type")] == "qualitative")
    _set(rows, qualitative, "requirement.unit", "kW")
    assert "requirement.unit: not used by a 'qualitative' requirement; leave it empty" in "\n".join(
        _problems(_csv(rows))
    )


def test_ten_thousand_rows_are_refused_with_the_limit() -> None:
    rows = [["id", "mandatory"]] + [[f"c{n}", "TRUE"] for n in range(10_000)]
    assert _problems(_csv(rows)) == ["criteria!A5002: more than 5,000 criteria; a document holds at most 5,000"]
    wb = Workbook()
    ws = wb.active
    ws.title = "criteria"
    for row in rows:
        ws.append(row)
    raw = io.BytesIO()
    wb.save(raw)
    assert _problems(raw.getvalue()) == ["criteria!A5002: more than 5,000 criteria; a document holds at most 5,000"]


def _with_formula(cached: str | None) -> bytes:
    """A workbook whose mandatory cell of row 2 is the formula =1=1, saved with or without its value."""
    rows = _sheet_rows()
    wb = Workbook()
    ws = wb.active
    ws.title = "criteria"
    for row in rows:
        ws.append(row)
    ws["E2"] = "=1=1"
    ws["F2"] = "=A2"
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml" and cached is not None:
                text = body.decode()
                text = text.replace("<f>1=1</f><v />", f"<f>1=1</f><v>{cached}</v>")
                text = text.replace("<f>A2</f><v />", "<f>A2</f><v>formula title</v>")
                text = text.replace('r="E2"><f>', 'r="E2" t="b"><f>').replace('r="F2"><f>', 'r="F2" t="str"><f>')
                body = text.encode()
            dst.writestr(info, body)
    return out.getvalue()


def test_formulas_are_read_as_their_saved_values_never_evaluated() -> None:
    read = sheet.read(_with_formula("0"))
    assert read.criteria[0]["mandatory"] is False  # the saved value, though 1=1 would be TRUE
    assert read.criteria[0]["title"]["en"] == "formula title"
    found = _problems(_with_formula(None))
    assert "criteria!E2: a formula with no saved value (formulas are never evaluated here); type the value" in found


def test_macros_size_and_broken_workbooks_are_refused_with_the_reason() -> None:
    good = sheet.write_xlsx(_doc())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/vbaProject.bin", b"\x00" * 64)
    assert _problems(out.getvalue()) == ["the workbook holds macros; save it as .xlsx (without macros)"]
    big = b"PK\x03\x04" + b"\x00" * (50 * 1024 * 1024)
    assert _problems(big) == [f"the file is {len(big):,} bytes; the limit is 4,194,304 bytes (4 MiB)"]
    assert _problems(good[: len(good) // 2]) == ["the XLSX file is broken (not a readable workbook); save it again"]
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("xl/workbook.xml", b" " * (65 * 1024 * 1024))
    assert _problems(bomb.getvalue())[0].startswith("the workbook unpacks to 68,157,440 bytes; the limit is")
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as dst:
        dst.writestr("hello.txt", "hi")
    assert _problems(other.getvalue()) == ["the file is a ZIP archive but not an XLSX workbook"]
    wb = Workbook()
    wb.active.title = "Sheet1"
    raw = io.BytesIO()
    wb.save(raw)
    assert _problems(raw.getvalue()) == ["no sheet named 'criteria' (the workbook has Sheet1)"]


def test_csv_that_is_not_utf8_text_is_refused() -> None:
    text = sheet.write_csv(_doc()).decode("utf-8-sig")
    assert _problems(text.encode("utf-16")) == ["the CSV is UTF-16 text; save it as CSV UTF-8"]
    assert _problems("id,title.en\nä,ö\n".encode("latin-1"))[0].startswith("the CSV is not UTF-8")
    assert _problems(b"") == ["the file is empty"]
    assert _problems(sheet.write_xlsx(_doc()), "csv") == [
        "this is a workbook, not CSV text; save it as .xlsx or as CSV UTF-8"
    ]


def test_validation_findings_point_at_the_cell_and_name_the_column() -> None:
    read = sheet.read(sheet.write_csv(_doc()))
    unit_column = sheet.table(_doc())[0].index("requirement.unit")
    numeric = next(n for n, c in enumerate(read.criteria) if isinstance(c["requirement"].get("value"), dict))
    finding = Finding(f"/criteria/{numeric}/requirement/value/unit", "unit 'kg' is [mass]")
    elsewhere = Finding(f"/criteria/{numeric}/provenance", "something about provenance")
    letter = get_column_letter(unit_column + 1)
    problems = [str(p) for p in read.problems([finding, elsewhere])]
    assert problems[0] == f"criteria!{letter}{numeric + 2}: requirement.unit: unit 'kg' is [mass]"
    assert problems[1].startswith("criteria!") and problems[1].endswith("something about provenance")


def test_the_template_lists_parameters_units_and_pick_lists() -> None:
    rows = sheet.parameter_rows(_vocabulary(), "room-air-conditioner")
    raw = sheet.template_xlsx("room-air-conditioner", rows, sheet.template_header("room-air-conditioner"))
    wb = load_workbook(io.BytesIO(raw))
    assert wb.sheetnames == ["criteria", "document", "parameters", "lists"]
    params = {r[0]: r for r in wb["parameters"].iter_rows(min_row=2, values_only=True)}
    assert params["cooling.capacity.rated"][3] == "kW" and "W" in params["cooling.capacity.rated"][5].split("\n")
    checks = {str(v.sqref).split(":")[0]: v.formula1 for v in wb["criteria"].data_validations.dataValidation}
    header = [c.value for c in wb["criteria"][1]]
    letter = chr(ord("A") + header.index("parameter"))
    assert checks[f"{letter}2"].startswith("lists!$A$2:$A$")
    read = sheet.read(raw)  # the empty template reads as no criteria and the category's header
    assert read.criteria == [] and read.header is not None and read.header["category"] == "room-air-conditioner"


def _vocabulary() -> Any:
    from registry.model import Category
    from registry.vocabulary import Vocabulary

    cats = [
        Category.from_json(json.loads(p.read_text(encoding="utf-8")))
        for p in sorted((STANDARDS / "vocabulary").glob("*.json"))
    ]
    return Vocabulary.of(cats)
