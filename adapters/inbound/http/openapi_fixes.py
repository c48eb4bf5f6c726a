"""Make the generated OpenAPI document say what the server enforces (five Litestar gaps)."""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi.spec import Reference, Schema

from adapters.inbound.http import tiles
from adapters.inbound.http.saved_routes import SAVE_PATH
from adapters.inbound.http.wire import (
    LoginBody,
    PointIn,
    PreferencesBody,
    RouteRequestBody,
    SaveRouteBody,
)

# Bodies decoded with ``forbid_unknown_fields``: Litestar does not emit
# ``additionalProperties: false`` for them, so a client (or schemathesis)
# would believe extra keys are fine while the server answers 422.
_STRICT_BODIES: tuple[type[msgspec.Struct], ...] = (
    RouteRequestBody,
    PointIn,
    LoginBody,
    SaveRouteBody,
    PreferencesBody,
)
# Operations whose body may be left out: Litestar marks every request body required.
_OPTIONAL_BODIES = ((SAVE_PATH, "post"),)


def apply(app: Litestar) -> None:
    """Patch the app's (cached) OpenAPI schema in place, once, at start-up."""
    schemas = app.openapi_schema.components.schemas or {}
    for struct in _STRICT_BODIES:
        schema = schemas.get(struct.__name__)
        if schema is not None:
            schema.additional_properties = False
            _restore_zero_bounds(struct, schema)
            _unwrap_single_choices(schema)
    for path, method in _OPTIONAL_BODIES:
        _make_body_optional(app, path, method)
    # Path parameters are whole segments to Litestar; the tile URLs have suffixes.
    if app.openapi_schema.paths is not None:
        tiles.document_paths(app.openapi_schema.paths)


def _make_body_optional(app: Litestar, path: str, method: str) -> None:
    """No body is fine; a JSON ``null`` is not (the ``Optional`` annotation made it look so)."""
    item = (app.openapi_schema.paths or {}).get(path)
    operation = getattr(item, method, None) if item is not None else None
    if operation is None or operation.request_body is None:
        return
    operation.request_body.required = False
    for media in (operation.request_body.content or {}).values():
        schema = media.schema
        if isinstance(schema, Schema) and schema.one_of:
            kept = [s for s in schema.one_of if not (isinstance(s, Schema) and s.type == "null")]
            if len(kept) == 1:
                media.schema = kept[0]


def _restore_zero_bounds(struct: type[msgspec.Struct], schema: Schema) -> None:
    """Litestar drops ``ge=0`` (a falsy bound) from constrained fields: put it back."""
    info: Any = msgspec.inspect.type_info(struct)
    for field in info.fields:
        bound = _lower_bound(field.type)
        prop = (schema.properties or {}).get(field.encode_name)
        if bound == 0 and isinstance(prop, Schema) and prop.minimum is None:
            prop.minimum = 0
        elif isinstance(prop, Reference):
            continue


def _lower_bound(kind: Any) -> float | None:
    if isinstance(kind, msgspec.inspect.UnionType):
        bounds = [_lower_bound(t) for t in kind.types]
        return next((b for b in bounds if b is not None), None)
    ge = getattr(kind, "ge", None)
    return float(ge) if ge is not None else None


def _unwrap_single_choices(schema: Schema) -> None:
    """A field typed ``X | UnsetType`` (optional, never null) comes out as ``oneOf: [X]``.

    Client generators turn any ``oneOf`` into a union type (``..._type_0``
    classes); the field is simply an ``X`` that may be left out. The bounds
    Litestar put beside the ``oneOf`` are kept.
    """
    for prop in (schema.properties or {}).values():
        if not (isinstance(prop, Schema) and prop.one_of is not None and len(prop.one_of) == 1):
            continue
        only = prop.one_of[0]
        if not isinstance(only, Schema):
            continue
        prop.one_of = None
        for field in dataclasses.fields(only):
            if getattr(prop, field.name) is None:
                setattr(prop, field.name, getattr(only, field.name))
