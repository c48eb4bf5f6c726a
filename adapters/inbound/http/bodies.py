"""JSON request bodies, decoded strictly: malformed is a 400, off-schema is a 422, never a 500.

Litestar turns a body into a handler's ``data`` with ``msgspec.convert(...,
strict=False)``, which accepts ``"60"`` for a number (lax mode is meant for query
strings and forms). Litestar's DTO hook is its own place to change how ``data``
is decoded, so :class:`StrictJson` is a DTO that does no more than that: the
wire Struct itself is the result, and the OpenAPI schema is the one Litestar
would have written without a DTO.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, TypeVar

import msgspec
from litestar.dto import AbstractDTO, DTOConfig
from litestar.exceptions import ClientException, ValidationException

from adapters.inbound.http.problems import bounded

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.dto.data_structures import DTOFieldDefinition
    from litestar.openapi.spec import Reference, Schema
    from litestar.typing import FieldDefinition

T = TypeVar("T")


def decode_strictly(raw: bytes, kind: type[T]) -> T:
    """Decode one JSON body into ``kind`` with msgspec's strict rules.

    Two steps on purpose: any JSON text that cannot be read at all (not JSON,
    not UTF-8, nested past the interpreter's recursion limit, a number no
    double holds) is a ``400``; readable JSON of the wrong shape or type is a
    ``422`` naming where.
    """
    try:
        document = msgspec.json.decode(raw)
    except RecursionError as exc:
        raise ClientException("the JSON body is nested too deeply") from exc
    except UnicodeDecodeError as exc:
        raise ClientException("the body is not valid UTF-8") from exc
    except msgspec.DecodeError as exc:
        raise ClientException(f"the body is not valid JSON: {bounded(str(exc))}") from exc
    try:
        return msgspec.convert(document, kind, strict=True)
    except msgspec.ValidationError as exc:
        # msgspec quotes offending keys and values: ``bounded`` keeps the echo short.
        message, _, where = str(exc).partition(" - at ")
        key = where.strip("`").removeprefix("$").removeprefix(".") or "body"
        raise ValidationException(
            "the request body does not match the schema",
            extra=[{"key": bounded(key), "message": bounded(message), "source": "body"}],
        ) from exc
    except RecursionError as exc:  # a structure deeper than the type allows is refused earlier
        raise ClientException("the JSON body is nested too deeply") from exc


class StrictJson(AbstractDTO[T]):
    """``dto=StrictJson[Body], return_dto=None``: the handler's ``data`` decoded strictly.

    No transfer model is built; the Struct's own fields, constraints and
    ``forbid_unknown_fields`` are the whole contract.
    """

    config = DTOConfig()

    @classmethod
    def create_for_field_definition(
        cls, field_definition: FieldDefinition, handler_id: str, backend_cls: Any = None
    ) -> None:
        """Nothing to prepare: :meth:`decode_bytes` decodes straight into the Struct."""

    @classmethod
    def create_openapi_schema(
        cls, field_definition: FieldDefinition, handler_id: str, schema_creator: SchemaCreator
    ) -> Reference | Schema:
        """The schema Litestar writes for the plain annotation (so the document is unchanged)."""
        return schema_creator.for_field_definition(field_definition)

    def decode_bytes(self, value: bytes) -> T:
        """The request body, as the model type; 400 or 422 problems otherwise."""
        return decode_strictly(value, self.model_type)

    def decode_builtins(self, value: dict[str, Any]) -> T:
        """Form data never reaches here (``require_json`` answers 415 first); refuse it anyway."""
        raise ClientException("send the body as application/json")

    @classmethod
    def generate_field_definitions(
        cls, model_type: type[Any]
    ) -> Generator[DTOFieldDefinition, None, None]:
        """No transfer model, hence no field definitions."""
        yield from ()

    @classmethod
    def detect_nested_field(cls, field_definition: FieldDefinition) -> bool:
        """Nothing nested is treated specially: the Struct decodes its own fields."""
        return False
