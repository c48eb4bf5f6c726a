"""Accounts: creating users, issuing and revoking tokens, logging in."""

from __future__ import annotations

import pytest

from tests.unit.service.conftest import World
from wildside.app.accounts import Accounts
from wildside.domain.accounts import token_hash
from wildside.domain.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
)


def _accounts(world: World) -> Accounts:
    return Accounts(world.accounts, world.secrets, world.clock)


def test_a_new_user_gets_a_working_token_stored_only_as_a_hash(world: World) -> None:
    issued = _accounts(world).create_user("ada")
    assert issued.secret.startswith("wst_")
    assert _accounts(world).authenticate_token(issued.secret) == issued.user
    stored = [t.token_hash for t in world.accounts.tokens.values()]
    assert stored == [token_hash(issued.secret)]


def test_names_are_unique_ignoring_case(world: World) -> None:
    _accounts(world).create_user("ada")
    with pytest.raises(ConflictError):
        _accounts(world).create_user("ADA")


def test_bad_names_and_passwords_are_refused(world: World) -> None:
    with pytest.raises(InvalidInputError):
        _accounts(world).create_user("no spaces")
    with pytest.raises(InvalidInputError):
        _accounts(world).create_user("ada", password="short")


@pytest.mark.parametrize("token", ["", "wst_", "Bearer x", "wst_" + "A" * 43])
def test_unknown_or_malformed_tokens_do_not_authenticate(world: World, token: str) -> None:
    _accounts(world).create_user("ada")
    with pytest.raises(AuthenticationError):
        _accounts(world).authenticate_token(token)


def test_a_revoked_token_stops_working_and_others_go_on(world: World) -> None:
    accounts = _accounts(world)
    first = accounts.create_user("ada")
    second = accounts.issue_token("ada", "laptop")
    accounts.revoke_token(first.token_id)
    with pytest.raises(AuthenticationError):
        accounts.authenticate_token(first.secret)
    assert accounts.authenticate_token(second.secret).username == "ada"
    with pytest.raises(NotFoundError):
        accounts.revoke_token(first.token_id)


def test_log_in_checks_the_password(world: World) -> None:
    accounts = _accounts(world)
    accounts.create_user("ada", password="correct horse")
    assert accounts.log_in("ada", "correct horse").username == "ada"
    for name, password in [("ada", "wrong horse"), ("nobody", "correct horse")]:
        with pytest.raises(AuthenticationError):
            accounts.log_in(name, password)


def test_a_token_only_account_cannot_log_in_until_it_has_a_password(world: World) -> None:
    accounts = _accounts(world)
    accounts.create_user("ada")
    with pytest.raises(AuthenticationError):
        accounts.log_in("ada", "whatever1")
    accounts.set_password("ada", "whatever1")
    assert accounts.log_in("ada", "whatever1").username == "ada"


def test_sessions_end_at_their_expiry(world: World) -> None:
    accounts = _accounts(world)
    user = accounts.create_user("ada").user
    expires = accounts.session_expiry(3600)
    assert accounts.session_user(user.id, expires) == user
    world.clock.advance(3600)
    with pytest.raises(AuthenticationError):
        accounts.session_user(user.id, expires)


def test_a_session_of_a_deleted_user_is_refused(world: World) -> None:
    accounts = _accounts(world)
    with pytest.raises(AuthenticationError):
        accounts.session_user("00000000-0000-4000-8000-000000000000", 1e12)
