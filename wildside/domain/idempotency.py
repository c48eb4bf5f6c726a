"""Idempotency keys: what a repeated submission means, decided without I/O."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from wildside.domain.errors import InvalidInputError

MAX_KEY_LENGTH = 255
# Visible ASCII only: keys travel in a header and are compared byte for byte.
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """A key already claimed by one of the user's requests."""

    key: str
    payload_hash: str
    request_id: str
    expires_at: datetime


class IdempotencyOutcome(enum.Enum):
    """What to do with a submission whose key was seen before."""

    NEW = "new"  # the key is free (never used, or expired): create a request
    REPLAY = "replay"  # same key, same payload: answer with the original request
    CONFLICT = "conflict"  # same key, other payload: refuse


def validate_key(key: str) -> str:
    """Return ``key`` if it is 1..255 visible ASCII characters, else raise.

    Examples
    --------
    >>> validate_key("order-42")
    'order-42'
    """
    if not _KEY_PATTERN.fullmatch(key):
        raise InvalidInputError(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} visible ASCII characters",
            field="Idempotency-Key",
        )
    return key


def decide(
    existing: IdempotencyRecord | None, payload_hash: str, now: datetime
) -> IdempotencyOutcome:
    """Classify a submission against the record its key already has, if any.

    Examples
    --------
    >>> from datetime import UTC, datetime, timedelta
    >>> now = datetime(2026, 1, 1, tzinfo=UTC)
    >>> record = IdempotencyRecord("k", "h1", "r1", now + timedelta(hours=1))
    >>> decide(record, "h1", now).value, decide(record, "h2", now).value
    ('replay', 'conflict')
    >>> decide(record, "h2", now + timedelta(hours=2)).value
    'new'
    """
    if existing is None or existing.expires_at <= now:
        return IdempotencyOutcome.NEW
    if existing.payload_hash == payload_hash:
        return IdempotencyOutcome.REPLAY
    return IdempotencyOutcome.CONFLICT
