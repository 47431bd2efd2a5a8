"""A client generated from the OpenAPI description (openapi-python-client) reads, checks and writes, typed."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import httpx
from flask import Flask

from registry.store import tokens, users
from tests.conftest import ROOT, STANDARDS
from tests.web.conftest import ADMIN


def _generate(app: Flask, folder: Path) -> None:
    spec = folder / "openapi.json"
    spec.write_text(json.dumps(app.test_client().get("/api/v1/openapi.json").get_json()), encoding="utf-8")
    generator = Path(sys.executable).parent / "openapi-python-client"
    done = subprocess.run(
        [str(generator), "generate", "--path", str(spec), "--meta", "none", "--output-path", str(folder / "eco")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stdout + done.stderr, done.stdout + done.stderr  # nothing left out


def test_a_generated_client_reads_checks_and_writes_with_types(app: Flask, tmp_path: Path) -> None:
    _generate(app, tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        eco = importlib.import_module("eco")
        api = {
            n: importlib.import_module(f"eco.api.default.{n}")
            for n in ("labels", "check", "create_draft", "publish", "version")
        }
        models = importlib.import_module("eco.models")
        transport = httpx.WSGITransport(app=app)  # type: ignore[arg-type]
        anonymous = eco.Client(base_url="http://registry.test", httpx_args={"transport": transport})

        page = api["labels"].sync_detailed(client=anonymous, limit=5)
        assert page.status_code == 200 and int(page.headers["X-Total-Count"]) == 31
        assert len(page.parsed) == 5 and all(isinstance(x, models.LabelSummary) for x in page.parsed)
        assert 'rel="next"' in page.headers["Link"]

        declaration = json.loads((ROOT / "examples" / "products" / "scanner.json").read_text(encoding="utf-8"))
        report = api["check"].sync(client=anonymous, body=models.ProductDeclaration.from_dict(declaration))
        assert isinstance(report, models.CheckReport) and report.results
        assert {"cn-cel-scanner", "cn-jp-scanner"} <= {r.standard for r in report.results}
        assert all(isinstance(r.counts, models.CheckReportResultsItemCounts) for r in report.results)

        engine = app.extensions["registry"].engine
        admin = next(u for u in users.list_users(engine) if u.username == ADMIN[0])
        secret = tokens.create(engine, admin.pk, "generated client", "write", days=1, actor="test").secret
        writer = eco.AuthenticatedClient(
            base_url="http://registry.test", token=secret, httpx_args={"transport": transport}
        )
        doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
        doc["version"] = "2060"
        refused = api["create_draft"].sync_detailed(client=anonymous, body=models.CriteriaDocument.from_dict(doc))
        assert refused.status_code == 401 and isinstance(refused.parsed, models.Error)
        stored = api["create_draft"].sync(client=writer, body=models.CriteriaDocument.from_dict(doc))
        assert isinstance(stored, models.DraftStored) and stored.version == "2060"
        published = api["publish"].sync(client=writer, ident="cn-de-room-air-conditioner", version="2060")
        assert isinstance(published, models.Published) and published.state == "published"
        content = api["version"].sync(client=anonymous, ident="cn-de-room-air-conditioner", version="2060")
        assert isinstance(content, models.CriteriaDocument) and content.version == "2060"
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "eco" or m.startswith("eco.")]:
            del sys.modules[name]
