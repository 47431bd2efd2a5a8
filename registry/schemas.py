"""The JSON Schemas of the registry, loaded once into one referencing registry."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource

from registry.errors import ConfigurationError
from registry.findings import MAX_ECHO, Finding, echo, pointer

# The document kinds, keyed by the `$id` of their top-level schema.
KINDS = {
    "urn:ecolabel:schema:label-programme:1": "label",
    "urn:ecolabel:schema:criteria-document:1": "standard",
    "urn:ecolabel:schema:agreement:1": "agreement",
    "urn:ecolabel:schema:parameter-vocabulary:1": "vocabulary",
    "urn:ecolabel:schema:product-declaration:1": "product",
    "urn:ecolabel:schema:licence:1": "licence",
}


def _message(error: ValidationError) -> str:
    message = _plain_message(error)
    quoted = repr(error.instance)
    if len(quoted) > MAX_ECHO and quoted in message:
        message = message.replace(quoted, echo(error.instance))  # never echo a whole long value back
    if len(message) > 4 * MAX_ECHO:
        message = message[: 4 * MAX_ECHO - 1] + "…"
    return message


MESSAGE = "x-error-message"  # a schema's own words for its failure; "{instance}" stands for the value quoted


def _plain_message(error: ValidationError) -> str:
    own = error.schema.get(MESSAGE) if isinstance(error.schema, dict) else None
    if isinstance(own, str):
        return own.replace("{instance}", echo(error.instance))
    if error.validator == "unevaluatedProperties" or error.validator == "additionalProperties":
        return (
            str(error.message)
            .replace("Unevaluated properties", "Unknown properties")
            .replace("Additional properties", "Unknown properties")
        )
    if error.validator == "const" and error.relative_path and error.relative_path[-1] == "$schema":
        return f"$schema must be {error.validator_value!r}"
    if error.validator == "not" and error.validator_value == {}:
        return "this property is not allowed here"
    return str(error.message)


@dataclass(frozen=True)
class SchemaSet:
    """Validators for every document kind, built once and reused for every document.

    Each kind has two validators of the same schema: jsonschema-rs answers "valid?" in about a
    millisecond for a 200-criterion document; python-jsonschema, a hundred times slower, runs
    only on documents that fail, to report every error with its path. A test keeps the two in
    agreement.
    """

    validators: dict[str, Draft202012Validator]
    fast: dict[str, Any]

    @classmethod
    def from_dir(cls, folder: Path) -> SchemaSet:
        """Load every ``*.schema.json`` in a folder, check each and build the validators."""
        schemas: dict[str, dict[str, Any]] = {}
        for path in sorted(folder.glob("*.schema.json")):
            schema = json.loads(path.read_text(encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
            schemas[schema["$id"]] = schema
        if not schemas:
            raise ConfigurationError(f"no *.schema.json files in {folder}")
        registry: Registry[Any] = Registry().with_resources(
            (uri, Resource.from_contents(schema)) for uri, schema in schemas.items()
        )
        validators = {
            uri: Draft202012Validator(schema, registry=registry) for uri, schema in schemas.items() if uri in KINDS
        }
        fast_registry = jsonschema_rs.Registry(list(schemas.items()))
        fast = {
            uri: jsonschema_rs.Draft202012Validator(schema, registry=fast_registry)
            for uri, schema in schemas.items()
            if uri in KINDS
        }
        return cls(validators, fast)

    def kind_of(self, schema_id: object) -> str | None:
        """Return the document kind a `$schema` value declares, or None if it is not known."""
        if isinstance(schema_id, str) and schema_id in self.validators:
            return KINDS[schema_id]
        return None

    def iter_findings(self, document: dict[str, Any], schema_id: str) -> Iterator[Finding]:
        """Yield one finding per schema error, at the pointer of the offending value."""
        if self.fast[schema_id].is_valid(document):
            return
        validator = self.validators[schema_id]
        for error in validator.iter_errors(document):
            yield from _leaves(error)


def _leaves(error: ValidationError) -> Iterator[Finding]:
    """Report the most specific errors of an anyOf/oneOf instead of the umbrella message."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        deepest = max(len(e.absolute_path) for e in error.context)
        if deepest > len(error.absolute_path):
            for sub in error.context:
                if len(sub.absolute_path) == deepest:
                    yield from _leaves(sub)
            return
    own = isinstance(error.schema, dict) and MESSAGE in error.schema
    yield Finding(pointer(*error.absolute_path), _message(error), content=own)


@lru_cache(maxsize=1)
def choices() -> dict[str, tuple[str, ...]]:
    """Return the closed lists of the bundled schemas that forms and sheets offer: ``topic``,
    ``requirement`` (requirement types) and ``verification``."""
    from registry.paths import bundled

    folder = bundled("schemas")
    criterion = json.loads((folder / "criterion.v1.schema.json").read_text(encoding="utf-8"))
    common = json.loads((folder / "common.v1.schema.json").read_text(encoding="utf-8"))["$defs"]
    return {
        "topic": tuple(criterion["properties"]["topic"]["enum"]),
        "requirement": tuple(common["constraint"]["properties"]["type"]["enum"]),
        "verification": tuple(common["verification"]["enum"]),
    }
