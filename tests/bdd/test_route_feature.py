"""Steps for features/route.feature: the real `wildside route` command on ingested Helsinki."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from adapters.composition import build_ingest
from adapters.settings import load_settings
from wildside.ports.progress import SilentProgress

scenarios("route.feature")

WILDSIDE = str(Path(sys.executable).parent / "wildside")


@pytest.fixture
def answers() -> list[subprocess.CompletedProcess[str]]:
    return []


@given("the Helsinki extract is loaded", target_fixture="url")
def _loaded(migrated_database_url: str, helsinki_pbf: Path) -> str:
    settings = load_settings({"WILDSIDE_DATABASE_URL": migrated_database_url})
    build_ingest(settings, SilentProgress())(helsinki_pbf)
    return migrated_database_url


def _route(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WILDSIDE, "route", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "WILDSIDE_DATABASE_URL": url},
    )


@when(
    parsers.parse(
        'I ask for a {minutes} minute tour from {lat}, {lng} about "{themes}" with seed {seed:d}'
    )
)
def _ask_seeded(
    url: str, minutes: str, lat: str, lng: str, themes: str, seed: int, answers: list[Any]
) -> None:
    answers.append(
        _route(
            url,
            "--lat",
            lat,
            "--lng",
            lng,
            "--minutes",
            minutes,
            "--themes",
            themes,
            "--seed",
            str(seed),
        )
    )


@when(parsers.parse('I ask for a {minutes} minute tour from {lat}, {lng} about "{themes}"'))
def _ask(url: str, minutes: str, lat: str, lng: str, themes: str, answers: list[Any]) -> None:
    answers.append(
        _route(url, "--lat", lat, "--lng", lng, "--minutes", minutes, "--themes", themes)
    )


@when(
    parsers.parse(
        "I ask for a {minutes} minute tour from {lat}, {lng} ending at {end_lat}, {end_lng}"
    )
)
def _ask_to_end(
    url: str, minutes: str, lat: str, lng: str, end_lat: str, end_lng: str, answers: list[Any]
) -> None:
    answers.append(
        _route(
            url,
            *("--lat", lat, "--lng", lng, "--minutes", minutes),
            *("--end-lat", end_lat, "--end-lng", end_lng),
        )
    )


@when("I ask for it again")
def _again(url: str, answers: list[Any]) -> None:
    answers.append(_route(url, *answers[-1].args[2:]))


def _tour(answers: list[Any]) -> dict[str, Any]:
    answer = answers[-1]
    assert answer.returncode == 0, answer.stderr
    return json.loads(answer.stdout)  # type: ignore[no-any-return]


@then(parsers.parse("I get a GeoJSON tour with at least {count:d} stops"))
def _stops(answers: list[Any], count: int) -> None:
    tour = _tour(answers)
    assert tour["type"] == "FeatureCollection"
    assert sum(f["properties"]["kind"] == "stop" for f in tour["features"]) >= count


@then(parsers.parse("the tour starts and ends at {lat:g}, {lng:g}"))
def _ends(answers: list[Any], lat: float, lng: float) -> None:
    path = _tour(answers)["features"][0]["geometry"]["coordinates"]
    assert path[0] == [lng, lat]
    assert path[-1] == [lng, lat]


@then(parsers.parse("walking plus time at the stops fits in {minutes:d} minutes"))
def _fits(answers: list[Any], minutes: int) -> None:
    tour = _tour(answers)
    assert tour["walking_s"] + tour["dwell_s"] <= minutes * 60 + 1e-6
    assert tour["budget_s"] == minutes * 60


@then("every stop says why it was chosen")
def _reasons(answers: list[Any]) -> None:
    stops = [f for f in _tour(answers)["features"] if f["properties"]["kind"] == "stop"]
    assert all(len(stop["properties"]["reason"]) > 5 for stop in stops)


@then("the tour credits OpenStreetMap contributors")
def _credit(answers: list[Any]) -> None:
    assert "OpenStreetMap contributors" in _tour(answers)["attribution"]


@then("both answers list the same stops in the same order")
def _same(answers: list[Any]) -> None:
    first, second = (json.loads(a.stdout) for a in answers[-2:])
    assert [f["properties"].get("id") for f in first["features"]] == [
        f["properties"].get("id") for f in second["features"]
    ]


@then(parsers.parse('the command fails saying "{message}"'))
def _fails(answers: list[Any], message: str) -> None:
    answer = answers[-1]
    assert answer.returncode == 1
    assert answer.stdout == ""
    assert message in answer.stderr
    assert len(answer.stderr.strip().splitlines()) == 1
