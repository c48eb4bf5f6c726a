"""End to end in a browser: the map page plans a tour with real API and worker processes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.live_service import LiveService
from tests.e2e.map_page import PHONE, MapPage, chromium, needs_chromium, user_token

pytestmark = [pytest.mark.slow, needs_chromium]

HELSINKI = (60.1712, 24.9441)
DOCS_SCREENSHOT = Path(__file__).parents[2] / "docs" / "map-page.png"
# Set to 1 to refresh the screenshot docs/ shows; tests never write to the tree otherwise.
UPDATE_DOCS_SCREENSHOT = "WILDSIDE_UPDATE_DOCS_SCREENSHOT"


def _in_helsinki(line: list[list[float]]) -> bool:
    return all(24.8 < lng < 25.1 and 60.1 < lat < 60.3 for lng, lat in line)


def test_a_person_plans_a_tour_on_the_map_page(live: LiveService, tmp_path: Path) -> None:
    with chromium() as driver:
        page = MapPage(driver, live.base_url)
        page.open()
        # Given the walking network and the places drawn from the server's vector tiles
        drawn = page.wait_for_tiles()
        assert page.sign_in_with_token(user_token(live, "map-page")) == "Signed in as map-page."
        page.set_start(*HELSINKI)
        page.request_tour(30, ["history", "art"])
        page.wait_for_tour()
        stops, markers, line = page.stops(), page.markers(), page.route_line()
        choices = page.tour_choices()
        network_after = page.rendered("walk-edges")
        page.screenshot(tmp_path / "map-page.png")
        errors = page.console_errors()  # CSP violations and failed tile requests would be here
    assert drawn["walk_edges"] > 100  # central Helsinki's streets, not a stray edge
    assert drawn["pois"] > 10
    assert network_after > 0  # still drawn around the tour, zoomed to it
    assert stops, "the list of stops is empty"
    assert all(stop.strip() for stop in stops)
    assert markers == [str(number) for number in range(1, len(stops) + 1)]
    assert len(line) >= 2
    assert _in_helsinki(line)
    assert choices == []  # one tour asked for: nothing to choose between
    assert errors == []
    assert (tmp_path / "map-page.png").read_bytes().startswith(b"\x89PNG")


def test_a_tour_with_alternatives_lists_them_and_switching_redraws(
    live: LiveService, tmp_path: Path
) -> None:
    with chromium() as driver:
        page = MapPage(driver, live.base_url)
        page.open()
        page.wait_for_tiles()
        page.sign_in_with_token(user_token(live, "map-alternatives"))
        page.set_start(*HELSINKI)
        # When a person asks for two tours to choose from
        page.request_tour(45, ["history", "art"], tours=2)
        page.wait_for_tour()
        route: dict[str, Any] = driver.execute_script("return window.wildside.state.route")
        first_stops, first_line, first_faint = page.stops(), page.route_line(), page.faint_lines()
        choices = page.tour_choices()
        # And switches to the second
        page.choose_tour(2)
        second_stops, second_line, second_faint = (
            page.stops(),
            page.route_line(),
            page.faint_lines(),
        )
        after = page.tour_choices()
        markers = page.markers()
        # The list of tours and the first stops beside the map, for the picture
        driver.execute_script("document.getElementById('tours-box').scrollIntoView()")
        screenshots = [tmp_path / "map-page-alternatives.png"]
        if os.environ.get(UPDATE_DOCS_SCREENSHOT) == "1":
            screenshots.append(DOCS_SCREENSHOT)
        page.screenshot(*screenshots)
        errors = page.console_errors()
    (other,) = route["alternatives"]
    # Then both tours are listed, the best first and shown, the other drawn faint
    assert [pressed for _, pressed in choices] == [True, False]
    assert choices[0][0].startswith(f"Best tour: {len(route['stops'])} stops")
    assert choices[1][0].startswith(f"Tour 2: {len(other['stops'])} stops")
    assert [stop.splitlines()[0] for stop in first_stops] == [
        s["name"] or s["id"] for s in route["stops"]
    ]
    assert first_line == route["path"]["coordinates"]
    assert first_faint == [other["path"]["coordinates"]]
    # And after the switch the second is the one drawn in full, with its own stops and numbers
    assert [pressed for _, pressed in after] == [False, True]
    assert [stop.splitlines()[0] for stop in second_stops] == [
        s["name"] or s["id"] for s in other["stops"]
    ]
    assert second_line == other["path"]["coordinates"]
    assert second_faint == [route["path"]["coordinates"]]
    assert markers == [str(n) for n in range(1, len(other["stops"]) + 1)]
    assert second_stops != first_stops
    assert all(stop.count("\n") == 2 for stop in second_stops)  # name, reason, when
    assert errors == []


def test_opening_state_and_skipped_places_are_shown_when_a_result_has_them(
    live: LiveService,
) -> None:
    with chromium() as driver:
        page = MapPage(driver, live.base_url)
        page.open()
        page.sign_in_with_token(user_token(live, "map-opening"))
        page.set_start(*HELSINKI)
        page.request_tour(30, ["food"])
        page.wait_for_tour()
        # Given the result as a release with opening hours reads it: per-stop state (a
        # string, or an object), and the places left out because they were closed
        shown = driver.execute_script(
            """const w = window.wildside, route = structuredClone(w.state.route);
            route.stops.forEach((stop, i) => {
              stop.opening = i === 0 ? "open" : { state: "unknown", hours: "Mo-Fr 10:00-18:00" };
            });
            route.skipped = [
              { id: "node/1", name: "Closed Café", lat: 60.17, lng: 24.95,
                reason: "closed at 09:12" },
              "Shut Museum",
            ];
            w.showRoute(route);
            return [...document.querySelectorAll("#skipped li")].map((li) => li.textContent);"""
        )
        stops = page.stops()
        skipped_drawn = driver.execute_async_script(
            "window.wildside.map.getSource('skipped').getData().then(arguments[0])"
        )
        errors = page.console_errors()
    assert stops[0].splitlines()[2].endswith("· open when you arrive")
    assert all(
        stop.splitlines()[2].endswith("· opening hours unknown (Mo-Fr 10:00-18:00)")
        for stop in stops[1:]
    )
    assert shown == ["Closed Café: closed at 09:12", "Shut Museum"]
    assert len(skipped_drawn["features"]) == 1
    assert errors == []


def test_on_a_phone_the_map_stays_on_top_and_the_tours_fit(
    live: LiveService, tmp_path: Path
) -> None:
    with chromium() as driver:
        driver.set_window_size(*PHONE)
        page = MapPage(driver, live.base_url)
        page.open()
        viewport = driver.execute_script("return document.documentElement.clientWidth")
        map_box = driver.find_element("id", "map").rect
        form_box = driver.find_element("id", "tour-form").rect
        drawn = page.wait_for_tiles()
        page.click_map_centre()  # a tap sets the start
        start = page.text("start-label")
        page.sign_in_with_token(user_token(live, "map-phone"))
        page.request_tour(30, ["history"], tours=2)
        page.wait_for_tour()
        page.choose_tour(2)  # scrolls the list under the map, which stays in view
        map_after = driver.find_element("id", "map").rect
        scroll = driver.execute_script("return window.scrollY")
        choice = driver.find_element("css selector", "#tours .tour-choice").rect
        widest = driver.execute_script("return document.documentElement.scrollWidth")
        page.screenshot(tmp_path / "map-page-phone.png")
        errors = page.console_errors()
    assert viewport <= PHONE[0]
    assert map_box["width"] == pytest.approx(viewport, abs=1)
    assert map_box["height"] > 200
    assert form_box["y"] >= map_box["y"] + map_box["height"]
    assert form_box["x"] + form_box["width"] <= viewport + 1
    assert drawn["walk_edges"] > 0
    assert start.startswith("Start: 60.")
    assert scroll > 0
    assert map_after["y"] == pytest.approx(scroll, abs=1)  # sticky: at the top of the screen
    assert choice["width"] <= viewport
    assert choice["height"] >= 44  # a finger-sized target
    assert widest <= viewport  # nothing wider than the phone: no sideways scrolling
    assert errors == []
