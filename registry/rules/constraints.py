"""Checks of one typed constraint (a requirement, a condition or a scope limit) against its parameter."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry import units
from registry.findings import Finding, echo, pointer
from registry.model import Parameter, pick

# Where a constraint sits, as path parts: the JSON pointer is written only for a finding (most constraints have
# none, and a document has hundreds of constraints).
Path = tuple[str | int, ...]

FITS = {
    "quantity": {"max", "min", "range", "equals", "qualitative"},
    "boolean": {"boolean", "qualitative"},
    "enum": {"equals", "one_of", "none_of", "qualitative"},
    "qualitative": {"qualitative"},
}


_QUANTITY_FIELDS = {"max": ("value",), "min": ("value",), "equals": ("value",), "range": ("min", "max")}


def check_quantity(q: Any, param: Parameter, where: Path) -> list[Finding]:
    """Check one {value, unit} object against a quantity parameter."""
    found: list[Finding] = []
    _quantity(q, param, where, found)
    return found


def _quantity(q: Any, param: Parameter, where: Path, found: list[Finding]) -> None:
    # Appends to ``found``: a document has hundreds of quantities, and a generator per quantity cost more
    # than the checks.
    if not isinstance(q, dict | Mapping):
        found.append(Finding(pointer(*where), f"parameter {param.id!r} takes a quantity {{value, unit}}"))
        return
    if param.unit is None:
        return  # the vocabulary itself is reported for a quantity without a unit
    try:
        ok = units.compatible(q["unit"], param.unit)
    except units.UnitError as exc:
        found.append(Finding(pointer(*where, "unit"), str(exc)))
        return
    if not ok:
        name = pick(param.name) if param.name else param.id
        found.append(
            Finding(
                pointer(*where, "unit"),
                f"{name} ({param.id}) is {units.kind_of(param.unit)}, measured in {param.unit} or a unit like it; "
                f"{echo(q['unit'])} measures {units.kind_of(q['unit'])}",
            )
        )
    if q["value"] < 0 and not param.signed:
        found.append(Finding(pointer(*where, "value"), f"{param.id} cannot be negative ({q['value']})"))


def _range_order(c: Mapping[str, Any], param: Parameter, where: Path, found: list[Finding]) -> None:
    low, high = c.get("min"), c.get("max")
    if not (isinstance(low, dict | Mapping) and isinstance(high, dict | Mapping)) or param.unit is None:
        return
    if low["unit"] == high["unit"]:
        lo, hi = low["value"], high["value"]  # a conversion keeps the order: it scales by a positive factor
    else:
        try:
            lo = units.convert(low["value"], low["unit"], param.unit)
            hi = units.convert(high["value"], high["unit"], param.unit)
        except units.UnitError:
            return  # already reported on the unit itself
    open_end = c.get("min_inclusive") is False or c.get("max_inclusive") is False
    if lo > hi or (lo == hi and open_end):
        found.append(
            Finding(
                pointer(*where),
                f"empty range: min {low['value']} {low['unit']} is not below max {high['value']} {high['unit']}",
            )
        )


def check_constraint(
    c: Mapping[str, Any], param: Parameter, where: Path, *, need_values: bool = False
) -> list[Finding]:
    """Check a constraint's type, units, order and values against its parameter."""
    found: list[Finding] = []
    kind = c["type"]
    if kind not in FITS[param.kind]:
        allowed = ", ".join(sorted(FITS[param.kind]))
        found.append(
            Finding(
                pointer(*where, "type"),
                f"type {kind!r} does not fit {param.kind} parameter {param.id!r}; use one of: {allowed}",
            )
        )
        return found
    for name in _QUANTITY_FIELDS.get(kind, ()):
        value = c.get(name)
        if value is None:
            if need_values:
                found.append(Finding(pointer(*where, name), "a condition needs a known value, not null"))
        elif param.kind == "quantity":
            _quantity(value, param, (*where, name), found)
        elif not isinstance(value, str):
            found.append(Finding(pointer(*where, name), f"parameter {param.id!r} takes a {param.kind} value"))
    if kind == "range":
        _range_order(c, param, where, found)
    if kind in ("one_of", "none_of", "equals") and param.kind == "enum":
        values = c.get("values") if kind != "equals" else [c.get("value")]
        if values is None or values == [None]:
            if need_values:
                found.append(Finding(pointer(*where, "values"), "a condition needs known values, not null"))
            return found
        for i, v in enumerate(values):
            if param.values is not None and v not in param.values:
                at = pointer(*where, "values", i) if kind != "equals" else pointer(*where, "value")
                found.append(
                    Finding(
                        at,
                        f"{echo(v)} is not a known value of {param.id!r} (add it to the category's vocabulary first)",
                    )
                )
    if kind == "boolean" and need_values and c.get("value") is None:
        found.append(Finding(pointer(*where, "value"), "a condition needs a known value, not null"))
    return found
