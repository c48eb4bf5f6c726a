"""One behaviour suite for every ``OpeningCalendar``: the fake and opening-hours-py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.outbound.opening_hours_calendar import OpeningHoursPyOpeningCalendar
from tests.fakes.opening_calendar import FakeOpeningCalendar
from wildside.domain.geo import GeoPoint
from wildside.domain.opening import OpenWindow, PlaceOpening
from wildside.ports.opening_calendar import HoursQuery, OpeningCalendar

HELSINKI = GeoPoint(60.1699, 24.9384)
# Tuesday 8 December 2026, 09:00 in Helsinki (UTC+2 in winter).
TUESDAY_9 = datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
HOUR = 3600.0


@pytest.fixture(params=["fake", "opening-hours-py"])
def calendar(request: pytest.FixtureRequest) -> OpeningCalendar:
    if request.param == "fake":
        return FakeOpeningCalendar("Europe/Helsinki")
    return OpeningHoursPyOpeningCalendar()


def _one(calendar: OpeningCalendar, hours: str | None, horizon_s: float = 3 * HOUR) -> PlaceOpening:
    (opening,) = calendar.openings([HoursQuery(hours, HELSINKI)], TUESDAY_9, horizon_s)
    return opening


def test_daily_hours_are_seconds_after_the_start_in_local_time(calendar: OpeningCalendar) -> None:
    # Given a place open 10:00-18:00 and a walk from 09:00 local time for three hours
    opening = _one(calendar, "10:00-18:00")
    # Then it opens an hour in, and stays open past the end of the walk
    assert opening == PlaceOpening("10:00-18:00", (OpenWindow(HOUR, 3 * HOUR),))
    assert opening.state(HOUR, 600.0) == "open"
    assert opening.state(0.0, 600.0) == "closed"


def test_a_span_across_midnight_is_open_on_both_sides(calendar: OpeningCalendar) -> None:
    # Given a bar open 18:00-02:00 and a walk from 09:00 for eighteen hours (to 03:00)
    opening = _one(calendar, "18:00-02:00", horizon_s=18 * HOUR)
    # Then it is open from 18:00 to 02:00
    assert opening.windows == (OpenWindow(9 * HOUR, 17 * HOUR),)


def test_always_open_and_always_closed(calendar: OpeningCalendar) -> None:
    assert _one(calendar, "24/7").windows == (OpenWindow(0.0, 3 * HOUR),)
    assert _one(calendar, "off").windows == ()
    assert _one(calendar, "off").has_room(60.0, 3 * HOUR) is False


def test_missing_or_unreadable_hours_are_unknown_and_count_as_open(
    calendar: OpeningCalendar,
) -> None:
    # Given a place with no hours and one whose hours nobody can read
    missing, unreadable = (_one(calendar, hours) for hours in (None, "whenever we feel like it"))
    # Then both count as open, say unknown, and keep what was tagged
    assert missing == PlaceOpening(None)
    assert unreadable == PlaceOpening("whenever we feel like it")
    assert unreadable.state(0.0, HOUR) == "unknown"


def test_answers_follow_the_order_of_the_places(calendar: OpeningCalendar) -> None:
    hours = ["off", None, "24/7", "10:00-11:00"]
    answers = calendar.openings([HoursQuery(h, HELSINKI) for h in hours], TUESDAY_9, HOUR * 3)
    assert [a.hours for a in answers] == hours


def test_the_local_time_is_the_places_clock(calendar: OpeningCalendar) -> None:
    local = calendar.local_time(HELSINKI, TUESDAY_9)
    assert local == TUESDAY_9
    assert local.utcoffset() == timedelta(hours=2)
    assert local.hour == 9


# The real adapter reads the whole language; the fake needs none of this.


def test_public_holidays_of_the_places_country_are_known() -> None:
    # Given Christmas Day (a Friday) in Helsinki, and a place closed on public holidays
    christmas_noon = datetime(2026, 12, 25, 10, 0, tzinfo=UTC)
    (opening,) = OpeningHoursPyOpeningCalendar().openings(
        [HoursQuery("Mo-Su 09:00-18:00; PH off", HELSINKI)], christmas_noon, 3 * HOUR
    )
    # Then it is closed all that day
    assert opening.windows == ()


def test_weekdays_and_an_unknown_rule_are_read() -> None:
    # Given a place open on weekdays, "unknown" on Saturdays, from Friday 17:00 for a day
    friday_5pm = datetime(2026, 12, 11, 15, 0, tzinfo=UTC)
    (opening,) = OpeningHoursPyOpeningCalendar().openings(
        [HoursQuery("Mo-Fr 09:00-18:00; Sa 10:00-14:00 unknown", HELSINKI)], friday_5pm, 24 * HOUR
    )
    # Then Friday's last hour is open, and Saturday's span counts as open but unknown
    assert opening.windows == (OpenWindow(0.0, HOUR), OpenWindow(17 * HOUR, 21 * HOUR, False))
    assert opening.state(17 * HOUR, 600.0) == "unknown"


def test_the_time_zone_comes_from_the_coordinates() -> None:
    tokyo = GeoPoint(35.68, 139.69)
    local = OpeningHoursPyOpeningCalendar().local_time(tokyo, TUESDAY_9)
    assert (local.hour, local.utcoffset()) == (16, timedelta(hours=9))
    # And a Tokyo shop open 10:00-20:00 is open at 16:00 there
    (opening,) = OpeningHoursPyOpeningCalendar().openings(
        [HoursQuery("10:00-20:00", tokyo)], TUESDAY_9, HOUR
    )
    assert opening.windows == (OpenWindow(0.0, HOUR),)


def test_the_adapter_warms_up_once_at_boot() -> None:
    calendar = OpeningHoursPyOpeningCalendar()
    calendar.warm_up()
    calendar.warm_up()  # harmless again
    assert calendar.local_time(HELSINKI, TUESDAY_9).hour == 9
