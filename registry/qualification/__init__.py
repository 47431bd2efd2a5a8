"""The qualification checker: which labels a declared product meets, what is missing, what recognition saves.

A manufacturer declares a product (category, values with units and test methods, labels held).
It is checked against every adopted standard of its category, or of a broader one, in force on a
date. Per criterion the outcome is ``pass``, ``fail`` (with the margin in words), ``unknown``
(the value, or the registry's limit, is missing), ``declaration`` (a qualitative criterion: a
document is needed) or ``not_applicable`` (its conditions exclude the product). Per standard the
verdict is ``qualifies`` only when every mandatory criterion passes and the registry records the
whole standard; any mandatory fail ``fails``; anything else is ``incomplete``. Missing data never
qualifies.

For each label held, the agreements and joint standards in force on the date that link it to a
target standard's label open a recognition pathway: the diff engine's extra-proof relation,
from the held standard to the target, splits the target's mandatory criteria into those covered
and those still to prove.

Standards are read through a ``Source`` (the standards folder or the database of record). A
standard's criteria are compiled once per standard object and kept: published versions never
change, and the sources hand out the same object for the same content.
"""

from __future__ import annotations

from registry.qualification.checker import Checker
from registry.qualification.product import Declared, declared_values, validate_product
from registry.qualification.report import OUTCOMES, VERDICTS, Report, Result

__all__ = ["OUTCOMES", "VERDICTS", "Checker", "Declared", "Report", "Result", "declared_values", "validate_product"]
