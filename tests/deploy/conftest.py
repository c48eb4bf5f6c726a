"""Fixtures of the deployment tests: the chart rendered once per value set."""

from __future__ import annotations

import pytest

from tests.deploy.chart import VALUE_SETS, HelmMissingError, Rendered, helm_binary, render


@pytest.fixture(scope="session")
def helm_path() -> str:
    """The Helm binary; its absence is a failure, since scripts/setup.sh installs it."""
    try:
        return helm_binary()
    except HelmMissingError as exc:
        pytest.fail(str(exc))


@pytest.fixture(params=sorted(VALUE_SETS))
def rendered(request: pytest.FixtureRequest, helm_path: str) -> Rendered:
    """The chart under each value set (rendered once, reused by every test)."""
    return render(request.param)
