"""Categories, parameters and agreements by form: the administrator adds a category, its parameters and a
declared method equivalence, makes an agreement covering picked standards and categories, and links an
existing one; bad input comes back at its field and nothing is stored; staff read, only the admin writes."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import ADMIN, STAFF, csrf_token, login


def _agreement(app: Flask, ident: str):  # type: ignore[no-untyped-def]
    source = app.extensions["registry"].source
    source.refresh()
    return source.catalog.agreements[ident]


def _errors(body: str) -> list[str]:
    return [html.unescape(e) for e in re.findall(r'class="field-error" id="err-([^"]+)"', body)]


def test_a_category_its_parameters_and_an_equivalence_by_form(app: Flask, client: FlaskClient) -> None:
    login(client, ADMIN)
    token = csrf_token(client, "/admin/categories")
    new = {"csrf_token": token, "id": "dehumidifier", "name_en": "Dehumidifier", "definition_en": "Room dehumidifiers."}
    assert client.post("/admin/categories", data=new).headers["Location"].endswith("/admin/categories/dehumidifier")
    again = client.post("/admin/categories", data=new)
    assert again.status_code == 400 and "exists already" in again.get_data(as_text=True)
    url = "/admin/categories/dehumidifier"
    parameter = {
        "p-csrf_token": token,
        "form": "parameter",
        "p-id": "energy.factor",
        "p-name_en": "Energy factor",
        "p-kind": "quantity",
        "p-unit": "not-a-unit",
        "p-better": "higher",
    }
    bad = client.post(url, data=parameter)
    assert bad.status_code == 400 and _errors(bad.get_data(as_text=True)) == ["p-unit"], bad.get_data(as_text=True)
    assert 'value="Energy factor"' in bad.get_data(as_text=True)  # what was typed is kept
    assert "energy.factor" not in client.get(url).get_data(as_text=True)  # nothing stored
    assert client.post(url, data={**parameter, "p-unit": "L/kWh"}).status_code == 302
    boolean = {**parameter, "p-id": "refrigerant.halogen_free", "p-kind": "boolean", "p-unit": "", "p-better": "true"}
    assert client.post(url, data=boolean).status_code == 302
    with_unit = client.post(url, data={**boolean, "p-id": "refrigerant.other", "p-unit": "kg"})
    assert with_unit.status_code == 400  # a yes/no parameter has no unit: refused at its field
    page = client.get(url).get_data(as_text=True)
    assert (
        'id="parameter-energy.factor"' in page and "L/kWh" in page and 'id="parameter-refrigerant.halogen_free"' in page
    )
    equivalence = {
        "e-csrf_token": token,
        "form": "equivalence",
        "e-parameter": "energy.factor",
        "e-methods": "GB/T 19411\nIEC 63292",
        "e-source_title": "Test declaration of equivalence",
        "e-source_publisher": "Ecolabel registry test suite",
        "e-verification": "unverified",
    }
    one = client.post(url, data={**equivalence, "e-methods": "GB/T 19411"})
    assert one.status_code == 400 and "two or more" in one.get_data(as_text=True)
    assert client.post(url, data=equivalence).status_code == 302
    assert "GB/T 19411 = IEC 63292" in client.get(url).get_data(as_text=True)
    vocabulary = app.extensions["registry"].source.vocabulary
    assert vocabulary.parameter("dehumidifier", "energy.factor").method_equivalences == (
        frozenset({"GB/T 19411", "IEC 63292"}),
    )


def test_an_agreement_by_form_covers_picked_standards_and_categories(app: Flask, client: FlaskClient) -> None:
    login(client, ADMIN)
    token = csrf_token(client, "/admin/agreements/new")
    form = {
        "csrf_token": token,
        "id": "test-cec-ral-room-ac",
        "title_en": "Test agreement on room air conditioners",
        "scale": "bilateral",
        "parties": ["cn-cel", "de-blue-angel"],
        "types": ["common_core_criteria"],
        "status": "signed",
        "date": "2017-06",
        "standards": ["cn-de-room-air-conditioner"],
        "categories": ["room-air-conditioner"],
        "source_title": "Test source",
        "source_publisher": "Ecolabel registry test suite",
        "verification": "unverified",
    }
    bad = client.post("/admin/agreements/new", data={**form, "parties": ["cn-cel"]})  # one party is no agreement
    assert bad.status_code == 400 and "err-parties" in bad.get_data(as_text=True), bad.get_data(as_text=True)[:3000]
    assert "test-cec-ral-room-ac" not in app.extensions["registry"].source.catalog.agreements
    response = client.post("/admin/agreements/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    agr = _agreement(app, "test-cec-ral-room-ac")
    assert agr.raw["scope"] == {
        "categories": ["room-air-conditioner"],
        "standards": [{"id": "cn-de-room-air-conditioner"}],
    }
    assert "test-cec-ral-room-ac" in client.get("/recognition").get_data(as_text=True)
    # Linking an existing agreement by picking: the lists are replaced.
    linked = client.post(
        "/admin/agreements/test-cec-ral-room-ac/scope",
        data={"csrf_token": token, "standards": ["de-uz-204"], "categories": []},
    )
    assert linked.status_code == 302
    agr = _agreement(app, "test-cec-ral-room-ac")
    assert agr.raw["scope"] == {"standards": [{"id": "de-uz-204"}]}
    unknown = client.post(
        "/admin/agreements/test-cec-ral-room-ac/scope", data={"csrf_token": token, "standards": ["no-such-standard"]}
    )
    assert unknown.status_code == 302  # refused by the form's choices, said on the page
    assert "Not saved" in client.get("/admin/agreements/test-cec-ral-room-ac").get_data(as_text=True)
    agr = _agreement(app, "test-cec-ral-room-ac")
    assert agr.raw["scope"] == {"standards": [{"id": "de-uz-204"}]}


def test_staff_read_categories_but_do_not_write_them(app: Flask, client: FlaskClient) -> None:
    login(client, STAFF)
    assert client.get("/admin/categories").status_code == 200
    assert 'id="category-form"' not in client.get("/admin/categories").get_data(as_text=True)
    token = csrf_token(client, "/admin/categories")
    data = {"csrf_token": token, "id": "x-cat", "name_en": "X", "definition_en": "X."}
    assert client.post("/admin/categories", data=data).status_code == 403
    assert client.get("/admin/agreements/new").status_code == 403
