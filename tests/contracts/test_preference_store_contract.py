"""One behaviour suite for every ``PreferenceStore``: the in-memory fake and PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from adapters.outbound.postgres.account_store import PostgresAccountStore
from adapters.outbound.postgres.connection import per_call
from adapters.outbound.postgres.preference_store import PostgresPreferenceStore
from tests.fakes.preference_store import InMemoryPreferenceStore
from wildside.domain.preferences import Preferences
from wildside.ports.preference_store import PreferenceStore, StoredPreferences

T0 = datetime(2026, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)
FULL = Preferences.build(themes=["nature", "art"], duration_minutes=52.5, pace_m_s=1.05)


@dataclass
class Harness:
    store: PreferenceStore
    alice: str
    bob: str


@pytest.fixture(params=["fake", "postgres"])
def h(request: pytest.FixtureRequest) -> Harness:
    if request.param == "fake":
        return Harness(InMemoryPreferenceStore(), str(uuid.uuid4()), str(uuid.uuid4()))
    url = request.getfixturevalue("migrated_database_url")
    accounts = PostgresAccountStore(per_call(url))
    alice = accounts.create_user("alice", None, is_admin=False).id
    bob = accounts.create_user("bob", None, is_admin=False).id
    return Harness(PostgresPreferenceStore(per_call(url)), alice, bob)


def test_a_user_who_never_saved_has_none(h: Harness) -> None:
    assert h.store.get(h.alice) is None


def test_saved_preferences_read_back_exactly(h: Harness) -> None:
    stored = h.store.put(h.alice, FULL, T0)
    assert stored == StoredPreferences(FULL, T0)
    assert h.store.get(h.alice) == stored


def test_a_put_replaces_everything(h: Harness) -> None:
    h.store.put(h.alice, FULL, T0)
    later = T0 + timedelta(minutes=3)
    # When Alice saves only a pace: the themes and the duration go back to none
    replaced = h.store.put(h.alice, Preferences.build(pace_m_s=2.0), later)
    assert replaced == StoredPreferences(Preferences((), None, 2.0), later)
    assert h.store.get(h.alice) == replaced


def test_each_user_has_their_own(h: Harness) -> None:
    h.store.put(h.alice, FULL, T0)
    assert h.store.get(h.bob) is None
    h.store.put(h.bob, Preferences.build(themes=["food"]), T0)
    stored = h.store.get(h.alice)
    assert stored is not None
    assert stored.preferences == FULL


def test_ids_that_are_not_uuids_have_nothing(h: Harness) -> None:
    assert h.store.get("not-a-uuid") is None
