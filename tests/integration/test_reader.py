"""The one reader of the registry of record, on both engines: incremental refresh, drafts, the publish context."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from registry.errors import NotFoundError
from registry.model import DocumentRef
from registry.store import migrate, reader, service, transfer
from registry.store.engine import make_engine
from registry.store.models import ContentSummary
from registry.validation import Validator
from tests.conftest import STANDARDS


def _draft(version: str) -> dict:  # type: ignore[type-arg]
    doc = json.loads((STANDARDS / "criteria" / "de-uz-204" / "2016-08.json").read_text())
    doc["version"] = version
    doc["dates"] = {"published": "2030-01", "valid_from": "2030-01", "valid_until": None}
    return doc  # type: ignore[no-any-return]


def test_a_write_re_reads_only_what_it_changed(engine: Engine, validator: Validator) -> None:
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    source = reader.StoreReader(engine)
    head = source.refresh()
    assert source.reads == 0  # the listing is read when first asked for, not by the refresh
    whole = len(source.versions())
    assert source.reads == whole >= 10  # the first listing reads every version once
    assert source.refresh() == head and source.reads == whole  # nothing written: nothing read

    service.create_draft(engine, _draft("2030"), actor="test")
    assert source.refresh() > head and source.reads == whole  # the changed standard is read when asked for
    assert len(source.versions("cn-cel-room-air-conditioner")) >= 2 and source.reads == whole  # another one
    assert [v.version for v in source.versions("de-uz-204")] == ["2016-08"]  # not without drafts=True
    assert source.reads == whole + 1  # one new version: one document read
    assert [v.state for v in source.versions("de-uz-204", drafts=True)] == ["published", "draft"]
    with pytest.raises(NotFoundError) as caught:
        source.get(DocumentRef("de-uz-204", "2030"))
    assert "2030" not in str(caught.value)  # the message does not name the hidden draft
    assert source.get(DocumentRef("de-uz-204", "2030"), drafts=True)[1].state == "draft"

    service.publish(engine, validator, "de-uz-204", "2030", actor="test")
    source.refresh()
    assert source.reads == whole + 1  # only states changed: no content is read again
    assert [(v.version, v.state) for v in source.versions("de-uz-204")] == [
        ("2016-08", "superseded"),
        ("2030", "published"),
    ]
    assert source.get(DocumentRef("de-uz-204"))[0].version == "2030"
    assert [v.version for v in source.in_force(dt.date(2031, 1, 1), "de-uz-204")] == ["2030"]


def test_a_fresh_reader_lists_from_stored_summaries(engine: Engine, validator: Validator) -> None:
    # The first reader works out each content's summary and stores it by hash; a reader in a fresh process
    # lists every standard from those summaries without reading any content, and lists exactly the same.
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    first = reader.StoreReader(engine)
    first.refresh()
    listed = first.versions()
    assert first.reads == len(listed) >= 10
    with Session(engine) as session:
        stored = session.exec(select(ContentSummary)).all()
    assert {s.sha256 for s in stored} == {v.sha for v in first.versions()}
    # The listing's summary, and beside it (not in it) the criteria lines a search reads.
    assert {s.format for s in stored} == {reader.SUMMARY_FORMAT, reader.CRITERIA_FORMAT}

    fresh = reader.StoreReader(engine)
    fresh.refresh()
    assert fresh.reads == 0
    assert fresh.versions() == first.versions()
    texts = first.criteria_texts(first.versions())
    assert fresh.criteria_texts(fresh.versions()) == texts and any(texts.values())
    assert [(v.title, v.designation) for v in fresh.versions()] == [(v.title, v.designation) for v in first.versions()]
    # Criteria lines not kept (a search's first read after the listing's format changed): worked out from the
    # content, the same as kept ones, and kept again.
    with Session(engine) as session:
        for s in session.exec(select(ContentSummary).where(ContentSummary.format == reader.CRITERIA_FORMAT)).all():
            session.delete(s)
        session.commit()
    assert reader.StoreReader(engine).criteria_texts(first.versions()) == texts
    with Session(engine) as session:
        lines = session.exec(select(ContentSummary).where(ContentSummary.format == reader.CRITERIA_FORMAT)).all()
    assert {s.sha256 for s in lines} == set(texts)

    # A summary worked out another way (an older format) is not trusted: the content is read again.
    with Session(engine) as session:
        for s in session.exec(select(ContentSummary)).all():
            session.delete(s)
        session.add(ContentSummary(sha256=stored[0].sha256, format=reader.SUMMARY_FORMAT - 1, summary="{}"))
        session.commit()
    again = reader.StoreReader(engine)
    again.refresh()
    assert again.versions() == first.versions() and again.reads == len(first.versions())


def test_a_check_reads_the_listing_of_its_categories_only(engine: Engine, validator: Validator) -> None:
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    everything = reader.StoreReader(engine).versions(drafts=True)
    categories = ["room-air-conditioner"]
    part = reader.StoreReader(engine)
    part.refresh()
    listed = part.listed(categories, drafts=True)
    assert sorted(listed, key=lambda v: v.ref) == sorted(
        (v for v in everything if v.category in categories), key=lambda v: v.ref
    )
    assert len(listed) >= 3 and len({v.category for v in everything}) > 1
    assert set(part._infos) == {v.doc_id for v in listed}  # no other category's standard was read

    # Versions added in a category already read are seen at the next refresh; a standard of another category
    # is read when named, and the whole listing, when asked for, is what a fresh reader lists.
    service.create_draft(engine, _draft("2030"), actor="test")
    service.publish(engine, validator, "de-uz-204", "2030", actor="test")
    service.create_draft(engine, _draft("2031"), actor="test")
    part.refresh()
    assert ("de-uz-204", "2030", "published") in {(v.doc_id, v.version, v.state) for v in part.listed(categories)}
    assert all(v.state != "draft" for v in part.listed(categories))
    assert any(v.state == "draft" for v in part.listed(categories, drafts=True))
    other = next(v for v in everything if v.category not in categories)
    assert part.info(DocumentRef(other.doc_id, other.version), drafts=True) == other
    assert part.versions(drafts=True) == reader.StoreReader(engine).versions(drafts=True)

    # What a check reads: the versions in force, parsed only when more than their listing is used.
    (current,) = [s for s in part.current(categories, dt.date(2031, 1, 1)) if s.id == "de-uz-204"]
    assert current.version == "2030" and not current.loaded  # type: ignore[attr-defined]
    assert current.labels == ("de-blue-angel",) and not current.loaded  # type: ignore[attr-defined]
    assert [c.id for c in current.criteria] == [c["id"] for c in _draft("2030")["criteria"]]
    assert current.loaded  # type: ignore[attr-defined]
    assert part.get(DocumentRef("de-uz-204", "2030"))[0] is current  # one object per content


def test_a_publish_is_checked_against_what_it_references(engine: Engine, validator: Validator) -> None:
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    doc = json.loads((STANDARDS / "criteria" / "cn-de-room-air-conditioner" / "2017.json").read_text())
    with Session(engine) as session:
        context = reader.context_for(session, doc)
        everything = reader.entries(session)
    standards = {e.key[1] for e in context.iter_entries("standard")}
    parents = {f"{p['id']}@{p['version']}" for p in doc["parents"]}
    assert parents <= standards and all(
        s.split("@")[0] in {doc["id"], *(p["id"] for p in doc["parents"])} for s in standards
    )
    assert len(standards) < sum(e.kind == "standard" for e in everything)
    assert set(context.labels) and set(context.agreements) and set(context.vocabulary.categories)


def test_the_listing_is_read_from_its_covering_index(tmp_path: Path, validator: Validator) -> None:
    # SQLite keeps each row's content inline: a listing that walked the table would read all of it (0.1 s at
    # 10,000 standards); migration 0009's index holds every column the listing reads.
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.sqlite3'}")
    migrate.upgrade(engine)
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    query = sa_select(*reader._INFO_COLUMNS).compile(engine)
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {query}"))
    engine.dispose()
    assert "COVERING INDEX ix_standard_version_listing" in plan, plan
