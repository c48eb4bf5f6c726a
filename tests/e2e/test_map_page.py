"""End to end in a browser: the map page plans a tour with real API and worker processes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.live_service import LiveService
from tests.e2e.map_page import PHONE, MapPage, chromium, needs_chromium, user_token

pytestmark = [pytest.mark.slow, needs_chromium]

HELSINKI = (60.1712, 24.9441)
DOCS_SCREENSHOT = Path(__file__).parents[2] / "docs" / "map-page.png"
# Set to 1 to refresh the screenshot docs/ shows; tests never write to the tree otherwise.
UPDATE_DOCS_SCREENSHOT = "WILDSIDE_UPDATE_DOCS_SCREENSHOT"


def test_a_person_plans_a_tour_on_the_map_page(live: LiveService, tmp_path: Path) -> None:
    with chromium() as driver:
        page = MapPage(driver, live.base_url)
        page.open()
        assert page.sign_in_with_token(user_token(live, "map-page")) == "Signed in as map-page."
        page.set_start(*HELSINKI)
        page.request_tour(30, ["history", "art"])
        page.wait_for_tour()
        stops, markers, line = page.stops(), page.markers(), page.route_line()
        places = page.places_shown()
        screenshots = [tmp_path / "map-page.png"]
        if os.environ.get(UPDATE_DOCS_SCREENSHOT) == "1":
            screenshots.append(DOCS_SCREENSHOT)
        page.screenshot(*screenshots)
        errors = page.console_errors()  # CSP violations would be here
    assert stops, "the list of stops is empty"
    assert all(stop.strip() for stop in stops)
    assert markers == [str(number) for number in range(1, len(stops) + 1)]
    assert len(line) >= 2
    assert all(24.8 < lng < 25.1 and 60.1 < lat < 60.3 for lng, lat in line)
    assert places > 0
    assert errors == []
    assert (tmp_path / "map-page.png").read_bytes().startswith(b"\x89PNG")


def test_on_a_phone_the_map_is_on_top_and_the_form_below(live: LiveService, tmp_path: Path) -> None:
    with chromium() as driver:
        driver.set_window_size(*PHONE)
        page = MapPage(driver, live.base_url)
        page.open()
        viewport = driver.execute_script("return document.documentElement.clientWidth")
        map_box = driver.find_element("id", "map").rect
        form_box = driver.find_element("id", "tour-form").rect
        page.click_map_centre()  # a tap sets the start
        start = page.text("start-label")
        page.screenshot(tmp_path / "map-page-phone.png")
        errors = page.console_errors()
    assert viewport <= PHONE[0]
    assert map_box["width"] == pytest.approx(viewport, abs=1)
    assert map_box["height"] > 200
    assert form_box["y"] >= map_box["y"] + map_box["height"]
    assert form_box["x"] + form_box["width"] <= viewport + 1
    assert start.startswith("Start: 60.")
    assert errors == []
