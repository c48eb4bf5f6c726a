"""Predictable ``IdGenerator``, ``SecretSource`` and ``Jitter`` for tests."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field

from wildside.ports.id_generator import IdGenerator
from wildside.ports.jitter import Jitter
from wildside.ports.secret_source import SecretSource


@dataclass
class SequentialIds(IdGenerator):
    """UUIDs 00000000-0000-4000-8000-000000000001, ...02, ... in order."""

    issued: int = 0

    def new_id(self) -> str:
        """The next UUID of the sequence."""
        self.issued += 1
        return str(uuid.UUID(int=(0x4000 << 64) | (0x8000 << 48) | self.issued))


@dataclass
class CountingSecrets(SecretSource):
    """Deterministic "random" bytes: SHA-256 of a counter, as many as asked."""

    calls: int = 0

    def token_bytes(self, count: int) -> bytes:
        """Bytes derived from the call number."""
        self.calls += 1
        out = b""
        block = 0
        while len(out) < count:
            out += hashlib.sha256(f"{self.calls}:{block}".encode()).digest()
            block += 1
        return out[:count]


@dataclass
class FixedJitter(Jitter):
    """Returns the point ``fraction`` of the way from low to high (0.5: the middle)."""

    fraction: float = 0.5
    asked: list[tuple[float, float]] = field(default_factory=list)

    def uniform(self, low: float, high: float) -> float:
        """``low + fraction * (high - low)``."""
        self.asked.append((low, high))
        return low + self.fraction * (high - low)
