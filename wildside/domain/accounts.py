"""Users, passwords and API tokens: validation and hashing (secrets are never kept in clear)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from wildside.domain.errors import InvalidInputError

TOKEN_PREFIX = "wst_"
TOKEN_BYTES = 32
SALT_BYTES = 16
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
# scrypt cost: 16 MiB and ~50 ms per check, the interactive-login setting of RFC 7914.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_USERNAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# URL-safe base64 without padding: valid in a header, a URL and a WebSocket subprotocol.
_TOKEN = re.compile(r"^wst_[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True, slots=True)
class User:
    """An account as the rest of the system sees it (no secrets)."""

    id: str
    username: str
    is_admin: bool = False


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly issued API token: ``secret`` is shown once and never stored."""

    token_id: str
    user: User
    secret: str


def is_valid_username(username: str) -> bool:
    """Whether ``username`` could name a user: 1..64 letters, digits, ``_``, ``.`` or ``-``.

    Examples
    --------
    >>> is_valid_username("ada.lovelace"), is_valid_username("ada\x00"), is_valid_username("\ud800")
    (True, False, False)
    """
    return _USERNAME.fullmatch(username) is not None


def validate_username(username: str) -> str:
    """Return ``username`` if it is 1..64 letters, digits, ``_``, ``.`` or ``-``."""
    if not is_valid_username(username):
        raise InvalidInputError(
            "a username is 1 to 64 letters, digits, '_', '.' or '-'", field="username"
        )
    return username


def validate_password(password: str) -> str:
    """Return ``password`` if its length is acceptable and it is Unicode text (UTF-8 encodable)."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInputError(
            f"a password is {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            field="password",
        )
    try:
        password.encode()
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 for the hash to read
        raise InvalidInputError("a password must be Unicode text", field="password") from None
    return password


def hash_password(password: str, salt: bytes) -> str:
    """Encode a salted scrypt hash of ``password`` as ``scrypt$n$r$p$salt$hash``."""
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return "$".join(
        ["scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest)]
    )


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded`` (constant-time comparison).

    Examples
    --------
    >>> encoded = hash_password("correct horse", b"0123456789abcdef")
    >>> verify_password("correct horse", encoded), verify_password("wrong", encoded)
    (True, False)
    """
    try:
        scheme, n, r, p, salt, expected = encoded.split("$")
        if scheme != "scrypt" or len(password) > MAX_PASSWORD_LENGTH:
            return False
        digest = hashlib.scrypt(
            password.encode(), salt=_unb64(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, _unb64(expected))


def format_token(raw: bytes) -> str:
    """Turn ``TOKEN_BYTES`` random bytes into a token string (``wst_`` + base64url)."""
    if len(raw) != TOKEN_BYTES:
        raise ValueError(f"a token needs {TOKEN_BYTES} random bytes")
    return TOKEN_PREFIX + _b64(raw)


def is_token_shaped(text: str) -> bool:
    """Whether ``text`` could be a Wildside token (cheap check before any lookup)."""
    return _TOKEN.fullmatch(text) is not None


def token_hash(token: str) -> bytes:
    """SHA-256 of the token: tokens carry 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(token.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
