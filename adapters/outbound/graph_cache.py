"""An in-process LRU cache bounded by bytes, shared by a worker's threads (tiles, networks)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class GraphCache:
    """Least recently used entries go first once the bytes held would pass ``max_bytes``.

    Each entry declares its size when stored; an entry larger than the whole
    budget is not kept. Every method takes one lock, held only for dictionary
    work (never while loading), so threads share the cache safely.

    Examples
    --------
    >>> cache = GraphCache(max_bytes=10)
    >>> cache.put("a", "A", 6)
    >>> cache.put("b", "B", 6)  # evicts "a"
    >>> cache.get("a"), cache.get("b"), cache.nbytes
    (None, 'B', 6)
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

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

    def discard(self, key: Hashable) -> None:
        """Forget ``key`` if held."""
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
