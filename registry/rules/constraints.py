"""Checks of one typed constraint (a requirement, a condition or a scope limit) against its parameter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from registry import units
from registry.findings import Finding, echo, join
from registry.model import Parameter, pick

FITS = {
    "quantity": {"max", "min", "range", "equals", "qualitative"},
    "boolean": {"boolean", "qualitative"},
    "enum": {"equals", "one_of", "none_of", "qualitative"},
    "qualitative": {"qualitative"},
}


def _quantity_fields(c: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    if c["type"] in ("max", "min", "equals"):
        yield "value", c.get("value")
    elif c["type"] == "range":
        yield "min", c.get("min")
        yield "max", c.get("max")


def check_quantity(q: Any, param: Parameter, where: str) -> Iterator[Finding]:
    """Check one {value, unit} object against a quantity parameter."""
    if not isinstance(q, Mapping):
        yield Finding(where, f"parameter {param.id!r} takes a quantity {{value, unit}}")
        return
    if param.unit is None:
        return  # the vocabulary itself is reported for a quantity without a unit
    try:
        ok = units.compatible(q["unit"], param.unit)
    except units.UnitError as exc:
        yield Finding(join(where, "unit"), str(exc))
        return
    if not ok:
        name = pick(param.name) if param.name else param.id
        yield Finding(
            join(where, "unit"),
            f"{name} ({param.id}) is {units.kind_of(param.unit)}, measured in {param.unit} or a unit like it; "
            f"{echo(q['unit'])} measures {units.kind_of(q['unit'])}",
        )
    if q["value"] < 0 and not param.signed:
        yield Finding(join(where, "value"), f"{param.id} cannot be negative ({q['value']})")


def _range_order(c: Mapping[str, Any], param: Parameter, where: str) -> Iterator[Finding]:
    low, high = c.get("min"), c.get("max")
    if not (isinstance(low, Mapping) and isinstance(high, Mapping)) or param.unit is None:
        return
    try:
        lo = units.convert(low["value"], low["unit"], param.unit)
        hi = units.convert(high["value"], high["unit"], param.unit)
    except units.UnitError:
        return  # already reported on the unit itself
    open_end = c.get("min_inclusive") is False or c.get("max_inclusive") is False
    if lo > hi or (lo == hi and open_end):
        yield Finding(
            where,
            f"empty range: min {low['value']} {low['unit']} is not below max {high['value']} {high['unit']}",
        )


def check_constraint(
    c: Mapping[str, Any], param: Parameter, where: str, *, need_values: bool = False
) -> Iterator[Finding]:
    """Check a constraint's type, units, order and values against its parameter."""
    kind = c["type"]
    if kind not in FITS[param.kind]:
        allowed = ", ".join(sorted(FITS[param.kind]))
        yield Finding(
            join(where, "type"),
            f"type {kind!r} does not fit {param.kind} parameter {param.id!r}; use one of: {allowed}",
        )
        return
    for name, value in _quantity_fields(c):
        if value is None:
            if need_values:
                yield Finding(join(where, name), "a condition needs a known value, not null")
        elif param.kind == "quantity":
            yield from check_quantity(value, param, join(where, name))
        elif not isinstance(value, str):
            yield Finding(join(where, name), f"parameter {param.id!r} takes a {param.kind} value")
    if kind == "range":
        yield from _range_order(c, param, where)
    if kind in ("one_of", "none_of", "equals") and param.kind == "enum":
        values = c.get("values") if kind != "equals" else [c.get("value")]
        if values is None or values == [None]:
            if need_values:
                yield Finding(join(where, "values"), "a condition needs known values, not null")
            return
        for i, v in enumerate(values):
            if param.values is not None and v not in param.values:
                at = join(where, "values", i) if kind != "equals" else join(where, "value")
                yield Finding(
                    at,
                    f"{echo(v)} is not a known value of {param.id!r} (add it to the category's vocabulary first)",
                )
    if kind == "boolean" and need_values and c.get("value") is None:
        yield Finding(join(where, "value"), "a condition needs a known value, not null")
