"""Two labels' room air-conditioner standards for the cross-label benchmark: every quantity parameter split
into disjoint capacity bands, the bands restated in W on one side, the criteria shuffled (seeded)."""

from __future__ import annotations

import random
from typing import Any

_SOURCE = {
    "verification": "unverified",
    "sources": [{"title": "Synthetic benchmark document", "publisher": "Ecolabel registry test suite"}],
}
# (parameter, unit, requirement type, typical value)
_PARAMETERS = [
    ("energy.seer", "W/W", "min", 6.0),
    ("energy.scop", "W/W", "min", 4.0),
    ("energy.eer", "W/W", "min", 3.2),
    ("heating.capacity.rated", "kW", "min", 2.0),
    ("refrigerant.gwp100", "dimensionless", "max", 150.0),
    ("refrigerant.odp", "dimensionless", "max", 0.0),
    ("refrigerant.charge", "kg", "max", 1.2),
    ("noise.indoor.sound_power", "dB(A)", "max", 55.0),
    ("noise.outdoor.sound_power", "dB(A)", "max", 65.0),
    ("power.standby", "W", "max", 0.5),
]
CAPACITY_KW = 14.0


def standard(ident: str, label: str, bands: int, per_band: int, *, in_watts: bool, seed: int) -> dict[str, Any]:
    """Return a valid criteria document with ``len(_PARAMETERS) * bands * per_band`` criteria."""
    rng = random.Random(seed)
    width = CAPACITY_KW / bands
    criteria = []
    for pid, unit, kind, typical in _PARAMETERS:
        for band in range(bands):
            low, high = band * width, (band + 1) * width
            factor, cap_unit = (1000.0, "W") if in_watts else (1.0, "kW")
            condition = {
                "parameter": "cooling.capacity.rated",
                "type": "range",
                "min": {"value": round(low * factor, 6), "unit": cap_unit},
                "max": {"value": round(high * factor, 6), "unit": cap_unit},
                "min_inclusive": band == 0,
                "max_inclusive": True,
            }
            for k in range(per_band):
                value = round(typical * (1 + rng.uniform(-0.1, 0.1)), 4)
                criteria.append(
                    {
                        "id": f"{pid.replace('.', '-')}-b{band}-{k}",
                        "title": {"en": f"{pid}, band {band}"},
                        "topic": "other",
                        "parameter": pid,
                        "requirement": {"type": kind, "value": {"value": value, "unit": unit}, "inclusive": True},
                        "conditions": [condition],
                        "mandatory": True,
                        "provenance": _SOURCE,
                    }
                )
    rng.shuffle(criteria)
    return {
        "$schema": "urn:ecolabel:schema:criteria-document:1",
        "id": ident,
        "version": "1",
        "title": {"en": f"Synthetic {label} room air conditioners"},
        "kind": "native",
        "labels": [label],
        "category": "room-air-conditioner",
        "scope": {"text": {"en": "Generated."}},
        "status": "published",
        "dates": {"published": "2024-01-01", "valid_from": None, "valid_until": None},
        "languages": ["en"],
        "provenance": _SOURCE,
        "coverage": {"complete": True, "note": "Generated."},
        "criteria": criteria,
    }


def pair(bands: int, per_band: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return two labels' documents of the same shape, B's bands restated in W."""
    a = standard("bench-cross-a", "de-blue-angel", bands, per_band, in_watts=False, seed=1)
    b = standard("bench-cross-b", "cn-cel", bands, per_band, in_watts=True, seed=2)
    return a, b
