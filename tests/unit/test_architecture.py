"""The core imports no web framework and no ORM, and builds nothing at import time."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import registry

CORE = sorted(m.name for m in pkgutil.walk_packages(registry.__path__, "registry."))


def test_core_imports_no_framework_in_a_fresh_interpreter() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'sqlmodel', 'sqlalchemy', 'werkzeug', 'alembic', 'deepdiff'))\n"
        "built = 'pint' in sys.modules and __import__('registry.units').units.registry.cache_info().currsize\n"
        "print(bad, bool(built))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] False"
    assert "registry.cli" in CORE and len(CORE) >= 10
