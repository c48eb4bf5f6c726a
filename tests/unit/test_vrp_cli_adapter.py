"""The vrp-cli bench adapter: the exact time limit asked for (or a refusal), solver call timed."""

from __future__ import annotations

import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import vrp_cli_adapter


@pytest.mark.parametrize("seconds", [1, 2.0, 30])
def test_whole_seconds_pass_through_unchanged(seconds: float) -> None:
    assert vrp_cli_adapter.build_config(seconds)["termination"]["maxTime"] == seconds


@pytest.mark.parametrize("seconds", [0.5, 1.5, 0, -1])
def test_a_fraction_or_less_than_a_second_is_refused_not_rounded(seconds: float) -> None:
    # vrp-cli's maxTime is a usize: rounding would give it another limit than ours.
    with pytest.raises(ValueError, match="whole number of seconds"):
        vrp_cli_adapter.build_config(seconds)


class _SlowJson:
    """``json`` whose encoding and parsing take 50 ms each, to see where the clock runs."""

    def __init__(self) -> None:
        import json

        self._json = json

    def dumps(self, value: object) -> str:
        time.sleep(0.05)
        return self._json.dumps(value)

    def loads(self, text: str) -> object:
        time.sleep(0.05)
        return self._json.loads(text)


def test_only_the_solver_call_is_timed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a vrp-cli that answers at once, and JSON handling that is slow
    solution = '{"tours": [{"stops": [{"activities": [{"jobId": "p1"}]}]}]}'
    fake = types.ModuleType("vrp_cli")
    fake.solve_pragmatic = lambda problem, matrices, config: solution  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "vrp_cli", fake)
    monkeypatch.setattr(vrp_cli_adapter, "json", _SlowJson())
    cost = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 0.0]])
    # When it solves
    result = vrp_cli_adapter.solve([0.0, 5.0, 0.0], cost, 0, 0, 10.0, time_limit=1)
    # Then the route is parsed, and none of the 200 ms of encoding and parsing was counted
    assert result.route == [0, 1, 0]
    assert result.seconds < 0.04
