"""Time the diff engine against parsing, and against DeepDiff(ignore_order=True) on the raw documents.

Run: .venv/bin/python -m benchmarks.diff_bench [--repeat N] [--deepdiff-repeat N]

Documents come from the seeded generator (benchmarks/corpus.py): room air conditioner criteria
with units (kW, g, B(A), ppm ...) and capacity conditions; B is the next version of A with about
10 % of limits moved, 5 % of titles edited, 2 criteria dropped and 2 added. "our diff" is a
revision diff from parsed JSON to the JSON answer: building the typed views, aligning, relating
every pair, the editorial changes (deepdiff on the fields that differ), coverage and extra proof.

Targets (issue 3): our diff at 200 criteria <= 5x parsing both documents; our diff at 1,000
criteria <= 6x our diff at 200 (near-linear). All figures are medians from this one run.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deepdiff import DeepDiff

from benchmarks.bands import pair as bands_pair
from benchmarks.corpus import document, revision
from benchmarks.timing import median_ms, medians_ms
from registry.catalog import Catalog
from registry.diff import compare
from registry.model import Standard
from registry.validation import Validator

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print the figures and whether the targets are met."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--deepdiff-repeat", type=int, default=3, help="runs of the slow ignore_order baseline")
    parser.add_argument("--cross-label-only", action="store_true", help="skip the revision mode and its baseline")
    args = parser.parse_args()

    validator = Validator.from_dir(ROOT / "schemas")
    catalog = validator.validate_paths([ROOT / "standards"]).catalog
    cross_label(validator, catalog, args.repeat)  # first: before the slow DeepDiff baseline fills the memory
    if args.cross_label_only:
        return
    print()
    header = f"{'criteria':>8} {'KiB(A+B)':>9} {'json.loads A+B':>15} {'our diff':>9}"
    print(f"{header} {'DeepDiff ignore_order':>22}  relations")
    timed: dict[str, Callable[[], object]] = {}
    pairs: dict[int, tuple[dict[str, Any], dict[str, Any], bytes, bytes]] = {}
    for size in (200, 1000):
        a, b = document(size), revision(document(size))
        for doc in (a, b):
            assert validator.validate_data(doc, context=catalog) == [], "generated documents must be valid"
        raw_a, raw_b = json.dumps(a).encode(), json.dumps(b).encode()
        pairs[size] = (a, b, raw_a, raw_b)
        timed[f"parse {size}"] = lambda ra=raw_a, rb=raw_b: (json.loads(ra), json.loads(rb))
        timed[f"diff {size}"] = lambda a=a, b=b: compare(
            Standard.from_json(a), Standard.from_json(b), catalog.vocabulary
        ).as_json()
    got = medians_ms(timed, args.repeat)  # both sizes in the same interleaved rounds
    ours = {size: got[f"diff {size}"] for size in pairs}
    parse = {size: got[f"parse {size}"] for size in pairs}
    for size, (a, b, raw_a, raw_b) in pairs.items():
        naive = median_ms(lambda a=a, b=b: DeepDiff(a, b, ignore_order=True), args.deepdiff_repeat)
        summary = compare(Standard.from_json(a), Standard.from_json(b), catalog.vocabulary).as_json()["summary"]
        shown = ", ".join(f"{k} {v}" for k, v in summary.items() if v and not k.startswith("coverage"))
        print(
            f"{size:>8} {(len(raw_a) + len(raw_b)) / 1024:>9.0f} {parse[size]:>13.2f}ms {ours[size]:>7.2f}ms"
            f" {naive:>20.1f}ms  {shown}"
        )
    at_200 = ours[200] / parse[200]
    growth = ours[1000] / ours[200]
    print(f"our diff / parsing both at 200 criteria: {at_200:.2f}x (target <= 5x) {'MET' if at_200 <= 5 else 'MISSED'}")
    print(f"our diff 1,000 / 200 criteria: {growth:.2f}x (target <= 6x) {'MET' if growth <= 6 else 'MISSED'}")


def cross_label(validator: Validator, catalog: Catalog, repeat: int) -> None:
    """Cross-label mode (issue 16): two labels' standards, disjoint capacity bands, B's restated in W, shuffled.

    Every figure of the four cases is timed in the same interleaved rounds (``medians_ms``), so the ratios
    compare measurements taken over the same stretch of time."""
    cases = [
        ("200 criteria, 10 x 20 bands", 20, 1),
        ("1,000 criteria, 10 x 100 bands", 100, 1),
        ("200 criteria, dense (10 x 4 x 5)", 4, 5),
        ("1,000 criteria, dense (10 x 20 x 5)", 20, 5),
    ]
    timed: dict[str, Callable[[], object]] = {}
    facing: dict[str, int] = {}
    for name, bands, per_band in cases:
        a, b = bands_pair(bands, per_band)
        assert validator.validate_data(a, context=catalog) == [], "generated documents must be valid"
        assert validator.validate_data(b, context=catalog) == [], "generated documents must be valid"
        raw_a, raw_b = json.dumps(a).encode(), json.dumps(b).encode()

        def run(a: dict[str, Any] = a, b: dict[str, Any] = b) -> Any:
            return compare(Standard.from_json(a), Standard.from_json(b), catalog.vocabulary)

        timed[f"parse {name}"] = lambda ra=raw_a, rb=raw_b: (json.loads(ra), json.loads(rb))
        timed[f"validate {name}"] = lambda a=a: validator.validate_data(a, context=catalog)
        timed[f"diff {name}"] = lambda run=run: run().as_json()
        facing[name] = sum(1 for p in run().pairs if p.a is not None and p.b is not None)
    got = medians_ms(timed, repeat)
    print(f"{'cross-label':<36} {'json.loads A+B':>15} {'validate A':>11} {'diff':>9}  pairs facing")
    for name, _, _ in cases:
        print(
            f"{name:<36} {got[f'parse {name}']:>13.2f}ms {got[f'validate {name}']:>9.2f}ms "
            f"{got[f'diff {name}']:>7.2f}ms  {facing[name]}"
        )
    banded, big, dense, big_dense = (c[0] for c in cases)
    parse_one = got[f"parse {banded}"] / 2
    checks = [
        ("cross-label diff / parsing both at 200 criteria", got[f"diff {banded}"] / got[f"parse {banded}"], 5),
        ("cross-label diff 1,000 / 200 criteria, banded", got[f"diff {big}"] / got[f"diff {banded}"], 6),
        ("cross-label diff 1,000 / 200 criteria, dense", got[f"diff {big_dense}"] / got[f"diff {dense}"], 6),
        ("validation in context / parsing it, 200 criteria", got[f"validate {banded}"] / parse_one, 2),
    ]
    for words, ratio, target in checks:
        print(f"{words}: {ratio:.2f}x (target <= {target}x) {'MET' if ratio <= target else 'MISSED'}")


if __name__ == "__main__":
    main()
