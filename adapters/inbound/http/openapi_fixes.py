"""Make the generated OpenAPI document say what the server enforces (two Litestar gaps)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.openapi.spec import Reference, Schema

from adapters.inbound.http.wire import LoginBody, PointIn, RouteRequestBody

# Bodies decoded with ``forbid_unknown_fields``: Litestar does not emit
# ``additionalProperties: false`` for them, so a client (or schemathesis)
# would believe extra keys are fine while the server answers 422.
_STRICT_BODIES: tuple[type[msgspec.Struct], ...] = (RouteRequestBody, PointIn, LoginBody)


def apply(app: Litestar) -> None:
    """Patch the app's (cached) OpenAPI schema in place, once, at start-up."""
    schemas = app.openapi_schema.components.schemas or {}
    for struct in _STRICT_BODIES:
        schema = schemas.get(struct.__name__)
        if schema is not None:
            schema.additional_properties = False
            _restore_zero_bounds(struct, schema)


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
