"""Shared fixtures: the repository's folders and one validator built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.catalog import Catalog
from registry.validation import Result, Validator

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
STANDARDS = ROOT / "standards"
EXAMPLES = Path(__file__).resolve().parent / "examples"


@pytest.fixture(scope="session")
def validator() -> Validator:
    return Validator.from_dir(SCHEMAS)


@pytest.fixture(scope="session")
def bundled(validator: Validator) -> Result:
    return validator.validate_paths([STANDARDS])


@pytest.fixture(scope="session")
def catalog(bundled: Result) -> Catalog:
    return bundled.catalog
