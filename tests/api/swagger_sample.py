"""The request body Swagger UI's "Try it out" pre-fills, as the vendored Swagger UI (services/api/assets/swagger-ui,
5.36: its JSON Schema 2020-12 sampler, which an OpenAPI 3.1 document gets) builds it from the OpenAPI document.

The rule, after swagger-client has resolved each ``$ref`` and merged each ``allOf`` (a schema's own keys win):

1. The media type's example: the first of its ``examples`` (their ``value``), else its ``example``.
2. Else the body schema's own example, used as it is: the first of its ``examples``, else its ``default``, else its
   ``example`` (a number where the schema says string becomes a string).
3. Else, for an object, every property (not only the required ones; a read-only one is left out), each by this same
   rule from 2; for an array, one item; for ``oneOf``/``anyOf``, the first alternative (so the type before null).
4. Else a value made up: ``const``, the first member of an ``enum``, or a placeholder by type ("string", 0, true,
   today's date in UTC for a date...). ``sample`` lists where it had to make one up: a body without an example there.
"""

from __future__ import annotations

from typing import Any

PLACEHOLDERS = {"string": "string", "integer": 0, "number": 0, "boolean": True, "null": None}


def sample(document: dict[str, Any], media_type: dict[str, Any]) -> tuple[Any, list[str]]:
    """The body pre-filled for this media type of a request body, and where a value was made up (JSON paths)."""
    if media_type.get("examples"):
        return next(iter(media_type["examples"].values()))["value"], []
    if "example" in media_type:
        return media_type["example"], []
    made_up: list[str] = []
    return _sample(document, media_type["schema"], "$", made_up), made_up


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        target = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
        schema = {**_resolve(document, target), **{k: v for k, v in schema.items() if k != "$ref"}}
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(_resolve(document, part))
        schema = {**merged, **{k: v for k, v in schema.items() if k != "allOf"}}
    return schema


def _own_example(schema: dict[str, Any]) -> tuple[bool, Any]:
    if schema.get("examples"):
        return True, schema["examples"][0]
    for key in ("default", "example"):
        if key in schema:
            return True, schema[key]
    return False, None


def _sample(document: dict[str, Any], schema: dict[str, Any], where: str, made_up: list[str]) -> Any:
    schema = _resolve(document, schema)
    found, example = _own_example(schema)
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if not found and alternatives:
        rest = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
        schema = {**_resolve(document, alternatives[0]), **rest}
        found, example = _own_example(schema)
    kind = schema.get("type")
    if found:
        return str(example) if kind == "string" and isinstance(example, (int, float)) else example
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {}).items()
        return {
            name: _sample(document, prop, f"{where}.{name}", made_up)
            for name, prop in properties
            if not prop.get("readOnly")
        }
    if kind == "array":
        return [_sample(document, schema.get("items", {}), f"{where}[0]", made_up)]
    if "const" in schema:
        return schema["const"]
    made_up.append(where)
    if "enum" in schema:
        return schema["enum"][0]
    return PLACEHOLDERS.get(kind or "string", "string")
