"""Pydantic models as pieces of the OpenAPI document: query parameters, request bodies, responses.

Each helper records the model it was given; ``components()`` then renders every recorded model once,
with pydantic's own JSON Schema generator, under ``#/components/schemas``. Request models are rendered
as pydantic validates them, response models as it serialises them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

__all__ = ["body", "components", "ok", "query", "schema_ref"]

REF = "#/components/schemas/{model}"
_MODELS: dict[str, tuple[type[BaseModel], JsonSchemaMode]] = {}
ERROR_NAME = "Error"  # the error body's historical name in the document


def schema_ref(model: type[BaseModel], mode: JsonSchemaMode = "serialization") -> dict[str, Any]:
    """A ``$ref`` to ``model`` (recorded for ``components()``)."""
    _MODELS[model.__name__] = (model, mode)
    name = ERROR_NAME if model.__name__ == "ErrorBody" else model.__name__
    return {"$ref": REF.format(model=name)}


def _plain(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter's schema: absent means None, so ``anyOf [X, null]`` is just X."""
    options = schema.get("anyOf")
    if options:
        kept = [o for o in options if o.get("type") != "null"]
        if len(kept) == 1:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            schema = {**kept[0], **rest}
    schema.pop("title", None)
    if schema.get("default") is None:
        schema.pop("default", None)
    return schema


def query(model: type[BaseModel]) -> list[dict[str, Any]]:
    """The model's fields as query parameters (the handler validates them with ``params.query_model``)."""
    properties = model.model_json_schema(mode="validation")["properties"]
    parameters = []
    for name, field in model.model_fields.items():
        schema = _plain(dict(properties[name]))
        description = schema.pop("description", field.description or name)
        parameters.append({"name": name, "in": "query", "required": field.is_required(), "description": description, "schema": schema})
    return parameters


def body(model: type[BaseModel], description: str | None = None) -> dict[str, Any]:
    """A required JSON request body (the handler validates it with ``params.body_model``)."""
    request: dict[str, Any] = {"required": True, "content": {"application/json": {"schema": schema_ref(model, "validation")}}}
    if description or model.__doc__:
        request["description"] = description or (model.__doc__ or "").strip().splitlines()[0]
    return request


def ok(description: str, model: type[BaseModel] | None = None) -> dict[str, Any]:
    """A JSON response described by ``model`` (any object without one)."""
    schema = schema_ref(model) if model is not None else {"type": "object"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def components() -> dict[str, Any]:
    """Every recorded model's JSON Schema, keyed by name."""
    _, top = models_json_schema([(m, mode) for m, mode in _MODELS.values()], ref_template=REF)
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    if "ErrorBody" in schemas:
        schemas[ERROR_NAME] = schemas.pop("ErrorBody")
    return schemas
