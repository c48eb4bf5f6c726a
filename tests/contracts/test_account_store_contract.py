"""One behaviour suite for every ``AccountStore``: the in-memory fake and PostgreSQL."""

from __future__ import annotations

import hashlib
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from adapters.outbound.postgres.account_store import PostgresAccountStore
from adapters.outbound.postgres.connection import per_call
from tests.fakes.account_store import InMemoryAccountStore
from wildside.domain.errors import ConflictError, UnavailableError
from wildside.ports.account_store import AccountStore, AccountStoreError, StoredUser

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HASH = "scrypt$16384$8$1$c2FsdA$ZGlnZXN0"


def token(text: str) -> bytes:
    """A 32-byte token hash, as the domain computes them."""
    return hashlib.sha256(text.encode()).digest()


@dataclass
class Harness:
    """A store and a way to read when a token was last used."""

    store: AccountStore
    last_used: Callable[[str], datetime | None]


def _fake() -> Harness:
    store = InMemoryAccountStore()
    return Harness(store, lambda token_id: store.tokens[token_id].last_used_at)


def _postgres(url: str) -> Harness:
    def last_used(token_id: str) -> datetime | None:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT last_used_at FROM api_tokens WHERE id = %s", (token_id,)
            ).fetchone()
        assert row is not None
        return row[0]

    return Harness(PostgresAccountStore(per_call(url)), last_used)


@pytest.fixture(params=["fake", "postgres"])
def h(request: pytest.FixtureRequest) -> Harness:
    if request.param == "fake":
        return _fake()
    return _postgres(request.getfixturevalue("migrated_database_url"))


def test_a_created_user_is_found_by_name_in_any_case_and_by_id(h: Harness) -> None:
    # Given a new admin with a password
    user = h.store.create_user("Ada.L", HASH, is_admin=True)
    # Then the name is kept as given and an id assigned
    assert (user.username, user.is_admin) == ("Ada.L", True)
    uuid.UUID(user.id)
    # And the user is found by name in any letter case, with the hash, and by id
    assert h.store.find_user("ada.l") == StoredUser(user, HASH)
    assert h.store.find_user("ADA.L") == StoredUser(user, HASH)
    assert h.store.get_user(user.id) == user


def test_a_name_taken_in_another_case_conflicts(h: Harness) -> None:
    # Given a user named ada
    h.store.create_user("ada", None, is_admin=False)
    # When Ada signs up, then the name is taken
    with pytest.raises(ConflictError):
        h.store.create_user("Ada", HASH, is_admin=False)
    # And the first account is untouched
    found = h.store.find_user("ada")
    assert found is not None
    assert (found.user.username, found.password_hash) == ("ada", None)


def test_unknown_users_are_none(h: Harness) -> None:
    # Given an empty store, when names and ids that name nobody are looked up, then None
    assert h.store.find_user("nobody") is None
    assert h.store.get_user(str(uuid.uuid4())) is None
    assert h.store.get_user("not-a-uuid") is None


def test_set_password_replaces_the_hash(h: Harness) -> None:
    # Given a token-only user
    user = h.store.create_user("ada", None, is_admin=False)
    # When a password is set, then the new hash is stored
    h.store.set_password(user.id, HASH)
    assert h.store.find_user("ada") == StoredUser(user, HASH)
    # And unknown ids change nothing (and raise nothing)
    h.store.set_password(str(uuid.uuid4()), "other")
    h.store.set_password("not-a-uuid", "other")
    assert h.store.find_user("ada") == StoredUser(user, HASH)


def test_a_token_finds_its_owner_and_notes_its_use(h: Harness) -> None:
    # Given a user with a token
    ada = h.store.create_user("ada", None, is_admin=False)
    bob = h.store.create_user("bob", None, is_admin=False)
    token_id = h.store.add_token(ada.id, token(ada.id), "laptop", T0)
    h.store.add_token(bob.id, token(bob.id), "", T0)
    assert h.last_used(token_id) is None
    # When the token is presented
    at = T0 + timedelta(minutes=5)
    owner = h.store.user_for_token(token(ada.id), at)
    # Then its owner is found and the use is noted
    assert owner == ada
    assert h.last_used(token_id) == at
    # And hashes nobody holds find nobody
    assert h.store.user_for_token(token("stranger"), at) is None


def test_a_revoked_token_finds_nobody(h: Harness) -> None:
    # Given a user with two tokens
    ada = h.store.create_user("ada", None, is_admin=False)
    old = h.store.add_token(ada.id, token("old"), "old", T0)
    h.store.add_token(ada.id, token("new"), "new", T0)
    # When one is revoked
    assert h.store.revoke_token(old, T0 + timedelta(hours=1)) is True
    # Then it finds nobody and its use is not noted, while the other still works
    assert h.store.user_for_token(token("old"), T0 + timedelta(hours=2)) is None
    assert h.last_used(old) is None
    assert h.store.user_for_token(token("new"), T0 + timedelta(hours=2)) == ada


def test_revoking_twice_unknown_or_malformed_ids_is_false(h: Harness) -> None:
    # Given a revoked token
    ada = h.store.create_user("ada", None, is_admin=False)
    token_id = h.store.add_token(ada.id, token("t"), "", T0)
    h.store.revoke_token(token_id, T0)
    # When it, an unknown id or a non-id is revoked, then nothing is revoked
    assert h.store.revoke_token(token_id, T0) is False
    assert h.store.revoke_token(str(uuid.uuid4()), T0) is False
    assert h.store.revoke_token("not-a-uuid", T0) is False


# --- PostgreSQL only ------------------------------------------------------------------------


def test_database_errors_become_store_errors(migrated_database_url: str) -> None:
    # Given a token for a user the database does not know
    store = PostgresAccountStore(per_call(migrated_database_url))
    # When it is stored, then the foreign-key violation arrives as a store error
    with pytest.raises(AccountStoreError) as caught:
        store.add_token(str(uuid.uuid4()), token("t"), "", T0)
    assert isinstance(caught.value.__cause__, psycopg.errors.ForeignKeyViolation)


def test_an_unreachable_database_is_unavailable() -> None:
    # Given a store pointed at a port nobody listens on
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = PostgresAccountStore(per_call(f"postgresql://nobody@127.0.0.1:{port}/x"))
    # When a token is checked, then the service is reported unavailable
    with pytest.raises(UnavailableError) as caught:
        store.user_for_token(token("t"), T0)
    assert caught.value.service == "postgresql"
