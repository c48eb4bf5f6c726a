"""``Progress`` drawn as a tqdm bar on a terminal, or as plain lines (or nothing) elsewhere."""

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


class LineProgress(Progress):
    """One line per phase and per tenth of a counted phase, for logs (a job's stderr)."""

    def __init__(self, stream: TextIO, prefix: str) -> None:
        self._stream = stream
        self._prefix = prefix
        self._name = ""
        self._total: int | None = None
        self._done = 0
        self._tenths = 0

    def phase(self, name: str, total: int | None = None) -> None:
        """Print the phase's name (and size)."""
        self._name, self._total, self._done, self._tenths = name, total, 0, 0
        size = "" if total is None else f" ({total})"
        print(f"{self._prefix}: {name}{size}", file=self._stream, flush=True)

    def advance(self, units: int) -> None:
        """Print ``done/total`` each time another tenth of the phase is done."""
        self._done += units
        if not self._total:
            return
        tenths = min(10, self._done * 10 // self._total)
        if tenths > self._tenths:
            self._tenths = tenths
            print(
                f"{self._prefix}: {self._name} {self._done}/{self._total}",
                file=self._stream,
                flush=True,
            )

    def close(self) -> None:
        """Nothing to remove."""


def stderr_progress(stream: TextIO, prefix: str) -> Progress:
    """A bar on a terminal, lines anywhere else (so a job's log shows how far it got)."""
    return TqdmProgress(stream) if stream.isatty() else LineProgress(stream, prefix)
