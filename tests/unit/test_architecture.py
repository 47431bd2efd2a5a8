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
    "registry.qualification_text",
} | {m for m in ALL if m.startswith("registry.qualification")}  # the checker's pathways diff standards


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


def _imports(path: Path) -> set[str]:
    import ast

    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return found


def test_the_web_holds_no_sql_and_no_blueprint_reaches_into_another() -> None:
    web = Path(registry.__file__).parents[1] / "web"
    modules = sorted(web.glob("*.py"))
    assert len(modules) >= 10
    blueprints = {"web.admin", "web.api", "web.public", "web.auth"}
    for path in modules:
        names = _imports(path)
        sql = sorted(n for n in names if n.split(".")[0] in ("sqlalchemy", "sqlmodel") or n == "registry.store.models")
        assert sql == [], f"{path.name} imports {sql}: read through registry.store.reader (Data.source)"
        private = sorted(n for n in names if n.rsplit(".", 1)[0] in blueprints and n.rsplit(".", 1)[1].startswith("_"))
        assert private == [], f"{path.name} imports private names of a blueprint: {private}"
    # The rule bites: the module that used to hold the web's SQL would fail it.
    assert "sqlalchemy" in _imports(Path(registry.__file__).parent / "store" / "reader.py")


def test_only_the_settings_module_reads_the_environment() -> None:
    root = Path(registry.__file__).parents[1]
    readers = sorted(
        str(p.relative_to(root))
        for folder in ("registry", "web")
        for p in (root / folder).rglob("*.py")
        if re.search(r"os\.environ|os\.getenv|from_prefixed_env", p.read_text(encoding="utf-8"))
    )
    assert readers == ["registry/settings.py"]


def test_the_qualification_package_has_no_import_cycle() -> None:
    folder = Path(registry.__file__).parent / "qualification"
    graph = {
        p.stem: {n.split(".")[2] for n in _imports(p) if n.startswith("registry.qualification.") and n.count(".") >= 2}
        for p in folder.glob("*.py")
        if p.stem != "__init__"
    }
    assert set(graph) == {"checker", "licences", "outcomes", "pathways", "product", "report"}
    done: set[str] = set()
    while len(done) < len(graph):
        ready = {m for m, deps in graph.items() if m not in done and deps <= done}
        assert ready, f"an import cycle among {sorted(set(graph) - done)}"
        done |= ready
