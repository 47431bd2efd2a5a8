"""The OpenAPI 3.1 description of the JSON API."""

from __future__ import annotations

from typing import Any

_ERROR = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "message"],
            "properties": {
                "status": {"type": "integer"},
                "message": {"type": "string"},
                "pointer": {"type": ["string", "null"], "description": "JSON pointer of the first offending value"},
                "field": {"type": "string", "description": "the offending query field or header"},
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
}


def _get(summary: str, params: list[str] | None = None, *, etag: bool = False) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {}}},
            "404": {"description": "Not found", "content": {"application/json": {"schema": _ERROR}}},
        },
    }
    if params:
        op["parameters"] = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}} for p in params]
    if etag:
        op["parameters"] = [
            *op.get("parameters", []),
            {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}},
        ]
        op["responses"]["304"] = {"description": "Not modified (the ETag is the content's SHA-256)"}
    return op


def document() -> dict[str, Any]:
    """Return the API description."""
    write = {"401": {"description": "Sign in first"}, "403": {"description": "Needs the admin role"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Ecolabel mutual-recognition standards registry", "version": "1"},
        "paths": {
            "/api/v1/labels": {"get": _get("Label programmes")},
            "/api/v1/labels/{id}": {"get": _get("One label programme", ["id"])},
            "/api/v1/standards": {"get": _get("Standards with their versions")},
            "/api/v1/standards/{id}": {"get": _get("The versions of one standard", ["id"])},
            "/api/v1/standards/{id}/{version}": {
                "get": _get(
                    "One published version: the criteria document (ETag, conditional GET)", ["id", "version"], etag=True
                )
            },
            "/api/v1/agreements": {"get": _get("Agreements")},
            "/api/v1/agreements/{id}": {"get": _get("One agreement with its dated history", ["id"])},
            "/api/v1/licences": {"get": _get("Licences (certified products)")},
            "/api/v1/licences/{id}": {"get": _get("One licence with its products' published figures", ["id"])},
            "/api/v1/diff": {
                "get": {
                    **_get("Compare two standards criterion by criterion"),
                    "parameters": [
                        {
                            "name": n,
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                            "description": "ID@VERSION",
                        }
                        for n in ("a", "b")
                    ],
                }
            },
            "/api/v1/check": {
                "post": {
                    "summary": "Check a product declaration (urn:ecolabel:schema:product-declaration:1)",
                    "parameters": [
                        {
                            "name": "date",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "format": "date"},
                        }
                    ],
                    "requestBody": {"required": True, "content": {"application/json": {}}},
                    "responses": {
                        "200": {"description": "The report", "content": {"application/json": {}}},
                        "400": {
                            "description": "Invalid declaration",
                            "content": {"application/json": {"schema": _ERROR}},
                        },
                    },
                }
            },
            "/api/v1/drafts": {
                "post": {
                    "summary": "Create a draft standard (admin; session cookie and X-CSRFToken header)",
                    "requestBody": {"required": True, "content": {"application/json": {}}},
                    "responses": {
                        "201": {"description": "Draft stored"},
                        "400": {"description": "Invalid document", "content": {"application/json": {"schema": _ERROR}}},
                        "409": {"description": "That version exists"},
                        **write,
                    },
                }
            },
            "/api/v1/standards/{id}/{version}/publish": {
                "post": {
                    "summary": "Publish a draft (admin)",
                    "parameters": [
                        {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                        for p in ("id", "version")
                    ],
                    "responses": {"200": {"description": "Published"}, "400": {"description": "Invalid"}, **write},
                }
            },
        },
    }
