"""Login throttling per address, per account and address, per account; before any password check."""

from __future__ import annotations

import pytest

from tests.unit.service.conftest import World
from wildside.app.accounts import Accounts, LoginLimits
from wildside.domain.errors import AuthenticationError, RateLimitedError
from wildside.domain.rate_limit import RateLimitPolicy

PASSWORD = "correct horse"
LIMITS = LoginLimits(
    per_address=RateLimitPolicy(10, 60.0),
    per_account_and_address=RateLimitPolicy(3, 60.0),
    per_account=RateLimitPolicy(6, 60.0),
)


def _accounts(world: World, limits: LoginLimits = LIMITS) -> Accounts:
    accounts = Accounts(
        world.accounts, world.secrets, world.clock, limiter=world.limiter, login_limits=limits
    )
    accounts.create_user("ada", PASSWORD)
    return accounts


def _fail(accounts: Accounts, address: str, times: int, username: str = "ada") -> list[str]:
    outcomes = []
    for _ in range(times):
        try:
            accounts.log_in(username, "wrong horse", address)
        except AuthenticationError:
            outcomes.append("401")
        except RateLimitedError:
            outcomes.append("429")
    return outcomes


def test_one_address_guessing_one_account_is_stopped_with_a_retry_time(world: World) -> None:
    accounts = _accounts(world)
    assert _fail(accounts, "10.0.0.1", 5) == ["401"] * 3 + ["429"] * 2
    with pytest.raises(RateLimitedError) as refused:
        accounts.log_in("ada", PASSWORD, "10.0.0.1")  # even the right password: not checked
    assert refused.value.retry_after_s == 20  # one attempt comes back every 60/3 s
    assert refused.value.limit == 3
    world.clock.advance(20)
    assert accounts.log_in("ada", PASSWORD, "10.0.0.1").username == "ada"


def test_another_address_failing_does_not_lock_the_owner_out(world: World) -> None:
    accounts = _accounts(world)
    assert _fail(accounts, "10.0.0.1", 50).count("401") == 3  # refused attempts cost nothing
    assert accounts.log_in("ada", PASSWORD, "192.0.2.7").username == "ada"


def test_locking_an_owner_out_takes_several_addresses(world: World) -> None:
    # per_account / per_account_and_address = 6 / 3: the second attacking address
    # uses up what the first left, and only then is the owner refused.
    accounts = _accounts(world)
    _fail(accounts, "10.0.0.1", 10)
    assert accounts.log_in("ada", PASSWORD, "192.0.2.7").username == "ada"
    _fail(accounts, "10.0.0.2", 10)
    with pytest.raises(RateLimitedError):
        accounts.log_in("ada", PASSWORD, "192.0.2.7")


def test_one_address_spraying_many_accounts_is_stopped(world: World) -> None:
    accounts = _accounts(world)
    outcomes = [_fail(accounts, "10.0.0.1", 1, username=f"user{i}")[0] for i in range(12)]
    assert outcomes == ["401"] * 10 + ["429"] * 2


def test_unknown_names_are_throttled_like_known_ones_in_any_letter_case(world: World) -> None:
    accounts = _accounts(world)
    assert _fail(accounts, "10.0.0.1", 4, username="nobody") == ["401"] * 3 + ["429"]
    assert _fail(accounts, "10.0.0.3", 2, username="ADA") + _fail(
        accounts, "10.0.0.3", 2, username="Ada"
    ) == ["401"] * 3 + ["429"]


def test_without_a_limiter_nothing_is_throttled(world: World) -> None:
    accounts = Accounts(world.accounts, world.secrets, world.clock)
    accounts.create_user("ada", PASSWORD)
    assert _fail(accounts, "10.0.0.1", 40) == ["401"] * 40
