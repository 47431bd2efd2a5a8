"""Licences on the web: a standard's or a label's certified products, and whether the registry agrees with them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from registry.model import Licence, Standard
from registry.qualification import Checker
from registry.qualification import licences as oracle
from web.data import Data


@dataclass(frozen=True)
class Certified:
    """The licences recorded for a standard or a label, with the oracle's answer for the products' figures."""

    licences: tuple[Licence, ...]
    recorded: int  # products whose published figures are recorded
    consistent: int  # of those, how many the registry does not fail
    results: tuple[oracle.Consistency, ...]

    def of(self, licence: Licence) -> list[oracle.Consistency]:
        """Return the oracle's results for one licence's products."""
        return [c for c in self.results if c.licence.id == licence.id]


def fingerprint(licences: Sequence[Licence]) -> str:
    """Return a hash of the licences' content, to key cached pages that show them."""
    text = json.dumps([lic.raw for lic in licences], sort_keys=True, ensure_ascii=False, default=dict)
    return hashlib.sha256(text.encode()).hexdigest()


def for_standard(d: Data, std: Standard) -> list[Licence]:
    """Return the licences granted under one version of a standard, by id."""
    found = d.source.catalog.licences.values()
    return sorted((x for x in found if (x.standard.id, x.standard.version) == (std.id, std.version)), key=_key)


def for_label(d: Data, label: str) -> list[Licence]:
    """Return the licences a label granted, by id."""
    return sorted((x for x in d.source.catalog.licences.values() if x.label == label), key=_key)


def checked(d: Data, licences: Sequence[Licence]) -> Certified:
    """Check every recorded product's figures against the standard its licence names."""
    recorded, consistent, results = oracle.summary(Checker(d.source, d.validator), licences)
    return Certified(tuple(licences), recorded, consistent, tuple(results))


def _key(lic: Licence) -> str:
    return lic.id
