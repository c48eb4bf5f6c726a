"""Settings are the only home of a knob's default: no policy field or use-case argument repeats one.

Which policy fields mirror a settings knob is derived, not listed: every
builder in ``adapters/composition/policies.py`` is run on the default
settings and on settings with one knob changed at a time; a field whose value
follows a knob is settings-backed and must have no default of its own. Then
every callable of the core's use cases and the adapters that takes one of
those policies must take it without a default (no ``settings or X()``).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from adapters.composition import policies
from adapters.settings import Settings

BASE = Settings(redis_url="redis://127.0.0.1:1/0")  # the broker's builder needs a URL
KEY = bytes(64)  # the HTTP builder reads a key file unless given one

# The changed value a knob is tried with, where "double it" would not do.
_SPECIAL = {
    "overpass_endpoints": "https://a.invalid/api/interpreter,https://b.invalid/api/interpreter",
    "allowed_origins": "https://app.example.com",
    "tile_cors_origins": "https://app.example.com",
    "redis_url": "redis://127.0.0.1:2/0",
}
# Where a policy argument may be left out, and why.
_ALLOWED_DEFAULTS = {
    # None means "logins are not throttled" (the CLI never logs in); a limiter
    # without its limits is refused (test below), so no limits are invented.
    ("Accounts.__init__", "login_limits"),
}
# Scanned for callables that take a policy.
_PACKAGES = ("wildside.app", "adapters.inbound", "adapters.outbound", "adapters.composition")


def builders() -> dict[str, Callable[..., Any]]:
    """Every public function of the policies module that takes ``Settings`` first."""
    found = {}
    for name, function in inspect.getmembers(policies, inspect.isfunction):
        if name.startswith("_") or function.__module__ != policies.__name__:
            continue
        first = next(iter(inspect.signature(function, eval_str=True).parameters.values()))
        if first.annotation is Settings:
            found[name] = function
    return found


def build(builder: Callable[..., Any], settings: Settings) -> Any:
    extra = {"session_key": KEY} if "session_key" in inspect.signature(builder).parameters else {}
    return builder(settings, **extra)


def _candidates(value: object, name: str) -> list[object]:
    if name in _SPECIAL:
        return [_SPECIAL[name]]
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value * 2, value + 1, max(1, value // 2)]
    if isinstance(value, float):
        return [value * 2, value / 2, value + 1]
    if isinstance(value, str):
        return [value + "-changed"]
    return []  # paths and unset values: no policy reads them


def changed_settings() -> Iterator[tuple[str, Settings]]:
    """``BASE`` with one knob changed, for each knob that can change and stay valid."""
    values = {name: getattr(BASE, name) for name in Settings.__struct_fields__}
    for name, value in values.items():
        for candidate in _candidates(value, name):
            try:
                yield name, Settings(**{**values, name: candidate})
            except ValueError:
                continue
            break


def _differences(before: Any, after: Any, path: str, out: dict[tuple[type, str], str]) -> None:
    if not dataclasses.is_dataclass(before):
        return
    for field in dataclasses.fields(before):
        old, new = getattr(before, field.name), getattr(after, field.name)
        if old != new:
            out.setdefault((type(before), field.name), path)
            _differences(old, new, f"{path}.{field.name}", out)


def settings_backed_fields(
    found: dict[str, Callable[..., Any]],
) -> dict[tuple[type, str], str]:
    """Each (policy class, field) some knob reaches, with the builder and knob that showed it."""
    backed: dict[tuple[type, str], str] = {}
    variants = list(changed_settings())
    for name, builder in found.items():
        before = build(builder, BASE)
        for knob, settings in variants:
            _differences(
                before, build(builder, settings), f"{name}(WILDSIDE_{knob.upper()})", backed
            )
    return backed


def fields_with_defaults(backed: dict[tuple[type, str], str]) -> list[str]:
    """The settings-backed fields that still carry a default of their own."""
    offenders = []
    for (kind, name), shown_by in sorted(backed.items(), key=lambda item: str(item[0])):
        field = {f.name: f for f in dataclasses.fields(kind)}[name]
        has_default = field.default is not dataclasses.MISSING
        if has_default or field.default_factory is not dataclasses.MISSING:
            offenders.append(f"{kind.__qualname__}.{name} (follows {shown_by})")
    return offenders


def _callables() -> Iterator[tuple[str, Callable[..., Any]]]:
    for package_name in _PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, package_name + "."):
            module = importlib.import_module(info.name)
            for name, member in vars(module).items():
                if getattr(member, "__module__", None) != module.__name__:
                    continue
                if inspect.isfunction(member):
                    yield name, member
                elif inspect.isclass(member) and "__init__" in vars(member):
                    yield f"{name}.__init__", member.__init__


def defaulted_policy_arguments(policy_names: set[str]) -> list[str]:
    """Parameters typed with a settings-backed policy that still have a default."""
    offenders = []
    for qualname, function in _callables():
        for parameter in inspect.signature(function).parameters.values():
            annotation = str(parameter.annotation)
            names = {token.strip(" '\"") for token in annotation.replace("|", ",").split(",")}
            if not names & policy_names or parameter.default is inspect.Parameter.empty:
                continue
            if (qualname, parameter.name) not in _ALLOWED_DEFAULTS:
                offenders.append(f"{qualname}({parameter.name}: {annotation} = ...)")
    return offenders


@pytest.fixture(scope="module")
def backed() -> dict[tuple[type, str], str]:
    return settings_backed_fields(builders())


def test_no_settings_backed_policy_field_has_a_default(backed: dict[tuple[type, str], str]) -> None:
    # Given every policy field that follows a settings knob through the composition root
    kinds = {kind.__qualname__ for kind, _ in backed}
    # Then the derivation saw every policy it must (so the check cannot pass empty)
    assert kinds >= {
        "LeasePolicy",
        "GenerationSettings",
        "MaintenanceSettings",
        "SubmissionSettings",
        "RateLimitPolicy",
        "LoginLimits",
        "TriggerSettings",
        "EnrichmentSettings",
        "QuotaPolicy",
        "BreakerPolicy",
        "RetryPolicy",
        "WorkerOptions",
        "BrokerSettings",
        "HttpSettings",
    }
    # And none of those fields writes a default a second time
    assert fields_with_defaults(backed) == []


def test_no_use_case_or_adapter_falls_back_to_a_policy_of_its_own(
    backed: dict[tuple[type, str], str],
) -> None:
    # Given the policies that carry settings, and the values the builders return
    names = {kind.__name__ for kind, _ in backed}
    names |= {
        type(build(builder, BASE)).__name__
        for builder in builders().values()
        if dataclasses.is_dataclass(build(builder, BASE))
    }
    # Then every callable that takes one takes it without a default
    assert defaulted_policy_arguments(names) == []


def test_the_check_catches_a_default_written_again() -> None:
    # Given a policy whose settings-backed field has a default again
    @dataclasses.dataclass(frozen=True)
    class Lease:
        lease_s: float = 30.0
        max_attempts: int = 4

    def lease(settings: Settings) -> Lease:
        return Lease(lease_s=settings.route_job_lease_s)

    # Then the derivation finds the field that follows the knob, and flags its default
    backed = settings_backed_fields({"lease": lease})
    assert list(backed) == [(Lease, "lease_s")]
    assert fields_with_defaults(backed) == [
        "test_the_check_catches_a_default_written_again.<locals>.Lease.lease_s"
        " (follows lease(WILDSIDE_ROUTE_JOB_LEASE_S))"
    ]


def test_a_login_limiter_without_its_limits_is_refused() -> None:
    from tests.fakes.account_store import InMemoryAccountStore
    from tests.fakes.clock import FakeClock
    from tests.fakes.randomness import CountingSecrets
    from tests.fakes.rate_limiter import InMemoryRateLimiter
    from wildside.app.accounts import Accounts

    clock = FakeClock()
    with pytest.raises(ValueError, match="come together"):
        Accounts(
            InMemoryAccountStore(), CountingSecrets(), clock, limiter=InMemoryRateLimiter(clock)
        )
