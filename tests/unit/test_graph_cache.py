"""The graph cache never holds more bytes than its budget, whatever the traffic and threads."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

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


THREADS = 8
# Long enough for every thread past the barrier to miss while the first one loads.
LOAD_S = 0.3


def _run_together(call: Callable[[int], object]) -> list[object]:
    """``call(i)`` in ``THREADS`` threads released at once; each result or exception."""
    barrier = threading.Barrier(THREADS)
    results: list[object] = [None] * THREADS

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(i)
        except BaseException as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_threads_missing_the_same_key_together_load_it_once_and_share_it() -> None:
    # Given a loader that counts its calls and takes a while (as stitching does)
    cache = GraphCache(1_000)
    calls: list[int] = []

    def loader() -> tuple[object, int]:
        calls.append(1)
        time.sleep(LOAD_S)
        return object(), 10

    # When eight threads miss the same key at once
    results = _run_together(lambda _: cache.get_or_load("network", loader))
    # Then one load ran, every thread got its value, and it is cached
    assert len(calls) == 1
    assert len({id(value) for value in results}) == 1
    assert cache.get("network") is results[0]
    assert cache.shared_loads == THREADS - 1


def test_overlapping_key_sets_load_each_key_once() -> None:
    # Given threads asking for tiles {a, b}, {b, c}, {c, a} ... at once
    cache = GraphCache(1_000)
    loaded: list[str] = []
    lock = threading.Lock()

    def loader(keys: list[str]) -> dict[str, tuple[str, int]]:
        with lock:
            loaded.extend(keys)
        time.sleep(LOAD_S)
        return {key: (key.upper(), 1) for key in keys}

    names = "abcd"
    results = _run_together(
        lambda i: cache.get_or_load_many([names[i % 4], names[(i + 1) % 4]], loader)
    )
    # Then each tile was read once, and every thread got both of its tiles
    assert sorted(loaded) == list(names)
    for i, result in enumerate(results):
        first, second = names[i % 4], names[(i + 1) % 4]
        assert result == {first: first.upper(), second: second.upper()}


def test_a_failing_load_reaches_every_waiter_and_caches_nothing() -> None:
    # Given a loader that fails after a while
    cache = GraphCache(1_000)
    calls: list[int] = []
    failure = RuntimeError("the database went away")

    def loader() -> tuple[object, int]:
        calls.append(1)
        time.sleep(LOAD_S)
        raise failure

    # When eight threads miss the same key at once
    results = _run_together(lambda _: cache.get_or_load("network", loader))
    # Then it ran once and its exception reached all eight threads
    assert len(calls) == 1
    assert all(result is failure for result in results)
    # And nothing is cached: the next call loads again, and succeeds
    assert len(cache) == 0
    assert cache.nbytes == 0
    assert cache.get_or_load("network", lambda: ("fresh", 1)) == "fresh"


def test_keys_the_loader_does_not_find_are_absent_and_not_cached() -> None:
    # Given a loader that finds only some keys (a tile deleted since the version check)
    cache = GraphCache(1_000)

    def loader(keys: list[str]) -> dict[str, tuple[str, int]]:
        return {key: (key.upper(), 1) for key in keys if key != "gone"}

    # When both are asked for, Then only the found one comes back and is cached
    assert cache.get_or_load_many(["kept", "gone"], loader) == {"kept": "KEPT"}
    assert cache.get("gone") is None
    assert cache.get("kept") == "KEPT"


def test_a_value_larger_than_the_budget_is_returned_but_not_kept() -> None:
    cache = GraphCache(10)
    assert cache.get_or_load("huge", lambda: ("H", 11)) == "H"
    assert len(cache) == 0
