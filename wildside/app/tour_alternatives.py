"""Several distinct tours for one request: re-solve with other seeds, avoiding stops used."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from wildside.domain.alternatives import is_distinct, stops_to_avoid
from wildside.domain.route_spec import MAX_EXCLUDED, MAX_SEED, RouteSpec
from wildside.domain.tour import Tour


def with_alternatives(
    best: Tour,
    request: RouteSpec,
    solve: Callable[[RouteSpec], Tour],
    *,
    max_shared: float,
    attempts_each: int,
) -> Tour:
    """``best`` and up to ``request.alternatives - 1`` distinct others, best first.

    Each further tour is solved with its own seed and without the stops
    ``stops_to_avoid`` names; it is kept only when it shares at most
    ``max_shared`` of its stops with every tour kept. After ``attempts_each``
    tries per missing tour the search stops, and the notes say why fewer came.
    The best-scoring tour becomes the main one (ties keep the first solve).
    """
    kept = [best]
    attempts = tries = 0  # all solves (each its own seed); those for the tour sought now
    budget = attempts_each * (request.alternatives - 1)
    while len(kept) < request.alternatives and attempts < budget:
        seed = (request.seed + attempts + 1) % (MAX_SEED + 1)
        avoid = stops_to_avoid(kept, max_shared, attempt=tries)
        excluded = sorted(set(request.exclude) | set(avoid))[:MAX_EXCLUDED]
        attempts, tries = attempts + 1, tries + 1
        spec = replace(request, seed=seed, exclude=tuple(excluded), alternatives=1)
        candidate = solve(spec)
        if is_distinct(candidate, kept, max_shared):
            kept.append(candidate)
            tries = 0
    ranked = sorted(kept, key=lambda t: -t.score)
    missing: tuple[str, ...] = ()
    if len(kept) < request.alternatives:
        missing = (
            f"only {len(kept) - 1} of {request.alternatives - 1} alternatives found: no other"
            f" tour shared at most {max_shared:.0%} of its stops with the others",
        )
    main = ranked[0]
    return replace(main, notes=(*main.notes, *missing), alternatives=tuple(ranked[1:]))
