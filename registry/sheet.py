"""Criteria sheets: a criteria document as a table, one row per criterion and one column per field
(XLSX or CSV), and back.

Certification bodies keep criteria tables in spreadsheets. A sheet is read as data only: cells are
read as the values they hold (a formula gives the value the spreadsheet saved with it, never evaluated
here), a workbook with macros is refused, sizes are bounded before anything is unpacked, and every
problem names its cell (``criteria!G5``) and the field. Text cells that a spreadsheet would take for
a formula (``=``, ``+``, ``-``, ``@``) are written with a leading ``'`` and read back without it.

Columns are field paths: ``id``, ``title.en``, ``requirement.type``, ``requirement.value`` and
``requirement.unit`` (a quantity's number and unit), ``requirement.min``/``min_unit``/``min_inclusive``
for ranges, ``requirement.values`` (one allowed value per line), ``conditions.1.parameter``,
``test_methods.1.standard``, ``provenance.sources.1.locator`` ... An empty cell is "not known" (null)
where a value may be unknown, and absent elsewhere. The XLSX carries the document's header fields on a
second sheet, ``document`` (field, value); a CSV holds the criteria only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.findings import Finding
from registry.schemas import choices
from registry.vocabulary import Vocabulary

CRITERIA, DOCUMENT, PARAMETERS, LISTS = "criteria", "document", "parameters", "lists"
MAX_BYTES = 4 * 1024 * 1024  # a sheet file, as the web's upload limit
MAX_UNPACKED = 64 * 1024 * 1024  # what an XLSX may unpack to (a small file can hide a huge one)
MAX_ROWS = 5000  # criteria a document may hold (the schema's maxItems)
MAX_COLUMNS = 400
MAX_CELL = 20000  # characters, as the schema's longest text
FORMATS = ("xlsx", "csv")
_CHOICES = choices()
TOPICS, TYPES, VERIFICATION = _CHOICES["topic"], _CHOICES["requirement"], _CHOICES["verification"]
SOURCE_FIELDS = ("title", "url", "standard_number", "edition", "publisher", "retrieved", "locator", "note")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_INDEX = re.compile(r"^[1-9][0-9]{0,2}$")

# A requirement's (or condition's) columns after its prefix, in the order they are written.
_CONSTRAINT_FIELDS = (
    "type",
    "value",
    "unit",
    "inclusive",
    "min",
    "min_unit",
    "min_inclusive",
    "max",
    "max_unit",
    "max_inclusive",
    "values",
)

# The order columns are written in: each path segment ranks by this list, then by number, then by name.
_ORDER = (
    "id",
    "clause",
    "topic",
    "parameter",
    "mandatory",
    "title",
    "text",
    "requirement",
    "conditions",
    "test_methods",
    "provenance",
    "notes",
    *_CONSTRAINT_FIELDS,
    "evidence",
    "standard",
    "verification",
    "sources",
    *SOURCE_FIELDS[1:],
    "note",
)


class SheetError(Exception):
    """A sheet that cannot be read or stored; ``problems`` name the cell of each."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:3]))
        self.problems = list(problems)


@dataclass(frozen=True)
class Problem:
    """One problem: where (``criteria!G5``, a sheet, or the file) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        """Return the problem as ``sheet!CELL: message`` (the file's name is put before it by the caller)."""
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class Sheet:
    """What a sheet file holds: its criteria, the header fields (XLSX only), and where each value was."""

    criteria: list[dict[str, Any]]
    header: dict[str, Any] | None = None
    cells: dict[str, str] = field(default_factory=dict)  # JSON pointer -> sheet!CELL
    fields: dict[str, str] = field(default_factory=dict)  # sheet!CELL -> the column (or field) it holds

    def where(self, pointer: str) -> str:
        """Return the cell a JSON pointer of the built document came from (the nearest recorded one)."""
        path = pointer
        while path:
            if path in self.cells:
                return self.cells[path]
            path = path.rsplit("/", 1)[0]
        return CRITERIA if pointer.startswith("/criteria") else (DOCUMENT if self.header is not None else "")

    def problems(self, findings: Iterable[Finding]) -> list[Problem]:
        """Return validation findings of the built document as problems at their cells."""
        out = []
        for f in findings:
            where = self.where(f.pointer)
            name = self.fields.get(where) or _field_of(f.pointer)
            out.append(Problem(where, f"{name}: {f.message}" if name else f.message))
        return out


def _field_of(pointer: str) -> str:
    parts = pointer.split("/")[1:]
    if len(parts) >= 2 and parts[0] == "criteria":
        parts = parts[2:]
    return ".".join(parts)


# --- writing


def _text_cell(value: str) -> str:
    """Return text as written to a cell: a leading ``'`` where a spreadsheet would read a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _texts(prefix: str, text: Any, out: dict[str, Any]) -> None:
    if isinstance(text, Mapping):
        for lang, value in text.items():
            out[f"{prefix}.{lang}"] = value


def _quantity(out: dict[str, Any], number_column: str, unit_column: str, quantity: Any) -> None:
    if isinstance(quantity, Mapping):
        out[number_column] = quantity.get("value")
        out[unit_column] = quantity.get("unit")
    elif quantity is not None:
        out[number_column] = quantity


def _constraint(prefix: str, con: Mapping[str, Any], out: dict[str, Any]) -> None:
    kind = con.get("type")
    out[f"{prefix}.type"] = kind
    if kind in ("max", "min", "equals"):
        _quantity(out, f"{prefix}.value", f"{prefix}.unit", con.get("value"))
        if kind != "equals":
            out[f"{prefix}.inclusive"] = con.get("inclusive")
    elif kind == "range":
        for end in ("min", "max"):
            _quantity(out, f"{prefix}.{end}", f"{prefix}.{end}_unit", con.get(end))
            out[f"{prefix}.{end}_inclusive"] = con.get(f"{end}_inclusive")
    elif kind in ("one_of", "none_of"):
        values = con.get("values")
        out[f"{prefix}.values"] = "\n".join(str(v) for v in values) if isinstance(values, list) else None
    elif kind == "boolean":
        out[f"{prefix}.value"] = con.get("value")
    _texts(f"{prefix}.evidence", con.get("evidence"), out)
    _texts(f"{prefix}.note", con.get("note"), out)


def _cells_of(criterion: Mapping[str, Any]) -> dict[str, Any]:
    """Return one criterion as column -> value (None for an empty cell)."""
    out: dict[str, Any] = {
        "id": criterion.get("id"),
        "clause": criterion.get("clause"),
        "topic": criterion.get("topic"),
        "parameter": criterion.get("parameter"),
        "mandatory": criterion.get("mandatory"),
    }
    for name in ("title", "text", "notes"):
        _texts(name, criterion.get(name), out)
    requirement = criterion.get("requirement")
    if isinstance(requirement, Mapping):
        _constraint("requirement", requirement, out)
    for n, condition in enumerate(criterion.get("conditions") or [], start=1):
        if isinstance(condition, Mapping):
            out[f"conditions.{n}.parameter"] = condition.get("parameter")
            _constraint(f"conditions.{n}", condition, out)
    for n, method in enumerate(criterion.get("test_methods") or [], start=1):
        if isinstance(method, Mapping):
            for key in ("standard", "note"):
                if key in method:
                    out[f"test_methods.{n}.{key}"] = method[key]
    provenance = criterion.get("provenance")
    if isinstance(provenance, Mapping):
        out["provenance.verification"] = provenance.get("verification")
        for n, source in enumerate(provenance.get("sources") or [], start=1):
            if isinstance(source, Mapping):
                for key in SOURCE_FIELDS:
                    if key in source:
                        out[f"provenance.sources.{n}.{key}"] = source[key]
        if "note" in provenance:
            out["provenance.note"] = provenance["note"]
    return out


def _rank(column: str) -> tuple[tuple[int, Any], ...]:
    key: list[tuple[int, Any]] = []
    for part in column.split("."):
        if part in _ORDER:
            key.append((0, _ORDER.index(part)))
        elif part.isdigit():
            key.append((1, int(part)))
        else:
            key.append((2, (part != "en", part)))
    return tuple(key)


def table(doc: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Return a document's criteria as column names and rows (values typed; None for an empty cell)."""
    rows = [_cells_of(c) for c in doc.get("criteria") or [] if isinstance(c, Mapping)]
    columns = sorted({column for row in rows for column in row} | set(TEMPLATE_BASE), key=_rank)
    return columns, [[row.get(column) for column in columns] for row in rows]


def _flatten(value: Any, path: str, out: list[tuple[str, Any]]) -> None:
    if isinstance(value, Mapping):
        if not value:
            out.append((path, "{}"))
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list):
        if not value:
            out.append((path, "[]"))
        for n, item in enumerate(value, start=1):
            _flatten(item, f"{path}.{n}", out)
    else:
        out.append((path, value))


def header_fields(doc: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Return a document's header (everything but its criteria) as (field path, value) pairs."""
    out: list[tuple[str, Any]] = []
    _flatten({k: v for k, v in doc.items() if k != "criteria"}, "", out)
    return out


def _shown(value: Any) -> Any:
    if isinstance(value, str):
        return _text_cell(value)
    return value


def write_csv(doc: Mapping[str, Any]) -> bytes:
    """Return a document's criteria as CSV (UTF-8 with a byte-order mark, as spreadsheets expect)."""
    columns, rows = table(doc)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _csv_value(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    return _text_cell(str(value))


def _workbook() -> Any:
    from openpyxl import Workbook

    return Workbook()


def _fill(ws: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    from openpyxl.styles import Alignment, Font

    ws.append(list(columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_shown(v) for v in row])
    for cell in ws[1]:
        ws.column_dimensions[cell.column_letter].width = max(12, min(40, len(str(cell.value)) + 2))
    ws.freeze_panes = "B2"
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, whatever it starts with
                if "\n" in cell.value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _save(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_xlsx(doc: Mapping[str, Any]) -> bytes:
    """Return a document as an XLSX workbook: its criteria, and its header fields on a second sheet."""
    wb = _workbook()
    ws = wb.active
    ws.title = CRITERIA
    columns, rows = table(doc)
    _fill(ws, columns, rows)
    head = wb.create_sheet(DOCUMENT)
    _fill(head, ["field", "value"], [[k, v] for k, v in header_fields(doc)])
    head.column_dimensions["B"].width = 80
    return _save(wb)


def write(doc: Mapping[str, Any], fmt: str) -> bytes:
    """Return a document as a sheet file of a format (``xlsx`` or ``csv``)."""
    return write_xlsx(doc) if fmt == "xlsx" else write_csv(doc)


TEMPLATE_BASE = (
    "id",
    "clause",
    "topic",
    "parameter",
    "mandatory",
    "title.en",
    "requirement.type",
    "provenance.verification",
    "provenance.sources.1.title",
)
TEMPLATE = (
    *TEMPLATE_BASE,
    "title.zh-Hans",
    "text.en",
    "requirement.value",
    "requirement.unit",
    "requirement.inclusive",
    "requirement.min",
    "requirement.min_unit",
    "requirement.min_inclusive",
    "requirement.max",
    "requirement.max_unit",
    "requirement.max_inclusive",
    "requirement.values",
    "requirement.evidence.en",
    "conditions.1.parameter",
    "conditions.1.type",
    "conditions.1.value",
    "conditions.1.unit",
    "conditions.1.inclusive",
    "test_methods.1.standard",
    "provenance.sources.1.url",
    "provenance.sources.1.standard_number",
    "provenance.sources.1.locator",
    "provenance.sources.1.retrieved",
    "provenance.note",
)


@dataclass(frozen=True)
class ParameterRow:
    """A parameter as the template lists it."""

    id: str
    name: str
    kind: str
    unit: str | None
    better: str | None
    units: tuple[str, ...]
    values: tuple[str, ...]


def parameter_rows(vocabulary: Vocabulary, category: str) -> list[ParameterRow]:
    """Return the parameters a category's criteria may use, as the template lists them."""
    from registry.units import offered

    return [
        ParameterRow(
            id=p.id,
            name=p.name.get("en") or next(iter(p.name.values()), p.id),
            kind=p.kind,
            unit=p.unit,
            better=p.better,
            units=offered(p.unit) if p.kind == "quantity" and p.unit else (),
            values=p.values or (),
        )
        for p in vocabulary.parameters(category).values()
    ]


def template_header(category: str) -> dict[str, Any]:
    """Return the header fields a new document of a category starts from (the template's document sheet)."""
    return {
        "$schema": "urn:ecolabel:schema:criteria-document:1",
        "id": "",
        "version": "",
        "designation": "",
        "title": {"en": "", "zh-Hans": ""},
        "kind": "native",
        "labels": [""],
        "category": category,
        "scope": {"text": {"en": ""}},
        "status": "draft",
        "dates": {"published": None, "valid_from": None, "valid_until": None, "review_due": None},
        "languages": [""],
        "provenance": {"verification": "unverified", "sources": [{"title": "", "url": "", "retrieved": ""}]},
        "coverage": {"complete": False},
    }


def template_xlsx(category: str, parameters: Sequence[ParameterRow], header: Mapping[str, Any]) -> bytes:
    """Return an empty criteria workbook for a category: the columns, the parameters with their units,
    and lists to pick from (parameter, topic, requirement type, yes/no, unit, verification)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = _workbook()
    ws = wb.active
    ws.title = CRITERIA
    columns = sorted(TEMPLATE, key=_rank)
    _fill(ws, columns, [])
    head = wb.create_sheet(DOCUMENT)
    _fill(head, ["field", "value"], [[k, v] for k, v in header_fields(header)])
    head.column_dimensions["B"].width = 60
    params = wb.create_sheet(PARAMETERS)
    _fill(
        params,
        ["parameter", "name", "kind", "canonical unit", "better", "units accepted", "values"],
        [
            [p.id, p.name, p.kind, p.unit, p.better, "\n".join(p.units) or None, "\n".join(p.values) or None]
            for p in parameters
        ],
    )
    lists = wb.create_sheet(LISTS)
    units = sorted({u for p in parameters for u in p.units})
    choices = {
        "parameter": [p.id for p in parameters],
        "topic": list(TOPICS),
        "type": list(TYPES),
        "yes/no": ["TRUE", "FALSE"],
        "unit": units,
        "verification": list(VERIFICATION),
    }
    ranges: dict[str, str] = {}
    from openpyxl.utils import get_column_letter

    for n, (name, values) in enumerate(choices.items(), start=1):
        letter = get_column_letter(n)
        lists.cell(row=1, column=n, value=name)
        for m, value in enumerate(values, start=2):
            lists.cell(row=m, column=n, value=value).data_type = "s"
        ranges[name] = f"{LISTS}!${letter}$2:${letter}${max(2, len(values) + 1)}"
    lists.sheet_state = "hidden"
    for n, column in enumerate(columns, start=1):
        leaf = column.rsplit(".", 1)[-1]
        pick = (
            "parameter"
            if leaf == "parameter"
            else "topic"
            if column == "topic"
            else "type"
            if leaf == "type"
            else "yes/no"
            if leaf in ("mandatory", "inclusive", "min_inclusive", "max_inclusive")
            else "unit"
            if leaf in ("unit", "min_unit", "max_unit")
            else "verification"
            if leaf == "verification"
            else None
        )
        if pick is None or not choices[pick]:
            continue
        check = DataValidation(type="list", formula1=ranges[pick], allow_blank=True)
        check.error = f"{column}: pick one of the list (sheet '{PARAMETERS}' explains the parameters)"
        check.showErrorMessage = pick != "unit"  # a unit outside the list may still be right (e.g. MW)
        letter = get_column_letter(n)
        check.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        ws.add_data_validation(check)
    return _save(wb)


# --- reading


def _is_xlsx(raw: bytes) -> bool:
    return raw[:4] == b"PK\x03\x04"


def read(raw: bytes, fmt: str | None = None) -> Sheet:
    """Read a sheet file (XLSX or CSV, by ``fmt`` or by its first bytes); raise SheetError."""
    if len(raw) > MAX_BYTES:
        raise SheetError([Problem("", f"the file is {len(raw):,} bytes; the limit is {MAX_BYTES:,} bytes (4 MiB)")])
    if not raw.strip():
        raise SheetError([Problem("", "the file is empty")])
    kind = fmt or ("xlsx" if _is_xlsx(raw) else "csv")
    if kind == "xlsx":
        return _read_xlsx(raw)
    if _is_xlsx(raw) or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SheetError([Problem("", "this is a workbook, not CSV text; save it as .xlsx or as CSV UTF-8")])
    return _read_csv(raw)


def _read_csv(raw: bytes) -> Sheet:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SheetError([Problem("", "the CSV is UTF-16 text; save it as CSV UTF-8")])
    if b"\x00" in raw:
        raise SheetError([Problem("", "the file is binary (it holds NUL bytes), not CSV text")])
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise SheetError([Problem("", f"the CSV is not UTF-8 (byte {exc.start}); save it as CSV UTF-8")]) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","  # spreadsheets set to a decimal comma
    try:
        rows = list(_bounded(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    except csv.Error as exc:
        raise SheetError([Problem(CRITERIA, f"the CSV cannot be read: {exc}")]) from None
    return _Reader(CRITERIA).read(rows)


def _bounded(rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """Yield the header and up to MAX_ROWS + 1 data rows (one more tells that there are too many)."""
    for n, row in enumerate(rows):
        if n > MAX_ROWS + 1:
            return
        yield row


def _read_xlsx(raw: bytes) -> Sheet:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise SheetError([Problem("", "the XLSX file is broken (not a readable workbook); save it again")]) from None
    names = {i.filename.lower() for i in infos}
    if any(n.endswith("vbaproject.bin") for n in names):
        raise SheetError([Problem("", "the workbook holds macros; save it as .xlsx (without macros)")])
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED:
        raise SheetError(
            [Problem("", f"the workbook unpacks to {unpacked:,} bytes; the limit is {MAX_UNPACKED:,} bytes")]
        )
    if "xl/workbook.xml" not in names:
        raise SheetError([Problem("", "the file is a ZIP archive but not an XLSX workbook")])
    from openpyxl import load_workbook

    try:
        values = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged part
        raise SheetError([Problem("", f"the XLSX file is broken: {type(exc).__name__}; save it again")]) from None
    try:
        if CRITERIA not in values.sheetnames:
            raise SheetError(
                [Problem("", f"no sheet named '{CRITERIA}' (the workbook has {', '.join(values.sheetnames)})")]
            )
        problems: list[Problem] = []
        rows = _xlsx_rows(values[CRITERIA], formulas[CRITERIA], CRITERIA, problems)
        sheet = _Reader(CRITERIA, problems).read(rows)
        if DOCUMENT in values.sheetnames:
            head_rows = _xlsx_rows(values[DOCUMENT], formulas[DOCUMENT], DOCUMENT, problems)
            sheet.header = _read_header(head_rows, sheet, problems)
        if problems:
            raise SheetError(problems)
        return sheet
    finally:
        values.close()
        formulas.close()


def _xlsx_rows(values: Any, formulas: Any, name: str, problems: list[Problem]) -> list[list[Any]]:
    from openpyxl.utils import get_column_letter

    rows: list[list[Any]] = []
    pairs = zip(  # noqa: B905 - the value rows stop at the row limit, the formula rows go on
        _bounded(values.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)),
        formulas.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True),
    )
    for r, (row, written) in enumerate(pairs, start=1):
        kept = list(row)
        for c, (value, formula) in enumerate(zip(row, written, strict=False), start=1):
            if isinstance(formula, str) and formula.startswith("=") and value is None:
                problems.append(
                    Problem(
                        f"{name}!{get_column_letter(c)}{r}",
                        "a formula with no saved value (formulas are never evaluated here); type the value",
                    )
                )
            elif formula.__class__.__name__ in ("ArrayFormula", "DataTableFormula") and value is None:
                problems.append(Problem(f"{name}!{get_column_letter(c)}{r}", "an array formula; type the value"))
        while kept and kept[-1] is None:
            kept.pop()
        rows.append(kept)
    return rows


def _cell_ref(sheet: str, row: int, column: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(column)}{row}"


def _plain_text(value: Any) -> str:
    """Return a cell as text: numbers without a spurious '.0', dates as ISO dates, the ``'`` mark dropped."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text[1:] if text.startswith("'") else text


_TRUE = {"true", "yes", "y", "1", "是", "ja", "wahr"}
_FALSE = {"false", "no", "n", "0", "否", "nein", "falsch"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


class _Bad(Exception):
    """A field of the document sheet that cannot be placed (given twice, or both a value and a group)."""


def number(value: Any) -> int | float:
    """Return a cell as a number: a number cell as is, text with a decimal point or an unambiguous
    decimal comma ("7,2"); raise ValueError with the reason otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"{_plain_text(value)} is not a number")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("the number is not finite")
        return value
    text = _plain_text(value).strip().replace("\u00a0", "").replace(" ", "")
    if _DECIMAL_COMMA.match(text):
        whole, frac = text.split(",")
        if len(frac) == 3 and whole.lstrip("+-") not in ("0", ""):
            raise ValueError(
                f"{text!r} is ambiguous (a thousands separator or a decimal comma?); write it with a point"
            )
        text = f"{whole}.{frac}"
    if not _NUMBER.match(text):
        raise ValueError(f"{_plain_text(value)[:40]!r} is not a number")
    result = float(text) if any(ch in text for ch in ".eE") else int(text)
    if isinstance(result, float) and not math.isfinite(result):
        raise ValueError("the number is not finite")
    return result


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _plain_text(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{_plain_text(value)[:40]!r} is not yes or no (TRUE or FALSE)")


def known_column(column: str) -> bool:
    """Return whether a column name is a field this reader knows."""
    parts = column.split(".")
    head = parts[0]
    if len(parts) == 1:
        return head in ("id", "clause", "topic", "parameter", "mandatory")
    if head in ("title", "text", "notes"):
        return len(parts) == 2 and bool(_LANGUAGE.match(parts[1]))
    if head == "requirement":
        return _constraint_column(parts[1:])
    if head == "conditions":
        return _INDEX.match(parts[1]) is not None and (parts[2:] == ["parameter"] or _constraint_column(parts[2:]))
    if head == "test_methods":
        return len(parts) == 3 and _INDEX.match(parts[1]) is not None and parts[2] in ("standard", "note")
    if head == "provenance":
        rest = parts[1:]
        if rest in (["verification"], ["note"]):
            return True
        return (
            len(rest) == 3 and rest[0] == "sources" and _INDEX.match(rest[1]) is not None and rest[2] in SOURCE_FIELDS
        )
    return False


def _constraint_column(rest: list[str]) -> bool:
    if len(rest) == 1:
        return rest[0] in _CONSTRAINT_FIELDS
    return len(rest) == 2 and rest[0] in ("evidence", "note") and _LANGUAGE.match(rest[1]) is not None


class _Reader:
    """Builds criteria from the rows of one sheet, recording the cell of every value."""

    def __init__(self, name: str, problems: list[Problem] | None = None) -> None:
        self.name = name
        self.problems = problems if problems is not None else []
        self.cells: dict[str, str] = {}

    def read(self, rows: Sequence[Sequence[Any]]) -> Sheet:
        if not rows:
            raise SheetError([*self.problems, Problem(self.name, "the sheet is empty; row 1 names the columns")])
        columns = self._columns(rows[0])
        data = [(n, row) for n, row in enumerate(rows[1:], start=2) if any(not _empty(v) for v in row)]
        if len(data) > MAX_ROWS:
            raise SheetError(
                [
                    Problem(
                        f"{self.name}!A{data[MAX_ROWS][0]}",
                        f"more than {MAX_ROWS:,} criteria; a document holds at most {MAX_ROWS:,}",
                    )
                ]
            )
        criteria: list[dict[str, Any]] = []
        seen: dict[str, str] = {}
        if not self.problems:
            for n, row in data:
                cells = {columns[c]: (row[c], c + 1) for c in range(min(len(row), len(columns))) if not _empty(row[c])}
                extra = [c for c in range(len(columns), len(row)) if not _empty(row[c])]
                for c in extra[:1]:
                    self.problems.append(Problem(_cell_ref(self.name, n, c + 1), "a value in a column with no name"))
                criterion = self._criterion(len(criteria), n, cells)
                ident = criterion.get("id")
                if isinstance(ident, str):
                    if ident in seen:
                        self.problems.append(
                            Problem(
                                self.cells[f"/criteria/{len(criteria)}/id"],
                                f"id: {ident!r} is used twice (also {seen[ident]})",
                            )
                        )
                    seen.setdefault(ident, self.cells[f"/criteria/{len(criteria)}/id"])
                criteria.append(criterion)
        if self.problems:
            raise SheetError(self.problems)
        fields = {ref: self._column_of(ref, columns) for ref in set(self.cells.values())}
        return Sheet(criteria=criteria, cells=self.cells, fields={k: v for k, v in fields.items() if v})

    def _column_of(self, ref: str, columns: Sequence[str]) -> str:
        from openpyxl.utils import column_index_from_string

        letters = ref.split("!", 1)[1].rstrip("0123456789")
        index = column_index_from_string(letters) - 1
        return columns[index] if index < len(columns) else ""

    def _columns(self, header: Sequence[Any]) -> list[str]:
        columns: list[str] = []
        if len(header) > MAX_COLUMNS:
            self.problems.append(Problem(f"{self.name}!1", f"more than {MAX_COLUMNS} columns"))
            return columns
        for c, value in enumerate(header, start=1):
            name = "" if _empty(value) else _plain_text(value).strip()
            ref = _cell_ref(self.name, 1, c)
            if not name:
                columns.append("")
            elif not known_column(name):
                self.problems.append(
                    Problem(
                        ref,
                        f"unknown column {name[:60]!r} (columns are field paths such as "
                        "'requirement.value'; see the template)",
                    )
                )
            elif name in columns:
                self.problems.append(Problem(ref, f"column {name!r} is there twice"))
            columns.append(name)
        if "id" not in columns and not self.problems:
            self.problems.append(Problem(f"{self.name}!1", "no 'id' column"))
        return columns

    # Each value is put at a JSON pointer, and the cell it came from is recorded there.
    def _put(self, target: dict[str, Any], key: str, value: Any, pointer: str, ref: str) -> None:
        target[key] = value
        self.cells[pointer] = ref
        parent = pointer.rsplit("/", 1)[0]
        while parent.count("/") > 2 and parent not in self.cells:  # an object's problem: its first cell
            self.cells[parent] = ref
            parent = parent.rsplit("/", 1)[0]

    def _criterion(self, index: int, row: int, cells: Mapping[str, tuple[Any, int]]) -> dict[str, Any]:
        base = f"/criteria/{index}"
        self.cells[base] = _cell_ref(self.name, row, 1)
        out: dict[str, Any] = {}

        def ref(column: str) -> str:
            return _cell_ref(self.name, row, cells[column][1])

        def text(column: str) -> str | None:
            if column not in cells:
                return None
            value = _plain_text(cells[column][0])
            if len(value) > MAX_CELL:
                self.problems.append(Problem(ref(column), f"{column}: longer than {MAX_CELL:,} characters"))
            return value

        def convert(column: str, how: Any) -> Any:
            if column not in cells:
                return None
            try:
                return how(cells[column][0])
            except ValueError as exc:
                self.problems.append(Problem(ref(column), f"{column}: {exc}"))
                return None

        for key in ("id", "clause", "topic", "parameter"):
            value = text(key)
            if value is not None:
                self._put(out, key, value.strip() if key != "clause" else value, f"{base}/{key}", ref(key))
            elif key == "clause":
                out["clause"] = None
            elif key == "id":
                self.problems.append(Problem(_cell_ref(self.name, row, 1), "id: every criterion needs an id"))
        for name in ("title", "text"):
            self._texts(out, name, cells, row, base)
        if "mandatory" in cells:
            self._put(out, "mandatory", convert("mandatory", _boolean), f"{base}/mandatory", ref("mandatory"))
        requirement = self._constraint("requirement", cells, row, f"{base}/requirement")
        if requirement is not None:
            out["requirement"] = requirement
        conditions: list[dict[str, Any]] = []
        for n in _indexes(cells, "conditions"):
            prefix = f"conditions.{n}"
            pointer = f"{base}/conditions/{len(conditions)}"
            condition = self._constraint(prefix, cells, row, pointer) or {}
            parameter = text(f"{prefix}.parameter")
            if parameter is not None:
                self.cells[f"{pointer}/parameter"] = ref(f"{prefix}.parameter")
            conditions.append({"parameter": parameter.strip() if parameter else parameter, **condition})
        if conditions:
            out["conditions"] = conditions
        methods: list[dict[str, Any]] = []
        for n in _indexes(cells, "test_methods"):
            method: dict[str, Any] = {}
            for key in ("standard", "note"):
                column = f"test_methods.{n}.{key}"
                if column in cells:
                    self._put(method, key, text(column), f"{base}/test_methods/{len(methods)}/{key}", ref(column))
            methods.append(method)
        if methods:
            out["test_methods"] = methods
        provenance: dict[str, Any] = {}
        if "provenance.verification" in cells:
            self._put(
                provenance,
                "verification",
                (text("provenance.verification") or "").strip(),
                f"{base}/provenance/verification",
                ref("provenance.verification"),
            )
        sources: list[dict[str, Any]] = []
        for n in _indexes(cells, "provenance.sources"):
            source: dict[str, Any] = {}
            for key in SOURCE_FIELDS:
                column = f"provenance.sources.{n}.{key}"
                if column in cells:
                    self._put(source, key, text(column), f"{base}/provenance/sources/{len(sources)}/{key}", ref(column))
            sources.append(source)
        if sources or provenance:
            provenance["sources"] = sources
        if "provenance.note" in cells:
            self._put(provenance, "note", text("provenance.note"), f"{base}/provenance/note", ref("provenance.note"))
        if provenance:
            out["provenance"] = provenance
        self._texts(out, "notes", cells, row, base)
        return out

    def _texts(
        self, out: dict[str, Any], name: str, cells: Mapping[str, tuple[Any, int]], row: int, pointer: str
    ) -> None:
        found: dict[str, Any] = {}
        for column, (value, c) in cells.items():
            head, _, lang = column.partition(".")
            if head == name and lang:
                ref = _cell_ref(self.name, row, c)
                self._put(found, lang, _plain_text(value), f"{pointer}/{name}/{lang}", ref)
                self.cells.setdefault(f"{pointer}/{name}", ref)
        if found:
            out[name] = found

    def _constraint(
        self, prefix: str, cells: Mapping[str, tuple[Any, int]], row: int, pointer: str
    ) -> dict[str, Any] | None:
        mine = {
            k[len(prefix) + 1 :]: v
            for k, v in cells.items()
            if k.startswith(prefix + ".") and k != f"{prefix}.parameter"
        }
        if not mine:
            return None

        def ref(key: str) -> str:
            return _cell_ref(self.name, row, mine[key][1])

        def get(key: str, how: Any = None) -> Any:
            if key not in mine:
                return None
            raw = mine[key][0]
            if how is None:
                return _plain_text(raw).strip()
            try:
                return how(raw)
            except ValueError as exc:
                self.problems.append(Problem(ref(key), f"{prefix}.{key}: {exc}"))
                return None

        out: dict[str, Any] = {}
        kind = get("type")
        if kind is None:
            first = next(iter(mine))
            self.problems.append(
                Problem(ref(first), f"{prefix}.type: a requirement needs its type ({', '.join(TYPES)})")
            )
            return out
        self.cells[pointer] = ref("type")
        self._put(out, "type", kind, f"{pointer}/type", ref("type"))

        def quantity(number_key: str, unit_key: str, target: str) -> None:
            amount = get(number_key, number)
            unit = get(unit_key)
            if amount is None and unit is None:
                out[target] = None
                return
            if amount is None:
                if number_key not in mine:
                    self.problems.append(Problem(ref(unit_key), f"{prefix}.{number_key}: a unit with no number"))
                return
            if unit is None:
                self.problems.append(
                    Problem(ref(number_key), f"{prefix}.{unit_key}: the number {amount} needs its unit")
                )
                return
            out[target] = {"value": amount, "unit": unit}
            self.cells[f"{pointer}/{target}"] = ref(number_key)
            self.cells[f"{pointer}/{target}/value"] = ref(number_key)
            self.cells[f"{pointer}/{target}/unit"] = ref(unit_key)

        def flag(key: str) -> None:
            out[key] = get(key, _boolean)
            if key in mine:
                self.cells[f"{pointer}/{key}"] = ref(key)

        used = {"type"}
        if kind in ("max", "min"):
            quantity("value", "unit", "value")
            flag("inclusive")
            used |= {"value", "unit", "inclusive"}
        elif kind == "range":
            for end in ("min", "max"):
                quantity(end, f"{end}_unit", end)
                flag(f"{end}_inclusive")
                used |= {end, f"{end}_unit", f"{end}_inclusive"}
        elif kind == "equals":
            if "unit" in mine:
                quantity("value", "unit", "value")
            else:
                value = get("value")
                out["value"] = value
                if value is not None:
                    self.cells[f"{pointer}/value"] = ref("value")
            used |= {"value", "unit"}
        elif kind in ("one_of", "none_of"):
            raw = get("values")
            out["values"] = None if raw is None else [v.strip() for v in raw.splitlines() if v.strip()]
            if raw is not None:
                self.cells[f"{pointer}/values"] = ref("values")
            used.add("values")
        elif kind == "boolean":
            flag("value")
            used.add("value")
        elif kind not in TYPES:
            self.problems.append(Problem(ref("type"), f"{prefix}.type: {kind!r} is not one of {', '.join(TYPES)}"))
            return out
        for key in ("evidence", "note"):
            texts = {k.split(".", 1)[1]: v for k, v in mine.items() if k.startswith(key + ".")}
            if texts:
                out[key] = {}
                for lang, (value, c) in texts.items():
                    self._put(
                        out[key], lang, _plain_text(value), f"{pointer}/{key}/{lang}", _cell_ref(self.name, row, c)
                    )
                    used.add(f"{key}.{lang}")
        for key in mine:
            if key not in used:
                self.problems.append(
                    Problem(ref(key), f"{prefix}.{key}: not used by a '{kind}' requirement; leave it empty")
                )
        return out


def _indexes(cells: Mapping[str, Any], prefix: str) -> list[int]:
    found = {int(k[len(prefix) + 1 :].split(".", 1)[0]) for k in cells if k.startswith(prefix + ".")}
    return sorted(found)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_header(rows: Sequence[Sequence[Any]], sheet: Sheet, problems: list[Problem]) -> dict[str, Any]:
    """Read the ``document`` sheet (field, value) back into the header fields."""
    header: dict[str, Any] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not row or _empty(row[0]):
            if len(row) > 1 and not _empty(row[1]):
                problems.append(Problem(f"{DOCUMENT}!A{n}", "a value with no field name"))
            continue
        path = _plain_text(row[0]).strip()
        raw = row[1] if len(row) > 1 else None
        parts = path.split(".")
        if any(not p for p in parts):
            problems.append(Problem(f"{DOCUMENT}!A{n}", f"field {path[:60]!r} is not a field path"))
            continue
        if path == "criteria" or parts[0] == "criteria":
            problems.append(Problem(f"{DOCUMENT}!A{n}", "criteria belong on the 'criteria' sheet"))
            continue
        if _empty(raw):
            if parts[0] != "dates":
                continue
            value: Any = None
        elif isinstance(raw, str) and raw.strip() in ("[]", "{}"):
            value = [] if raw.strip() == "[]" else {}
        elif isinstance(raw, bool) or (isinstance(raw, (int, float)) and parts[-1] == "value"):
            value = raw
        else:
            value = _plain_text(raw)
        try:
            _place(header, parts, value)
        except _Bad as exc:
            problems.append(Problem(f"{DOCUMENT}!A{n}", f"field {path!r}: {exc}"))
            continue
        sheet.cells[_pointer(parts)] = f"{DOCUMENT}!B{n}"
        sheet.fields[f"{DOCUMENT}!B{n}"] = path
    found: dict[str, Any] = _lists(header)
    return found


def _pointer(parts: Sequence[str]) -> str:
    return "".join("/" + (str(int(p) - 1) if p.isdigit() else p) for p in parts)


def _place(target: dict[str, Any], parts: Sequence[str], value: Any) -> None:
    node = target
    for part in parts[:-1]:
        nxt = node.setdefault(part, {})
        if not isinstance(nxt, dict):
            raise _Bad("it is also given as a value")
        node = nxt
    if parts[-1] in node:
        raise _Bad("it is given twice")
    node[parts[-1]] = value


def _lists(node: Any) -> Any:
    """Turn dicts keyed 1..n (as the flattening writes lists) back into lists."""
    if isinstance(node, dict):
        items = {k: _lists(v) for k, v in node.items()}
        if items and all(k.isdigit() for k in items):
            return [items[k] for k in sorted(items, key=int)]
        return items
    return node


def document(sheet: Sheet, header: Mapping[str, Any], doc_id: str, version: str) -> dict[str, Any]:
    """Return the draft a sheet makes: ``header`` (its own, or a stored version's) with the sheet's
    criteria, under the id and version given, as a draft."""
    doc = {k: v for k, v in header.items() if k != "criteria"}
    doc.update({"id": doc_id, "version": version, "status": "draft", "criteria": sheet.criteria})
    return doc


# --- one criterion as named fields (the criterion editor's form): read by the same reader as a sheet row

FORM = "form"


def field_text(value: Any) -> str:
    """Return a cell value as a form field shows it (yes/no for flags; numbers as written)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def fields_of(criterion: Mapping[str, Any]) -> dict[str, str]:
    """Return one criterion as field (column) -> text, the fields that hold a value only."""
    return {column: field_text(value) for column, value in _cells_of(criterion).items() if value is not None}


@dataclass
class Fields:
    """One criterion read from named fields, and which field each value came from."""

    criterion: dict[str, Any]
    sheet: Sheet

    def field(self, pointer: str) -> str | None:
        """Return the field a pointer inside the criterion (``/requirement/unit``) came from, if any."""
        return self.sheet.fields.get(self.sheet.where(f"/criteria/0{pointer}"))


def read_fields(values: Mapping[str, str]) -> Fields:
    """Read one criterion from fields named like sheet columns (``requirement.value``); an empty field is
    an empty cell. Raise SheetError whose problems' ``where`` is the field's name."""
    columns = [name for name, value in values.items() if value.strip()]
    if "id" not in columns:
        raise SheetError([Problem("id", "id: every criterion needs an id")])
    # The sheet reader drops a leading ' (a spreadsheet's text mark); typed into a form, it is the text.
    cells = ["'" + values[c] if values[c].startswith("'") else values[c] for c in columns]
    reader = _Reader(FORM)
    try:
        read = reader.read([columns, cells])
    except SheetError as exc:
        problems = []
        for p in exc.problems:
            where = p.where
            if where.startswith(FORM + "!"):
                cell = where.split("!", 1)[1]
                letters = cell.rstrip("0123456789")
                where = reader._column_of(where, columns) if letters else ""
            problems.append(Problem(where, p.message))
        raise SheetError(problems) from None
    return Fields(read.criteria[0], read)
