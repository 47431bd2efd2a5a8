"""Requests/s and p95 of the web registry under gunicorn (2 workers) on loopback, all routes in one run.

Run: .venv/bin/python -m benchmarks.web_bench [--seconds 8] [--connections 8]
Needs wrk (Debian: apt-get install wrk) as the load generator, in its own process.

Routes: a hello-world floor (/healthz), standard detail of a generated 200-criterion document,
compare (that document against DE-UZ 204), the recognition matrix, and the API document GET with
and without If-None-Match (a 304). Target: standard detail >= 30 % of the floor's requests/s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.corpus import document
from registry.store import migrate, transfer
from registry.store.engine import make_engine
from registry.validation import Validator

ROOT = Path(__file__).resolve().parent.parent
LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT %d %d %.3f %.3f %d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, errors))
end
"""


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wrk(url: str, seconds: int, connections: int, script: Path, headers: list[str]) -> dict[str, float]:
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "-s", str(script), "--timeout", "10s"]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    found = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) (\d+)", out)
    assert found, out
    requests, micros, p50, p95, errors = found.groups()
    return {
        "rps": int(requests) / (int(micros) / 1e6),
        "p50": float(p50),
        "p95": float(p95),
        "errors": int(errors),
    }


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    validator = Validator.from_dir(ROOT / "schemas")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        doc = document(200, ident="bench-rac-200")
        doc["status"] = "published"
        (folder / "docs").mkdir()
        (folder / "docs" / "bench.json").write_text(json.dumps(doc))
        transfer.import_paths(engine, validator, [ROOT / "standards", folder / "docs"], actor="bench")
        engine.dispose()
        script = folder / "report.lua"
        script.write_text(LUA)
        port = _port()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "ECOLABEL_SECRET_KEY": "b" * 32,
            "ECOLABEL_INSTANCE": tmp,
        }
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "web:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)
            with urllib.request.urlopen(base + "/api/v1/standards/bench-rac-200/1.0") as r:
                etag = r.headers["ETag"]
            routes = [
                ("floor: /healthz", "/healthz", []),
                ("standard detail (200 criteria)", "/standards/bench-rac-200/1.0", []),
                ("compare (200 criteria vs DE-UZ 204)", "/compare?a=bench-rac-200@1.0&b=de-uz-204@2016-08", []),
                ("recognition matrix", "/recognition", []),
                ("API document GET", "/api/v1/standards/bench-rac-200/1.0", []),
                (
                    "API document GET, If-None-Match (304)",
                    "/api/v1/standards/bench-rac-200/1.0",
                    [f"If-None-Match: {etag}"],
                ),
            ]
            for _name, path, headers in routes:  # warm every worker's caches once
                _wrk(base + path, 1, 2, script, headers)
            results = [
                (name, _wrk(base + path, args.seconds, args.connections, script, headers))
                for name, path, headers in routes
            ]
        finally:
            server.terminate()
            server.wait(timeout=20)
    floor = results[0][1]["rps"]
    print(f"gunicorn, 2 workers, loopback; wrk 2 threads, {args.connections} connections, {args.seconds} s per route")
    print(f"{'route':<42} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'vs floor':>9} errors")
    for name, r in results:
        print(
            f"{name:<42} {r['rps']:>9.0f} {r['p50']:>8.2f} {r['p95']:>8.2f} {r['rps'] / floor:>8.0%} {r['errors']:>6}"
        )
    detail = results[1][1]["rps"] / floor
    print(f"standard detail / floor = {detail:.0%} (target >= 30%): {'met' if detail >= 0.30 else 'NOT met'}")


if __name__ == "__main__":
    main()
