"""Opaque paging cursors on ``(created_at, id)``, shared by every newest-first listing."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime

import msgspec

from wildside.domain.errors import InvalidCursorError

MAX_CURSOR_CHARS = 200  # a real one is about 90


def encode_time_cursor(created_at: datetime, row_id: str) -> str:
    """The position as an opaque URL-safe string (clients only pass it back; not a secret).

    Examples
    --------
    >>> at = datetime(2026, 1, 1, tzinfo=UTC)
    >>> row = "0f9c2d4e-6a1b-4c3d-8e5f-7a9b1c3d5e7f"
    >>> decode_time_cursor(encode_time_cursor(at, row)) == (at, row)
    True
    """
    raw = msgspec.json.encode([created_at.isoformat(), row_id])
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_time_cursor(cursor: str) -> tuple[datetime, str]:
    """Inverse of :func:`encode_time_cursor`; ``InvalidCursorError`` (a 400) for anything else."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursorError("the cursor is too long: pass the one the API gave out")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, row_id = msgspec.json.decode(raw, type=tuple[str, str])
        created_at = datetime.fromisoformat(at)
        canonical = str(uuid.UUID(row_id))
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise InvalidCursorError("the cursor is not one this API gave out") from exc
    if created_at.tzinfo is None:
        raise InvalidCursorError("the cursor is not one this API gave out")
    return created_at.astimezone(UTC), canonical
