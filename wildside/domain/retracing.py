"""How much of a walk retraces itself: metres on streets already walked, as a share of the walk."""

from __future__ import annotations

from collections.abc import Hashable, Iterable


def retrace_share(streets: Iterable[tuple[Hashable, float]]) -> float:
    """The share of the walked street metres that walk a street a second (or later) time.

    ``streets`` is the walk as ``(street id, metres)`` in any order, a
    street's id the same in both directions. Every walk of a street after its
    first counts, whichever way it goes, so an out-and-back to a stop at a
    dead end retraces half of its metres. The straight lines from a point to
    its street (the snap) are not streets and count on neither side. A walk
    of no metres retraces nothing.

    Examples
    --------
    >>> retrace_share([(1, 100.0), (1, 100.0)])  # out and back
    0.5
    >>> retrace_share([(1, 100.0), (2, 100.0), (3, 100.0)])  # a loop
    0.0
    >>> retrace_share([(1, 300.0), (2, 100.0), (1, 300.0), (1, 300.0)])
    0.6
    >>> retrace_share([])
    0.0
    """
    seen: set[Hashable] = set()
    walked = retraced = 0.0
    for street, metres in streets:
        walked += metres
        if street in seen:
            retraced += metres
        else:
            seen.add(street)
    return retraced / walked if walked > 0.0 else 0.0
