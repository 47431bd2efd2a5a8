"""Data-driven examples: every invalid file is rejected with exactly the findings listed for it."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from registry.validation import Validator
from tests.conftest import EXAMPLES, ROOT, STANDARDS

INVALID = EXAMPLES / "invalid"


def _expected() -> dict[str, list[tuple[str, str]]]:
    rows: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for line in (INVALID / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, pointer, fragment = line.split("\t")
            rows[name].append((pointer, fragment))
    return rows


EXPECTED = _expected()
FILES = sorted(p.name for p in INVALID.iterdir() if p.name != "EXPECTED.tsv")


def test_every_invalid_example_is_listed_and_every_listed_one_exists() -> None:
    assert sorted(EXPECTED) == FILES


@pytest.mark.parametrize("name", FILES)
def test_invalid_example_is_rejected_at_its_pointer(validator: Validator, name: str) -> None:
    report = validator.validate_paths([INVALID / name], [STANDARDS]).report
    (file_report,) = report.files
    assert not file_report.valid
    found = [(e.pointer, e.message) for e in file_report.errors]
    for pointer, fragment in EXPECTED[name]:
        assert any(p == pointer and fragment in m for p, m in found), (pointer, fragment, found)
    assert len(found) == len(EXPECTED[name]), found


@pytest.mark.parametrize(
    "path",
    sorted((EXAMPLES / "valid").glob("*.json")) + sorted((ROOT / "examples").rglob("*.json")),
    ids=lambda p: p.name,
)
def test_valid_example_passes(validator: Validator, path: Path) -> None:
    report = validator.validate_paths([path], [STANDARDS]).report
    assert report.lines() == []
