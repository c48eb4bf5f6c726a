"""Value checks and conversions every PostgreSQL adapter needs at its edge."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def is_uuid(text: str) -> bool:
    """Whether ``text`` is a UUID: ids are, and anything else names nothing stored.

    Checking first keeps a malformed id from becoming a driver error.
    """
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def aware(value: datetime) -> datetime:
    """``value`` if it carries a time zone (a naive one would be read in the session's)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"timestamps must be timezone-aware, got {value!r}")
    return value


def utc(value: datetime) -> datetime:
    """psycopg answers in the session's time zone; callers get UTC whatever it is."""
    return value.astimezone(UTC)
