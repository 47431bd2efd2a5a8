"""The read path at scale: 10,000 stored standards, on SQLite and PostgreSQL; then a load run with writes.

Run: .venv/bin/python -m benchmarks.scale_bench [--standards 10000] [--load-standards 3000] [--seconds 60]
     [--engines sqlite,postgresql] [--no-load]
Needs wrk for the load run (Debian: apt-get install wrk); PostgreSQL at TEST_DATABASE_URL
(default postgresql://postgres@127.0.0.1:5432/test; a schema of its own, dropped afterwards).

Part 1, per engine, in one process that is a worker (the app through Flask's test client):
a warm standard page (median), the first page after a write elsewhere and after a write to the
same standard, a publish of a new version (create the draft, then publish; median), the
``/standards`` first page warm and first after a write, and the process's peak memory.
Targets: first page after a write <= 2x a warm page; a publish <= 500 ms; memory <= 300 MB.

Part 2 (SQLite, gunicorn, 4 workers): wrk with 24 connections over standard pages, the list
and the home page for ``--seconds`` with no writes, then again while another process publishes
one new version per second. Target: >= 60 % of the requests/s without writes, zero errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, insert
from sqlmodel import Session

from benchmarks.corpus import document
from registry import canonical
from registry.store import migrate, service, transfer
from registry.store.engine import make_engine
from registry.store.models import StandardVersion
from registry.store.reader import context_for
from registry.validation import Validator

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
LABELS = ["de-blue-angel", "jp-eco-mark", "kr-eco-label", "nordic-swan", "eu-ecolabel"]
CATEGORIES = ["room-air-conditioner"]  # the generator writes air-conditioner parameters


def _doc(i: int, criteria: int) -> dict[str, Any]:
    doc = document(criteria, seed=20_000 + i % 50, ident=f"gen-{i:05d}")
    doc.update(status="published", category=CATEGORIES[i % len(CATEGORIES)], labels=[LABELS[i % len(LABELS)]])
    doc["dates"] = {"published": "2025-01-01", "valid_from": "2025-02-01", "valid_until": None}
    return doc


def fill(engine: Engine, validator: Validator, total: int, criteria: int) -> None:
    """Import the bundled documents, then write ``total`` generated published standards straight into the table
    (a sample validated first; a real import of 10,000 documents is import_bench's subject)."""
    transfer.import_paths(engine, validator, [ROOT / "standards"], actor="bench")
    for i in range(len(CATEGORIES)):
        sample = _doc(i, criteria)
        with Session(engine) as session:
            findings = validator.validate_data(sample, context=context_for(session, sample))
        assert not findings, f"the generated documents must be valid: {findings[:3]}"
    rows, now = [], dt.datetime.now(dt.UTC)
    for i in range(total):
        content = canonical.dumps(_doc(i, criteria))
        rows.append(
            {
                "doc_id": f"gen-{i:05d}",
                "version": "1.0",
                "state": "published",
                "category": CATEGORIES[i % len(CATEGORIES)],
                "in_force_from": dt.date(2025, 2, 1),
                "in_force_until": None,
                "content": content,
                "content_sha256": canonical.sha256(content),
                "lock_version": 1,
                "created_at": now,
                "created_by": "bench",
                "published_at": now,
                "published_by": "bench",
            }
        )
        if len(rows) == 1000 or i == total - 1:
            with engine.begin() as conn:
                conn.execute(insert(StandardVersion), rows)
            rows = []
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


_versions = iter(range(2, 10_000_000))


def publish_one(engine: Engine, validator: Validator, doc_id: str, criteria: int) -> float:
    """Store a new version of a generated standard as a draft and publish it; return the publish's ms."""
    n = int(doc_id.split("-")[1])
    doc = _doc(n, criteria)
    doc["version"] = f"{next(_versions)}.0"
    doc["dates"] = {"published": "2026-01-01", "valid_from": "2026-02-01", "valid_until": None}
    service.create_draft(engine, doc, actor="bench")
    started = time.perf_counter()
    service.publish(engine, validator, doc_id, doc["version"], actor="bench")
    return (time.perf_counter() - started) * 1000


def _ms(client: Any, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def part1(name: str, url: str, args: argparse.Namespace, validator: Validator, folder: Path) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    started = time.perf_counter()
    fill(engine, validator, args.standards, args.criteria)
    filled = time.perf_counter() - started
    print(f"\n[{name}] {args.standards:,} generated standards + the bundled ones, filled in {filled:.0f} s")
    from web import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 32, "INSTANCE_PATH": str(folder), "TESTING": True})
    client = app.test_client()
    started = time.perf_counter()
    _ms(client, "/standards/gen-00007/1.0")
    print(
        f"[{name}] worker start: first page (reads every listing once) {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    page = "/standards/gen-00007/1.0"
    warm = statistics.median(_ms(client, page) for _ in range(200))
    elsewhere, same, publishes, list_after = [], [], [], []
    for i in range(args.writes):
        publishes.append(publish_one(engine, validator, f"gen-{1000 + i:05d}", args.criteria))
        elsewhere.append(_ms(client, page))
        list_after.append(_ms(client, "/standards"))
    list_warm = statistics.median(_ms(client, "/standards") for _ in range(50))
    for _ in range(args.writes):
        publishes.append(publish_one(engine, validator, "gen-00007", args.criteria))
        same.append(_ms(client, "/standards/gen-00007/1.0"))
    med = statistics.median
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[{name}] warm standard page: median {warm:.2f} ms")
    print(
        f"[{name}] first page after a write elsewhere: median {med(elsewhere):.2f} ms = "
        f"{med(elsewhere) / warm:.2f}x warm; "
        f"after a write to the same standard: median {med(same):.2f} ms = {med(same) / warm:.2f}x (target <= 2x)"
    )
    print(f"[{name}] publish: median {med(publishes):.0f} ms, max {max(publishes):.0f} ms (target <= 500 ms)")
    print(f"[{name}] /standards first page: warm {list_warm:.2f} ms, first after a write {med(list_after):.2f} ms")
    print(f"[{name}] process peak memory (the worker, with the generator's own data): {rss:.0f} MB (target <= 300 MB)")
    app.extensions["registry"].engine.dispose()
    engine.dispose()


def _wrk(base: str, seconds: int, script: Path) -> tuple[float, int, float]:
    out = subprocess.run(
        ["wrk", "-t", "2", "-c", "24", "-d", f"{seconds}s", "--timeout", "10s", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    _, requests, micros, errors, p99 = line.split()
    return int(requests) / (int(micros) / 1e6), int(errors), float(p99)


LUA = """
math.randomseed(14024)
local n = %d
request = function()
  local r = math.random(10)
  if r == 1 then return wrk.format("GET", "/standards") end
  if r == 2 then return wrk.format("GET", "/") end
  return wrk.format("GET", string.format("/standards/gen-%%05d/1.0", math.random(0, n - 1)))
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %%d %%d %%d %%.1f\\n", summary.requests, summary.duration, errors,
    latency:percentile(99) / 1000))
end
"""


def part2(args: argparse.Namespace, validator: Validator, folder: Path) -> None:
    from tests.serving import serve

    url = f"sqlite:///{folder / 'load.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    fill(engine, validator, args.load_standards, args.criteria)
    # The 24 clients stand for 24 visitors, but all come from 127.0.0.1: lift the per-client limit on
    # computed pages (each write makes the list and the home page be computed again).
    os.environ["ECOLABEL_HEAVY_RATE_LIMIT"] = "1000000/60"
    script = folder / "load.lua"
    script.write_text(LUA % args.load_standards)
    with serve(folder, url, workers=4) as base:
        _wrk(base, 5, script)  # warm every worker
        quiet, quiet_errors, quiet_p99 = _wrk(base, args.seconds, script)
        stop, done, failed = threading.Event(), [], []

        def publisher() -> None:
            i = 0
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    publish_one(engine, validator, f"gen-{i % args.load_standards:05d}", args.criteria)
                    done.append(1)
                except Exception as exc:  # counted and shown: a failed publish is an error of the run
                    failed.append(repr(exc))
                i += 1
                stop.wait(max(0.0, 1.0 - (time.perf_counter() - started)))

        thread = threading.Thread(target=publisher)
        thread.start()
        busy, busy_errors, busy_p99 = _wrk(base, args.seconds, script)
        stop.set()
        thread.join()
        workers = _worker_memory(base)
    size = f"{args.seconds} s each, {args.load_standards:,} standards"
    print(f"\n[load, SQLite, gunicorn 4 workers, wrk 24 connections, {size}]")
    print(f"no writes:          {quiet:8.0f} req/s, p99 {quiet_p99:.1f} ms, errors {quiet_errors}")
    print(
        f"one publish/s:      {busy:8.0f} req/s, p99 {busy_p99:.1f} ms, errors {busy_errors}; "
        f"{len(done)} publishes, {len(failed)} failed {failed[:2]}"
    )
    print(f"with writes / without: {busy / quiet:.0%} (target >= 60 %, zero errors)")
    print(f"gunicorn workers' peak memory (VmHWM): {', '.join(f'{m:.0f}' for m in workers)} MB (target <= 300 MB)")
    engine.dispose()


def _worker_memory(base: str) -> list[float]:
    """Return the peak resident memory of each gunicorn worker serving ``base``, in MB."""
    port = base.rsplit(":", 1)[1]
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = (proc / "status").read_text()
        except OSError:
            continue
        if "gunicorn" in cmd and f":{port}" in cmd:
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            found.append((int(fields["PPid"]), int(proc.name), int(fields["VmHWM"].split()[0]) / 1024))
    pids = {pid for _, pid, _ in found}
    return sorted(mb for ppid, _, mb in found if ppid in pids)  # workers: children of the master


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--standards", type=int, default=10_000)
    parser.add_argument("--load-standards", type=int, default=3_000)
    parser.add_argument("--criteria", type=int, default=30)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--no-load", action="store_true")
    args = parser.parse_args()
    validator = Validator.from_dir(ROOT / "schemas")
    for name in [e for e in args.engines.split(",") if e]:
        with tempfile.TemporaryDirectory() as tmp:
            if name == "sqlite":
                part1(name, f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args, validator, Path(tmp))
                continue
            admin = make_engine(PG_URL)
            schema = f"bench_{uuid.uuid4().hex[:12]}"
            with admin.begin() as conn:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            sep = "&" if "?" in PG_URL else "?"
            try:
                part1(name, f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}", args, validator, Path(tmp))
            finally:
                with admin.begin() as conn:
                    conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
                admin.dispose()
    if not args.no_load:
        if shutil.which("wrk") is None:
            sys.exit("wrk is needed for the load run: apt-get install wrk")
        with tempfile.TemporaryDirectory() as tmp:
            part2(args, validator, Path(tmp))


if __name__ == "__main__":
    main()
