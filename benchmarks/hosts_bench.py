"""Two app hosts on one PostgreSQL database under mixed load while an administrator publishes.

Run: .venv/bin/python -m benchmarks.hosts_bench [--seconds 60] [--clients 32] [--publish-every 2]
        [--rate-limit-storage redis://127.0.0.1:6379/0]
Needs PostgreSQL on 127.0.0.1:5432 (ECOLABEL_TEST_PG to change), as the tests do; with
``--rate-limit-storage``, every computed answer is counted in that Redis too, as several hosts would.

Starts two hosts (gunicorn, 2 workers each) at the same moment on an empty database schema, each as
./run starts one. Then ``--clients`` threads send, alternating between the hosts, a mix of pages, API
reads and product checks, while an administrator's script publishes a new version of one standard
every ``--publish-every`` seconds through an API token, alternating hosts too. It counts:
- 5xx answers (the target: none);
- stale answers: a read of that standard's versions, sent after a publish had returned, that does
  not list it (the target: none);
- lost writes: a publish that returned 200 but is not stored afterwards (the target: none);
and prints p50/p95/p99 latency and requests per second, overall and per kind of request.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

from registry.store import tokens, users
from registry.store.engine import make_engine
from tests.conftest import ROOT, STANDARDS
from tests.integration.conftest import postgres_schema
from tests.serving import hosts

WATCHED = "cn-de-room-air-conditioner"
SCANNER = (ROOT / "examples" / "products" / "scanner.json").read_text(encoding="utf-8")
KINDS = ("page /standards", "page /standards/ID", "api /standards", "api watched versions", "api check")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--publish-every", type=float, default=2)
    parser.add_argument("--rate-limit-storage", default="memory://")
    args = parser.parse_args()
    os.environ["ECOLABEL_HEAVY_RATE_LIMIT"] = "1000000/60"  # one load generator stands for many clients
    os.environ["ECOLABEL_RATE_LIMIT_STORAGE"] = args.rate_limit_storage
    print(f"heavy-route limits counted in {args.rate_limit_storage}")

    with postgres_schema() as url, tempfile.TemporaryDirectory() as tmp:
        folders = [Path(tmp) / "host-a", Path(tmp) / "host-b"]
        for folder in folders:
            folder.mkdir()
        started = time.perf_counter()
        with hosts(folders, url) as bases:
            print(f"two hosts started together on an empty database in {time.perf_counter() - started:.1f} s")
            engine = make_engine(url)
            admin = users.add_user(engine, "bench-admin", "bench-admin-password", "admin")
            secret = tokens.create(engine, admin.pk, "bench", "write", days=1, actor="bench").secret
            template = json.loads((STANDARDS / "criteria" / WATCHED / "2017.json").read_text(encoding="utf-8"))

            published: list[tuple[float, str]] = []  # (moment the publish returned, version)
            lock = threading.Lock()
            stop = time.perf_counter() + args.seconds
            latencies: dict[str, list[float]] = defaultdict(list)
            errors: dict[str, int] = defaultdict(int)
            stale: list[str] = []

            def publisher() -> None:
                number = 0
                with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {secret}"}) as client:
                    while time.perf_counter() < stop:
                        base = bases[number % 2]
                        version = f"{3000 + number}"
                        doc = {**template, "version": version}
                        made = client.post(f"{base}/api/v1/drafts", content=json.dumps(doc))
                        done = client.post(f"{base}/api/v1/standards/{WATCHED}/{version}/publish")
                        if made.status_code != 201 or done.status_code != 200:
                            errors["publish"] += 1
                        else:
                            with lock:
                                published.append((time.perf_counter(), version))
                        number += 1
                        time.sleep(max(0.0, args.publish_every - 0.05))

            def client_loop(index: int) -> None:
                turn = index
                with httpx.Client(timeout=30) as client:
                    while time.perf_counter() < stop:
                        base, kind = bases[turn % 2], KINDS[turn % len(KINDS)]
                        turn += 1
                        with lock:
                            known = {v for _, v in published}
                        sent = time.perf_counter()
                        if kind == "page /standards":
                            response = client.get(f"{base}/standards")
                        elif kind == "page /standards/ID":
                            response = client.get(f"{base}/standards/de-uz-204")
                        elif kind == "api /standards":
                            response = client.get(f"{base}/api/v1/standards?limit=50")
                        elif kind == "api watched versions":
                            response = client.get(f"{base}/api/v1/standards/{WATCHED}")
                        else:
                            response = client.post(f"{base}/api/v1/check", content=SCANNER)
                        took = time.perf_counter() - sent
                        with lock:
                            latencies[kind].append(took)
                            if response.status_code >= 500:
                                errors[kind] += 1
                        if kind == "api watched versions" and response.status_code == 200:
                            listed = {v["version"] for v in response.json()["versions"]}
                            missing = known - listed
                            if missing:
                                with lock:
                                    stale.append(f"{base}: {sorted(missing)}")

            threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(args.clients)]
            threads.append(threading.Thread(target=publisher))
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began

            stored = {v["version"] for v in httpx.get(f"{bases[0]}/api/v1/standards/{WATCHED}").json()["versions"]}
            lost = [v for _, v in published if v not in stored]
            engine.dispose()

    everything = [t for values in latencies.values() for t in values]
    print(f"{args.clients} clients for {elapsed:.0f} s, a publish every {args.publish_every:g} s on alternating hosts")
    print(f"requests: {len(everything)} ({len(everything) / elapsed:.0f}/s); publishes: {len(published)}")
    header = f"{'kind':<24} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'5xx':>5}"
    print(header)
    for kind in (*KINDS, "all"):
        values = everything if kind == "all" else latencies[kind]
        fives = sum(errors.values()) if kind == "all" else errors[kind]
        print(
            f"{kind:<24} {len(values):>7} {1000 * statistics.median(values):>8.1f} "
            f"{1000 * _percentile(values, 0.95):>8.1f} {1000 * _percentile(values, 0.99):>8.1f} {fives:>5}"
        )
    print(f"5xx: {sum(errors.values())} (target 0); failed publishes: {errors['publish']}")
    print(f"stale answers after a publish: {len(stale)} (target 0){': ' + stale[0] if stale else ''}")
    print(f"lost writes: {len(lost)} of {len(published)} (target 0)")


if __name__ == "__main__":
    main()
