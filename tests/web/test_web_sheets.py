"""Criteria sheets on the web: downloads for everyone (published only), templates and draft sheets for staff,
imports for the administrator with every problem at its cell and nothing stored on failure."""

from __future__ import annotations

import io
import json
import re

from flask.testing import FlaskClient
from openpyxl import load_workbook

from registry import sheet
from tests.web.conftest import ADMIN, STAFF, csrf_token, login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _admin_index(client: FlaskClient) -> str:
    """Return the admin index less its form tokens (they carry the second they were made in)."""
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token"', client.get("/admin/").get_data(as_text=True))


def _published(client: FlaskClient) -> dict[str, object]:
    return json.loads(client.get("/api/v1/standards/de-uz-204/2016-08").get_data())  # type: ignore[no-any-return]


def test_anyone_downloads_a_published_standards_criteria(client: FlaskClient) -> None:
    doc = _published(client)
    page = client.get("/standards/de-uz-204/2016-08").get_data(as_text=True)
    assert 'href="/standards/de-uz-204/2016-08/criteria.xlsx"' in page
    response = client.get("/standards/de-uz-204/2016-08/criteria.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="de-uz-204@2016-08.csv"' in response.headers["Content-Disposition"]
    assert response.get_data() == sheet.write_csv(doc)
    response = client.get("/standards/de-uz-204/2016-08/criteria.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    read = sheet.read(response.get_data())
    assert read.criteria == doc["criteria"] and read.header is not None and read.header["id"] == "de-uz-204"
    assert client.get("/standards/de-uz-204/1999/criteria.csv").status_code == 404
    assert client.get("/standards/de-uz-204/2016-08/criteria.ods").status_code == 404


def test_staff_download_templates_and_draft_sheets_but_cannot_import(client: FlaskClient) -> None:
    assert client.get("/admin/templates/scanner.xlsx").status_code == 302  # anonymous: to sign-in
    login(client, STAFF)
    response = client.get("/admin/templates/room-air-conditioner.xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    params = load_workbook(io.BytesIO(response.get_data()))["parameters"]
    assert "cooling.capacity.rated" in [r[0] for r in params.iter_rows(min_row=2, values_only=True)]
    assert client.get("/admin/templates/no-such-category.xlsx").status_code == 404
    assert client.get("/admin/sheets").status_code == 403


def _workbook_with(raw: bytes, change: dict[str, object]) -> tuple[bytes, str]:
    wb = load_workbook(io.BytesIO(raw))
    ws = wb["criteria"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("requirement.unit")].value)
    for column, value in change.items():
        row[header.index(column)].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), f"{row[0].row}"


def _post(client: FlaskClient, raw: bytes, name: str, draft: str) -> tuple[int, str, str]:
    response = client.post(
        "/admin/sheets",
        data={"csrf_token": csrf_token(client, "/admin/sheets"), "draft": draft, "file": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )
    return response.status_code, response.headers.get("Location", ""), response.get_data(as_text=True)


def test_admin_imports_a_changed_workbook_as_a_new_draft_then_a_csv_into_it(client: FlaskClient) -> None:
    login(client, ADMIN)
    raw = client.get("/standards/de-uz-204/2016-08/criteria.xlsx").get_data()
    changed, _ = _workbook_with(raw, {"requirement.value": 5})
    status, location, _ = _post(client, changed, "uz204.xlsx", "de-uz-204@2027-01")
    assert status == 302 and location.endswith("/admin/drafts/de-uz-204/2027-01")
    page = client.get(location).get_data(as_text=True)
    assert "Draft created from the sheet." in page and "/admin/drafts/de-uz-204/2027-01/criteria.csv" in page
    draft_csv = client.get("/admin/drafts/de-uz-204/2027-01/criteria.csv").get_data()
    assert b",5," in draft_csv
    # the CSV, one row fewer, replaces the draft's criteria
    lines = draft_csv.decode("utf-8-sig").split("\r\n")
    status, location, _ = _post(client, "\r\n".join([*lines[:-2], ""]).encode(), "d.csv", "de-uz-204@2027-01")
    assert status == 302
    assert "Criteria replaced from the sheet." in client.get(location).get_data(as_text=True)
    csv_after = client.get("/admin/drafts/de-uz-204/2027-01/criteria.csv").get_data().decode("utf-8-sig")
    assert len(csv_after.strip().split("\r\n")) == len(lines) - 2


def test_a_bad_sheet_shows_its_cells_and_stores_nothing(client: FlaskClient) -> None:
    login(client, ADMIN)
    raw = client.get("/standards/de-uz-204/2016-08/criteria.xlsx").get_data()
    bad, row = _workbook_with(raw, {"requirement.unit": "kg", "requirement.value": "lots"})
    before = _admin_index(client)
    status, _, page = _post(client, bad, "bad.xlsx", "de-uz-204@2027-02")
    assert status == 400 and "Nothing was stored. Fix these cells in bad.xlsx" in page
    assert f"criteria!H{row}</code>: requirement.value: &#39;lots&#39; is not a number" in page
    status, _, page = _post(client, b"PK\x03\x04 broken", "broken.xlsx", "de-uz-204@2027-02")
    assert status == 400 and "the XLSX file is broken" in page
    status, _, page = _post(client, raw, "ok.xlsx", "de-uz-204@2016-08")
    assert status == 400 and "de-uz-204@2016-08 is published: published content never changes" in page
    status, _, page = _post(client, raw, "ok.xlsx", "no-version")
    assert status == 400 and "Write the draft as ID@VERSION" in page
    token = csrf_token(client, "/admin/sheets")
    body = (
        (  # built here as bytes: the test client would spool a file part this large to a temporary file
            f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            '--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        ).encode()
        + b"x" * (5 << 20)
        + b"\r\n--b--\r\n"
    )
    big = client.post("/admin/sheets", data=body, content_type="multipart/form-data; boundary=b")
    assert big.status_code == 413 and "larger than 4096 KiB, the limit" in big.get_data(as_text=True)
    assert _admin_index(client) == before
