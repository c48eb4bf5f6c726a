"""``Progress`` drawn as a tqdm bar on a terminal, and silent elsewhere."""

from __future__ import annotations

import sys
from typing import NoReturn, TextIO

from tqdm import tqdm

from wildside.ports.progress import Progress


class TqdmProgress(Progress):
    """One bar per phase on ``stream`` (stderr), only when it is a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._is_enabled = self._stream.isatty()
        self._bar: tqdm[NoReturn] | None = None

    def phase(self, name: str, total: int | None = None) -> None:
        """Close the previous bar and open one for ``name``."""
        self.close()
        if self._is_enabled:
            self._bar = tqdm(
                desc=name, total=total, unit=" records", file=self._stream, leave=False
            )

    def advance(self, units: int) -> None:
        """Move the bar on."""
        if self._bar is not None:
            self._bar.update(units)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
