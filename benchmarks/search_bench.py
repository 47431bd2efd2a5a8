"""Time searches on a registry of 10,000 published standards (issue 15: median <= 20 ms).

Run: .venv/bin/python -m benchmarks.search_bench [--standards 10000] [--in-category 500] [--criteria 50]

The registry is the check benchmark's (benchmarks/check_bench.py): the bundled documents plus generated
published standards written straight into an SQLite file. Printed: building the index from the reader's
listing (what a worker's first search pays), one no-op sync (what every later search pays before it runs),
then the median and p95 of each query over repeated runs, the median over all queries against the target,
and the reader's freshness query (the audit head) as a baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from benchmarks.check_bench import ROOT, _fill, _percentile
from registry import search
from registry.store import audit, migrate, transfer
from registry.store.engine import make_engine
from registry.store.reader import StoreReader
from registry.validation import Validator

QUERIES = (
    "空调",  # the everyday word for an air conditioner (a category alias, two characters)
    "十环",  # the Chinese label's common name
    "蓝天使",  # Blue Angel in Chinese
    "Klimagerät",
    "Umweltzeichen",
    "HJ2535",  # a designation without its space and year
    "HJ 2535-2013",
    "R-290",
    "Blue Angle",  # one typo
    "room air conditioner",
    "halogen",
    "energy seer",  # criteria of thousands of standards
    "air",  # a short word in most of the registry
    "gen-room-air-conditioner-00042",
    "zzzz-nothing",
)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--standards", type=int, default=10_000)
    parser.add_argument("--in-category", type=int, default=500)
    parser.add_argument("--criteria", type=int, default=50)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    validator = Validator.from_dir(ROOT / "schemas")
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        migrate.upgrade(engine)
        transfer.import_paths(engine, validator, [ROOT / "standards"], actor="bench")
        _fill(engine, validator, args.standards, args.in_category, args.criteria)
        reader = StoreReader(engine)
        reader.refresh()
        listed = len(reader.versions())
        index = search.Index()
        started = time.perf_counter()
        rows = index.sync(reader, seen=reader.refresh())
        built = time.perf_counter() - started
        started = time.perf_counter()
        index.sync(reader, seen=reader.refresh())
        noop = time.perf_counter() - started
        print(
            f"registry: {listed} listed versions; index built in {built:.2f} s ({rows} rows); "
            f"no-op sync {noop * 1000:.2f} ms"
        )
        medians = []
        print(f"{'query':34} {'found':>8} {'median ms':>10} {'p95 ms':>8}")
        for query in QUERIES:
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                index.sync(reader, seen=reader.refresh())  # what a request does first
                results = index.search(query)
                times.append((time.perf_counter() - started) * 1000)
            medians.append(statistics.median(times))
            print(f"{query:34} {results.total:>8} {statistics.median(times):>10.2f} {_percentile(times, 0.95):>8.2f}")
        base = []
        for _ in range(args.runs):
            started = time.perf_counter()
            with Session(engine) as session:
                audit.head(session)
            base.append((time.perf_counter() - started) * 1000)
        overall, floor = statistics.median(medians), statistics.median(base)
        print(f"baseline, the audit-head query alone: median {floor:.2f} ms")
        print(f"median over the {len(QUERIES)} queries: {overall:.2f} ms ({overall / floor:.1f}x the baseline)")
        print(
            f"target (median <= 20 ms): {'MET' if overall <= 20 else 'MISSED'}; "
            f"slowest query median {max(medians):.2f} ms"
        )
        engine.dispose()


if __name__ == "__main__":
    main()
