"""The registry of record on both engines: import, immutability, drafts, lifecycle, dates, audit."""

from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from registry import canonical
from registry.errors import ConfigurationError, ConflictError, ImmutableError, InvalidDocumentError
from registry.store import audit, migrate, reader, service, transfer
from registry.store.engine import make_engine, write_session
from registry.store.models import AuditEntry, StandardVersion
from registry.validation import Validator
from tests.conftest import STANDARDS

DE_UZ_204 = STANDARDS / "criteria" / "de-uz-204" / "2016-08.json"


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _sha(engine: Engine, doc_id: str, version: str) -> str:
    with Session(engine) as session:
        return reader.row(session, doc_id, version).content_sha256


def _seed(engine: Engine, validator: Validator) -> transfer.ImportReport:
    report = transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    assert report.ok, report.rejected
    return report


def test_sqlite_connections_use_wal_fk_busy_timeout_full_sync(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as conn:
        got = [
            conn.exec_driver_sql(f"PRAGMA {p}").scalar()
            for p in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        ]
    engine.dispose()
    assert got == ["wal", 1, 30000, 2]


def test_a_write_session_holds_the_sqlite_write_lock_from_its_start(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with write_session(engine) as session:
        session.exec(select(StandardVersion.pk)).all()  # only a read so far
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # free again once the write transaction ended
    other.execute("ROLLBACK")
    other.close()
    with Session(engine) as session:
        session.exec(select(StandardVersion.pk)).all()  # a plain session reads without the write lock
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
    engine.dispose()


def test_unmigrated_database_is_refused_with_what_to_run(db_url: str) -> None:
    engine = make_engine(db_url)
    with pytest.raises(ConfigurationError, match="has no registry tables; run: ecolabel db upgrade"):
        migrate.require_current(engine)
    migrate.upgrade(engine)
    migrate.require_current(engine)
    assert migrate.current(engine) == migrate.head()
    engine.dispose()


def test_import_is_all_or_nothing_and_a_reimport_is_a_no_op(engine: Engine, validator: Validator) -> None:
    first = _seed(engine, validator)
    assert len(first.added) == 94 and not first.unchanged
    with Session(engine) as session:
        assert reader.counts(session) == {
            "agreement": 31,
            "label": 31,
            "licence": 3,
            "standard:published": 11,
            "standard:superseded": 1,
            "vocabulary": 17,
        }
        entries_before = len(session.exec(select(AuditEntry)).all())
    again = transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    assert again.ok and not again.added and len(again.unchanged) == 94
    with Session(engine) as session:
        assert len(session.exec(select(AuditEntry)).all()) == entries_before
        assert audit.verify(session).ok


def test_a_changed_published_document_is_rejected_and_nothing_of_the_import_lands(
    engine: Engine, validator: Validator, tmp_path: Path
) -> None:
    _seed(engine, validator)
    before = _sha(engine, "de-uz-204", "2016-08")
    changed = _load(DE_UZ_204)
    changed["criteria"][2]["requirement"]["value"]["value"] = 6.5
    (tmp_path / "changed.json").write_text(json.dumps(changed))
    new = copy.deepcopy(changed)
    new["version"] = "2030"
    (tmp_path / "new.json").write_text(json.dumps(new))
    report = transfer.import_paths(engine, validator, [tmp_path], actor="test")
    assert not report.ok
    ((path, findings),) = report.rejected
    assert path.endswith("changed.json") and findings[0].pointer == "/version"
    assert "published content is immutable" in findings[0].message
    assert _sha(engine, "de-uz-204", "2016-08") == before
    with Session(engine) as session, pytest.raises(Exception, match="no stored version"):
        reader.row(session, "de-uz-204", "2030")


def test_an_invalid_document_is_rejected_with_its_pointer(engine: Engine, validator: Validator, tmp_path: Path) -> None:
    _seed(engine, validator)
    doc = _load(DE_UZ_204)
    doc["version"] = "2031"
    doc["criteria"][2]["requirement"]["value"]["unit"] = "kg"
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    report = transfer.import_paths(engine, validator, [tmp_path], actor="test")
    ((path, findings),) = report.rejected
    assert path.endswith("bad.json")
    assert [f.pointer for f in findings] == ["/criteria/2/requirement/value/unit"]


def test_an_import_that_would_break_stored_documents_is_rejected(
    engine: Engine, validator: Validator, tmp_path: Path
) -> None:
    _seed(engine, validator)
    vocab = _load(STANDARDS / "vocabulary" / "room-air-conditioner.json")
    vocab["parameters"] = [p for p in vocab["parameters"] if p["id"] != "energy.seer"]
    (tmp_path / "vocab.json").write_text(json.dumps(vocab))
    report = transfer.import_paths(engine, validator, [tmp_path], actor="test")
    assert not report.ok
    assert any("db:standard/de-uz-204@2016-08 (stored" in path for path, _ in report.rejected)


def test_published_content_cannot_change_by_any_path(engine: Engine, validator: Validator) -> None:
    _seed(engine, validator)
    before = _sha(engine, "de-uz-204", "2016-08")
    data = _load(DE_UZ_204)
    with pytest.raises(ImmutableError, match="immutable"):
        service.update_draft(engine, "de-uz-204", "2016-08", data, expected_lock=1, actor="test")
    raw_sql = [
        "UPDATE standard_version SET content = '{}' WHERE doc_id = 'de-uz-204'",
        "UPDATE standard_version SET content_sha256 = 'x' WHERE doc_id = 'de-uz-204'",
        "UPDATE standard_version SET version = '9' WHERE doc_id = 'de-uz-204'",
        "UPDATE standard_version SET state = 'draft' WHERE doc_id = 'de-uz-204'",
        "DELETE FROM standard_version WHERE doc_id = 'de-uz-204'",
    ]
    for statement in raw_sql:
        with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
            conn.execute(text(statement))
    assert _sha(engine, "de-uz-204", "2016-08") == before
    with Session(engine) as session:
        row = reader.row(session, "de-uz-204", "2016-08")
        assert canonical.sha256(row.content) == before and row.state == "published"


def test_audit_rows_cannot_be_changed_or_removed(engine: Engine, validator: Validator) -> None:
    _seed(engine, validator)
    for statement in ("UPDATE audit_entry SET actor = 'mallory'", "DELETE FROM audit_entry"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def _bypass_guard(engine: Engine, statement: str) -> None:
    """Tamper as an attacker with owner rights would: switch the trigger off, change a row."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_entry_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_entry_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only")
        conn.exec_driver_sql(statement)


@pytest.mark.parametrize(
    ("statement", "broken", "reason"),
    [
        ("UPDATE audit_entry SET actor = 'mallory' WHERE seq = 7", 7, "content does not match its hash"),
        ("UPDATE audit_entry SET after_sha256 = NULL WHERE seq = 30", 30, "content does not match its hash"),
        ("DELETE FROM audit_entry WHERE seq = 12", 13, "link to the previous entry is broken"),
    ],
)
def test_tampering_with_the_audit_trail_is_detected(
    engine: Engine, validator: Validator, statement: str, broken: int, reason: str
) -> None:
    _seed(engine, validator)
    with Session(engine) as session:
        assert audit.verify(session).ok
    _bypass_guard(engine, statement)
    with Session(engine) as session:
        verdict = audit.verify(session)
    assert verdict.broken_at == broken and reason in verdict.reason


def _draft(doc_id: str = "test-joint", version: str = "1") -> dict[str, Any]:
    doc = _load(STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json")
    doc["id"], doc["version"], doc["status"] = doc_id, version, "draft"
    doc.pop("designation", None)
    return doc


def test_draft_edit_publish_and_supersede(engine: Engine, validator: Validator) -> None:
    _seed(engine, validator)
    doc = _draft()
    row = service.create_draft(engine, doc, actor="alice")
    assert row.state == "draft" and row.lock_version == 1
    doc["title"]["en"] = "Edited title"
    assert service.update_draft(engine, "test-joint", "1", doc, expected_lock=1, actor="alice") == 2
    with pytest.raises(ConflictError, match="saved by someone else"):
        service.update_draft(engine, "test-joint", "1", doc, expected_lock=1, actor="bob")
    broken = copy.deepcopy(doc)
    broken["labels"] = ["no-such-label"]
    service.update_draft(engine, "test-joint", "1", broken, expected_lock=2, actor="alice")
    with pytest.raises(InvalidDocumentError) as caught:
        service.publish(engine, validator, "test-joint", "1", actor="alice")
    assert any(getattr(f, "pointer", "") == "/labels/0" for f in caught.value.findings)
    service.update_draft(engine, "test-joint", "1", doc, expected_lock=3, actor="alice")
    service.publish(engine, validator, "test-joint", "1", actor="alice")
    second = _draft(version="2")
    service.create_draft(engine, second, actor="alice")
    service.publish(engine, validator, "test-joint", "2", actor="alice")
    with Session(engine) as session:
        states = {
            r.version: r.state
            for r in session.exec(select(StandardVersion).where(StandardVersion.doc_id == "test-joint"))
        }
        assert states == {"1": "superseded", "2": "published"}
        actions = [e.action for e in session.exec(select(AuditEntry).where(AuditEntry.doc_id == "test-joint"))]
        assert actions == [
            "create_draft",
            "update_draft",
            "update_draft",
            "update_draft",
            "publish",
            "create_draft",
            "publish",
            "superseded",
        ]
        edit = session.exec(select(AuditEntry).where(AuditEntry.action == "update_draft")).first()
        assert (
            edit is not None and {"path": "/title/en", "change": "changed"}.items() <= json.loads(edit.diff)[0].items()
        )
        assert audit.verify(session).ok
    service.withdraw(engine, "test-joint", "2", actor="alice")
    with Session(engine) as session:
        states = {
            r.version: r.state
            for r in session.exec(select(StandardVersion).where(StandardVersion.doc_id == "test-joint"))
        }
    assert states == {"1": "published", "2": "withdrawn"}


def test_in_force_on_a_date_with_a_transition_window(engine: Engine, validator: Validator) -> None:
    _seed(engine, validator)
    old, new = _draft("test-dates", "2019"), _draft("test-dates", "2022")
    old["dates"] = {"published": "2019-01-01", "valid_from": "2019-03-01", "valid_until": "2022-12-31"}
    new["dates"] = {"published": "2022-01-01", "valid_from": "2022-07-01", "valid_until": None}
    for doc in (old, new):
        service.create_draft(engine, doc, actor="alice")
        service.publish(engine, validator, doc["id"], doc["version"], actor="alice")
    stored = reader.StoreReader(engine)

    def versions(day: str) -> list[str]:
        return [r.version for r in stored.in_force(dt.date.fromisoformat(day), "test-dates")]

    assert versions("2019-02-28") == []
    assert versions("2020-06-01") == ["2019"]
    assert versions("2022-09-01") == ["2022", "2019"]  # both in force: the transition window
    assert versions("2023-01-01") == ["2022"]
    # HJ 2535-2013 came into force on 2014-03-01.
    newest = stored.in_force(dt.date(2014, 3, 1), "cn-cel-room-air-conditioner")[0]
    assert newest.version == "2013"
