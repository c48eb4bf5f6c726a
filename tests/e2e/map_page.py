"""Drive the map page in headless Chromium (Selenium): the browser tests' and steps' helpers."""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.composition.service import accounts, open_resources
from adapters.inbound.http.web import STATIC_DIR, bundle_installed
from adapters.settings import load_settings
from tests.e2e.live_service import LiveService

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
TOUR_TIMEOUT_S = 120.0
DESKTOP = (1280, 860)
PHONE = (390, 844)  # a phone's CSS pixels
_EXPECTED_401 = re.compile(r"/api/v1/me - Failed to load resource: .* 401")

# Only a machine without Debian's chromium and chromium-driver skips (CI installs
# them with scripts/setup.sh --with-test-tools); a missing npm bundle fails, loudly.
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="headless Chromium absent: apt-get install chromium chromium-driver "
    "(scripts/setup.sh --with-test-tools does)",
)


def user_token(live: LiveService, name: str, password: str | None = None) -> str:
    """A new user's bearer token (and password, if given), as ``wildside users create``."""
    settings = load_settings(
        {"WILDSIDE_DATABASE_URL": live.database_url, "WILDSIDE_REDIS_URL": live.redis_url}
    )
    with open_resources(settings, pool_size=1) as resources:
        return accounts(resources).create_user(name, password).secret


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium with a software WebGL (MapLibre draws with WebGL)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert bundle_installed(STATIC_DIR), "MapLibre is not in the static files: run scripts/setup.sh"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI and these machines run as root
        "--disable-dev-shm-usage",
        "--use-angle=swiftshader",  # WebGL without a GPU
        "--enable-unsafe-swiftshader",
        "--disable-extensions",
        f"--window-size={DESKTOP[0]},{DESKTOP[1]}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        driver.set_script_timeout(TOUR_TIMEOUT_S)
        yield driver
    finally:
        driver.quit()


class MapPage:
    """The page as a person uses it, through the hooks it exposes as ``window.wildside``."""

    def __init__(self, driver: Any, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    def open(self) -> None:
        """Load ``/`` and wait until the map's style is loaded."""
        self.driver.get(f"{self.base_url}/")
        self._wait(lambda: self.driver.execute_script("return !!window.wildside"), "the page")
        # The page first asks whether a session cookie signs it in; let that answer land.
        self._wait(lambda: self.text("who") != "", "the first sign-in check")
        self.driver.execute_async_script(
            "const done = arguments[0]; window.wildside.ready.then(() => done(true))"
        )

    def sign_in_with_token(self, token: str) -> str:
        """Paste the token as a person would and press the button; the page's answer."""
        self.driver.find_element("id", "token").send_keys(token)
        self.driver.find_element("css selector", "#token-form button").click()
        self._wait(lambda: self.text("who") not in ("", "Checking…"), "the sign-in answer")
        return self.text("who")

    def sign_in_with_password(self, username: str, password: str) -> str:
        """Fill in the sign-in form (the API sets the session cookie); the page's answer."""
        self.driver.find_element("id", "username").send_keys(username)
        self.driver.find_element("id", "password").send_keys(password)
        self.driver.find_element("css selector", "#login-form button").click()
        self._wait(lambda: self.text("who") not in ("", "Checking…"), "the sign-in answer")
        return self.text("who")

    def set_start(self, lat: float, lng: float) -> None:
        """Set the start (what a click on the map does)."""
        self.driver.execute_async_script(
            "const done = arguments[2];"
            "window.wildside.setStart(arguments[0], arguments[1]).then(() => done(true))",
            lat,
            lng,
        )

    def click_map_centre(self) -> None:
        """Tap the map near its middle, where no place is drawn (a place opens its card)."""
        from selenium.webdriver.common.action_chains import ActionChains

        offset = self.driver.execute_script(
            """const map = window.wildside.map, box = map.getCanvas().getBoundingClientRect();
            for (let d = 0; d < 200; d += 7) {
              const point = [box.width / 2 + d, box.height / 2 + d];
              if (!map.queryRenderedFeatures(point, { layers: ["pois"] }).length) {
                return [Math.round(d), Math.round(d)];
              }
            }
            return [0, 0];"""
        )
        canvas = self.driver.find_element("css selector", "#map canvas")
        ActionChains(self.driver).move_to_element_with_offset(canvas, *offset).click().perform()

    def wait_for_tiles(self) -> dict[str, int]:
        """Until the map has drawn walking edges and places from the vector tiles; their counts.

        The page counts what is on screen whenever the map is idle (``data-walk-edges``,
        ``data-pois`` on ``#map``), from ``map.queryRenderedFeatures``.
        """

        def counts() -> dict[str, int]:
            data = self.driver.execute_script(
                "const d = document.getElementById('map').dataset;"
                "return {walk: Number(d.walkEdges || 0), pois: Number(d.pois || 0)}"
            )
            return {"walk_edges": int(data["walk"]), "pois": int(data["pois"])}

        self._wait(lambda: all(counts().values()), "the walking network and places")
        return counts()

    def rendered(self, layer: str) -> int:
        """Features of one style layer drawn on screen now (``map.queryRenderedFeatures``)."""
        return int(self.driver.execute_script(f"return window.wildside.renderedCount({layer!r})"))

    def request_tour(self, minutes: int, themes: list[str], *, tours: int = 1) -> None:
        """Fill in the form (``tours``: how many to choose from) and press "Plan the tour"."""
        from selenium.webdriver.support.select import Select

        Select(self.driver.find_element("id", "alternatives")).select_by_value(str(tours))
        field = self.driver.find_element("id", "minutes")
        field.clear()
        field.send_keys(str(minutes))
        for theme in themes:
            self.driver.find_element("css selector", f"#themes input[value='{theme}']").click()
        self.driver.find_element("id", "plan").click()

    def wait_for_tour(self) -> None:
        """Until the page shows a tour, or says why not."""
        self._wait(
            lambda: (
                self.driver.execute_script("return window.wildside.state.route !== null")
                or "error"
                in (self.driver.find_element("id", "status").get_attribute("class") or "")
            ),
            "the tour",
            timeout_s=TOUR_TIMEOUT_S,
        )
        assert self.driver.execute_script("return window.wildside.state.route !== null"), (
            f"no tour: {self.text('status')}"
        )

    def stops(self) -> list[str]:
        """The texts of the list of stops, in order."""
        items = self.driver.find_elements("css selector", "#stops li")
        return [str(item.text) for item in items]

    def markers(self) -> list[str]:
        """The numbers on the stop markers drawn on the map."""
        return [str(m.text) for m in self.driver.find_elements("css selector", ".stop-marker")]

    def route_line(self) -> list[list[float]]:
        """The coordinates of the line the map draws for the tour (read from its source)."""
        data = self.driver.execute_async_script(
            "window.wildside.map.getSource('route').getData().then(arguments[0])"
        )
        return list(data["geometry"]["coordinates"])

    def faint_lines(self) -> list[list[list[float]]]:
        """The coordinates of each other tour drawn faint (the alternatives source)."""
        data = self.driver.execute_async_script(
            "window.wildside.map.getSource('alternatives').getData().then(arguments[0])"
        )
        return [list(f["geometry"]["coordinates"]) for f in data["features"]]

    def tour_choices(self) -> list[tuple[str, bool]]:
        """The tours to choose from: each button's text and whether it is the one shown."""
        buttons = self.driver.find_elements("css selector", "#tours .tour-choice")
        return [(str(b.text), b.get_attribute("aria-pressed") == "true") for b in buttons]

    def choose_tour(self, number: int) -> None:
        """Press the ``number``-th tour of the list (1: the best)."""
        buttons = self.driver.find_elements("css selector", "#tours .tour-choice")
        self.driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center'})", buttons[number - 1]
        )
        buttons[number - 1].click()

    def text(self, element_id: str) -> str:
        """The visible text of one element."""
        return str(self.driver.find_element("id", element_id).text)

    def console_errors(self) -> list[str]:
        """Errors in the browser console (CSP violations included).

        The page's first question, ``GET /api/v1/me`` without a credential, is
        answered 401 by design (is there a session cookie?): that one is left out.
        """
        return [
            str(entry["message"])
            for entry in self.driver.get_log("browser")
            if entry["level"] == "SEVERE" and not _EXPECTED_401.search(str(entry["message"]))
        ]

    def screenshot(self, *paths: Path) -> None:
        """Save the window as PNG at each path."""
        png = self.driver.get_screenshot_as_png()
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png)

    def _wait(self, ready: Any, what: str, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if ready():
                return
            time.sleep(0.2)
        raise AssertionError(f"{what} did not appear in {timeout_s} s: {self.text('status')!r}")
