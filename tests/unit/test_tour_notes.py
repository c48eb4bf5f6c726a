"""Why a tour is thin: the sentences, and their way through the stored route result."""

from __future__ import annotations

import dataclasses

import msgspec

from adapters.outbound.route_result_codec import decode_route_result, encode_route_result
from tests.support.route_results import sample_route_result
from wildside.domain.tour_notes import CandidateFacts, thin_tour_notes


def _facts(**changes: object) -> CandidateFacts:
    base = CandidateFacts(
        stops=0,
        found=20,
        too_long=0,
        off_piece=0,
        off_street=0,
        considered=20,
        start_piece_size=3138,
        budget_s=600.0,
        max_start_snap_m=400.0,
        max_poi_snap_m=150.0,
        quickest_visit_s=720.0,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_a_tour_of_two_stops_or_more_has_no_notes() -> None:
    assert thin_tour_notes(_facts(stops=2)) == ()


def test_nothing_found_says_so() -> None:
    notes = thin_tour_notes(_facts(found=0, considered=0, quickest_visit_s=None))
    assert notes == (
        "The tour has no stops.",
        "No places of interest lie within the 10-minute budget's walk of the start"
        " in the loaded map data.",
    )


def test_every_reason_is_counted_in_the_walkers_terms() -> None:
    # Given places set aside for each reason, and one left that takes too long
    facts = _facts(too_long=5, off_piece=3, off_street=1, considered=11)
    # When the notes are written
    notes = thin_tour_notes(facts)
    # Then each reason is there with its count, and the quickest visit's minutes
    assert notes == (
        "The tour has no stops.",
        "3 of the 20 places within reach stand by paths that no street joins to the start's"
        " (islands, piers or unconnected paths), so no walk from the start can reach them.",
        "1 of the 20 places within reach stands more than 150 m from any street the start"
        " can walk to.",
        "5 of the 20 places found take longer to visit than the whole 10-minute budget.",
        "The quickest of the 11 places left takes 12 minutes to walk to, visit and walk on"
        " from, more than the 10-minute budget.",
    )


def test_places_no_walk_reaches_within_the_budget() -> None:
    notes = thin_tour_notes(_facts(considered=4, quickest_visit_s=None))
    assert (
        notes[-1]
        == "None of the 4 places left can be walked to and from within the 10-minute budget."
    )


def test_a_one_stop_tour() -> None:
    notes = thin_tour_notes(_facts(stops=1))
    assert notes == (
        "The tour has only one stop.",
        "No second place of the 20 within reach fits in the 10-minute budget with its walk;"
        " more time finds more.",
    )


def test_notes_are_stored_and_read_back() -> None:
    result = dataclasses.replace(sample_route_result(), notes=("The tour has only one stop.",))
    assert decode_route_result(encode_route_result(result)) == result


def test_a_shape_one_result_stored_before_notes_existed_reads_with_none() -> None:
    # Given a version-1 result as the code before notes wrote it (no "notes" key)
    stored = msgspec.to_builtins(sample_route_result())
    del stored["notes"]
    assert stored["version"] == 1
    # When it is read, Then it is the same result, with no notes
    assert decode_route_result(msgspec.json.encode(stored)) == sample_route_result()
    assert decode_route_result(stored).notes == ()
