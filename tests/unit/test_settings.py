"""Settings in one place: precedence, clear errors naming the setting, and the README's table kept true."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry import settings
from registry.errors import ConfigurationError
from tests.conftest import ROOT


def test_the_readme_table_is_the_settings_table() -> None:
    assert settings.table_markdown() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_caller_over_environment_over_instance_file_over_default(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text('ECOLABEL_PAGE_SIZE = "20"\nECOLABEL_PAGE_CACHE_MB = 8\n')
    env = {"ECOLABEL_INSTANCE": str(tmp_path), "ECOLABEL_PAGE_SIZE": "30"}
    found = settings.load(environ=env)
    assert (found.page_size, found.page_cache_mb, found.parsed_limit) == (30, 8, 256)
    assert found.database_url == f"sqlite:///{tmp_path.resolve() / 'registry.sqlite3'}"
    assert settings.load({"ECOLABEL_PAGE_SIZE": 40}, environ=env).page_size == 40
    assert settings.load(environ={"ECOLABEL_INSTANCE": str(tmp_path)}).page_size == 20


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"ECOLABEL_PAGE_SIZE": "0"}, "ECOLABEL_PAGE_SIZE from the environment: '0'"),
        ({"ECOLABEL_SECURE_COOKIES": "maybe"}, "ECOLABEL_SECURE_COOKIES from the environment: 'maybe'"),
        ({"ECOLABEL_HEAVY_RATE_LIMIT": "lots"}, "ECOLABEL_HEAVY_RATE_LIMIT from the environment: 'lots'"),
        (
            {"ECOLABEL_RATE_LIMIT_STORAGE": "127.0.0.1:6379"},
            "ECOLABEL_RATE_LIMIT_STORAGE from the environment.*redis://",
        ),
    ],
)
def test_a_bad_value_names_the_setting_and_where_it_came_from(tmp_path: Path, env: dict[str, str], words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        settings.load(environ={"ECOLABEL_INSTANCE": str(tmp_path), **env})


def test_an_unknown_name_in_the_instance_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text('ECOLABEL_PAGESIZE = "20"\n')
    with pytest.raises(ConfigurationError, match="unknown settings ECOLABEL_PAGESIZE"):
        settings.load(environ={"ECOLABEL_INSTANCE": str(tmp_path)})
