"""The core imports no web framework and no ORM, builds nothing at import time, and only the diff owns deepdiff."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import registry

ALL = sorted(m.name for m in pkgutil.walk_packages(registry.__path__, "registry."))
# The database adapter is the one sub-package allowed SQLAlchemy; its migration scripts are not modules to import.
CORE = [m for m in ALL if not m.startswith("registry.store")]
# Modules that need the diff engine, and so deepdiff, by design.
DIFF_USERS = {
    "registry.diff",
    "registry.diff_text",
    "registry.cli",
    "registry.qualification",
    "registry.qualification_text",
}


def _loaded_after_import(modules: list[str], roots: tuple[str, ...]) -> str:
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"bad = sorted({{m.split('.')[0] for m in sys.modules if m.split('.')[0] in {roots!r}}})\n"
        "built = 'pint' in sys.modules and __import__('registry.units').units.registry.cache_info().currsize\n"
        "print(bad, bool(built))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_core_imports_no_framework_in_a_fresh_interpreter() -> None:
    frameworks = ("flask", "sqlmodel", "sqlalchemy", "werkzeug", "alembic")
    assert _loaded_after_import(CORE, frameworks) == "[] False"
    assert "registry.cli" in CORE and len(CORE) >= 10
    # The command line loads the database adapter only when a database command runs.
    assert "registry.store.cli" in ALL


def test_the_database_adapter_builds_no_engine_at_import() -> None:
    adapter = [m for m in ALL if m.startswith("registry.store") and ".migrations" not in m]
    code = (
        "import importlib, gc\n"
        f"for name in {adapter!r}: importlib.import_module(name)\n"
        "from sqlalchemy.engine import Engine\n"
        "print(sum(isinstance(o, Engine) for o in gc.get_objects()))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_only_the_diff_engine_loads_deepdiff() -> None:
    others = [m for m in CORE if m not in DIFF_USERS]
    assert _loaded_after_import(others, ("deepdiff",)) == "[] False"
    assert _loaded_after_import(["registry.diff"], ("deepdiff",)) == "['deepdiff'] False"
    importers = sorted(
        str(p.relative_to(Path(registry.__file__).parent))
        for p in Path(registry.__file__).parent.rglob("*.py")
        if re.search(r"^\s*(from|import)\s+deepdiff\b", p.read_text(encoding="utf-8"), re.M)
    )
    assert importers == ["diff.py"]


def test_the_web_package_builds_nothing_at_import(tmp_path: Path) -> None:
    code = (
        "import os, sys\n"
        f"os.environ['DATABASE_URL'] = 'sqlite:///{tmp_path}/never.sqlite3'\n"
        "import web, web.public, web.admin, web.api, web.auth\n"
        "import sqlalchemy.engine.create as c\n"
        "print(callable(web.create_app), os.path.exists(" + repr(str(tmp_path / "never.sqlite3")) + "))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "True False"
