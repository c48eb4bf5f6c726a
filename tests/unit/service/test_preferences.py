"""Saved preferences: validation, reading and replacing them, and filling what a request omits."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fakes.preference_store import InMemoryPreferenceStore
from tests.unit.service.conftest import ADA, BOB, HELSINKI, World
from wildside.app.preferences import UserPreferences
from wildside.app.submit_route import SubmitRoute
from wildside.domain.errors import InvalidInputError
from wildside.domain.preferences import (
    SYSTEM_DEFAULTS,
    Preferences,
    RouteDraft,
    effective_spec,
)
from wildside.domain.route_spec import DEFAULT_PACE_M_S, RouteSpec

NOON = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # when a request without start_time is planned

SAVED = Preferences.build(themes=["food", "art"], duration_minutes=45, pace_m_s=1.1)


def _submit(world: World, store: InMemoryPreferenceStore) -> SubmitRoute:
    return world.submit_route(preferences=store)


# -- the domain decision -------------------------------------------------------------


def test_what_the_draft_leaves_out_comes_from_the_saved_preferences() -> None:
    spec = effective_spec(RouteDraft(start=HELSINKI), SAVED)
    assert (spec.duration_minutes, spec.themes, spec.pace_m_s) == (45.0, ("art", "food"), 1.1)


def test_what_the_draft_states_wins_over_the_saved_preferences() -> None:
    draft = RouteDraft(start=HELSINKI, duration_minutes=90, themes=["nature"], pace_m_s=1.5)
    spec = effective_spec(draft, SAVED)
    assert (spec.duration_minutes, spec.themes, spec.pace_m_s) == (90.0, ("nature",), 1.5)


def test_an_empty_theme_list_is_a_choice_not_an_omission() -> None:
    spec = effective_spec(RouteDraft(start=HELSINKI, themes=[]), SAVED)
    assert spec.themes == ()


def test_without_a_duration_anywhere_the_request_names_the_missing_field() -> None:
    with pytest.raises(InvalidInputError) as caught:
        effective_spec(RouteDraft(start=HELSINKI, themes=["art"]), SYSTEM_DEFAULTS)
    assert caught.value.field == "duration_minutes"


def test_the_system_defaults_are_no_themes_no_duration_and_the_default_pace() -> None:
    assert Preferences((), None, DEFAULT_PACE_M_S) == SYSTEM_DEFAULTS
    spec = effective_spec(RouteDraft(start=HELSINKI, duration_minutes=30), SYSTEM_DEFAULTS)
    assert spec == RouteSpec.build(start=HELSINKI, duration_minutes=30)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"themes": ["gold"]}, "themes"),
        ({"duration_minutes": 0.5}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
        ({"duration_minutes": float("nan")}, "duration_minutes"),
        ({"pace_m_s": 0.2}, "pace"),
        ({"pace_m_s": float("inf")}, "pace"),
    ],
)
def test_preferences_use_the_ranges_of_a_route_request(changes: dict, field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Preferences.build(**changes)
    assert caught.value.field == field


def test_themes_are_kept_sorted_and_unique() -> None:
    assert Preferences.build(themes=["nature", "art", "nature"]).themes == ("art", "nature")
    with pytest.raises(InvalidInputError):
        Preferences(themes=("nature", "art"))


# -- reading and replacing -------------------------------------------------------------


def test_a_user_who_never_saved_reads_the_system_defaults(world: World) -> None:
    view = UserPreferences(InMemoryPreferenceStore(), world.clock).get(ADA)
    assert (view.preferences, view.updated_at) == (SYSTEM_DEFAULTS, None)


def test_saved_preferences_are_the_users_own(world: World) -> None:
    preferences = UserPreferences(InMemoryPreferenceStore(), world.clock)
    # When Ada saves hers
    saved = preferences.put(ADA, SAVED)
    # Then she reads them back, stamped with the time, and Bob still has the defaults
    assert preferences.get(ADA) == saved
    assert (saved.preferences, saved.updated_at) == (SAVED, world.clock.now())
    assert preferences.get(BOB).preferences == SYSTEM_DEFAULTS


# -- submitting a draft ----------------------------------------------------------------


def test_a_request_that_omits_its_preferences_uses_the_saved_ones(world: World) -> None:
    store = InMemoryPreferenceStore()
    UserPreferences(store, world.clock).put(ADA, SAVED)
    # When Ada asks for a tour giving only where she is
    submission = _submit(world, store)(ADA, RouteDraft(start=HELSINKI))
    # Then the stored request and the job carry her saved preferences
    record = world.store.get(submission.request_id)
    assert record is not None
    expected = RouteSpec.build(
        start=HELSINKI, duration_minutes=45, preferences=["art", "food"], pace_m_s=1.1
    )
    assert record.spec == expected
    assert world.queue.jobs[-1].spec == expected


def test_the_idempotency_key_compares_effective_requests(world: World) -> None:
    store = InMemoryPreferenceStore()
    UserPreferences(store, world.clock).put(ADA, SAVED)
    submit = _submit(world, store)
    # Given a request that omits everything, sent with a key
    first = submit(ADA, RouteDraft(start=HELSINKI), idempotency_key="walk-1")
    # When the same effective request is sent again spelled out in full
    spelled = RouteDraft(start=HELSINKI, duration_minutes=45, themes=["food", "art"], pace_m_s=1.1)
    again = submit(ADA, spelled, idempotency_key="walk-1")
    # Then it is a replay of the first (same payload hash), not a conflict
    assert again.is_replay
    assert again.request_id == first.request_id
    assert len(world.queue.jobs) == 1


def test_the_cache_key_is_that_of_the_effective_request(world: World) -> None:
    store = InMemoryPreferenceStore()
    UserPreferences(store, world.clock).put(ADA, SAVED)
    submit = _submit(world, store)
    omitted = submit(ADA, RouteDraft(start=HELSINKI))
    spelled = submit(
        ADA, RouteDraft(start=HELSINKI, duration_minutes=45, themes=["art", "food"], pace_m_s=1.1)
    )
    specs = [world.store.get(s.request_id).spec for s in (omitted, spelled)]  # type: ignore[union-attr]
    assert specs[0].cache_key("v1", now=NOON) == specs[1].cache_key("v1", now=NOON)


def test_a_complete_request_never_reads_the_preferences(world: World) -> None:
    store = InMemoryPreferenceStore()
    draft = RouteDraft(start=HELSINKI, duration_minutes=30, themes=[], pace_m_s=1.3)
    _submit(world, store)(ADA, draft)
    assert store.reads == 0


def test_a_missing_duration_with_none_saved_is_refused_and_nothing_is_stored(
    world: World,
) -> None:

    store = InMemoryPreferenceStore()
    UserPreferences(store, world.clock).put(ADA, Preferences.build(themes=["art"]))
    with pytest.raises(InvalidInputError) as caught:
        _submit(world, store)(ADA, RouteDraft(start=HELSINKI))
    assert caught.value.field == "duration_minutes"
    assert not world.store.rows
    assert not world.queue.jobs


def test_one_users_preferences_never_fill_another_users_request(world: World) -> None:
    store = InMemoryPreferenceStore()
    UserPreferences(store, world.clock).put(ADA, SAVED)
    submission = _submit(world, store)(BOB, RouteDraft(start=HELSINKI, duration_minutes=20))
    record = world.store.get(submission.request_id)
    assert record is not None
    assert (record.spec.themes, record.spec.pace_m_s) == ((), DEFAULT_PACE_M_S)
