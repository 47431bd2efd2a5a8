"""The qualification checker over the registry of record, on both engines: same answers as the files."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from registry import batch, diff, kept
from registry.catalog import Catalog
from registry.qualification import Checker, outcomes, pathways
from registry.source import Deferred, FolderSource
from registry.store import transfer
from registry.store.reader import StoreReader
from registry.validation import Validator
from tests.conftest import ROOT, STANDARDS

PRODUCTS = sorted((ROOT / "examples" / "products").glob("*.json"))
DATES = [dt.date(2010, 1, 1), dt.date(2019, 6, 1), dt.date(2026, 11, 23)]


def test_database_and_files_give_the_same_reports(engine: Engine, validator: Validator, catalog: Catalog) -> None:
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    source = StoreReader(engine)
    source.refresh()
    from_db, from_files = Checker(source, validator), Checker(FolderSource(catalog), validator)
    compared = 0
    for path in PRODUCTS:
        product = json.loads(path.read_text())
        for on in DATES:
            a = from_db.check(product, on).as_json()
            assert a == from_files.check(product, on).as_json(), (path.name, on)
            compared += len(a["results"])
    assert compared > 20


def test_new_versions_and_changed_agreements_are_seen(engine: Engine, validator: Validator, tmp_path) -> None:  # type: ignore[no-untyped-def]
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    source = StoreReader(engine)
    source.refresh()
    checker = Checker(source, validator)
    product = json.loads((ROOT / "examples" / "products" / "split-ac-r290-3.5kw.json").read_text())
    on = dt.date(2031, 1, 1)
    before = {f"{r.standard.id}@{r.standard.version}" for r in checker.check(product, on).results}
    assert "de-uz-204@2016-08" in before
    doc = json.loads((STANDARDS / "criteria" / "de-uz-204" / "2016-08.json").read_text())
    doc["version"], doc["dates"] = "2030", {"published": "2030-01", "valid_from": "2030-01", "valid_until": None}
    doc["criteria"][2]["requirement"]["value"]["value"] = 7.5  # SEER floor raised
    agreement = json.loads((STANDARDS / "agreements" / "cec-blue-angel-cooperation-2007.json").read_text())
    agreement["status_history"].append({"status": "terminated", "date": "2029-12-31"})
    (tmp_path / "std.json").write_text(json.dumps(doc))
    (tmp_path / "agr.json").write_text(json.dumps(agreement))
    report = transfer.import_paths(engine, validator, [tmp_path], actor="test")
    assert not report.rejected
    source.refresh()
    after = checker.check(product, on)
    blue = next(r for r in after.results if r.standard.id == "de-uz-204")
    assert blue.standard.version == "2030"  # the successor ends the open-ended 2016-08 version
    assert next(o for o in blue.criteria if o.criterion.id == "energy-seer").outcome == "fail"
    (path,) = blue.pathways
    assert "cec-blue-angel-cooperation-2007" not in {r.id for r in path.via}


def _as_a_fresh_process() -> None:
    """Forget what this process worked out (what a new worker or command-line call starts without)."""
    pathways._DIFFS.clear()
    pathways._ASKED.clear()
    pathways._NEW.clear()
    outcomes._BLOCKS.clear()
    outcomes._CACHE.clear()
    batch._BATCHES.clear()


def _first_process(
    engine: Engine, validator: Validator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, Any], dt.date, dict[str, Any]]:
    """Import the bundled standards and check the example product in a first process with its own cache folder;
    return the product, the day and the report."""
    monkeypatch.setenv("ECOLABEL_CACHE_DIR", str(tmp_path / "cache"))
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    product = json.loads((ROOT / "examples" / "products" / "split-ac-r290-3.5kw.json").read_text())
    on = dt.date(2026, 11, 23)
    _as_a_fresh_process()
    return product, on, Checker(StoreReader(engine), validator).check(product, on).as_json()


def test_pathway_proofs_are_kept_for_the_next_process(
    engine: Engine, validator: Validator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    product, on, first = _first_process(engine, validator, tmp_path, monkeypatch)
    assert sum(len(r["pathways"]) for r in first["results"]) >= 2
    assert (tmp_path / "cache" / "kept.sqlite3").is_file()

    compared = []
    real = diff.compare

    def counted(*args: Any, **kwargs: Any) -> diff.Diff:
        compared.append(args[:2])
        return real(*args, **kwargs)

    monkeypatch.setattr(diff, "compare", counted)
    _as_a_fresh_process()
    again = Checker(StoreReader(engine), validator).check(product, on).as_json()
    assert again == first
    assert compared == []  # every pathway's proof came from the kept store, none was compared again

    # Another vocabulary (a parameter added) is another fingerprint: the proofs are worked out again.
    vocabulary = json.loads((STANDARDS / "vocabulary" / "room-air-conditioner.json").read_text())
    vocabulary["parameters"].append(dict(vocabulary["parameters"][-1], id="zz.kept_test"))
    (tmp_path / "vocabulary.json").write_text(json.dumps(vocabulary))
    assert not transfer.import_paths(engine, validator, [tmp_path / "vocabulary.json"], actor="test").rejected
    _as_a_fresh_process()
    assert Checker(StoreReader(engine), validator).check(product, on).as_json()["results"]
    assert compared


def test_a_fresh_process_checks_from_kept_blocks_without_parsing(
    engine: Engine, validator: Validator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    product, on, first = _first_process(engine, validator, tmp_path, monkeypatch)
    _as_a_fresh_process()
    report = Checker(StoreReader(engine), validator).check(product, on)
    standards = [r.standard for r in report.results]
    assert len(standards) >= 3 and all(isinstance(s, Deferred) for s in standards)
    assert not any(s.loaded for s in standards)  # type: ignore[attr-defined]
    assert {r.verdict for r in report.results} == {r["verdict"] for r in first["results"]}
    assert report.as_json() == first  # the report's details parse each standard when read
    assert all(s.loaded for s in standards)  # type: ignore[attr-defined]

    # Damaged kept blocks (the bytes of another format, or cut short) are laid out again from the documents.
    with sqlite3.connect(tmp_path / "cache" / "kept.sqlite3") as db:
        keys = [k for (k,) in db.execute("SELECT key FROM kept WHERE kind LIKE 'block:%'")]
        assert len(keys) >= len(standards)
        for i, key in enumerate(keys):
            damage = "substr(value, 1, 40)" if i % 2 else "X'00'"
            db.execute(f"UPDATE kept SET value = {damage} WHERE kind LIKE 'block:%' AND key = ?", (key,))
    db.close()
    _as_a_fresh_process()
    assert Checker(StoreReader(engine), validator).check(product, on).as_json() == first


def test_a_damaged_kept_store_is_worked_around(
    engine: Engine, validator: Validator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ECOLABEL_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "kept.sqlite3").write_bytes(b"not a database" * 100)
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    product = json.loads((ROOT / "examples" / "products" / "split-ac-r290-3.5kw.json").read_text())
    _as_a_fresh_process()
    report = Checker(StoreReader(engine), validator).check(product, dt.date(2026, 11, 23)).as_json()
    _as_a_fresh_process()
    monkeypatch.setenv("ECOLABEL_CACHE_DIR", str(tmp_path / "other"))
    assert Checker(StoreReader(engine), validator).check(product, dt.date(2026, 11, 23)).as_json() == report


def test_what_other_code_kept_is_dropped(tmp_path: Path) -> None:
    # After an upgrade, what the old code derived is never read again: the first process of the new code
    # deletes it, so the file does not grow with every version deployed.
    path = tmp_path / "kept.sqlite3"
    kept.Kept(path).put_many("pathway", {"a": 1})
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO kept (kind, key, value) VALUES ('pathway:0ld', 'b', '2')")
        db.execute("UPDATE meta SET value = '0ld' WHERE name = 'code'")  # an older version opened it last
    db.close()
    assert kept.Kept(path).get_many("pathway", ["a", "b"]) == {"a": 1}
    with sqlite3.connect(path) as db:
        assert [k for (k,) in db.execute("SELECT kind FROM kept")] == [f"pathway:{kept.code()}"]
    db.close()
