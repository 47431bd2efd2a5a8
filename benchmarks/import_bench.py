"""Time imports into a fresh embedded SQLite database: the bundled documents, then generated standards.

Run: .venv/bin/python -m benchmarks.import_bench [--documents 10000] [--criteria 10] [--database URL]

Each import is one all-or-nothing transaction: validation in the context of what is stored,
then the rows and their audit entries. The generated set comes from benchmarks/corpus.py.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from benchmarks.corpus import write_set
from registry.store import audit, migrate, transfer
from registry.store.engine import make_engine
from registry.validation import Validator

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--criteria", type=int, default=10, help="criteria per generated document")
    parser.add_argument("--database", default=None, help="a database URL [a fresh SQLite file]")
    args = parser.parse_args()
    validator = Validator.from_dir(ROOT / "schemas")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        engine = make_engine(args.database or f"sqlite:///{folder / 'bench.sqlite3'}")
        migrate.upgrade(engine)
        started = time.perf_counter()
        report = transfer.import_paths(engine, validator, [ROOT / "standards"], actor="bench")
        bundled = time.perf_counter() - started
        assert report.ok, report.rejected
        print(f"bundled standards/: {len(report.added)} documents in {bundled:.2f} s")
        paths = write_set(folder / "set", args.documents, criteria=args.criteria)
        size = sum(p.stat().st_size for p in paths) / 2**20
        started = time.perf_counter()
        report = transfer.import_paths(engine, validator, [folder / "set"], actor="bench")
        generated = time.perf_counter() - started
        assert report.ok, report.rejected[:3]
        print(
            f"generated: {len(report.added)} documents ({args.criteria} criteria each, {size:.1f} MiB) in "
            f"{generated:.2f} s = {len(report.added) / generated:.0f} documents/s"
        )
        started = time.perf_counter()
        again = transfer.import_paths(engine, validator, [folder / "set"], actor="bench")
        print(f"re-import of the same {len(again.unchanged)} documents (no-op): {time.perf_counter() - started:.2f} s")
        with Session(engine) as session:
            started = time.perf_counter()
            verdict = audit.verify(session)
            print(
                f"audit verify: {verdict.entries} entries intact={verdict.ok} in {time.perf_counter() - started:.2f} s"
            )
        engine.dispose()


if __name__ == "__main__":
    main()
