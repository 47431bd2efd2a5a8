"""Recognition pathways: the agreements and joint standards that link a held label to a target."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from registry import diff, kept
from registry.identity import ByIdentity
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


_DIFFS: ByIdentity[tuple[tuple[str, ...], tuple[diff.Proof, ...]]] = ByIdentity(2_000)  # (held, target, vocabulary)
_NEW: dict[str, Any] = {}  # worked out since last kept: kept key -> JSON
_ASKED: set[str] = set()  # kept keys this process asked for already (a miss is not asked again: it is worked out)
_NEW_LOCK = threading.Lock()


def _kept_key(held: Standard, target: Standard, vocabulary: Vocabulary) -> str | None:
    """Return the key a pathway's proofs are kept under across processes, if both contents are stored ones."""
    if held.sha is None or target.sha is None:
        return None
    return f"{held.sha}:{target.sha}:{vocabulary.fingerprint}"


def _remember(
    held: Standard, target: Standard, vocabulary: Vocabulary, found: tuple[tuple[str, ...], tuple[diff.Proof, ...]]
) -> None:
    _DIFFS.put((held, target, vocabulary), found)


def recall(pairs: Iterable[tuple[Standard, Standard]], vocabulary: Vocabulary) -> None:
    """Bring the proofs kept by earlier processes for these (held, target) pairs into this process, so that
    ``_recognised`` need not compare them again (one read of the kept store for a whole check)."""
    wanted: dict[str, tuple[Standard, Standard]] = {}
    for held, target in pairs:
        key = _kept_key(held, target, vocabulary)
        if key is not None and key not in _ASKED and _found(held, target, vocabulary) is None:
            wanted[key] = (held, target)
    if not wanted:
        return
    if len(_ASKED) > 100_000:
        _ASKED.clear()
    _ASKED.update(wanted)
    for key, value in kept.store().get_many("pathway", wanted).items():
        held, target = wanted[key]
        proofs = tuple(diff.Proof(c, reason, bool(unknown)) for c, reason, unknown in value["proofs"])
        _remember(held, target, vocabulary, (tuple(value["covered"]), proofs))


def keep() -> None:
    """Keep the proofs worked out since the last call, for every later process."""
    with _NEW_LOCK:
        found = dict(_NEW)
        _NEW.clear()
    kept.store().put_many("pathway", found)


def _found(
    held: Standard, target: Standard, vocabulary: Vocabulary
) -> tuple[tuple[str, ...], tuple[diff.Proof, ...]] | None:
    """Return what this process worked out (or recalled) for the pair, if anything."""
    return _DIFFS.get(held, target, vocabulary)


def _recognised(
    held: Standard, target: Standard, vocabulary: Vocabulary
) -> tuple[tuple[str, ...], tuple[diff.Proof, ...]]:
    """Return the target's mandatory criteria a holder of ``held`` has covered, and the extra proof (kept in
    this process, and across processes through ``recall`` and ``keep``)."""
    known = _found(held, target, vocabulary)
    if known is not None:
        return known
    proofs = diff.compare(held, target, vocabulary).extra_proof("a")
    missing = {p.criterion for p in proofs}
    covered = tuple(c.id for c in target.criteria if c.mandatory and c.id not in missing)
    _remember(held, target, vocabulary, (covered, proofs))
    key = _kept_key(held, target, vocabulary)
    if key is not None:
        with _NEW_LOCK:
            _NEW[key] = {"covered": list(covered), "proofs": [[p.criterion, p.reason, p.unknown] for p in proofs]}
    return covered, proofs
