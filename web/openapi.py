"""The OpenAPI 3.1 description of the JSON API, made from the routes themselves.

Paths, methods, path parameters and query parameters come from the app's URL map and each view's
``takes`` (so the description cannot list a parameter the route refuses, or miss one it reads);
operationIds are the view names; summaries are the views' docstrings. Request and response bodies
reuse the registry's JSON Schemas (bundled into ``components``, their ``$ref``s rewritten), and the
list items, the diff and the check report have schemas here.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from registry.paths import bundled

_COMPONENT = {
    "urn:ecolabel:schema:common:1": "Common",
    "urn:ecolabel:schema:criteria-document:1": "CriteriaDocument",
    "urn:ecolabel:schema:criterion:1": "Criterion",
    "urn:ecolabel:schema:label-programme:1": "LabelProgramme",
    "urn:ecolabel:schema:agreement:1": "Agreement",
    "urn:ecolabel:schema:licence:1": "Licence",
    "urn:ecolabel:schema:product-declaration:1": "ProductDeclaration",
    "urn:ecolabel:schema:parameter-vocabulary:1": "ParameterVocabulary",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _rewrite(node: Any, own: str) -> Any:
    """Return a schema with its ``$ref``s pointing into ``components`` (``own``: the schema's own name)."""
    if isinstance(node, list):
        return [_rewrite(x, own) for x in node]
    if not isinstance(node, dict):
        return node
    if node == {"not": {}}:
        return False  # "nothing is valid here" (the property must be absent), as generators understand it
    found: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            base, _, fragment = value.partition("#")
            name = _COMPONENT[base] if base else own
            found[key] = f"#/components/schemas/{name}_{fragment.rsplit('/', 1)[1]}" if fragment else _ref(name)["$ref"]
        else:
            found[key] = _rewrite(value, own)
    return found


def _bundled_schemas() -> dict[str, Any]:
    """Return the registry's JSON Schemas as OpenAPI components (``Common_<def>`` for the shared parts)."""
    components: dict[str, Any] = {}
    for path in sorted(Path(bundled("schemas")).glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        name = _COMPONENT[schema["$id"]]
        for key, part in schema.pop("$defs", {}).items():
            components[f"{name}_{key}"] = _rewrite(part, name)
        for key in ("$schema", "$id"):
            schema.pop(key, None)
        if "title" in schema:  # generators name classes after titles; the component's name is the better name
            schema["description"] = " ".join(filter(None, (schema.pop("title"), schema.get("description"))))
        if schema.get("type") is not None or "properties" in schema:
            components[name] = _rewrite(schema, name)
    return components


_TEXT = {"type": "object", "additionalProperties": {"type": "string"}, "description": "text by language tag"}
_REF = {
    "type": "object",
    "required": ["id", "version"],
    "properties": {"id": {"type": "string"}, "version": {"type": "string"}},
}
_URL = {"type": "string", "description": "the item's address in this API"}
_OWN = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "message": {"type": "string"},
                    "pointer": {"type": ["string", "null"], "description": "JSON pointer of the first offending value"},
                    "field": {"type": "string", "description": "the offending query parameter, header or field"},
                    "findings": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"pointer": {"type": "string"}, "message": {"type": "string"}},
                        },
                    },
                },
            }
        },
    },
    "LabelSummary": {
        "type": "object",
        "required": ["id", "name", "countries", "gen_membership", "genices", "url"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "countries": {"type": "array", "items": {"type": "string"}},
            "gen_membership": {"type": "string"},
            "genices": {"type": "string"},
            "url": _URL,
        },
    },
    "VersionState": {
        "type": "object",
        "required": ["version", "state", "url"],
        "properties": {
            "version": {"type": "string"},
            "state": {"type": "string", "enum": ["published", "superseded", "withdrawn"]},
            "sha256": {"type": "string", "description": "SHA-256 of the content: its ETag"},
            "url": _URL,
        },
    },
    "StandardSummary": {
        "type": "object",
        "required": ["id", "kind", "labels", "category", "versions", "title"],
        "properties": {
            "id": {"type": "string"},
            "kind": {"type": "string"},
            "labels": {"type": "array", "items": {"type": "string"}},
            "category": {"type": "string"},
            "title": {"type": "string"},
            "versions": {"type": "array", "items": _ref("VersionState")},
        },
    },
    "StandardVersions": {
        "type": "object",
        "required": ["id", "versions"],
        "properties": {"id": {"type": "string"}, "versions": {"type": "array", "items": _ref("VersionState")}},
    },
    "AgreementSummary": {
        "type": "object",
        "required": ["id", "title", "scale", "parties", "types", "status", "url"],
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "scale": {"type": "string"},
            "parties": {"type": "array", "items": {"type": "string"}},
            "types": {"type": "array", "items": {"type": "string"}},
            "status": {"type": "string"},
            "url": _URL,
        },
    },
    "LicenceSummary": {
        "type": "object",
        "required": ["id", "label", "number", "holder", "standard", "awarded", "valid_until", "products", "url"],
        "properties": {
            "id": {"type": "string"},
            "label": {"type": "string"},
            "number": {"type": ["string", "null"]},
            "holder": {"type": "string"},
            "standard": _REF,
            "awarded": {"type": ["string", "null"]},
            "valid_until": {"type": ["string", "null"]},
            "products": {"type": "array", "items": {"type": "string"}},
            "url": _URL,
        },
    },
    "DiffReport": {
        "type": "object",
        "required": ["a", "b", "mode", "pairs", "summary"],
        "properties": {
            "a": _REF,
            "b": _REF,
            "mode": {"type": "string"},
            "pairs": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["relation"],
                    "properties": {
                        "a": {"type": ["string", "null"]},
                        "b": {"type": ["string", "null"]},
                        "parameter": {"type": ["string", "null"]},
                        "relation": {"type": "string"},
                        "detail": {"type": ["string", "null"]},
                    },
                },
            },
            "summary": {
                "type": "object",
                "additionalProperties": {"type": ["number", "null"]},
                "description": "counts per relation; coverage as a fraction, null when unknown",
            },
            "notes": {"type": "array", "items": {"type": "string"}},
        },
    },
    "CheckReport": {
        "type": "object",
        "required": ["date", "product", "results"],
        "properties": {
            "date": {"type": "string", "format": "date"},
            "product": {"type": "object"},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["standard", "version", "verdict", "counts"],
                    "properties": {
                        "standard": {"type": "string"},
                        "version": {"type": "string"},
                        "title": {"type": "string"},
                        "labels": {"type": "array", "items": {"type": "string"}},
                        "verdict": {"type": "string"},
                        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                        "criteria": {"type": "array", "items": {"type": "object"}},
                        "pathways": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
            "out_of_scope": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["standard", "version", "reason"],
                    "properties": {
                        "standard": {"type": "string"},
                        "version": {"type": "string"},
                        "reason": {"type": "string"},
                    },
                },
            },
            "notes": {"type": "array", "items": {"type": "string"}},
        },
    },
    "DraftStored": {
        "type": "object",
        "required": ["id", "version", "state"],
        "properties": {"id": {"type": "string"}, "version": {"type": "string"}, "state": {"const": "draft"}},
    },
    "Published": {
        "type": "object",
        "required": ["id", "version", "state"],
        "properties": {"id": {"type": "string"}, "version": {"type": "string"}, "state": {"type": "string"}},
    },
}

# What each query parameter means (the routes say which they take).
_QUERY: dict[str, tuple[str, dict[str, Any]]] = {
    "limit": ("Items per page (default 50, at most 200)", {"type": "integer", "minimum": 1, "maximum": 200}),
    "cursor": ("The page starts after this id (the previous page's Link rel=next gives it)", {"type": "string"}),
    "label": ("Only these of one label programme (its id)", {"type": "string"}),
    "category": ("Only one product category (its id)", {"type": "string"}),
    "kind": ("Only one kind of standard (national, joint, ...)", {"type": "string"}),
    "status": ("Only this state or status", {"type": "string"}),
    "on": ("Only what is in force, in effect or valid on this day", {"type": "string", "format": "date"}),
    "updated_since": (
        "Only what changed publicly at or after this moment (a date, or a time with offset)",
        {"type": "string"},
    ),
    "country": ("Only programmes of this country (ISO 3166 code)", {"type": "string"}),
    "standard": ("Only licences awarded under this standard (its id)", {"type": "string"}),
    "a": ("A standard, ID or ID@VERSION", {"type": "string", "minLength": 1}),
    "b": ("Another standard, ID or ID@VERSION", {"type": "string", "minLength": 1}),
    "date": ("The day the check is for (default: today)", {"type": "string", "format": "date"}),
    "as_older": ("1: publish as an older version (it does not supersede a newer one)", {"type": "string"}),
}
_REQUIRED_QUERY = {("diff", "a"), ("diff", "b")}

_JSON = "application/json"


def _body(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {_JSON: {"schema": schema}}}


def _array(name: str) -> dict[str, Any]:
    return {
        "description": "One page of the list (X-Total-Count: all items; Link rel=next: the next page)",
        "headers": {
            "X-Total-Count": {"schema": {"type": "integer"}},
            "Link": {"schema": {"type": "string"}, "description": "RFC 8288"},
        },
        "content": {_JSON: {"schema": {"type": "array", "items": _ref(name)}}},
    }


# The answers of each operation besides the errors every route may give (400, 401, 429, 503).
_ANSWERS: dict[str, dict[str, Any]] = {
    "labels": {"200": _array("LabelSummary")},
    "label": {"200": _body(_ref("LabelProgramme")), "404": _body(_ref("Error"), "No such label")},
    "standards": {"200": _array("StandardSummary")},
    "standard": {"200": _body(_ref("StandardVersions")), "404": _body(_ref("Error"), "No such standard")},
    "version": {
        "200": _body(_ref("CriteriaDocument"), "The content (immutable; ETag is its SHA-256)"),
        "304": {"description": "Not modified"},
        "404": _body(_ref("Error"), "No such published version"),
    },
    "agreements": {"200": _array("AgreementSummary")},
    "agreement": {"200": _body(_ref("Agreement")), "404": _body(_ref("Error"), "No such agreement")},
    "licences": {"200": _array("LicenceSummary")},
    "licence": {"200": _body(_ref("Licence")), "404": _body(_ref("Error"), "No such licence")},
    "diff": {"200": _body(_ref("DiffReport")), "404": _body(_ref("Error"), "A side names no published version")},
    "check": {"200": _body(_ref("CheckReport"), "The report")},
    "create_draft": {
        "201": _body(_ref("DraftStored"), "Draft stored"),
        "403": _body(_ref("Error"), "Needs the admin role, or a token of the write scope"),
        "409": _body(_ref("Error"), "That version exists"),
    },
    "publish": {
        "200": _body(_ref("Published"), "Published"),
        "403": _body(_ref("Error"), "Needs the admin role, or a token of the write scope"),
        "404": _body(_ref("Error"), "No such draft"),
        "409": _body(_ref("Error"), "Not publishable now"),
    },
    "spec": {"200": _body({"type": "object"}, "This description")},
}
_REQUESTS = {
    "check": ("ProductDeclaration", "A product declaration"),
    "create_draft": ("CriteriaDocument", "A criteria document"),
}
_EXAMPLES: dict[str, Any] = {
    "check": {
        "$schema": "urn:ecolabel:schema:product-declaration:1",
        "category": "scanner",
        "manufacturer": "Example Ltd",
        "model": "S-100",
        "values": {},
        "labels_held": [],
    }
}


def _operation(app: Flask, endpoint: str, rule: Any, method: str) -> dict[str, Any]:
    view: Callable[..., Any] = app.view_functions[endpoint]
    name = endpoint.removeprefix("api.")
    summary = (view.__doc__ or name).strip().splitlines()[0].rstrip(".")
    parameters: list[dict[str, Any]] = [
        {"name": arg, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
        for arg in sorted(rule.arguments)
    ]
    for arg in sorted(getattr(view, "query_args", ())):
        text, schema = _QUERY[arg]
        parameters.append(
            {
                "name": arg,
                "in": "query",
                "required": (name, arg) in _REQUIRED_QUERY,
                "description": text,
                "schema": schema,
            }
        )
    if name == "version":
        parameters.append({"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}})
    responses = {
        **_ANSWERS[name],
        "400": _body(_ref("Error"), "A bad request: the error names the parameter, field or JSON pointer"),
        "401": _body(_ref("Error"), "A bad, expired or revoked token (WWW-Authenticate says why)"),
        "429": _body(_ref("Error"), "Too many requests (Retry-After)"),
        "503": _body(_ref("Error"), "The database cannot be used right now (Retry-After)"),
    }
    op: dict[str, Any] = {"operationId": name, "summary": summary, "parameters": parameters, "responses": responses}
    if name in _REQUESTS:
        component, text = _REQUESTS[name]
        media: dict[str, Any] = {"schema": _ref(component)}
        if name in _EXAMPLES:
            media["example"] = _EXAMPLES[name]
        op["requestBody"] = {"required": True, "description": text, "content": {_JSON: media}}
    if method == "post" and name != "check":
        op["security"] = [{"bearer": []}, {"session": []}]
    return op


def document(app: Flask) -> dict[str, Any]:
    """Return the API description of an app (its routes under /api/v1)."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(app, rule.endpoint, rule, method.lower())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Ecolabel mutual-recognition standards registry",
            "version": "1",
            "description": "Reads are open. Writes take a personal API token (Authorization: Bearer TOKEN, made "
            "at /account) of the write scope, or a signed-in browser session with its X-CSRFToken header.",
        },
        "paths": paths,
        "components": {
            "schemas": {**copy.deepcopy(_OWN), **_bundled_schemas()},
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "A personal API token (ecr_...)"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
