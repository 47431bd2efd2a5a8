"""Hostile requests against gunicorn (2 workers) on loopback: how long they take, and what they cost a worker.

Run: .venv/bin/python -m benchmarks.hostile_bench

Prints, in one run: the floor (/healthz alone), /healthz while two hostile unit checks are in flight,
the hostile checks themselves, an ordinary check (the baseline), a node-heavy 250 KB declaration, and the
resident memory of the workers before and after 300 compare requests that each carry a new junk parameter.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from registry.validation import Validator
from tests.serving import seeded_sqlite, serve

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = json.loads((ROOT / "examples" / "products" / "split-ac-r290-3.5kw.json").read_text())


def _request(url: str, body: bytes | None = None) -> tuple[int, float]:
    started = time.perf_counter()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        with exc:
            exc.read()
            status = exc.code
    return status, (time.perf_counter() - started) * 1000


def _rss_mb(base: str) -> float:
    """Return the summed resident memory of the gunicorn workers serving ``base`` (Linux /proc)."""
    port = base.rsplit(":", 1)[1]
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = (proc / "status").read_text()
        except OSError:
            continue
        if "gunicorn" in cmd and f"127.0.0.1:{port}" in cmd:
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    return total / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = seeded_sqlite(folder, Validator.from_dir(ROOT / "schemas"))
        with serve(folder, url, workers=2) as base:
            floor = [_request(base + "/healthz")[1] for _ in range(50)]
            ordinary = [_request(base + "/api/v1/check", json.dumps(PRODUCT).encode())[1] for _ in range(20)]
            hostile = json.loads(json.dumps(PRODUCT))
            hostile["values"]["cooling.capacity.rated"]["unit"] = "9**9**9 kW"
            body = json.dumps(hostile).encode()
            during, attacks = [], []
            for _ in range(20):
                threads = [
                    threading.Thread(target=lambda: attacks.append(_request(base + "/api/v1/check", body)))
                    for _ in range(2)
                ]
                for t in threads:
                    t.start()
                during.append(_request(base + "/healthz")[1])
                for t in threads:
                    t.join()
            heavy = json.loads(json.dumps(PRODUCT))
            heavy["evidence"] = [1] * 60_000
            heavy_ms = [_request(base + "/api/v1/check", json.dumps(heavy).encode()) for _ in range(10)]
            compare = base + "/compare?a=cn-de-room-air-conditioner@2017&b=de-uz-204@2016-08"
            _request(compare)
            before = _rss_mb(base)
            for i in range(300):
                _request(f"{compare}&junk{i}={i}")
            after = _rss_mb(base)
        rows = [
            ("floor: /healthz alone", f"median {statistics.median(floor):.2f} ms"),
            (
                "/healthz, 2 hostile checks in flight",
                f"median {statistics.median(during):.2f} ms, max {max(during):.2f} ms",
            ),
            (
                "hostile '9**9**9 kW' check",
                f"median {statistics.median(m for _, m in attacks):.2f} ms, {_codes(attacks)}",
            ),
            ("ordinary check (baseline)", f"median {statistics.median(ordinary):.2f} ms"),
            (
                "declaration of 60,000 values",
                f"median {statistics.median(m for _, m in heavy_ms):.2f} ms, {_codes(heavy_ms)}",
            ),
            ("worker memory, 300 junk-parameter compares", f"{before:.0f} MB -> {after:.0f} MB (2 workers)"),
        ]
        for name, figure in rows:
            print(f"{name:<44} {figure}")


def _codes(answers: list[tuple[int, float]]) -> str:
    return "answers " + ", ".join(str(c) for c in sorted({c for c, _ in answers}))


if __name__ == "__main__":
    main()
