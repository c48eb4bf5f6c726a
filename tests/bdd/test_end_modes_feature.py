"""Steps for features/end_modes.feature: `wildside route --end-anywhere` on ingested Helsinki."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.bdd.test_route_feature import _loaded, _route

scenarios("end_modes.feature")


@given("the Helsinki extract is loaded", target_fixture="url")
def _helsinki(migrated_database_url: str, helsinki_pbf: Path) -> str:
    return _loaded(migrated_database_url, helsinki_pbf)


@pytest.fixture
def tours() -> dict[str, dict[str, Any]]:
    return {}


def _ask(url: str, args: list[str]) -> dict[str, Any]:
    answer = _route(url, *args)
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)  # type: ignore[no-any-return]


@when(
    parsers.parse('I ask for a {minutes} minute round trip from {lat}, {lng} about "{themes}"'),
    target_fixture="asked",
)
def _round_trip(
    url: str, minutes: str, lat: str, lng: str, themes: str, tours: dict[str, Any]
) -> list[str]:
    args = ["--lat", lat, "--lng", lng, "--minutes", minutes, "--themes", themes]
    tours["round trip"] = _ask(url, args)
    return args


@when("I ask for the same tour ending anywhere")
def _anywhere(url: str, asked: list[str], tours: dict[str, Any]) -> None:
    tours["anywhere"] = _ask(url, [*asked, "--end-anywhere"])


def _stops(tour: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in tour["features"] if f["properties"]["kind"] == "stop"]


def _score(tour: dict[str, Any]) -> float:
    return sum(float(stop["properties"]["score"]) for stop in _stops(tour))


@then("the tour that ends anywhere collects at least as much as the round trip")
def _collects(tours: dict[str, Any]) -> None:
    assert _score(tours["anywhere"]) >= _score(tours["round trip"]) - 1e-9
    assert len(_stops(tours["anywhere"])) >= len(_stops(tours["round trip"]))


@then("it visits more places, and spends more of its time at them")
def _more(tours: dict[str, Any]) -> None:
    anywhere, loop = tours["anywhere"], tours["round trip"]
    assert len(_stops(anywhere)) > len(_stops(loop))
    assert anywhere["dwell_s"] > loop["dwell_s"]


@then("it ends at its last stop, not at the start")
def _ends_at_last_stop(tours: dict[str, Any]) -> None:
    tour = tours["anywhere"]
    path = tour["features"][0]["geometry"]["coordinates"]
    assert path[-1] == _stops(tour)[-1]["geometry"]["coordinates"]
    assert path[-1] != path[0]
    # Every walk leads to a stop: no leg back to the start
    assert len(tour["features"][0]["properties"]["legs"]) == len(_stops(tour))


@then(parsers.parse("walking plus time at the stops fits in {minutes:d} minutes"))
def _fits(tours: dict[str, Any], minutes: int) -> None:
    tour = tours["anywhere"]
    assert tour["walking_s"] + tour["dwell_s"] <= minutes * 60 + 1e-6
    assert tour["budget_s"] == minutes * 60
