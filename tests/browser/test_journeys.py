"""Journeys in a real browser: compare, an administrator publishing a joint standard, recognition, stored script."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from tests.browser.conftest import SHOTS, shot, sign_in
from tests.conftest import STANDARDS


def test_compare_journey(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    page.click("text=Compare")
    page.select_option("#a", "cn-de-room-air-conditioner@2017")
    page.select_option("#b", "de-uz-204@2016-08")
    page.click("#pick button[type=submit]")
    page.wait_for_selector("#pairs")
    rows = page.locator("#pairs tbody tr")
    assert rows.count() == 9
    assert page.locator("#pairs .rel-not_comparable").count() >= 3
    assert "not comparable" in page.inner_text("#pairs")
    # nothing of B has a value A could be held to, and B's record is partial: unknown, never a 0 % bar
    assert page.inner_text("#cov-a") == "0 of 8 confirmed, 8 unknown"
    assert page.locator("#cov-a-bar").count() == 0 and "the record of B is partial" in page.inner_text(".coverage")
    permalink = page.get_attribute("#permalink", "href")
    assert permalink == "/compare?a=cn-de-room-air-conditioner@2017&b=de-uz-204@2016-08"
    shot(page, "compare")
    with page.expect_download() as info:
        page.click("#csv")
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 9 and download.suggested_filename.endswith(".csv")
    assert page.errors == []


def test_admin_journey(page, server: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, server)
    page.click("text=New joint standard (draft)")
    doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
    doc["version"] = "2031"
    doc["dates"] = {"published": "2031-03", "valid_from": None, "valid_until": None, "review_due": None}
    doc["title"]["en"] = "China–Germany air conditioner common standard (browser test)"
    doc["criteria"][1]["requirement"] = {"type": "min", "value": {"value": 7.1, "unit": "dB(A)"}, "inclusive": True}
    page.fill("#u-text", json.dumps(doc, ensure_ascii=False, indent=1))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#errors")
    errors = page.inner_text("#errors")
    assert "/criteria/1/requirement/value/unit" in errors
    shot(page, "admin-upload-error")
    doc["criteria"][1]["requirement"]["value"]["unit"] = "W/W"
    page.fill("#u-text", json.dumps(doc, ensure_ascii=False, indent=1))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/admin/drafts/cn-de-room-air-conditioner/2031")
    assert "de-uz-204@2016-08" in page.inner_text("main")  # the preview against its parents
    shot(page, "admin-draft-preview")
    page.click("#publish")
    page.click("#publish-now")  # after reading the differences on the confirmation page
    page.wait_for_url("**/standards/cn-de-room-air-conditioner/2031")
    assert "published" in page.inner_text(".meta")
    page.goto(server + "/standards?kind=joint")
    assert page.locator("a[href='/standards/cn-de-room-air-conditioner/2031']").count() == 1
    page.goto(server + "/compare?a=cn-de-room-air-conditioner@2031&b=de-uz-204@2016-08")
    assert "B is stricter" in page.inner_text("ul.counts") or "not comparable" in page.inner_text("ul.counts")
    shot(page, "admin-published-compare")
    # The one console error is the rejected upload's 400 answer, which is what the page shows.
    assert [e for e in page.errors if "status of 400" not in e] == []


def test_certified_products_journey(page, server: str) -> None:  # type: ignore[no-untyped-def]
    # Staff open DE-UZ 204, see that the registry agrees with the recorded certifications, open the licence.
    page.goto(server + "/standards/de-uz-204/2016-08")
    summary = page.inner_text("#certified-summary")
    assert "Certified products recorded: 2" in summary and "consistent with this registry: 2" in summary
    page.click("text=Midea Group")
    page.wait_for_selector("table.figures")
    assert "4.6 W/W" in page.inner_text("table.figures") and "incomplete" in page.inner_text("ul.oracle")
    shot(page, "licence-midea")
    page.click("dl.facts a[href='/labels/de-blue-angel']")
    page.wait_for_url("**/labels/de-blue-angel")
    assert "Midea Group" in page.inner_text("#licences")
    assert page.errors == []


def test_recognition_matrix_and_network_render(page, server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/recognition")
    assert page.locator("#matrix tbody tr").count() >= 10
    svg = page.locator("#network")
    box = svg.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    assert page.locator("#network line").count() >= 20 and page.locator("#network circle").count() >= 10
    # GEN peer review is marked on the headers with its year; the cells hold agreements only.
    assert page.locator("#matrix th abbr.g").count() >= 10 and page.locator("#matrix td abbr.g").count() == 0
    # No name overlaps another name or another label's node (each name runs outward along its radius).
    overlaps = page.evaluate(
        """() => {
        const nodes = Array.from(document.querySelectorAll('#network g.node'));
        const boxes = nodes.map(g => ({id: g.dataset.label, c: g.querySelector('circle').getBoundingClientRect(),
                                       t: g.querySelector('text')}));
        const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        const found = [];
        for (const a of boxes) {
          const quads = a.t.getClientRects();  // the rotated text as the browser lays it out
          for (const b of boxes) {
            if (a !== b && Array.from(quads).some(q => hit(q, b.c))) found.push(a.id + ' over ' + b.id);
          }
        }
        // Names against each other: points along each rotated name, tested against every other name's shape.
        const texts = boxes.map(b => b.t);
        for (let i = 0; i < texts.length; i++) {
          const n = texts[i].getNumberOfChars();
          for (let k = 0; k < n; k++) {
            const p = texts[i].getStartPositionOfChar(k);
            const m = texts[i].getScreenCTM();
            const x = p.x * m.a + p.y * m.c + m.e, y = p.x * m.b + p.y * m.d + m.f;
            for (let j = 0; j < texts.length; j++) {
              if (i === j) continue;
              const el = document.elementFromPoint(x, y);
              if (el === texts[j]) { found.push(boxes[i].id + ' crosses ' + boxes[j].id); break; }
            }
          }
        }
        return found;
    }"""
    )
    assert overlaps == [], overlaps
    # A cell says its agreements in words on tap, not in a tooltip only.
    cell = page.locator("#matrix details.cell").first
    cell.locator("summary").click()
    assert cell.locator(".pop").is_visible() and cell.locator(".pop a").count() == 1
    words = cell.locator(".pop").inner_text()
    assert "_" not in words and any(w in words for w in ("recognition", "cooperation", "common core", "exchange"))
    shot(page, "recognition")
    page.select_option("select[name=category]", "scanner")
    page.click("form.filters button[type=submit]")
    assert "cn-jp-scanner-common-2017" in page.content()
    page.goto(server + "/?")
    page.click("text=中文")
    assert page.inner_text("h1") == "生态标志互认标准登记库"
    shot(page, "home-zh")
    assert page.errors == []


def test_a_stored_script_in_a_title_shows_as_text(page, server: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, server)
    page.goto(server + "/admin/drafts/new")
    doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
    doc["version"] = "2032"
    doc["dates"] = {"published": "2032-01", "valid_from": None, "valid_until": None, "review_due": None}
    payload = "<script>window.__owned = 1; alert('owned')</script><img src=x onerror=\"window.__owned=2\">"
    doc["title"]["en"] = payload + "Joint"
    page.fill("#u-text", json.dumps(doc))
    page.click("#upload-form button[type=submit]")
    page.wait_for_url("**/admin/drafts/cn-de-room-air-conditioner/2032")
    page.click("#publish")
    page.click("#publish-now")  # after reading the differences on the confirmation page
    page.wait_for_url("**/standards/cn-de-room-air-conditioner/2032")
    assert payload in page.inner_text("h1")  # shown as text
    assert page.evaluate("window.__owned === undefined")
    shot(page, "stored-script-as-text")
    page.goto(server + "/search?q=Joint")
    assert page.evaluate("window.__owned === undefined")
    assert not [e for e in page.errors if e.startswith("dialog")]


PAGES = [
    ("home", "/"),
    ("search", "/search?q=refrigerant"),
    ("labels", "/labels?genices=certified"),
    ("label", "/labels/cn-cel"),
    ("standards", "/standards"),
    ("standard", "/standards/de-uz-204/2016-08"),
    ("standard-zh", "/standards/cn-cel-room-air-conditioner/2013?lang=zh-Hans"),
    ("revisions", "/standards/cn-cel-room-air-conditioner/revisions"),
    ("agreement", "/agreements/cec-blue-angel-cooperation-2007"),
    ("check-form", "/check?category=room-air-conditioner"),
    ("help", "/help"),
    (
        "compare-many",
        "/compare?s=de-uz-204@2016-08&s=cn-de-room-air-conditioner@2017&s=cn-cel-room-air-conditioner@2013",
    ),
    ("login", "/login"),
]
ADMIN_PAGES = [
    ("admin", "/admin/"),
    ("admin-new", "/admin/drafts/new"),
    ("admin-agreements", "/admin/agreements"),
    ("admin-users", "/admin/users"),
    ("admin-audit", "/admin/audit"),
]


def test_every_page_renders_in_chromium_without_console_errors(page, server: str) -> None:  # type: ignore[no-untyped-def]
    """Any Content-Security-Policy violation or failed resource shows up as a console error."""
    for name, path in PAGES:
        response = page.goto(server + path)
        assert response is not None and response.status == 200, path
        assert page.locator("main h1").count() == 1, path
        shot(page, f"page-{name}")
    sign_in(page, server)
    for name, path in ADMIN_PAGES:
        response = page.goto(server + path)
        assert response is not None and response.status == 200, path
        shot(page, f"page-{name}")
    page.goto(server + "/check")
    page.set_input_files("#upload input[type=file]", str(STANDARDS.parent / "examples" / "products" / "scanner.json"))
    page.fill("#upload input[type=date]", "2019-06-01")
    page.click("#upload button[type=submit]")
    page.wait_for_selector("#report")
    assert page.locator("#report article.result").count() == 3
    shot(page, "page-check-report")
    page.click("text=Sign out")
    page.goto(server + "/admin/")
    assert "/login" in page.url
    assert page.errors == []


def test_chromium_stays_on_the_site_for_a_next_with_a_tab(page, server: str) -> None:  # type: ignore[no-untyped-def]
    for target in ("/%09/evil.example", "/%5C%5Cevil.example", "/%0d%0aX:1"):
        page.goto(f"{server}/lang/en?next={target}")
        assert page.url == server + "/", (target, page.url)


def test_api_token_journey(page, server: str) -> None:  # type: ignore[no-untyped-def]
    import urllib.error
    import urllib.request

    sign_in(page, server)
    page.click("header .account a")  # the user's name leads to their account
    page.wait_for_url("**/account")
    page.fill("#name", "nightly script")
    page.select_option("#scope", "read")
    page.select_option("#expires", "30")
    page.click("form[action='/account/tokens'] button[type=submit]")
    secret = page.inner_text("#new-token").strip()
    assert secret.startswith("ecr_")
    shot(page, "account-token-made")
    row = page.locator("tbody tr", has_text="nightly script")
    assert row.count() == 1 and "read" in row.inner_text() and secret not in row.inner_text()
    request = urllib.request.Request(server + "/api/v1/labels?limit=1", headers={"Authorization": f"Bearer {secret}"})
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200
    page.goto(server + "/account")  # the account page never shows the secret again
    assert secret not in page.content()
    page.locator("tbody tr", has_text="nightly script").locator("button", has_text="Revoke").click()
    page.wait_for_url("**/account")
    assert "revoked" in page.locator("tbody tr", has_text="nightly script").inner_text()
    shot(page, "account-token-revoked")
    try:
        urllib.request.urlopen(request)
        raise AssertionError("a revoked token was accepted")
    except urllib.error.HTTPError as refused:
        assert refused.code == 401
    assert page.errors == []


def test_sessions_journey(page, browser, server: str) -> None:  # type: ignore[no-untyped-def]
    # The same administrator signs in on a second device, then ends that session from the first.
    phone = browser.new_context(user_agent="Mozilla/5.0 (Phone; test) Second-Device/1.0").new_page()
    sign_in(phone, server)
    sign_in(page, server)
    page.goto(server + "/account#sessions")
    before = page.locator("#sessions + table tbody tr").count()
    assert before >= 2  # this one, the phone, and any left open by earlier journeys of the same server
    assert "this session" in page.inner_text("#sessions + table tr[aria-current=true]")
    other = page.locator("#sessions + table tbody tr", has_text="Second-Device/1.0")
    assert other.count() == 1
    shot(page, "account-sessions")
    other.locator("button", has_text="End session").click()
    page.wait_for_url("**/account")
    assert "has ended" in page.inner_text("main")
    assert page.locator("#sessions + table tbody tr").count() == before - 1
    assert page.locator("#sessions + table tbody tr", has_text="Second-Device/1.0").count() == 0
    phone.goto(server + "/admin/")
    assert "/login" in phone.url  # the other device is signed out
    page.goto(server + "/admin/")
    assert page.url.endswith("/admin/")  # this one goes on
    phone.context.close()
    assert page.errors == []


def test_sheet_round_trip_journey(page, server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Staff's spreadsheet path: download a standard's criteria as XLSX, change a value in the file,
    import it as a new draft, publish, and read the change on the revision page."""
    from openpyxl import load_workbook

    sign_in(page, server)
    page.goto(server + "/standards/cn-low-gwp-room-air-conditioner/2015")
    with page.expect_download() as info:
        page.click("text=XLSX")
    download = info.value
    assert download.suggested_filename == "cn-low-gwp-room-air-conditioner@2015.xlsx"
    file = tmp_path / "low-gwp.xlsx"
    download.save_as(file)
    wb = load_workbook(file)
    ws = wb["criteria"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "refrigerant-gwp")
    before = row[header.index("requirement.value")].value
    assert isinstance(before, (int, float))
    row[header.index("requirement.value")].value = before - 25  # a stricter cap
    wb.save(file)
    page.goto(server + "/admin/")
    page.click("text=Import a criteria sheet (XLSX or CSV)")
    page.set_input_files("#file", str(file))
    page.fill("#draft", "cn-low-gwp-room-air-conditioner@2033")
    shot(page, "sheet-import-form")
    page.click("#sheet-form button[type=submit]")
    page.wait_for_url("**/admin/drafts/cn-low-gwp-room-air-conditioner/2033")
    assert "Draft created from the sheet." in page.inner_text("main")
    shot(page, "sheet-imported-draft")
    page.click("#publish")
    page.click("#publish-now")  # after reading the differences on the confirmation page
    page.wait_for_url("**/standards/cn-low-gwp-room-air-conditioner/2033")
    page.goto(server + "/standards/cn-low-gwp-room-air-conditioner/revisions?a=2015&b=2033")
    row = page.locator("#pairs tbody tr", has_text="refrigerant-gwp")
    text = row.inner_text()
    assert f"< {before:g}" in text and f"< {before - 25:g}" in text and "B is stricter" in text, text
    shot(page, "sheet-revision-diff")
    assert page.errors == []


def test_criterion_editor_journey(page, server: str) -> None:  # type: ignore[no-untyped-def]
    """Journey (a) without a new category: an administrator makes a joint standard typing no JSON (the header
    by its form, three criteria by the editor: a number with a capacity condition, a yes/no, a declaration),
    meets a wrong unit at its field, publishes after the confirmation and finds it on the compare page."""
    sign_in(page, server)
    page.click("text=New joint standard (draft)")
    page.fill("#f-id", "test-joint-room-ac")
    page.fill("#f-version", "2026")
    page.fill("#f-title_en", "Joint room air conditioner criteria (browser test)")
    page.select_option("#f-labels", ["cn-cel", "de-blue-angel"])
    page.select_option("#f-category", "room-air-conditioner")
    page.fill("#f-published", "2026-11")
    page.fill("#f-scope", "Split room air conditioners up to 12 kW (test document).")
    page.fill("#f-source_title", "Browser test document")
    page.fill("#f-source_publisher", "Ecolabel registry test suite")
    page.click("#draft-form button[type=submit]")
    page.wait_for_url("**/admin/drafts/test-joint-room-ac/2026")
    assert "No criteria yet." in page.inner_text("main")

    # 1. A number with a capacity condition; first with a wrong unit.
    page.click("#add-criterion")
    page.fill("#f-id", "seer-small")
    page.select_option("#f-topic", "energy")
    page.select_option("#f-parameter", "energy.seer")
    page.fill("#f-title-en", "Seasonal energy efficiency, units up to 4.5 kW")
    page.select_option("#f-requirement-type", "min")
    assert page.is_hidden("#f-requirement-min") and page.is_visible("#f-requirement-value")  # only min's fields
    page.fill("#f-requirement-value", "6,1")  # a decimal comma
    page.fill("#f-requirement-unit", "kg")
    page.select_option("#f-requirement-inclusive", "yes")
    page.select_option("#f-conditions-1-parameter", "cooling.capacity.rated")
    page.select_option("#f-conditions-1-type", "max")
    page.fill("#f-conditions-1-value", "4.5")
    page.fill("#f-conditions-1-unit", "kW")
    page.select_option("#f-conditions-1-inclusive", "yes")
    page.fill("#f-provenance-sources-1-title", "Browser test document")
    page.fill("#f-provenance-sources-1-publisher", "Ecolabel registry test suite")
    page.fill("#f-provenance-sources-1-locator", "table 2")
    page.click("#save")
    page.wait_for_selector("#err-f-requirement-unit-1")
    assert "kg" in page.inner_text("#err-f-requirement-unit-1")
    shot(page, "editor-unit-error")
    page.fill("#f-requirement-unit", "W/W")
    page.click("#save")
    page.wait_for_url("**/admin/drafts/test-joint-room-ac/2026#criterion-seer-small")
    assert "6.1 W/W" in page.inner_text("#criterion-seer-small")

    # 2. Yes or no.
    page.click("#add-criterion")
    page.fill("#f-id", "halogen-free")
    page.select_option("#f-topic", "refrigerant")
    page.select_option("#f-parameter", "refrigerant.halogen_free")
    page.fill("#f-title-en", "Halogen-free refrigerant")
    page.select_option("#f-requirement-type", "boolean")
    page.select_option("#f-requirement-value-boolean", "yes")
    page.fill("#f-provenance-sources-1-title", "Browser test document")
    page.fill("#f-provenance-sources-1-publisher", "Ecolabel registry test suite")
    page.click("#save")
    page.wait_for_url("**#criterion-halogen-free")

    # 3. A declaration, made from a duplicate of the second and edited.
    page.click("#criterion-halogen-free button[value=duplicate]")
    page.wait_for_url("**#criterion-halogen-free-2")
    page.click("#criterion-halogen-free-2 a")
    page.fill("#f-id", "refrigerant-handling")
    page.select_option("#f-parameter", "")
    page.fill("#f-title-en", "Refrigerant handling is declared")
    page.select_option("#f-requirement-type", "qualitative")
    page.fill("#f-requirement-evidence-en", "A declaration of how the refrigerant is recovered")
    page.click("#save")  # without a parameter: kept as work in progress, the problem at the parameter
    page.wait_for_selector("#err-f-parameter-1")
    assert "required" in page.inner_text("#err-f-parameter-1")
    shot(page, "editor-work-in-progress")
    page.select_option("#f-parameter", "refrigerant.requirements")
    page.click("#save")
    page.wait_for_url("**#criterion-refrigerant-handling")
    assert [t.inner_text().split()[0] for t in page.locator("#criteria-table tbody tr td:first-child").all()] == [
        "seer-small",
        "halogen-free",
        "refrigerant-handling",
    ]
    assert "The draft is valid" in page.inner_text("main")
    shot(page, "editor-draft-criteria")

    page.click("#publish")
    page.wait_for_url("**/publish")
    shot(page, "editor-publish-confirmation")
    page.click("#publish-now")
    page.wait_for_url("**/standards/test-joint-room-ac/2026")
    page.goto(server + "/compare?a=test-joint-room-ac@2026&b=de-uz-204@2016-08")
    assert "energy.seer" in page.inner_text("#pairs")
    shot(page, "editor-published-compare")
    assert page.errors == []


def _signed_in(browser, server: str, who: tuple[str, str]):  # type: ignore[no-untyped-def]
    """A browser of its own for one person, signed in through the login form."""
    context = browser.new_context()
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "/login")
    page.fill("#username", who[0])
    page.fill("#password", who[1])
    page.click("form button[type=submit]")
    page.wait_for_url("**/admin/")
    return page


def test_review_journey(page, browser, server: str) -> None:  # type: ignore[no-untyped-def]
    """Journey (c): the administrator starts a new version of a published standard; a staff member changes a
    value in it; in the review queue the author is told they cannot verify it; a second staff member
    verifies it there, recording the official document and where the value was read."""
    author, reviewer = ("journey-author", "author-password-1"), ("journey-reviewer", "reviewer-password-1")
    sign_in(page, server)
    page.goto(server + "/admin/users")
    for name, password in (author, reviewer):
        page.fill("#username", name)
        page.fill("#password", password)
        page.select_option("#role", "staff")
        page.click("form:has(#username) button[type=submit]")
        page.wait_for_url("**/admin/users")
    page.goto(server + "/admin/drafts/de-uz-204/2016-08")
    page.fill("#new-version-form input[name=version]", "2034")
    page.click("#new-version-form button[type=submit]")
    page.wait_for_url("**/admin/drafts/de-uz-204/2034")

    writer = _signed_in(browser, server, author)
    writer.goto(server + "/admin/drafts/de-uz-204/2034/criteria/energy-seer/edit")
    writer.fill("#f-requirement-value", "6.3")
    writer.click("#save")
    writer.wait_for_url("**#criterion-energy-seer")
    assert "entered by journey-author" in writer.inner_text("#criterion-energy-seer")
    writer.goto(server + "/admin/")
    writer.click("#review-queue")
    writer.wait_for_selector("#review-de-uz-204-energy-seer-refused")
    assert "you entered its value" in writer.inner_text("#review-de-uz-204-energy-seer-refused")
    assert writer.locator("#review-de-uz-204-energy-seer form").count() == 0
    shot(writer, "review-author-cannot")

    checker = _signed_in(browser, server, reviewer)
    checker.goto(server + "/admin/review")
    item = "#review-de-uz-204-energy-seer"
    assert "6.3" in checker.inner_text(item)
    checker.fill(f"{item}-edition", "2016-08")
    checker.fill(f"{item}-locator", "")
    checker.click(f"{item} button[value=verify]")  # without the locator: refused at the field, nothing stored
    checker.wait_for_selector(f"{item}-locator-err")
    checker.fill(f"{item}-locator", "Annex 1, table 2")
    checker.click(f"{item} button[value=verify]")
    checker.wait_for_url("**/admin/review#review-de-uz-204")
    assert checker.locator(item).count() == 0  # out of the queue
    shot(checker, "review-queue-after-verify")
    checker.goto(server + "/admin/drafts/de-uz-204/2034")
    row = checker.inner_text("#criterion-energy-seer")
    assert "verified" in row and "by journey-reviewer" in row and "Annex 1, table 2" in row
    shot(checker, "review-draft-verified")
    refused = ["Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"]
    assert page.errors == [] and writer.errors == [] and checker.errors == refused  # the form without a locator
    writer.context.close()
    checker.context.close()


def _criterion(page, values: dict[str, str], selects: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Fill the criterion form (selects first, so that the chosen type's fields show) and save it."""
    page.click("#add-criterion")
    for field, value in selects.items():
        page.select_option(field, value)
    for field, value in values.items():
        page.fill(field, value)
    page.fill("#f-provenance-sources-1-title", "Browser test document")
    page.fill("#f-provenance-sources-1-publisher", "Ecolabel registry test suite")
    page.click("#save")
    page.wait_for_url("**#criterion-*")


def test_new_category_and_joint_standard_journey(page, server: str) -> None:  # type: ignore[no-untyped-def]
    """Journey (a) in full: an administrator adds a product category and its parameters, a joint standard of five
    criteria in it (numbers with a capacity condition, a yes/no, declarations) and an agreement covering it,
    all by forms, typing no JSON; publishes; finds it in compare and on the recognition page."""
    sign_in(page, server)
    page.click("#categories-link")
    page.fill("#id", "journey-dehumidifier")
    page.fill("#name_en", "Dehumidifier (browser journey)")
    page.fill("#definition_en", "Portable room dehumidifiers (a category made by the browser journey).")
    page.click("#add-category")
    page.wait_for_url("**/admin/categories/journey-dehumidifier")
    parameters = [
        ("capacity.rated", "Rated dehumidifying capacity", "quantity", "L/d", "none"),
        ("energy.factor", "Energy factor", "quantity", "L/kWh", "higher"),
        ("refrigerant.halogen_free", "Halogen-free refrigerant", "boolean", "", "true"),
        ("recycling.takeback", "Take-back of old appliances", "qualitative", "", "none"),
        ("documentation.manual", "User manual on efficient use", "qualitative", "", "none"),
    ]
    for pid, name, kind, unit, better in parameters:
        page.fill("#p-id", pid)
        page.fill("#p-name_en", name)
        page.select_option("#p-kind", kind)
        page.fill("#p-unit", unit)
        page.select_option("#p-better", better)
        page.click("#add-parameter-button")
        page.wait_for_url("**/admin/categories/journey-dehumidifier#parameters")
    assert page.locator("#parameter-table tbody tr").count() == 5
    shot(page, "journey-a-category")

    page.goto(server + "/admin/drafts/new")
    page.fill("#f-id", "test-joint-dehumidifier")
    page.fill("#f-version", "2026")
    page.fill("#f-title_en", "Joint dehumidifier criteria (browser journey)")
    page.select_option("#f-labels", ["cn-cel", "de-blue-angel"])
    page.select_option("#f-category", "journey-dehumidifier")
    page.fill("#f-published", "2026-11")
    page.fill("#f-scope", "Portable dehumidifiers (test document).")
    page.fill("#f-source_title", "Browser test document")
    page.fill("#f-source_publisher", "Ecolabel registry test suite")
    page.click("#draft-form button[type=submit]")
    page.wait_for_url("**/admin/drafts/test-joint-dehumidifier/2026")
    small = {"#f-conditions-1-value": "20", "#f-conditions-1-unit": "L/d"}
    _criterion(
        page,
        {
            "#f-id": "ef-small",
            "#f-title-en": "Energy factor, up to 20 L/d",
            "#f-requirement-value": "1,8",
            "#f-requirement-unit": "L/kWh",
            **small,
        },
        {
            "#f-topic": "energy",
            "#f-parameter": "energy.factor",
            "#f-requirement-type": "min",
            "#f-requirement-inclusive": "yes",
            "#f-conditions-1-parameter": "capacity.rated",
            "#f-conditions-1-type": "max",
            "#f-conditions-1-inclusive": "yes",
        },
    )
    _criterion(
        page,
        {
            "#f-id": "ef-large",
            "#f-title-en": "Energy factor, above 20 L/d",
            "#f-requirement-value": "2.2",
            "#f-requirement-unit": "L/kWh",
            **small,
        },
        {
            "#f-topic": "energy",
            "#f-parameter": "energy.factor",
            "#f-requirement-type": "min",
            "#f-requirement-inclusive": "yes",
            "#f-conditions-1-parameter": "capacity.rated",
            "#f-conditions-1-type": "min",
            "#f-conditions-1-inclusive": "no",
        },
    )
    _criterion(
        page,
        {"#f-id": "halogen-free", "#f-title-en": "Halogen-free refrigerant"},
        {
            "#f-topic": "refrigerant",
            "#f-parameter": "refrigerant.halogen_free",
            "#f-requirement-type": "boolean",
            "#f-requirement-value-boolean": "yes",
        },
    )
    for cid, pid, topic, words in (
        ("takeback", "recycling.takeback", "recycling", "The manufacturer takes old appliances back"),
        ("manual", "documentation.manual", "documentation", "The manual explains efficient use"),
    ):
        _criterion(
            page,
            {"#f-id": cid, "#f-title-en": words, "#f-requirement-evidence-en": words},
            {"#f-topic": topic, "#f-parameter": pid, "#f-requirement-type": "qualitative"},
        )
    assert page.locator("#criteria-table tbody tr").count() == 5
    assert "The draft is valid" in page.inner_text("main")
    shot(page, "journey-a-draft")
    page.click("#publish")
    page.wait_for_url("**/publish")
    page.click("#publish-now")
    page.wait_for_url("**/standards/test-joint-dehumidifier/2026")

    page.goto(server + "/admin/")
    page.click("#new-agreement")
    page.fill("#id", "test-dehumidifier-common-standard")
    page.fill("#title_en", "Common dehumidifier standard (browser journey)")
    page.select_option("#parties", ["cn-cel", "de-blue-angel"])
    page.select_option("#types", ["common_core_criteria"])
    page.select_option("#status", "signed")
    page.fill("#date", "2026-11")
    page.select_option("#standards", ["test-joint-dehumidifier"])
    page.select_option("#categories", ["journey-dehumidifier"])
    page.fill("#source_title", "Browser test document")
    page.fill("#source_publisher", "Ecolabel registry test suite")
    page.click("#save-agreement")
    page.wait_for_url("**/admin/agreements/test-dehumidifier-common-standard")
    assert "test-joint-dehumidifier" in page.inner_text("#scope + p")

    page.goto(server + "/compare?a=test-joint-dehumidifier@2026&b=test-joint-dehumidifier@2026")
    assert "energy.factor" in page.inner_text("main")
    shot(page, "journey-a-compare")
    page.goto(server + "/recognition")
    assert "test-dehumidifier-common-standard" in page.content()
    shot(page, "journey-a-recognition")
    assert page.errors == []


def test_manufacturer_sees_the_summary_at_once(page, server: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 15, task 1: a manufacturer types a product (a decimal comma, R-290, a label held) and the page
    opens at the summary: each label's verdict, route and what is still needed, in words."""
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(server + "/check?category=room-air-conditioner")
    page.fill("#manufacturer", "Example Manufacturer")
    page.fill("#model", "Split R-290 3.5 kW")
    page.fill("#v-cooling\\.capacity\\.rated", "3,5")
    page.fill("#v-energy\\.seer", "8,5")
    page.select_option("#v-refrigerant\\.type", "R-290")
    page.select_option("#held-0-label", "cn-cel")
    page.fill("#held-0-licence", "EXAMPLE-0001")
    page.select_option("#held-0-standard", "cn-cel-room-air-conditioner@2013")
    page.click("#declare button[type=submit]")
    page.wait_for_selector("#summary")
    box = page.locator("#summary").bounding_box()
    assert box is not None and 0 <= box["y"] < 800  # on the first screen, no scrolling
    summary = page.inner_text("#summary")
    assert "Blue Angel" in summary and "licence held" in summary and "to show" in summary
    assert "incomplete" not in summary and "de-blue-angel" not in summary
    assert "Refrigerant is halogen-free" in page.inner_text("#filled")
    page.screenshot(path=str(SHOTS / "journey-manufacturer-summary.png"))  # the first screen, as seen
    shot(page, "journey-manufacturer-summary-full")
    page.click("#summary details summary >> nth=0")
    assert page.locator("#summary details[open] li").count() >= 1
    assert page.errors == []


def test_staff_compare_three_standards(page, server: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 15, task 2: from a standard's page, compare it with its joint standard and another label's."""
    page.goto(server + "/standards/cn-cel-room-air-conditioner/2013")
    page.click("#compare-with a")
    page.wait_for_selector("#side-by-side")
    headers = page.locator("#side-by-side thead th")
    assert headers.count() >= 4  # the parameter column and three standards at least
    assert "HJ 2535-2013 (China Environmental Labelling)" in page.inner_text("#side-by-side thead")
    page.select_option("#s-1", "de-uz-204@2016-08")
    page.click("#pick-many button[type=submit]")
    page.wait_for_selector("#side-by-side")
    assert "DE-UZ 204 (Blue Angel)" in page.inner_text("#side-by-side thead")
    assert page.locator("#side-by-side .rel").count() > 0
    shot(page, "journey-compare-three")
    with page.expect_download() as info:
        page.click("#csv")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert len({r["standard"] for r in rows}) >= 3
    assert page.errors == []


def test_chinese_user_searches_and_reads_a_chinese_check_report(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    """Issue 15, task 3: a Chinese user searches 空调, then checks a product and reads the report in Chinese."""
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(server + "/")
    page.fill("header form.search input[name=q]", "空调")
    page.press("header form.search input[name=q]", "Enter")
    page.wait_for_selector("#kind-standard")
    assert "标准" in page.inner_text("#counts")
    assert page.locator("#kind-standard a[href='/standards/de-uz-204/2016-08']").count() == 1
    shot(page, "journey-zh-search")
    page.click("nav >> text=产品检查")
    page.select_option("#category", "room-air-conditioner")
    page.click("form.filters button[type=submit]")
    page.fill("#manufacturer", "示例制造商")
    page.fill("#model", "R-290 分体式 3.5 kW")
    page.fill("#v-cooling\\.capacity\\.rated", "3,5")
    page.select_option("#v-refrigerant\\.type", "R-290")
    page.select_option("#held-0-label", "cn-cel")
    page.fill("#held-0-licence", "EXAMPLE-0001")
    page.click("#declare button[type=submit]")
    page.wait_for_selector("#summary")
    summary = page.inner_text("#summary")
    assert "蓝天使" in summary and "尚无定论" in summary and "已持有证书" in summary
    visible = page.evaluate(
        """() => {
        const walk = (n) => n.nodeType === 3 ? n.textContent : (n.closest && n.closest('[lang]:not([lang^=zh]), code')
            ? '' : Array.from(n.childNodes).map(walk).join(' '));
        return walk(document.querySelector('#report'));
    }"""
    )
    for english in ("not decided yet", "licence held", "Still needed", "Route", "Verdict", "apply directly"):
        assert english not in visible, english
    page.screenshot(path=str(SHOTS / "journey-zh-check-report.png"))
    shot(page, "journey-zh-check-report-full")
    assert errors == []
    context.close()


AXE_JS = Path(
    os.environ.get(
        "AXE_JS",
        str(Path(__file__).resolve().parents[2] / ".venv" / "axe-4.14.1" / "node_modules" / "axe-core" / "axe.min.js"),
    )
)
A11Y_PAGES = [
    *PAGES,
    ("compare", "/compare?a=cn-de-room-air-conditioner@2017&b=de-uz-204@2016-08"),
    ("recognition", "/recognition"),
    ("search-zh", "/search?q=空调"),
    ("labels-all", "/labels"),
    ("licence", "/licences/de-blue-angel-midea-room-air-conditioner-2018"),
    ("not-found", "/labels/nope"),
]


def _serious(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_every_public_page_passes_axe_without_serious_violations(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    """axe-core (the npm package's script, from the local file ./test installs) on every public page, in both
    languages, and on a check report: no serious or critical violation."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is needed for the accessibility check: {AXE_JS} is missing (./test installs it)")
    found = {}
    for language in ("en", "zh-CN"):
        context = browser.new_context(bypass_csp=True, extra_http_headers={"Accept-Language": language})
        page = context.new_page()
        for name, path in A11Y_PAGES:
            page.goto(server + path)
            if problems := _serious(page):
                found[f"{language} {name}"] = problems
        page.goto(server + "/check")
        page.set_input_files(
            "#upload input[type=file]", str(STANDARDS.parent / "examples" / "products" / "split-ac-r290-3.5kw.json")
        )
        page.click("#upload button[type=submit]")
        page.wait_for_selector("#summary")
        if problems := _serious(page):
            found[f"{language} check report"] = problems
        context.close()
    assert not found, found
