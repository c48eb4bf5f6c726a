"""Every secret the drills used and every log file the live processes wrote, for the log audit."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

# How much of a long secret must not appear either: a log that cuts a token or a
# cookie short still leaks it.
PREFIX_CHARS = 24
SECRET_KINDS = ("token", "cookie", "user_id", "idempotency_key", "coordinate", "password")


@dataclass
class Ledger:
    """What the drills of one session used and produced.

    ``secrets`` maps a kind (``SECRET_KINDS``) to the exact strings used;
    ``logs`` lists the stderr files of every API and worker process with its
    role; ``killed`` the files of processes the drills SIGKILLed (their last
    line may be cut by the kill, which is not the product's fault);
    ``exits`` the exit status of every other process after its SIGTERM.
    """

    secrets: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    logs: dict[Path, str] = field(default_factory=dict)
    killed: set[Path] = field(default_factory=set)
    exits: dict[Path, int | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, value: str) -> str:
        """Remember ``value`` as a secret of ``kind``; return it (for inline use)."""
        assert kind in SECRET_KINDS, kind
        with self._lock:
            self.secrets[kind].add(value)
        return value

    def record_user_id(self, user_id: str) -> str:
        """A user's UUID, in the dashed and the bare hexadecimal spellings."""
        self.record("user_id", user_id)
        self.record("user_id", user_id.replace("-", ""))
        return user_id

    def record_coordinate(self, value: float) -> float:
        """A start coordinate as Python and JSON print it."""
        self.record("coordinate", repr(value))
        return value

    def add_log(self, path: Path, role: str) -> None:
        """A process log (``role`` is ``serve`` or ``worker``)."""
        with self._lock:
            self.logs[path] = role

    def needles(self) -> list[tuple[str, str]]:
        """``(kind, text)`` pairs no log line may contain."""
        found: set[tuple[str, str]] = set()
        with self._lock:
            for kind, values in self.secrets.items():
                for value in values:
                    found.add((kind, value))
                    if kind in ("token", "cookie") and len(value) > PREFIX_CHARS + 4:
                        # The random part, without a fixed prefix such as ``wst_``.
                        found.add((kind, value[4 : 4 + PREFIX_CHARS]))
        return sorted(found)
