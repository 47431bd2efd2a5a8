"""The OpenAPI description: valid 3.1, made from the routes, and the API answers as it says (schemathesis)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import positive_data_acceptance

from registry.store import tokens, users
from tests.conftest import STANDARDS
from tests.web.conftest import ADMIN, make_app


def test_the_description_is_valid_and_names_every_route_once(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(spec)
    operations = [op for path in spec["paths"].values() for op in path.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    api_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]
    assert len(operations) == sum(len((r.methods or set()) - {"HEAD", "OPTIONS"}) for r in api_rules)
    for rule in api_rules:
        view = app.view_functions[rule.endpoint]
        op = next(op for op in operations if op["operationId"] == rule.endpoint.removeprefix("api."))
        query = {p["name"] for p in op["parameters"] if p["in"] == "query"}
        assert query == set(getattr(view, "query_args", ())), rule.rule
        assert "200" in op["responses"] or "201" in op["responses"]
        assert all("schema" in r["content"]["application/json"] for r in op["responses"].values() if "content" in r)
    check = spec["paths"]["/api/v1/check"]["post"]
    assert check["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProductDeclaration")
    drafts = spec["paths"]["/api/v1/drafts"]["post"]
    assert drafts["security"] == [{"bearer": []}, {"session": []}]
    # The bundled JSON Schemas are reused: a criteria document's criteria are the criterion schema.
    document = spec["components"]["schemas"]["CriteriaDocument"]
    assert document["properties"]["criteria"]["items"]["$ref"] == "#/components/schemas/Criterion"


# Generated requests for every operation (create_draft's body schema, the criteria document's, can be
# generated since it states the fields of each constraint type instead of using unevaluatedProperties);
# create_draft also gets the explicit cases below, with a token.
FUZZED = [
    "labels", "label", "standards", "standard", "version", "agreements", "agreement", "licences", "licence",
    "diff", "check", "publish", "spec", "create_draft",
]  # fmt: skip
EXAMPLES = 30  # per operation: bounded, so that the suite stays quick


@pytest.mark.parametrize("operation_id", FUZZED)
def test_the_api_answers_as_described_and_never_with_a_server_error(
    tmp_path: Path, seeded_db: Path, operation_id: str
) -> None:
    app = make_app(tmp_path, seeded_db, HEAVY_RATE_LIMIT="100000/60")
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operation = schema.find_operation_by_id(operation_id)
        calls: list[int] = []

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case: schemathesis.Case) -> None:
            # A request valid by the schemas may still be refused for what they cannot say (a category
            # the vocabulary does not know, a draft that fails the catalogue's rules): 400 naming where.
            response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
            calls.append(response.status_code)

        run()
        assert calls and all(code < 500 for code in calls)
    finally:
        app.extensions["registry"].engine.dispose()


def test_the_list_of_operations_is_complete(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert sorted(FUZZED) == sorted(op["operationId"] for path in spec["paths"].values() for op in path.values())


def test_create_draft_answers_as_described_with_a_token(tmp_path: Path, seeded_db: Path) -> None:
    app = make_app(tmp_path, seeded_db)
    try:
        account = next(u for u in users.list_users(app.extensions["registry"].engine) if u.username == ADMIN[0])
        secret = tokens.create(app.extensions["registry"].engine, account.pk, "test", "write", days=1, actor="t").secret
        operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).find_operation_by_id("create_draft")
        doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
        doc["version"] = "2050"
        broken = {**doc, "version": "2051", "labels": ["cn-cel", "zz-nobody"]}
        bearer = {"Authorization": f"Bearer {secret}"}
        for body, headers, status in (
            (doc, bearer, 201),
            (doc, bearer, 409),
            (broken, bearer, 400),
            (doc, {}, 401),
            (doc, {"Authorization": "Bearer ecr_wrong"}, 401),
        ):
            case = operation.Case(body=body, headers=headers, media_type="application/json")
            response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
            assert response.status_code == status
    finally:
        app.extensions["registry"].engine.dispose()
