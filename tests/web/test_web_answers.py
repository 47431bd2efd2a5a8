"""The answers people come for: the check report's summary, fields and implied values, the help page,
several standards side by side, revisions in words, a standard's notes and agreements."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from flask.testing import FlaskClient

from registry import glossary
from tests.conftest import ROOT
from tests.web.conftest import csrf_token, make_app

PRODUCTS = ROOT / "examples" / "products"
AC = "room-air-conditioner"


def _upload(client: FlaskClient, name: str) -> str:
    token = csrf_token(client, "/check")
    return client.post(
        "/check",
        data={
            "csrf_token": token,
            "date": "2026-11-23",
            "declaration": (io.BytesIO((PRODUCTS / name).read_bytes()), "p.json"),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)


def test_the_report_opens_with_a_summary_per_standard_in_words(client: FlaskClient) -> None:
    api = client.post("/api/v1/check?date=2026-11-23", data=(PRODUCTS / "split-ac-r290-3.5kw.json").read_bytes())
    results = api.get_json()["results"]
    page = _upload(client, "split-ac-r290-3.5kw.json")
    summary = page.split('id="summary"', 1)[1].split("</table>", 1)[0]
    assert page.index('id="summary"') < page.index('id="declare"')  # the answer first, the form after it
    rows = re.findall(r'<tr class="verdict-(\w+)" data-verdict="\w+" data-route="(\w+)" data-needed="(\d+)">', summary)
    assert [v for v, _, _ in rows] == [r["verdict"] for r in results]
    for (_verdict, route, needed), r in zip(rows, results, strict=True):
        if r["held_licences"]:
            assert route == "held" and needed == "0"
        elif r["pathways"]:
            fewest = min(len(p["extra_proof"]) for p in r["pathways"])
            assert route in ("agreement", "joint_standard") and int(needed) == fewest
        else:
            assert route == "own"
    assert "Blue Angel" in summary and "de-blue-angel" not in summary  # names, not ids
    assert "not decided yet" in summary and ">incomplete<" not in summary  # words, not codes
    assert 'href="/help#verdict-incomplete"' in summary


def test_decimal_commas_units_in_words_and_errors_at_their_fields(client: FlaskClient) -> None:
    fields = {"csrf_token": csrf_token(client, "/check"), "category": AC, "manufacturer": "M", "model": "X"}
    ok = client.post("/check", data=fields | {"v:cooling.capacity.rated": "3,5", "v:energy.seer": "8,5"})
    assert ok.status_code == 200 and 'id="summary"' in ok.get_data(as_text=True)
    bad = client.post(
        "/check",
        data=fields
        | {
            "v:cooling.capacity.rated": "1,000",
            "v:noise.indoor.sound_power": "55",
            "u:noise.indoor.sound_power": "kW",
        },
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert re.search(r'id="v-cooling.capacity.rated-error">[^<]*ambiguous', page)  # at its field
    unit = re.search(r'id="u-noise.indoor.sound_power-error">([^<]*)<', page)
    assert unit and "is a sound level, measured in dB(A)" in unit.group(1) and "measures a power" in unit.group(1)
    assert "[mass]" not in page and "[length]" not in page  # no pint dimensions
    assert 'value="1,000"' in page  # what was typed is kept


def test_r290_fills_in_halogen_free_and_its_gwp_where_left_empty_and_says_so(client: FlaskClient) -> None:
    fields = {"csrf_token": csrf_token(client, "/check"), "category": AC, "manufacturer": "M", "model": "X"}
    page = client.post("/check", data=fields | {"v:refrigerant.type": "R-290"}).get_data(as_text=True)
    filled = page.split('id="filled"', 1)[1].split("</div>", 1)[0]
    assert "Refrigerant is halogen-free" in filled and "<strong>yes</strong>" in filled
    assert "<strong>3</strong>" in filled and "blauer-engel" not in filled and "Blauer Engel" in filled
    assert 'id="v-refrigerant.gwp100" name="v:refrigerant.gwp100" inputmode="decimal" size="8" value="3"' in page
    # What the user typed wins over the default.
    own = client.post("/check", data=fields | {"v:refrigerant.type": "R-290", "v:refrigerant.gwp100": "5"})
    text = own.get_data(as_text=True)
    assert 'value="5"' in text and "<strong>5</strong>" not in text.split('id="filled"', 1)[-1].split("</div>")[0]
    # The form says beforehand what follows from each value.
    form = client.get(f"/check?category={AC}").get_data(as_text=True)
    implies = re.search(r'class="implies">R-290 → ([^<]*)<', form)
    assert implies and "Refrigerant is halogen-free: yes" in implies.group(1)
    assert "Global warming potential of the refrigerant (100-year): 3" in implies.group(1)


def test_the_help_page_explains_every_code_in_both_languages(client: FlaskClient) -> None:
    en = client.get("/help").get_data(as_text=True)
    zh = client.get("/help", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    for group in glossary.GROUPS:
        for term in group.terms:
            assert f'id="{group.key}-{term.code}"' in en and f'id="{group.key}-{term.code}"' in zh
            assert term.words in en and term.meaning in en and term.example in en
            for text in (term.meaning, term.example):
                assert not text or text not in zh  # translated, not left in English
    assert "如何阅读本登记系统" in zh and "尚无定论" in zh


def test_up_to_five_standards_side_by_side_with_downloads(client: FlaskClient) -> None:
    refs = ["de-uz-204@2016-08", "cn-de-room-air-conditioner@2017", "cn-cel-room-air-conditioner@2013"]
    query = "&".join(f"s={r}" for r in refs)
    page = client.get(f"/compare?{query}").get_data(as_text=True)
    table = page.split('id="side-by-side"', 1)[1].split("</table>", 1)[0]
    header = table.split("</thead>", 1)[0]
    assert header.count('<th scope="col">') == 4 and "DE-UZ 204 (Blue Angel)" in header
    assert "Seasonal energy efficiency ratio" in table and "not comparable" in table
    rows = list(csv.DictReader(io.StringIO(client.get(f"/compare.csv?{query}").get_data(as_text=True))))
    assert {r["standard"] for r in rows} == set(refs)
    assert {r["relation_to_reference"] for r in rows if r["standard"] == refs[0]} == {"reference"}
    body = json.loads(client.get(f"/compare.json?{query}").get_data(as_text=True))
    assert body["reference"] == refs[0] and [c["b"]["id"] for c in body["comparisons"]] == [
        "cn-de-room-air-conditioner",
        "cn-cel-room-air-conditioner",
    ]
    six = "&".join(f"s={r}" for r in refs * 2)
    assert client.get(f"/compare?{six}").status_code == 400
    assert client.get("/compare?s=de-uz-204@2016-08&s=nope@1").status_code == 404
    assert client.get("/compare.json").status_code == 400


def test_a_standard_page_shows_its_notes_agreements_and_what_to_compare_it_with(client: FlaskClient) -> None:
    page = client.get("/standards/cn-cel-room-air-conditioner/2013").get_data(as_text=True)
    assert 'id="notes"' in page and "scope extended to variable-speed units" in page
    agreements = page.split('id="agreements"', 1)[1].split("</ul>", 1)[0]
    assert 'href="/agreements/cn-de-room-air-conditioner-common-2017"' in agreements
    link = re.search(r'id="compare-with"><a href="([^"]+)"', page)
    assert link
    compared = client.get(link.group(1).replace("&amp;", "&"))
    assert compared.status_code == 200 and "HJ 2535-2013 (China Environmental Labelling)" in compared.get_data(
        as_text=True
    )
    assert re.search(r"s=cn-cel-room-air-conditioner(@|%40)2013", link.group(1))  # itself first
    assert "cn-de-room-air-conditioner" in link.group(1)  # its joint standard is preselected


def test_pickers_show_names_and_send_ids(client: FlaskClient) -> None:
    page = client.get("/compare").get_data(as_text=True)
    assert '<option value="de-uz-204@2016-08" >DE-UZ 204 (Blue Angel) · 2016-08</option>' in page


def test_search_groups_results_with_counts_and_marks_what_matched(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "蓝天使"}).get_data(as_text=True)
    counts = dict(re.findall(r'data-kind="(\w+)">(\d+)<', page))
    assert counts["label"] == "1" and int(counts["standard"]) >= 2
    assert '<section id="kind-label">' in page and '<section id="kind-standard">' in page
    typo = client.get("/search", query_string={"q": "Blue Angle"}).get_data(as_text=True)
    assert "<mark>Blue</mark> <mark>Angel</mark>" in typo  # the word it was read as, marked
    chinese = client.get("/search", query_string={"q": "空调"}, headers={"Accept-Language": "zh-CN"})
    text = chinese.get_data(as_text=True)
    assert "/standards/de-uz-204/2016-08" in text and "标准" in text
    more = client.get("/search", query_string={"q": "air", "kind": "standard"}).get_data(as_text=True)
    assert '<section id="kind-label">' not in more


def test_error_pages_are_the_registrys_own_in_the_users_language(client: FlaskClient) -> None:
    zh = {"Accept-Language": "zh-CN"}
    missing = client.get("/labels/%00nope", headers=zh)
    page = missing.get_data(as_text=True)
    assert missing.status_code == 404 and "<h1>未找到" in page and "Not found" not in page
    assert "\\x00" not in page and "\ufffd" in page  # a control character is not printed as an escape
    assert client.get("/labels/nope").status_code == 404
    wrong = client.post("/labels", headers=zh)
    assert wrong.status_code == 405 and "此处不接受该请求" in wrong.get_data(as_text=True) and wrong.headers["Allow"]
    big = client.post(
        "/check", data={"declaration": (io.BytesIO(b"x" * 300_000), "p.json")}, content_type="multipart/form-data"
    )
    assert big.status_code == 413 and "256 KiB" in big.get_data(as_text=True)
    long_ = client.get("/labels?country=" + "x" * 8100, headers=zh)
    assert long_.status_code == 414 and "地址过长" in long_.get_data(as_text=True)


def test_a_bug_gets_the_registrys_own_500_page(tmp_path: Path, seeded_db: Path) -> None:
    app = make_app(tmp_path, seeded_db, PROPAGATE_EXCEPTIONS=False)

    @app.get("/test-fault")
    def fault() -> str:
        raise RuntimeError("a bug")

    broken = app.test_client().get("/test-fault", headers={"Accept-Language": "zh-CN"})
    page = broken.get_data(as_text=True)
    assert broken.status_code == 500 and "我们这边出了问题" in page and "a bug" not in page


def test_one_limit_reads_the_same_on_the_page_in_the_csv_and_in_the_check_report(client: FlaskClient) -> None:
    words = "&gt; or ≥ 7 W/W (comparator not known)"  # DE-UZ 204's SEER: the comparator is not recorded
    assert words in client.get("/standards/de-uz-204/2016-08").get_data(as_text=True)
    csv_text = client.get("/compare.csv?a=de-uz-204@2016-08&b=cn-de-room-air-conditioner@2017").get_data(as_text=True)
    assert "> or ≥ 7 W/W (comparator not known)" in csv_text
    assert "7.2 W/W " + words in _upload(client, "split-ac-r290-3.5kw.json")


def test_countries_memberships_and_languages_are_shown_in_words(client: FlaskClient) -> None:
    page = client.get("/labels").get_data(as_text=True)
    assert "<td>China</td>" in page and "<td>CN</td>" not in page
    assert 'href="/help#genices-certified">passed</a>' in page and ">certified<" not in page
    zh = client.get("/labels", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "<td>中国</td>" in zh
    # The language switch offers only languages the document has text in.
    for ident, version in (("cn-cel-room-air-conditioner", "2013"), ("de-uz-204", "2016-08")):
        std = client.get(f"/api/v1/standards/{ident}/{version}").get_json()
        texts = [std["title"], *(c["title"] for c in std["criteria"]), *(c.get("text") or {} for c in std["criteria"])]
        written = [lang for lang in std.get("languages", ["en"]) if any(lang in t for t in texts)]
        shown = client.get(f"/standards/{ident}/{version}").get_data(as_text=True)
        assert ('id="langs"' in shown) == (len(written) > 1)
        for lang in std.get("languages", ["en"]):
            assert (f'href="?lang={lang}"' in shown) == (lang in written and len(written) > 1)
