"""GeoJSON, GPX and text renderings of a tour, and the route command's input checks."""

from __future__ import annotations

import dataclasses
import io
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from adapters.inbound.cli.app import run
from adapters.inbound.cli.tour_formats import to_geojson, to_gpx, to_text
from tests.unit.test_cli import FakeRuntime
from wildside.domain.geo import GeoPoint
from wildside.domain.opening import SkippedPlace, StopOpening
from wildside.domain.route_spec import RouteSpec
from wildside.domain.tour import Diagnostics, Tour, TourLeg, TourStop

START = GeoPoint(60.1699, 24.9384)
TOUR = Tour(
    start=START,
    end=START,
    stops=[
        TourStop(
            "node/1",
            "Ateneum",
            60.1703,
            24.9441,
            ("art",),
            0.9,
            300.0,
            1800.0,
            "A museum; matches your interest in art.",
        ),
    ],
    legs=[
        TourLeg(400.0, 307.7, [(24.9384, 60.1699), (24.9420, 60.1700), (24.9441, 60.1703)]),
        TourLeg(410.0, 315.4, [(24.9441, 60.1703), (24.9384, 60.1699)]),
    ],
    budget_s=3600.0,
    seed=7,
    data_version="import-3",
    diagnostics=Diagnostics(50, 40, 0.01, 0.02, 0.1, 0.14, 900),
    themes=("art",),
)


def test_geojson_has_the_path_then_ordered_stops_and_attribution() -> None:
    collection = json.loads(to_geojson(TOUR))
    path, stop = collection["features"]
    assert path["geometry"]["type"] == "LineString"
    assert path["geometry"]["coordinates"][0] == [24.9384, 60.1699]
    assert path["geometry"]["coordinates"][-1] == [24.9384, 60.1699]
    assert len(path["geometry"]["coordinates"]) == 4  # the shared point is not repeated
    assert stop["properties"]["order"] == 1
    assert stop["properties"]["name"] == "Ateneum"
    assert collection["distance_m"] == 810.0
    assert collection["used_s"] == pytest.approx(307.7 + 315.4 + 1800.0)
    assert "OpenStreetMap contributors" in collection["attribution"]
    assert collection["data_version"] == "import-3"
    assert collection["seed"] == 7


def test_gpx_is_valid_xml_with_waypoints_and_a_track() -> None:
    root = ET.fromstring(to_gpx(TOUR))
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    assert root.get("version") == "1.1"
    assert [w.findtext("g:name", namespaces=ns) for w in root.findall("g:wpt", ns)] == ["Ateneum"]
    assert len(root.findall("g:trk/g:trkseg/g:trkpt", ns)) == 4


def test_text_lists_stops_and_totals() -> None:
    text = to_text(TOUR)
    assert "Ateneum" in text
    assert "0:05" in text  # arrival after about five minutes
    assert "walk 0.81 km" in text
    assert "OpenStreetMap" in text


class RouteRuntime(FakeRuntime):
    requests: list[RouteSpec]

    def plan_tour(self, request: RouteSpec) -> Tour:
        self.requests = [*getattr(self, "requests", []), request]
        return TOUR


def test_text_and_summary_say_why_an_empty_tour_is_empty() -> None:
    # Given an empty tour that carries its reasons
    notes = ("The tour has no stops.", "The one place found takes longer to visit than ...")
    empty = dataclasses.replace(TOUR, stops=[], legs=TOUR.legs[:1], notes=notes)
    # When it is printed, Then the reasons replace the generic line
    text = to_text(empty)
    assert "    The tour has no stops.\n" in text
    assert "no stop fits the time budget" not in text
    assert json.loads(to_geojson(empty))["notes"] == list(notes)


def test_text_and_summary_say_when_the_walk_starts_and_what_was_closed() -> None:
    # Given a tour starting at 19:00 whose museum was closed, and a stop of known hours
    stop = dataclasses.replace(TOUR.stops[0], opening=StopOpening("open", "Mo-Su 10:00-20:00"))
    closed = SkippedPlace("way/9", "Kiasma", 60.172, 24.936, 0.95, "Tu-Su 10:00-18:00")
    evening = datetime(2026, 12, 8, 19, 0, tzinfo=timezone(timedelta(hours=2)))
    tour = dataclasses.replace(TOUR, stops=[stop], start_time=evening, skipped=(closed,))
    # Then the text names the closed place, and the GeoJSON carries all of it
    assert "    closed then: Kiasma\n" in to_text(tour)
    collection = json.loads(to_geojson(tour))
    assert collection["start_time"] == "2026-12-08T19:00:00+02:00"
    assert collection["skipped"] == [
        {
            "id": "way/9",
            "name": "Kiasma",
            "lat": 60.172,
            "lng": 24.936,
            "score": 0.95,
            "opening_hours": "Tu-Su 10:00-18:00",
        }
    ]
    assert collection["features"][1]["properties"]["opening"] == {
        "state": "open",
        "hours": "Mo-Su 10:00-20:00",
    }


def _route(*args: str) -> tuple[int, str, str, RouteRuntime]:
    runtime = RouteRuntime()
    out, err = io.StringIO(), io.StringIO()
    code = run(["route", *args], lambda: runtime, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue(), runtime


def test_route_command_builds_the_request_and_prints_geojson() -> None:
    code, out, _, runtime = _route(
        "--lat",
        "60.17",
        "--lng",
        "24.94",
        "--minutes",
        "90",
        "--themes",
        "history, nature",
        "--seed",
        "3",
    )
    assert code == 0
    assert json.loads(out)["type"] == "FeatureCollection"
    (request,) = runtime.requests
    assert request.themes == ("history", "nature")
    assert (request.seed, request.end, request.duration_minutes) == (3, None, 90.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lat", "91", "--lng", "24.9", "--minutes", "60"], "latitude must be within"),
        (["--lat", "60", "--lng", "24.9", "--minutes", "0"], "duration must be at least 1"),
        (["--lat", "60", "--lng", "24.9", "--minutes", "100000"], "at most 480"),
        (["--lat", "60", "--lng", "24.9", "--minutes", "60", "--end-lat", "60"], "both --end"),
        (["--lat", "60", "--lng", "24.9", "--minutes", "60", "--pace", "9"], "pace must be"),
        (
            ["--lat", "60", "--lng", "24.9", "--minutes", "60", "--start-time", "10:00"],
            "start_time",
        ),
        (
            ["--lat", "60", "--lng", "24.9", "--minutes", "60", "--start-time", "2026-12-08T10:00"],
            "needs a UTC offset",
        ),
    ],
)
def test_bad_route_input_is_a_one_line_error(args: list[str], message: str) -> None:
    code, out, err, _ = _route(*args)
    assert (code, out) == (1, "")
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_route_command_takes_a_start_time_with_its_offset() -> None:
    code, _, _, runtime = _route(
        "--lat", "60.17", "--lng", "24.94", "--minutes", "90",
        "--start-time", "2026-12-08T10:00+02:00",
    )  # fmt: skip
    assert code == 0
    (request,) = runtime.requests
    assert request.start_time is not None
    assert request.start_time.isoformat() == "2026-12-08T10:00:00+02:00"


def test_non_numbers_are_usage_errors() -> None:
    assert _route("--lat", "nan", "--lng", "24.9", "--minutes", "60")[0] == 2
    assert _route("--lat", "north", "--lng", "24.9", "--minutes", "60")[0] == 2


ALTERNATIVE = dataclasses.replace(
    TOUR, seed=8, stops=[dataclasses.replace(TOUR.stops[0], key="way/9", name="Kiasma", score=0.7)]
)
WITH_ONE = dataclasses.replace(TOUR, alternatives=(ALTERNATIVE,))


def test_alternatives_follow_the_route_in_every_format() -> None:
    # GeoJSON: the route's features unmarked, then the alternative's, marked 1
    features = json.loads(to_geojson(WITH_ONE))["features"]
    assert [f["properties"].get("alternative") for f in features] == [None, None, 1, 1]
    assert features[3]["properties"]["id"] == "way/9"
    # GPX: one track each
    tracks = [e for e in ET.fromstring(to_gpx(WITH_ONE)).iter() if e.tag.endswith("trk")]
    names = [child.text for track in tracks for child in track if child.tag.endswith("name")]
    assert names == ["Walk", "Alternative 1"]
    # Text: a heading and the alternative's stops after the route's table
    text = to_text(WITH_ONE)
    assert "alternative 1: score 0.70, seed 8" in text
    assert text.index("Ateneum") < text.index("Kiasma")
    # And a tour without alternatives renders exactly as before
    assert to_geojson(TOUR) == to_geojson(dataclasses.replace(TOUR, alternatives=()))
    assert "alternative" not in to_text(TOUR)
