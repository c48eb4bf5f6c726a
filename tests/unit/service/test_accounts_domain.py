"""Accounts rules: names, passwords (scrypt) and tokens (URL-safe, hashed)."""

from __future__ import annotations

import pytest

from wildside.domain.accounts import (
    format_token,
    hash_password,
    is_token_shaped,
    token_hash,
    validate_password,
    validate_username,
    verify_password,
)
from wildside.domain.errors import InvalidInputError


@pytest.mark.parametrize("name", ["ada", "Ada.Lovelace", "x" * 64, "a_b-c"])
def test_good_usernames(name: str) -> None:
    assert validate_username(name) == name


@pytest.mark.parametrize("name", ["", "x" * 65, "ada lovelace", "ädä", "a/b"])
def test_bad_usernames(name: str) -> None:
    with pytest.raises(InvalidInputError):
        validate_username(name)


def test_passwords_need_eight_characters() -> None:
    with pytest.raises(InvalidInputError):
        validate_password("short")
    assert validate_password("long enough") == "long enough"


def test_password_hashes_are_salted_and_verify() -> None:
    one = hash_password("correct horse", b"a" * 16)
    two = hash_password("correct horse", b"b" * 16)
    assert one != two
    assert "correct" not in one
    assert verify_password("correct horse", one)
    assert verify_password("correct horse", two)
    assert not verify_password("correct horsE", one)


@pytest.mark.parametrize("garbage", ["", "scrypt$1$2", "bcrypt$x$y$z$a$b", "scrypt$x$8$1$a$b"])
def test_malformed_hashes_never_verify(garbage: str) -> None:
    assert not verify_password("anything", garbage)


def test_tokens_are_url_safe_and_shaped() -> None:
    token = format_token(bytes(range(32)))
    assert token.startswith("wst_")
    assert len(token) == 47
    assert is_token_shaped(token)
    assert all(c.isalnum() or c in "_-" for c in token)
    assert not is_token_shaped(token + "x")
    assert not is_token_shaped("Bearer " + token)
    assert len(token_hash(token)) == 32


def test_a_token_needs_exactly_32_bytes() -> None:
    with pytest.raises(ValueError, match="32"):
        format_token(b"short")


def test_a_password_must_be_unicode_text_a_hash_can_read() -> None:
    with pytest.raises(InvalidInputError, match="Unicode"):
        validate_password("long enough \ud800 but a lone surrogate")
