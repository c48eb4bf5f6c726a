"""Saved routes: save a succeeded request once, list newest first, read, delete, stay private."""

from __future__ import annotations

import pytest

from tests.fakes.product_analytics import RecordingProductAnalytics
from tests.fakes.saved_route_store import InMemorySavedRouteStore
from tests.unit.service.conftest import ADA, BOB, HELSINKI, World
from wildside.app.get_route import GetRoute
from wildside.app.saved_routes import SavedRoutes
from wildside.domain.errors import InvalidInputError, NotFoundError
from wildside.domain.route_spec import RouteSpec
from wildside.domain.saved_routes import MAX_TITLE_CHARS, RouteNotSucceededError, clean_title
from wildside.ports.product_analytics import USER_SAVED_ROUTE, anonymous_id

SPEC = RouteSpec.build(start=HELSINKI, duration_minutes=90, preferences=["history"])


class Saving:
    """A world with saved routes over fakes, and a way to make succeeded requests."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.store = InMemorySavedRouteStore()
        self.analytics = RecordingProductAnalytics()
        self.saved = SavedRoutes(
            get_route=GetRoute(world.store),
            store=self.store,
            clock=world.clock,
            ids=world.ids,
            analytics=self.analytics,
        )

    def queued(self, user: object = ADA, spec: RouteSpec = SPEC) -> str:
        return self.world.submit_route()(user, spec).request_id

    def succeeded(self, user: object = ADA, spec: RouteSpec = SPEC) -> str:
        request_id = self.queued(user, spec)
        self.world.generate_route()(self.world.queue.jobs[-1])
        return request_id


@pytest.fixture
def s(world: World) -> Saving:
    return Saving(world)


def test_a_succeeded_route_is_copied_with_its_request_and_title(s: Saving) -> None:
    request_id = s.succeeded()
    # When Ada saves it with a title
    outcome = s.saved.save(ADA, request_id, "  Sunday\t walk ")
    # Then the copy holds the request, the cleaned title, the whole route and the time
    assert outcome.is_new
    route = s.saved.get(ADA, outcome.saved.saved_id)
    record = s.world.store.get(request_id)
    assert record is not None
    assert route.result == record.result
    assert route.summary.spec == SPEC
    assert route.summary.title == "Sunday walk"
    assert route.summary.request_id == request_id
    assert route.summary.created_at == s.world.clock.now()
    assert (route.summary.stop_count, route.summary.distance_m) == (2, 2340)


def test_saving_twice_returns_the_first_copy(s: Saving) -> None:
    request_id = s.succeeded()
    first = s.saved.save(ADA, request_id, "first")
    s.world.clock.advance(60)
    # When the same request is saved again, with another title
    again = s.saved.save(ADA, request_id, "second")
    # Then nothing new is made: same id, first title, first time; one event only
    assert not again.is_new
    assert again.saved == first.saved
    assert len(s.store.routes) == 1
    assert s.analytics.names() == [USER_SAVED_ROUTE]


def test_the_saved_event_is_pseudonymous_and_carries_no_title(s: Saving) -> None:
    s.saved.save(ADA, s.succeeded(), "my secret garden")
    [(event, user_id, properties)] = s.analytics.events
    assert (event, user_id) == ("UserSavedRoute", ADA.id)  # the adapter pseudonymises
    assert properties == {"stops": 2, "distance_m": 2340, "themes": ["history"], "has_title": True}
    assert anonymous_id(ADA.id) != ADA.id


@pytest.mark.parametrize("status", ["queued", "running", "failed"])
def test_a_request_that_has_not_succeeded_cannot_be_saved(s: Saving, status: str) -> None:
    request_id = s.queued()
    if status == "running":
        s.world.store.begin_attempt(request_id, s.world.clock.now())
    elif status == "failed":
        s.world.planner.error = InvalidInputError("no street near the start")
        s.world.generate_route()(s.world.queue.jobs[-1])
    with pytest.raises(RouteNotSucceededError) as caught:
        s.saved.save(ADA, request_id)
    assert caught.value.request_id == request_id
    assert status in caught.value.message
    assert not s.store.routes


@pytest.mark.parametrize("request_id", ["not-a-uuid", "00000000-0000-4000-8000-00000000ffff"])
def test_an_unknown_request_is_not_found(s: Saving, request_id: str) -> None:
    with pytest.raises(NotFoundError):
        s.saved.save(ADA, request_id)


def test_another_users_request_and_saved_route_are_not_found(s: Saving) -> None:
    request_id = s.succeeded(ADA)
    saved_id = s.saved.save(ADA, request_id).saved.saved_id
    # Bob can neither save Ada's request, nor read or delete her copy
    with pytest.raises(NotFoundError):
        s.saved.save(BOB, request_id)
    with pytest.raises(NotFoundError):
        s.saved.get(BOB, saved_id)
    with pytest.raises(NotFoundError):
        s.saved.delete(BOB, saved_id)
    assert s.saved.page(BOB, None, 10).items == []
    # And Ada's copy is still there
    assert s.saved.get(ADA, saved_id).summary.saved_id == saved_id


def test_delete_is_idempotent(s: Saving) -> None:
    saved_id = s.saved.save(ADA, s.succeeded()).saved.saved_id
    s.saved.delete(ADA, saved_id)
    s.saved.delete(ADA, saved_id)  # already gone: no error
    with pytest.raises(NotFoundError):
        s.saved.get(ADA, saved_id)


def test_pages_run_newest_first_without_gaps_or_repeats(s: Saving) -> None:
    # Given five saved routes, two of them saved at the same instant
    saved_ids = []
    for minute in range(5):
        if minute != 3:  # the fourth shares the third's time: ties are broken by id
            s.world.clock.advance(60)
        spec = RouteSpec.build(start=HELSINKI, duration_minutes=30 + minute)
        saved_ids.append(s.saved.save(ADA, s.succeeded(ADA, spec)).saved.saved_id)
    # When Ada reads them two at a time
    seen: list[str] = []
    page = s.saved.page(ADA, None, 2)
    pages = 1
    while True:
        seen.extend(item.saved_id for item in page.items)
        if page.next is None:
            break
        page = s.saved.page(ADA, page.next, 2)
        pages += 1
    # Then she sees each once, newest first, in three pages
    expected = sorted(
        saved_ids,
        key=lambda i: (s.store.routes[i].summary.created_at, i),
        reverse=True,
    )
    assert seen == expected
    assert pages == 3


def test_the_last_full_page_says_there_is_no_next(s: Saving) -> None:
    for minutes in (30, 40):
        s.world.clock.advance(1)
        spec = RouteSpec.build(start=HELSINKI, duration_minutes=minutes)
        s.saved.save(ADA, s.succeeded(ADA, spec))
    page = s.saved.page(ADA, None, 2)
    assert len(page.items) == 2
    assert page.next is None


def test_titles_are_cleaned_and_bounded() -> None:
    assert clean_title("a\u202eb\u0000c\u200bd") == "a b c d"  # bidi override, NUL, zero width
    assert clean_title("\ud800 x") == "x"  # a lone surrogate cannot be stored
    assert clean_title("Cafe\u0301") == "Café"  # NFC
    assert clean_title("\t\n") is None
    assert clean_title("x" * MAX_TITLE_CHARS) == "x" * MAX_TITLE_CHARS
    with pytest.raises(InvalidInputError) as caught:
        clean_title("x" * (MAX_TITLE_CHARS + 1))
    assert caught.value.field == "title"
