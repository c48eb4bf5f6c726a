"""The graph cache never holds more bytes than its budget, whatever the traffic and threads."""

from __future__ import annotations

import random
import threading

from hypothesis import given
from hypothesis import strategies as st

from adapters.outbound.graph_cache import GraphCache


@given(
    budget=st.integers(1, 5_000),
    steps=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 3_000)), max_size=300),
)
def test_held_bytes_stay_within_the_budget_and_match_the_entries(
    budget: int, steps: list[tuple[int, int]]
) -> None:
    cache = GraphCache(budget)
    sizes: dict[int, int] = {}
    for key, size in steps:
        cache.put(key, object(), size)
        sizes[key] = size
        # Then the budget holds after every step, and the count is the entries' sum
        assert cache.nbytes <= budget
        held = [k for k in sizes if cache.get(k) is not None]
        assert cache.nbytes == sum(sizes[k] for k in held)
    # And the entry stored last is held whenever it fits alone
    if steps and steps[-1][1] <= budget:
        assert cache.get(steps[-1][0]) is not None


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = GraphCache(30)
    for key in "abc":
        cache.put(key, key.upper(), 10)
    cache.get("a")  # b is now the oldest
    cache.put("d", "D", 10)
    assert [cache.get(k) for k in "abcd"] == ["A", None, "C", "D"]


def test_thousands_of_requests_over_many_regions_from_many_threads() -> None:
    # Given a 64 MiB cache shared by eight threads, and 40 regions of tiles of
    # 0.1 to 6 MiB plus stitched networks of a few tiles each
    cache = GraphCache(64 * 1024 * 1024)
    peaks: list[int] = []
    errors: list[BaseException] = []

    def requests(seed: int) -> None:
        rng = random.Random(seed)
        try:
            for _ in range(1_000):
                region = rng.randrange(40)
                tiles = [(region, rng.randrange(6)) for _ in range(rng.randint(1, 4))]
                total = 0
                for tile in tiles:
                    size = (hash(tile) % 60 + 1) * 100 * 1024
                    if cache.get(("tile", tile)) is None:
                        cache.put(("tile", tile), b"", size)
                    total += size
                if cache.get(("network", tuple(tiles))) is None:
                    cache.put(("network", tuple(tiles)), b"", total * 2)
                peaks.append(cache.nbytes)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    # When 8 000 requests run at once
    threads = [threading.Thread(target=requests, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then no thread failed and the budget was never passed
    assert not errors
    assert len(peaks) == 8_000
    assert max(peaks) <= cache.max_bytes
    assert cache.hits > 0
    assert cache.misses > 0


def test_a_worker_gets_the_cache_size_it_is_configured_with() -> None:
    # Given a setting other than the fallback (found by the region bench: an empty
    # cache is falsy, so `cache or default` replaced the configured one with 256 MiB)
    from adapters.composition.engine import build_tour_engines
    from adapters.settings import load_settings

    settings = load_settings(
        {
            "WILDSIDE_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
            "WILDSIDE_GRAPH_CACHE_MB": "100",
        }
    )
    # When the engines are built (nothing connects yet)
    engines = build_tour_engines(settings)
    # Then the cache they share has the configured budget
    assert engines._source.cache.max_bytes == 100 * 1024 * 1024
