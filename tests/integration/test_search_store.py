"""Search on both engines: the index follows the reader (a publish appears, a draft never does, only what
changed is written again), and the everyday names, compact designations and one-typo words are found."""

from __future__ import annotations

import json

from sqlalchemy import Engine

from registry import search
from registry.store import service, transfer
from registry.store.reader import StoreReader
from registry.validation import Validator
from tests.conftest import STANDARDS


def _found(index: search.Index, query: str) -> dict[str, set[str]]:
    results = index.search(query)
    return {kind: {f"{h.id}@{h.version}" if h.version else h.id for h in hits} for kind, hits in results.hits.items()}


def test_search_follows_the_reader_and_never_shows_a_draft(engine: Engine, validator: Validator) -> None:
    transfer.import_paths(engine, validator, [STANDARDS], actor="test")
    reader = StoreReader(engine)
    index = search.Index()
    written = index.sync(reader, seen=reader.refresh())
    assert written > 50
    assert index.sync(reader, seen=reader.refresh()) == 0  # nothing moved: nothing compared
    assert "cn-cel-room-air-conditioner@2013" in _found(index, "HJ2535")["standard"]
    assert "cn-cel-room-air-conditioner@2013" in _found(index, "hj 2535-2013")["standard"]
    assert {"cn-cel"} <= _found(index, "十环")["label"] and {"de-blue-angel"} <= _found(index, "蓝天使")["label"]
    assert "de-uz-204@2016-08" in _found(index, "Klimagerät")["standard"]  # a category's German name
    assert "de-uz-204@2016-08" in _found(index, "空调")["standard"]  # two characters, an everyday name
    assert _found(index, "Blue Angle")["label"] == {"de-blue-angel"}  # one typo in a word of five letters
    assert "licence" in _found(index, "R-290") and "licence" in _found(index, "r290")

    doc = json.loads((STANDARDS / "criteria" / "de-uz-204" / "2016-08.json").read_text())
    doc["version"], doc["title"]["en"] = "2051", "Zzyzx draft title"
    service.create_draft(engine, doc, actor="test")
    index.sync(reader, seen=reader.refresh())
    assert index.search("zzyzx").total == 0  # a draft is never searchable
    service.publish(engine, validator, doc["id"], "2051", actor="test")
    written = index.sync(reader, seen=reader.refresh())
    assert _found(index, "zzyzx")["standard"] == {"de-uz-204@2051"}
    assert written < 20  # the new version and its few new criteria texts, not the whole registry again
