"""Login events: the seed's ``SessionStarted`` on a password login, ``SessionEnded`` on logout."""

from __future__ import annotations

import pytest

from tests.fakes.product_analytics import RecordingProductAnalytics
from tests.unit.service.conftest import World
from wildside.app.accounts import Accounts
from wildside.domain.errors import AuthenticationError
from wildside.ports.product_analytics import SESSION_ENDED, SESSION_STARTED


def _accounts(world: World, analytics: RecordingProductAnalytics) -> Accounts:
    return Accounts(world.accounts, world.secrets, world.clock, analytics)


def test_a_login_starts_a_session_event_without_personal_data(world: World) -> None:
    analytics = RecordingProductAnalytics()
    accounts = _accounts(world, analytics)
    user = accounts.create_user("ada", "correct horse").user
    # When Ada logs in from an address
    accounts.log_in("ada", "correct horse", "203.0.113.7")
    # Then one SessionStarted names her by id only (the adapter pseudonymises it)
    assert analytics.events == [(SESSION_STARTED, user.id, {"method": "password"})]
    assert SESSION_STARTED == "SessionStarted"


def test_a_failed_login_starts_nothing(world: World) -> None:
    analytics = RecordingProductAnalytics()
    accounts = _accounts(world, analytics)
    accounts.create_user("ada", "correct horse")
    with pytest.raises(AuthenticationError):
        accounts.log_in("ada", "wrong horse")
    assert analytics.events == []


def test_a_token_is_no_session(world: World) -> None:
    analytics = RecordingProductAnalytics()
    accounts = _accounts(world, analytics)
    issued = accounts.create_user("ada")
    accounts.authenticate_token(issued.secret)
    assert analytics.events == []


def test_logging_out_a_live_session_ends_it(world: World) -> None:
    analytics = RecordingProductAnalytics()
    accounts = _accounts(world, analytics)
    user = accounts.create_user("ada", "correct horse").user
    expires_at = accounts.session_expiry(3600)
    accounts.log_out(user.id, expires_at)
    assert analytics.events == [(SESSION_ENDED, user.id, {"method": "password"})]
    assert SESSION_ENDED == "SessionEnded"


def test_logging_out_an_expired_session_counts_nothing(world: World) -> None:
    analytics = RecordingProductAnalytics()
    accounts = _accounts(world, analytics)
    user = accounts.create_user("ada", "correct horse").user
    expires_at = accounts.session_expiry(60)
    world.clock.advance(61)
    accounts.log_out(user.id, expires_at)
    assert analytics.events == []
