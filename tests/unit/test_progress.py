"""Progress bars appear on terminals only."""

from __future__ import annotations

import io

from adapters.inbound.cli.progress import TqdmProgress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_is_drawn_on_a_terminal_and_removed_at_close() -> None:
    stream = _Terminal()
    progress = TqdmProgress(stream)
    progress.phase("reading")
    progress.advance(1234)
    progress.close()
    assert "reading" in stream.getvalue()
    assert stream.getvalue().endswith("\r")  # the bar is cleared, not left behind


def test_nothing_is_written_when_not_a_terminal() -> None:
    stream = io.StringIO()
    progress = TqdmProgress(stream)
    progress.phase("reading")
    progress.advance(10)
    progress.close()
    assert stream.getvalue() == ""
