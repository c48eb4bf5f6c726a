"""Idempotency keys: replay, conflict and expiry, decided without I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wildside.domain.errors import InvalidInputError
from wildside.domain.idempotency import IdempotencyOutcome, IdempotencyRecord, decide, validate_key

NOW = datetime(2026, 11, 30, tzinfo=UTC)
RECORD = IdempotencyRecord("k", "hash-a", "req-1", NOW + timedelta(hours=24))


def test_a_free_key_makes_a_new_request() -> None:
    assert decide(None, "hash-a", NOW) is IdempotencyOutcome.NEW


def test_the_same_payload_replays_and_another_conflicts() -> None:
    assert decide(RECORD, "hash-a", NOW) is IdempotencyOutcome.REPLAY
    assert decide(RECORD, "hash-b", NOW) is IdempotencyOutcome.CONFLICT


def test_an_expired_binding_frees_the_key() -> None:
    assert decide(RECORD, "hash-b", NOW + timedelta(hours=24)) is IdempotencyOutcome.NEW


@pytest.mark.parametrize("key", ["", " ", "a b", "é", "x" * 256, "tab\there"])
def test_bad_keys_are_refused(key: str) -> None:
    with pytest.raises(InvalidInputError):
        validate_key(key)


def test_visible_ascii_keys_pass() -> None:
    assert validate_key("order-42:retry/1") == "order-42:retry/1"
