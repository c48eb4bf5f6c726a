"""Which ``Origin`` may open a cookie-authenticated WebSocket, and the settings behind it."""

from __future__ import annotations

import doctest

import pytest

from adapters.inbound.http import origins
from adapters.inbound.http.origins import is_allowed_origin
from adapters.settings import load_settings
from wildside.domain.errors import ConfigurationError

HOST = "wildside.example"


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("https://wildside.example", HOST),
        ("https://WildSide.Example", HOST),  # hosts compare case-insensitively
        ("http://wildside.example", HOST),  # the scheme is not compared (TLS ends at a proxy)
        ("https://wildside.example/", HOST),
        ("https://wildside.example:443", HOST),
        ("https://wildside.example", "wildside.example:443"),
        ("http://wildside.example:8000", "wildside.example:8000"),
        ("http://127.0.0.1:8000", "127.0.0.1:8000"),
        ("http://[::1]:8000", "[::1]:8000"),
        (None, HOST),  # no browser page sent it
    ],
)
def test_the_sites_own_origin_is_allowed(origin: str | None, host: str) -> None:
    assert is_allowed_origin(origin, host, ())


@pytest.mark.parametrize(
    ("origin", "host"),
    [
        ("https://evil.example", HOST),
        ("https://evil.wildside.example", HOST),  # same site, another origin
        ("https://wildside.example.evil.example", HOST),
        ("https://wildside.example:8443", HOST),
        ("http://wildside.example:8000", "wildside.example:9000"),
        ("https://user@wildside.example", HOST),
        ("https://wildside.example/path", HOST),
        ("https://wildside.example?x=1", HOST),
        ("null", HOST),
        ("", HOST),
        ("wildside.example", HOST),
        ("ftp://wildside.example", HOST),
        ("https://wildside.example:99999", HOST),
        ("https://wildside.example", None),  # no Host: nothing to be the same as
        ("https://wildside.example", "wildside.example:notaport"),
        ("https://wildside.example", "wildside.example/x"),
    ],
)
def test_other_origins_are_refused(origin: str, host: str | None) -> None:
    assert not is_allowed_origin(origin, host, ())


def test_the_allow_list_admits_exact_origins_only() -> None:
    allowed = ("https://app.example", "http://localhost:5173")
    assert is_allowed_origin("https://app.example", HOST, allowed)
    assert is_allowed_origin("https://APP.example:443", HOST, allowed)
    assert is_allowed_origin("http://localhost:5173", HOST, allowed)
    assert not is_allowed_origin("http://app.example", HOST, allowed)  # scheme counts here
    assert not is_allowed_origin("https://app.example:8443", HOST, allowed)
    assert not is_allowed_origin("https://sub.app.example", HOST, allowed)
    assert not is_allowed_origin("http://localhost:5174", HOST, allowed)


def test_the_examples_in_the_docstring_hold() -> None:
    assert doctest.testmod(origins).failed == 0


def test_the_setting_is_a_comma_separated_list_of_origins() -> None:
    settings = load_settings({"WILDSIDE_ALLOWED_ORIGINS": " https://App.example, http://x:5173 ,"})
    assert settings.origin_list() == ("https://app.example", "http://x:5173")
    assert load_settings({}).origin_list() == ()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WILDSIDE_ALLOWED_ORIGINS", "*"),
        ("WILDSIDE_ALLOWED_ORIGINS", "app.example"),
        ("WILDSIDE_ALLOWED_ORIGINS", "https://app.example/path"),
        ("WILDSIDE_ALLOWED_ORIGINS", "https://ok.example,null"),
        ("WILDSIDE_WS_AUTH_RECHECK_S", "0"),
        ("WILDSIDE_WS_AUTH_RECHECK_S", "soon"),
    ],
)
def test_bad_ws_settings_stop_start_up_naming_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_settings({variable: value})
    assert refused.value.variable == variable
