"""Time validation of generated criteria documents with validators built once and reused.

Run: .venv/bin/python -m benchmarks.validate_bench [--repeat N]
Prints medians per stage and the ratio of validation to parsing the same bytes (the baseline,
measured in the same run).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.corpus import document
from benchmarks.timing import median_ms
from registry.validation import Validator

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    started = time.perf_counter()
    validator = Validator.from_dir(ROOT / "schemas")
    built_ms = (time.perf_counter() - started) * 1000
    catalog = validator.validate_paths([ROOT / "standards"]).catalog
    print(f"validator construction (once): {built_ms:.1f} ms")
    print(f"{'criteria':>8} {'KiB':>6} {'json.loads':>11} {'schema':>9} {'validate':>9} {'validate/parse':>15}")
    for size in (200, 1000):
        doc = document(size)
        raw = json.dumps(doc).encode()
        assert validator.validate_data(doc, context=catalog) == [], "generated document must be valid"
        parse = median_ms(lambda raw=raw: json.loads(raw), args.repeat)
        schema = median_ms(lambda doc=doc: validator.shape(doc), args.repeat)
        full = median_ms(lambda doc=doc: validator.validate_data(doc, context=catalog), args.repeat)
        print(
            f"{size:>8} {len(raw) / 1024:>6.0f} {parse:>9.2f}ms {schema:>7.2f}ms {full:>7.2f}ms {full / parse:>14.1f}x"
        )
    print("schema: JSON Schema stage alone; validate: schema + every rule, with the bundled documents as context")


if __name__ == "__main__":
    main()
