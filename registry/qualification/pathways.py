"""Recognition pathways: the agreements and joint standards that link a held label to a target."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry import diff
from registry.model import Standard
from registry.vocabulary import Vocabulary


@dataclass(frozen=True)
class Route:
    """An agreement or joint standard in force that links a held label to a target's label."""

    kind: str
    id: str
    version: str | None
    title: str
    detail: str

    def as_json(self) -> dict[str, Any]:
        """Return the route as JSON."""
        return {"kind": self.kind, "id": self.id, "version": self.version, "title": self.title, "detail": self.detail}


@dataclass(frozen=True)
class Pathway:
    """What holding one label saves towards one target standard."""

    from_label: str
    licence_id: str
    via: tuple[Route, ...]
    held_standard: Standard | None
    covered: tuple[str, ...]
    extra_proof: tuple[diff.Proof, ...]
    note: str

    def as_json(self) -> dict[str, Any]:
        """Return the pathway as the contract's JSON object, with the reasons for each extra proof."""
        held = self.held_standard
        return {
            "from_label": self.from_label,
            "licence_id": self.licence_id,
            "via": [r.as_json() for r in self.via],
            "held_standard": {"id": held.id, "version": held.version} if held else None,
            "covered": list(self.covered),
            "extra_proof": [p.criterion for p in self.extra_proof],
            "extra_proof_reasons": [p.as_json() for p in self.extra_proof],
            "note": self.note,
        }


@dataclass(frozen=True)
class _Held:
    label: str
    licence_id: str
    standard: Standard | None


_DIFFS: dict[tuple[int, int, int], tuple[Standard, Standard, Vocabulary, tuple[str, ...], tuple[diff.Proof, ...]]] = {}


def _recognised(
    held: Standard, target: Standard, vocabulary: Vocabulary
) -> tuple[tuple[str, ...], tuple[diff.Proof, ...]]:
    """Return the target's mandatory criteria a holder of ``held`` has covered, and the extra proof (kept)."""
    key = (id(held), id(target), id(vocabulary))
    hit = _DIFFS.get(key)
    if hit is not None and hit[0] is held and hit[1] is target and hit[2] is vocabulary:
        return hit[3], hit[4]
    proofs = diff.compare(held, target, vocabulary).extra_proof("a")
    missing = {p.criterion for p in proofs}
    covered = tuple(c.id for c in target.criteria if c.mandatory and c.id not in missing)
    if len(_DIFFS) >= 2_000:
        _DIFFS.clear()
    _DIFFS[key] = (held, target, vocabulary, covered, proofs)
    return covered, proofs
