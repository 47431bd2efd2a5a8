"""A seeded generator of realistic criteria documents for benchmarks (synthetic, never shipped as data)."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

_SOURCE = {
    "verification": "unverified",
    "sources": [{"title": "Synthetic benchmark document", "publisher": "Ecolabel registry test suite"}],
}

# (parameter, topic, unit choices, typical range, requirement type)
_QUANTITIES = [
    ("energy.seer", "energy", ["W/W"], (3.0, 9.0), "min"),
    ("energy.scop", "energy", ["W/W"], (2.5, 5.5), "min"),
    ("energy.eer", "energy", ["W/W"], (2.2, 4.0), "min"),
    ("refrigerant.gwp100", "refrigerant", ["dimensionless"], (1, 2500), "max"),
    ("refrigerant.charge", "refrigerant", ["kg", "g"], (0.1, 3.0), "max"),
    ("noise.indoor.sound_power", "noise", ["dB(A)", "B(A)"], (40, 65), "max"),
    ("noise.outdoor.sound_power", "noise", ["dB(A)", "B(A)"], (50, 75), "max"),
    ("power.standby", "energy", ["W", "mW"], (0.1, 2.0), "max"),
    ("substance.lead.max_mass_fraction", "hazardous-substances", ["wt%", "ppm"], (0.01, 0.1), "max"),
    ("substance.cadmium.max_mass_fraction", "hazardous-substances", ["wt%", "ppm"], (0.001, 0.01), "max"),
]
_SCALE = {"g": 1000, "B(A)": 0.1, "mW": 1000, "ppm": 10000}


def _quantity(rng: random.Random, units: list[str], span: tuple[float, float]) -> dict[str, Any]:
    unit = rng.choice(units)
    value = round(rng.uniform(*span) * _SCALE.get(unit, 1), 3)
    return {"value": value, "unit": unit}


def _criterion(rng: random.Random, i: int) -> dict[str, Any]:
    parameter, topic, units, span, kind = rng.choice(_QUANTITIES)
    crit: dict[str, Any] = {
        "id": f"c{i:05d}",
        "clause": f"5.{i // 10}.{i % 10}",
        "title": {"en": f"Criterion {i} on {parameter}", "zh-Hans": f"要求 {i}"},
        "text": {"en": f"The product shall meet the requirement on {parameter} (synthetic criterion {i})."},
        "topic": topic,
        "parameter": parameter,
        "requirement": {"type": kind, "value": _quantity(rng, units, span), "inclusive": rng.random() < 0.8},
        "test_methods": [{"standard": rng.choice(["EN 14825", "EN 12102", "ISO 7779", "IEC 62321"])}],
        "mandatory": rng.random() < 0.9,
        "provenance": _SOURCE,
    }
    if rng.random() < 0.5:
        low = round(rng.uniform(0, 6), 1)
        crit["conditions"] = [
            {
                "parameter": "cooling.capacity.rated",
                "type": "range",
                "min": {"value": low, "unit": "kW"},
                "max": {"value": low + rng.choice([2.5, 4.5, 6.0]), "unit": "kW"},
                "min_inclusive": False,
                "max_inclusive": True,
            }
        ]
    return crit


def document(criteria: int, *, seed: int = 14024, version: str = "1.0", ident: str | None = None) -> dict[str, Any]:
    """Return a valid room-air-conditioner criteria document with the given number of criteria."""
    rng = random.Random(seed)
    return {
        "$schema": "urn:ecolabel:schema:criteria-document:1",
        "id": ident or f"bench-rac-{criteria}",
        "version": version,
        "title": {"en": f"Synthetic room air conditioner criteria ({criteria} criteria)"},
        "kind": "native",
        "labels": ["de-blue-angel"],
        "category": "room-air-conditioner",
        "scope": {"text": {"en": "Synthetic scope."}},
        "status": "draft",
        "dates": {"published": "2025-01-01", "valid_from": "2025-02-01", "valid_until": "2029-12-31"},
        "languages": ["en", "zh-Hans"],
        "provenance": _SOURCE,
        "coverage": {"complete": True},
        "criteria": [_criterion(rng, i) for i in range(criteria)],
    }


def revision(doc: dict[str, Any], *, seed: int = 2017, version: str = "2.0") -> dict[str, Any]:
    """Return a next version: ~10 % of limits moved, ~5 % of titles edited, 2 criteria dropped, 2 added."""
    rng = random.Random(seed)
    new = copy.deepcopy(doc)
    new["version"] = version
    new["dates"] = {"published": "2027-01-01", "valid_from": "2027-07-01", "valid_until": None}
    criteria = new["criteria"]
    for crit in rng.sample(criteria, len(criteria) // 10):
        crit["requirement"]["value"]["value"] = round(crit["requirement"]["value"]["value"] * rng.uniform(0.8, 1.2), 3)
    for crit in rng.sample(criteria, len(criteria) // 20):
        crit["title"]["en"] += " (revised wording)"
    for crit in rng.sample(criteria, 2):
        criteria.remove(crit)
    criteria += [_criterion(rng, len(doc["criteria"]) + i) for i in range(2)]
    return new


def write_set(folder: Path, count: int, *, criteria: int = 10, seed: int = 1) -> list[Path]:
    """Write ``count`` distinct generated standards as files under a folder; return their paths."""
    paths = []
    for i in range(count):
        path = folder / f"gen-{i:05d}" / "1.0.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document(criteria, seed=seed + i, ident=f"gen-{i:05d}")), encoding="utf-8")
        paths.append(path)
    return paths
