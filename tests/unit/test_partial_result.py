"""A partial tour's flag: from the engine's solution to the stored result, and older results."""

from __future__ import annotations

import dataclasses

import msgspec

from adapters.outbound.route_result_codec import decode_route_result, encode_route_result
from tests.support.route_results import legacy_document, sample_route_result
from wildside.domain.geo import GeoPoint
from wildside.domain.route_result import route_result
from wildside.domain.tour import Diagnostics, Tour


def test_a_partial_tour_gives_a_partial_result() -> None:
    here = GeoPoint(60.17, 24.94)
    diagnostics = Diagnostics(3, 2, 0.0, 0.0, 0.0, 0.0, 12, is_partial=True)
    tour = Tour(here, here, [], [], 600.0, 7, "v1", diagnostics)
    assert route_result(tour).diagnostics.partial is True
    complete = dataclasses.replace(tour, diagnostics=Diagnostics(3, 2, 0.0, 0.0, 0.0, 0.0, 12))
    assert route_result(complete).diagnostics.partial is False


def test_the_flag_is_stored_and_read_back() -> None:
    result = sample_route_result()
    partial = dataclasses.replace(
        result, diagnostics=dataclasses.replace(result.diagnostics, partial=True)
    )
    assert decode_route_result(encode_route_result(partial)) == partial
    assert msgspec.json.decode(encode_route_result(partial))["diagnostics"]["partial"] is True


def test_results_stored_before_the_flag_existed_read_as_complete() -> None:
    # Given a version-1 result as the code before "partial" wrote it, and an untyped legacy one
    stored = msgspec.to_builtins(sample_route_result())
    del stored["diagnostics"]["partial"]
    assert stored["version"] == 1
    # Then both read, as complete tours
    assert decode_route_result(stored).diagnostics.partial is False
    assert decode_route_result(legacy_document(sample_route_result())).diagnostics.partial is False
