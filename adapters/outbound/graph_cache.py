"""An in-process LRU cache bounded by bytes, shared by a worker's threads (tiles, networks)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from concurrent.futures import Future
from typing import TypeVar, cast

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# What a flight's waiters receive for a key its loader did not return.
_ABSENT = object()


class GraphCache:
    """Least recently used entries go first once the bytes held would pass ``max_bytes``.

    Each entry declares its size when stored; an entry larger than the whole
    budget is not kept. Every method takes one lock, held only for dictionary
    work (never while loading), so threads share the cache safely.

    ``get_or_load`` and ``get_or_load_many`` load each missing key once
    however many threads miss it together (single flight): the first thread
    loads, the others wait for its result, and a loader's exception reaches
    every waiter with nothing cached.

    Examples
    --------
    >>> cache = GraphCache(max_bytes=10)
    >>> cache.put("a", "A", 6)
    >>> cache.put("b", "B", 6)  # evicts "a"
    >>> cache.get("a"), cache.get("b"), cache.nbytes
    (None, 'B', 6)
    >>> cache.get_or_load("c", lambda: ("C", 3)), cache.get_or_load("c", lambda: ("X", 3))
    ('C', 'C')
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._flights: dict[Hashable, Future[object]] = {}
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        # Misses served by another thread's load of the same key.
        self.shared_loads = 0

    @property
    def nbytes(self) -> int:
        """Bytes held now (never more than ``max_bytes``)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> object | None:
        """The entry, marked as just used, or ``None``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, value: object, nbytes: int) -> None:
        """Keep ``value`` (``nbytes`` large), evicting the least recently used as needed."""
        with self._lock:
            self._put(key, value, nbytes)

    def discard(self, key: Hashable) -> None:
        """Forget ``key`` if held."""
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]

    def get_or_load(self, key: Hashable, loader: Callable[[], tuple[V, int]]) -> V:
        """The entry for ``key``; on a miss, ``loader()`` gives ``(value, nbytes)``, run once.

        Threads missing ``key`` while it loads wait for that load and share its
        value (or its exception); the value is cached as ``put`` would.
        """

        def load_one(keys: list[Hashable]) -> dict[Hashable, tuple[V, int]]:
            return {key: loader()}

        return self.get_or_load_many([key], load_one)[key]

    def get_or_load_many(
        self,
        keys: Sequence[K],
        loader: Callable[[list[K]], Mapping[K, tuple[V, int]]],
    ) -> dict[K, V]:
        """The entries for ``keys``; the missing ones are loaded together, each once.

        ``loader`` gets the keys this thread must load (none of them cached or
        being loaded by another thread) and returns ``(value, nbytes)`` for
        each it found; a key it leaves out is absent from the result, for
        every thread that waited on it, and nothing is cached for it. Keys
        another thread is loading are waited for. If ``loader`` raises, the
        exception reaches this thread and every waiter, and nothing is cached.
        """
        found: dict[K, V] = {}
        owned: dict[K, Future[object]] = {}
        waiting: dict[K, Future[object]] = {}
        with self._lock:
            for key in dict.fromkeys(keys):
                entry = self._entries.get(key)
                if entry is not None:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    found[key] = cast(V, entry[0])
                elif key in self._flights:
                    self.shared_loads += 1
                    waiting[key] = self._flights[key]
                else:
                    self.misses += 1
                    owned[key] = self._flights[key] = Future()
        if owned:
            self._load(owned, loader, found)
        for key, flight in waiting.items():
            value = flight.result()  # re-raises the loading thread's exception
            if value is not _ABSENT:
                found[key] = cast(V, value)
        return found

    def _load(
        self,
        owned: dict[K, Future[object]],
        loader: Callable[[list[K]], Mapping[K, tuple[V, int]]],
        found: dict[K, V],
    ) -> None:
        try:
            loaded = loader(list(owned))
        except BaseException as exc:  # KeyboardInterrupt too: no waiter may hang
            with self._lock:
                for key in owned:
                    del self._flights[key]
            for flight in owned.values():
                flight.set_exception(exc)
            raise
        with self._lock:
            for key in owned:
                del self._flights[key]
                if key in loaded:
                    value, nbytes = loaded[key]
                    self._put(key, value, nbytes)
        for key, flight in owned.items():
            if key in loaded:
                found[key] = loaded[key][0]
                flight.set_result(loaded[key][0])
            else:
                flight.set_result(_ABSENT)

    def _put(self, key: Hashable, value: object, nbytes: int) -> None:
        # Caller holds the lock.
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        if nbytes > self.max_bytes:
            return
        while self._entries and self._bytes + nbytes > self.max_bytes:
            _, (_, freed) = self._entries.popitem(last=False)
            self._bytes -= freed
        self._entries[key] = (value, nbytes)
        self._bytes += nbytes
