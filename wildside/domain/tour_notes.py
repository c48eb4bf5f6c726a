"""Why a tour is empty or nearly so, in the walker's words: decided from counts, not from I/O."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """What became of the places found around a request, and what the tour kept.

    ``found`` counts the places read (duplicates merged); each one either took
    longer to visit than the whole budget (``too_long``), stood by streets no
    street joins to the start's piece of the network (``off_piece``), stood
    more than the snap distance from any street of that piece (``off_street``),
    or was considered. ``quickest_visit_s`` is the shortest walk there, visit
    and walk on to the end among the considered places (``None`` when none
    was considered or none can be reached). ``closed`` counts the places left
    out because they are closed whenever the tour could be there.
    """

    stops: int
    found: int
    too_long: int
    off_piece: int
    off_street: int
    considered: int
    start_piece_size: int
    budget_s: float
    max_start_snap_m: float
    max_poi_snap_m: float
    quickest_visit_s: float | None
    closed: int = 0


def thin_tour_notes(facts: CandidateFacts) -> tuple[str, ...]:
    """Sentences saying why a tour has no stop or one; nothing for a fuller tour.

    Examples
    --------
    >>> facts = CandidateFacts(
    ...     stops=0, found=12, too_long=0, off_piece=12, off_street=0, considered=0,
    ...     start_piece_size=4, budget_s=3600.0, max_start_snap_m=400.0,
    ...     max_poi_snap_m=150.0, quickest_visit_s=None,
    ... )
    >>> notes = thin_tour_notes(facts)
    >>> notes[0]
    'The tour has no stops.'
    >>> notes[1].split(" (")[0]
    "All 12 places within reach stand by paths that no street joins to the start's"
    >>> notes[2].split(",")[0]
    'The start is on a piece of the walking network with 4 street junctions'
    """
    if facts.stops > 1:
        return ()
    budget = f"{facts.budget_s / 60:g}-minute budget"
    notes = ["The tour has no stops." if facts.stops == 0 else "The tour has only one stop."]
    if facts.found == 0:
        notes.append(
            f"No places of interest lie within the {budget}'s walk of the start"
            " in the loaded map data."
        )
    if facts.off_piece:
        notes.append(
            f"{_share(facts.off_piece, facts.found)} within reach"
            f" {_verb(facts.off_piece, 'stands', 'stand')} by paths that"
            " no street joins to the start's (islands, piers or unconnected paths),"
            " so no walk from the start can reach them."
        )
        if facts.considered == 0:
            notes.append(
                "The start is on a piece of the walking network with"
                f" {facts.start_piece_size} street junctions, and no larger piece has a street"
                f" within {facts.max_start_snap_m:.0f} m of it."
            )
    if facts.off_street:
        notes.append(
            f"{_share(facts.off_street, facts.found)} within reach"
            f" {_verb(facts.off_street, 'stands', 'stand')} more than"
            f" {facts.max_poi_snap_m:.0f} m from any street the start can walk to."
        )
    if facts.too_long:
        notes.append(
            f"{_share(facts.too_long, facts.found)} found"
            f" {_verb(facts.too_long, 'takes', 'take')} longer to visit than the"
            f" whole {budget}."
        )
    if facts.closed:
        notes.append(
            f"{_share(facts.closed, facts.found)} found {_verb(facts.closed, 'is', 'are')}"
            " closed whenever the tour could get there (the best are listed as skipped)."
        )
    if facts.considered and facts.quickest_visit_s is None:
        notes.append(
            f"None of the {facts.considered} places left can be walked to and from within"
            f" the {budget}."
        )
    elif facts.considered and facts.stops == 0:
        assert facts.quickest_visit_s is not None
        # One that fits the budget was kept out by a closed door (said above).
        if facts.quickest_visit_s > facts.budget_s:
            notes.append(
                f"The quickest of the {facts.considered} places left takes"
                f" {facts.quickest_visit_s / 60:.0f} minutes to walk to, visit and walk on"
                f" from, more than the {budget}."
            )
    elif facts.considered and facts.stops == 1 and not facts.closed:
        notes.append(
            f"No second place of the {facts.considered} within reach fits in the {budget}"
            " with its walk; more time finds more."
        )
    return tuple(notes)


def _share(part: int, whole: int) -> str:
    if part == whole:
        return "The one place" if whole == 1 else f"All {whole} places"
    return f"{part} of the {whole} places"


def _verb(count: int, singular: str, plural: str) -> str:
    return singular if count == 1 else plural
