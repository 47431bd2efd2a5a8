"""The search's pure parts: folding, compact forms, one-edit words, and the index on the bundled documents."""

from __future__ import annotations

import pytest

from registry import search
from registry.catalog import Catalog
from registry.source import FolderSource


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        ("angle", "angel", True),  # two neighbours swapped
        ("angel", "angels", True),
        ("angel", "ange", True),
        ("angel", "anpel", True),
        ("angel", "agnle", False),
        ("angel", "angle!", False),
        ("halogen", "halgoen", True),
        ("halogen", "hlaogne", False),
    ],
)
def test_one_edit(a: str, b: str, near: bool) -> None:
    assert search._one_edit(a, b) is near
    assert search._one_edit(b, a) is near


def test_compact_and_fold() -> None:
    assert search.compact("HJ 2535-2013") == "hj25352013"
    assert search.compact("R-290") == "r290"
    assert search.fold("ＫＬＩＭＡ") == "klima"  # full-width letters, as a Chinese keyboard types them


@pytest.fixture(scope="module")
def index(catalog: Catalog) -> search.Index:
    built = search.Index()
    built.sync(FolderSource(catalog))
    return built


def test_results_are_grouped_with_counts_and_words_read(index: search.Index) -> None:
    results = index.search("blue angel")
    assert results.counts["label"] == 1 and results.counts["standard"] >= 2
    assert sum(results.counts.values()) == results.total
    assert all(len(hits) <= search.SHOWN for hits in results.hits.values())
    assert "label=de-blue-angel" in results.words[0]  # read as the label it names
    assert index.search("").total == 0 and index.search("   ").words == ()


def test_hostile_queries_are_text(index: search.Index) -> None:
    for query in ['"', "a OR b", "NEAR(x y)", "%_%", "\\", "x' OR 1=1 --", "*", "^", "蓝天使 AND"]:
        index.search(query)  # no error: every word is a quoted phrase or an escaped LIKE pattern
