"""Every public page through the test client: content, filters, languages, compare downloads, the check page."""

from __future__ import annotations

import csv
import io
import json
import re

from flask import Flask
from flask.testing import FlaskClient

from registry.cli import main
from registry.store import service
from tests.conftest import ROOT
from tests.web.conftest import csrf_token

PRODUCTS = ROOT / "examples" / "products"


def test_home_counts_and_latest_changes(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "<strong>31</strong> labels" in page and "<strong>31</strong> agreements" in page
    assert "Latest changes" in page and "<td>added</td>" in page


def test_search_finds_labels_standards_and_criteria(client: FlaskClient) -> None:
    page = client.get("/search?q=halogen").get_data(as_text=True)
    assert "#c-refrigerant-halogen-free" in page  # a criterion, linked to its standard
    page = client.get("/search?q=blue angel").get_data(as_text=True)
    assert "/labels/de-blue-angel" in page
    assert "Nothing found" in client.get("/search?q=zzzz-nothing").get_data(as_text=True)


def test_labels_filter_and_detail(client: FlaskClient) -> None:
    page = client.get("/labels?country=CN").get_data(as_text=True)
    assert "/labels/cn-cel" in page and "/labels/de-blue-angel" not in page
    page = client.get("/labels?genices=certified").get_data(as_text=True)
    assert "/labels/cn-cel" in page
    detail = client.get("/labels/cn-cel").get_data(as_text=True)
    assert (
        "GENICES" in detail and "/agreements/cec-jea-mra-2005" in detail and "/standards/cn-cel-scanner/2012" in detail
    )
    assert client.get("/labels/nope").status_code == 404


def test_standards_filters(client: FlaskClient) -> None:
    page = client.get("/standards?kind=joint").get_data(as_text=True)
    assert "cn-de-room-air-conditioner" in page and "de-uz-204" not in page
    page = client.get("/standards?category=scanner").get_data(as_text=True)
    assert "cn-cel-scanner" in page and "de-uz-204" not in page
    page = client.get("/standards?status=superseded").get_data(as_text=True)
    assert "/standards/cn-cel-room-air-conditioner/2006" in page and "/2013" not in page
    page = client.get("/standards?category=room-air-conditioner&on=2010-06-01").get_data(as_text=True)
    assert "/standards/cn-cel-room-air-conditioner/2006" in page and "de-uz-204" not in page
    assert client.get("/standards?on=not-a-date").status_code == 400


def test_standard_detail_groups_criteria_and_shows_flags(client: FlaskClient) -> None:
    page = client.get("/standards/de-uz-204/2016-08").get_data(as_text=True)
    assert page.count("<h2>") >= 4  # topics, then the version history
    assert "≥ 7 W/W" in page and "&lt; or ≤ 5" in page
    assert "verification-secondary" in page and "partial record" in page
    assert client.get("/standards/de-uz-204").status_code == 200  # latest published
    assert client.get("/standards/de-uz-204/1999").status_code == 404


def test_revision_diff_between_versions(client: FlaskClient) -> None:
    page = client.get("/standards/cn-cel-room-air-conditioner/revisions?a=2006&b=2013").get_data(as_text=True)
    assert "two versions of one standard" in page and "only in B" in page
    assert "<h2>Editorial changes</h2>" in page and "<h3>Scope</h3>" in page and "<h3>Dates</h3>" in page
    assert "<meter" not in page and 'id="cov-a"' not in page  # no "A covers B" between two versions
    assert "Notes of B" in page and "scope extended to variable-speed units" in page


def test_compare_page_csv_json_and_permalink(client: FlaskClient) -> None:
    query = "a=cn-de-room-air-conditioner@2017&b=de-uz-204@2016-08"
    page = client.get(f"/compare?{query}").get_data(as_text=True)
    assert "not comparable" in page and "only in B" in page
    assert 'id="permalink"' in page and 'id="cov-a"' in page
    rows = list(csv.DictReader(io.StringIO(client.get(f"/compare.csv?{query}").get_data(as_text=True))))
    assert len(rows) == 9 and {r["relation"] for r in rows} == {"not_comparable", "only_a", "only_b"}
    api = client.get(f"/api/v1/diff?{query}").get_json()
    assert api["summary"]["not_comparable"] == 3 and len(api["pairs"]) == len(rows)
    assert client.get("/compare?a=nope@1&b=de-uz-204").status_code == 404


def test_recognition_matrix_network_and_category_filter(client: FlaskClient) -> None:
    page = client.get("/recognition").get_data(as_text=True)
    assert 'id="matrix"' in page and 'id="network"' in page
    assert page.count("<line ") >= 20 and "/agreements/cn-de-room-air-conditioner-common-2017" in page
    # GEN peer review is marked once per programme (with its year), never in a cell between two labels.
    matrix = page[page.index('id="matrix"') : page.index("</table>")]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", matrix, re.S)
    assert cells and not any('class="g"' in c or "gen-genices" in c for c in cells)
    assert re.search(r'<th scope="row"><a href="/labels/cn-cel">[^<]+</a> <abbr class="g"[^>]*>G 2012</abbr>', matrix)
    assert "/agreements/gen-genices" in page  # listed under multilateral, below the picture
    scanners = client.get("/recognition?category=scanner").get_data(as_text=True)
    assert "cn-de-room-air-conditioner-common-2017" not in scanners and "cn-jp-scanner-common-2017" in scanners
    agreement = client.get("/agreements/cec-blue-angel-cooperation-2007").get_data(as_text=True)
    assert "negotiating" in agreement and "in_force" in agreement and "Sources" in agreement


def test_licences_on_the_standard_the_label_their_own_page_and_the_api(client: FlaskClient) -> None:
    midea = "de-blue-angel-midea-room-air-conditioner-2018"
    page = client.get("/standards/de-uz-204/2016-08").get_data(as_text=True)
    assert "Certified products recorded: 2, consistent with this registry: 2" in page
    assert f'href="/licences/{midea}"' in page and "Midea Group" in page
    assert "/licences/" not in client.get("/standards/cn-cel-room-air-conditioner/2013").get_data(as_text=True)
    label = client.get("/labels/jp-eco-mark").get_data(as_text=True)
    assert 'href="/licences/jp-eco-mark-17133003"' in label and "17 133 003" in label
    detail = client.get(f"/licences/{midea}").get_data(as_text=True)
    assert "<code>energy.scop</code></td><td>4.6 W/W" in detail and "not published" in detail
    assert "incomplete" in detail and "https://iifiir.org/en/news/midea-launches-r290" in detail
    riso = client.get("/licences/cn-cel-riso-digital-duplicator-2019").get_data(as_text=True)
    assert "No figures of this product are published" in riso and "/standards/cn-jp-digital-duplicator/2019" in riso
    assert client.get("/licences/no-such-licence").status_code == 404
    listed = client.get("/api/v1/licences").get_json()
    assert {x["id"] for x in listed} >= {midea, "jp-eco-mark-17133003"}
    one = client.get(f"/api/v1/licences/{midea}").get_json()
    assert one["standard"] == {"id": "de-uz-204", "version": "2016-08"} and one["number"] is None
    assert client.get("/api/v1/licences/nope").status_code == 404


def test_chinese_ui_from_accept_language_and_the_switch(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "生态标志互认标准登记库" in page and 'lang="zh-Hans"' in page
    response = client.get("/lang/en?next=/labels")
    assert response.status_code == 302 and response.headers["Location"] == "/labels"
    page = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Ecolabel mutual-recognition standards registry" in page  # the switch wins
    assert client.get("/lang/en?next=//evil.example").headers["Location"] == "/"


def _cli_report(name: str, date: str) -> dict:  # type: ignore[type-arg]
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["check", str(PRODUCTS / name), "--date", date, "--format", "json"])
    assert result.exit_code == 0
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_check_upload_form_and_api_agree_with_the_cli(client: FlaskClient) -> None:
    cli = _cli_report("split-ac-r290-3.5kw.json", "2026-11-23")
    api = client.post("/api/v1/check?date=2026-11-23", data=(PRODUCTS / "split-ac-r290-3.5kw.json").read_bytes())
    assert api.status_code == 200 and api.get_json() == cli
    token = csrf_token(client, "/check")
    page = client.post(
        "/check",
        data={
            "csrf_token": token,
            "date": "2026-11-23",
            "declaration": (io.BytesIO((PRODUCTS / "split-ac-r290-3.5kw.json").read_bytes()), "p.json"),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    for result in cli["results"]:
        assert f"{result['standard']}@{result['version']}" in page
    assert page.count('class="verdict"') == len(cli["results"])
    # The same product through the form's fields.
    product = json.loads((PRODUCTS / "split-ac-r290-3.5kw.json").read_text())
    fields = {"csrf_token": token, "category": product["category"], "manufacturer": product["manufacturer"]}
    fields |= {"model": product["model"], "date": "2026-11-23"}
    for pid, entry in product["values"].items():
        fields[f"v:{pid}"] = str(entry["value"]).lower() if isinstance(entry["value"], bool) else str(entry["value"])
        if "unit" in entry:
            fields[f"u:{pid}"] = entry["unit"]
        if "test_method" in entry:
            fields[f"m:{pid}"] = entry["test_method"]
    held = product["labels_held"][0]
    fields |= {"held:0:label": held["label"], "held:0:licence": held["licence_id"]}
    fields["held:0:standard"] = f"{held['standard']['id']}@{held['standard']['version']}"
    form_page = client.post("/check", data=fields).get_data(as_text=True)
    for result in cli["results"]:
        ref, labels = f"{result['standard']}@{result['version']}", ", ".join(result["labels"])
        assert f'{ref}</code> [{labels}]: <span class="verdict" data-verdict="{result["verdict"]}">' in form_page
    assert "Pathway from cn-cel" in form_page


def test_check_errors_name_the_field(client: FlaskClient) -> None:
    token = csrf_token(client, "/check")
    response = client.post(
        "/check",
        data={
            "csrf_token": token,
            "category": "room-air-conditioner",
            "manufacturer": "M",
            "model": "X",
            "v:cooling.capacity.rated": "-3",
            "u:cooling.capacity.rated": "kW",
        },
    )
    assert response.status_code == 400
    assert "/values/cooling.capacity.rated/value" in response.get_data(as_text=True)
    api = client.post("/api/v1/check", data=b'{"category": "room-air-conditioner",')
    assert api.status_code == 400 and api.get_json()["error"]["findings"]


def test_a_held_label_without_its_licence_number_is_refused_at_its_row_not_dropped(client: FlaskClient) -> None:
    token = csrf_token(client, "/check")
    fields = {"csrf_token": token, "category": "room-air-conditioner", "manufacturer": "M", "model": "X"}
    missing = client.post("/check", data=fields | {"held:1:label": "cn-cel"})
    page = missing.get_data(as_text=True)
    assert missing.status_code == 400
    assert "/labels_held/1/licence_id" in page and "give the licence number of your cn-cel licence" in page
    orphan = client.post("/check", data=fields | {"held:0:licence": "CEC-123"})
    assert orphan.status_code == 400 and "/labels_held/0/label" in orphan.get_data(as_text=True)
    whole = client.post("/check", data=fields | {"held:0:label": "cn-cel", "held:0:licence": "CEC-123"})
    assert whole.status_code == 200 and "Licence held" in whole.get_data(as_text=True)


def test_a_too_long_search_is_cut_with_a_note(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "空调" * 300}).get_data(as_text=True)
    assert "Your search was cut to its first 200 characters." in page
    assert "空调" * 100 in page and "空调" * 101 not in page
    short = client.get("/search", query_string={"q": "空调"}).get_data(as_text=True)
    assert "was cut" not in short and 'maxlength="200"' in short


def test_kept_pages_change_with_the_next_write(client: FlaskClient, app: Flask) -> None:
    before = client.get("/standards?kind=joint").get_data(as_text=True)
    assert "/standards/cn-de-room-air-conditioner/2040" not in before
    assert client.get("/standards?kind=joint").get_data(as_text=True) == before  # kept
    doc = json.loads((ROOT / "standards" / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
    doc["version"] = "2040"
    engine, validator = app.extensions["registry"].engine, app.extensions["registry"].validator
    service.create_draft(engine, doc, actor="test")
    assert "/2040" not in client.get("/standards?kind=joint").get_data(as_text=True)  # a draft is not public
    service.publish(engine, validator, doc["id"], "2040", actor="test")
    assert "/standards/cn-de-room-air-conditioner/2040" in client.get("/standards?kind=joint").get_data(as_text=True)
    assert "2040" in client.get("/standards/cn-de-room-air-conditioner/2017").get_data(as_text=True)  # its history
    assert "superseded" in client.get("/standards/cn-de-room-air-conditioner/2017").get_data(as_text=True)
    zh = client.get("/recognition", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    en = client.get("/recognition", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "标志之间的互认" in zh and "Recognition between labels" in en


def test_the_latest_changes_are_in_words_with_links(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    table = page.split("Latest changes", 1)[1].split("</table>", 1)[0]
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d UTC</td>", table) and not re.search(r"\d\dT\d\d", table)
    assert ">superseded<" in table and "/standards/cn-cel-room-air-conditioner/2006" in table
    assert "import<" not in table and "_" not in re.sub(r'href="[^"]*"', "", table)  # no internal verbs
    chinese = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "已被取代" in chinese.split("</table>", 1)[0]


def test_a_labels_website_is_a_link(client: FlaskClient) -> None:
    page = client.get("/labels/de-blue-angel").get_data(as_text=True)
    website = json.loads((ROOT / "standards" / "labels" / "de-blue-angel.json").read_text())["website"]
    assert f'<a href="{website}" rel="noopener noreferrer external">{website}</a>' in page


def _records(page: str) -> list[dict[str, int]]:
    found = re.findall(r'class="record" data-recorded="(\d+)" data-with-value="(\d+)" data-verified="(\d+)"', page)
    return [{"recorded": int(n), "with_value": int(v), "verified": int(k)} for n, v, k in found]


def test_the_standards_list_and_the_check_report_show_each_records_completeness(client: FlaskClient) -> None:
    from registry import truth
    from registry.model import Standard

    page = client.get("/standards?per_page=200").get_data(as_text=True)
    refs = re.findall(r'<tr><td><a href="/standards/([^/"]+)/([^/"]+)">', page)
    records = _records(page)
    assert len(refs) == len(records) > 10
    partial = 0
    for (ident, version), shown in zip(refs, records, strict=True):
        doc = client.get(f"/api/v1/standards/{ident}/{version}").get_json()
        known = truth.completeness(Standard.from_json(doc))
        assert shown == {"recorded": known.recorded, "with_value": known.with_value, "verified": known.verified}
        partial += not known.complete
    assert page.count("partial record") == partial > 0  # a partial record says so in the list, too

    cli = _cli_report("split-ac-r290-3.5kw.json", "2026-11-23")
    for result in cli["results"]:
        doc = client.get(f"/api/v1/standards/{result['standard']}/{result['version']}").get_json()
        known = truth.completeness(Standard.from_json(doc))
        assert result["record"] == {
            "recorded": known.recorded,
            "with_value": known.with_value,
            "verified": known.verified,
            "complete": known.complete,
        }
    token = csrf_token(client, "/check")
    page = client.post(
        "/check",
        data={
            "csrf_token": token,
            "date": "2026-11-23",
            "declaration": (io.BytesIO((PRODUCTS / "split-ac-r290-3.5kw.json").read_bytes()), "p.json"),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    shown = _records(page)
    assert shown == [{k: r["record"][k] for k in ("recorded", "with_value", "verified")} for r in cli["results"]]
