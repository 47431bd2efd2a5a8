"""The core imports no web framework and no ORM, builds nothing at import time, and only the diff owns deepdiff."""

from __future__ import annotations

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import registry

CORE = sorted(m.name for m in pkgutil.walk_packages(registry.__path__, "registry."))
# Modules that need the diff engine, and so deepdiff, by design.
DIFF_USERS = {"registry.diff", "registry.diff_text", "registry.cli"}


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
