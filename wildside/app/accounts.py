"""Use cases for accounts: create users, issue and revoke tokens, authenticate, log in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from wildside.domain.accounts import (
    SALT_BYTES,
    TOKEN_BYTES,
    IssuedToken,
    User,
    format_token,
    hash_password,
    is_token_shaped,
    is_valid_username,
    token_hash,
    validate_password,
    validate_username,
    verify_password,
)
from wildside.domain.errors import AuthenticationError, NotFoundError, RateLimitedError
from wildside.domain.rate_limit import RateLimitPolicy
from wildside.ports.account_store import AccountStore
from wildside.ports.clock import Clock
from wildside.ports.product_analytics import (
    SESSION_ENDED,
    SESSION_STARTED,
    NullProductAnalytics,
    ProductAnalytics,
)
from wildside.ports.rate_limiter import RateLimiter
from wildside.ports.secret_source import SecretSource

# Checked when the user does not exist, so a wrong name costs as long as a wrong password.
_DECOY_HASH = hash_password("decoy-password", b"wildside-decoy-s")


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """Login attempts answered before ``429``; every attempt counts, a refused one does not.

    Checked in this order, so a refused attempt spends nothing further down:
    one client address over all accounts (password spraying), one account from
    one address (guessing one password), one account from all addresses
    (guessing from many). A single address spends the account's quota no
    faster than ``per_account_and_address``, so locking an owner out takes
    ``per_account / per_account_and_address`` addresses at least. All three
    come from settings (``WILDSIDE_LOGIN_LIMIT_*``); no defaults here.
    """

    per_address: RateLimitPolicy
    per_account_and_address: RateLimitPolicy
    per_account: RateLimitPolicy

    def subjects(self, username: str, address: str) -> list[tuple[str, RateLimitPolicy]]:
        """The quotas one attempt counts against, in order (names hashed: no PII in keys)."""
        account = _pseudonym(username.casefold())  # names match in any letter case
        client = _pseudonym(address)
        return [
            (f"login:address:{client}", self.per_address),
            (f"login:account-address:{account}:{client}", self.per_account_and_address),
            (f"login:account:{account}", self.per_account),
        ]


class Accounts:
    """Everything about who the caller is."""

    def __init__(
        self,
        store: AccountStore,
        secrets: SecretSource,
        clock: Clock,
        analytics: ProductAnalytics | None = None,
        *,
        limiter: RateLimiter | None = None,
        login_limits: LoginLimits | None = None,
    ) -> None:
        self._store = store
        self._secrets = secrets
        self._clock = clock
        self._analytics = analytics or NullProductAnalytics()
        # Neither: logins are not throttled (the CLI never logs in). A limiter
        # needs the limits it counts against; there is no default to fall back on.
        if (limiter is None) != (login_limits is None):
            raise ValueError("a login limiter and its login limits come together")
        self._throttle = (
            None if limiter is None or login_limits is None else (limiter, login_limits)
        )

    def create_user(
        self, username: str, password: str | None = None, *, is_admin: bool = False
    ) -> IssuedToken:
        """Create a user and issue their first API token (shown once).

        Raises ``InvalidInputError`` for a bad name or password and
        ``ConflictError`` if the name is taken.
        """
        validate_username(username)
        password_hash = None if password is None else self._hash(validate_password(password))
        user = self._store.create_user(username, password_hash, is_admin=is_admin)
        return self._issue(user, "initial")

    def issue_token(self, username: str, label: str = "") -> IssuedToken:
        """Issue another token for an existing user."""
        stored = self._store.find_user(username)
        if stored is None:
            raise NotFoundError(f"no user named {username!r}")
        return self._issue(stored.user, label)

    def revoke_token(self, token_id: str) -> None:
        """Revoke a token by id; ``NotFoundError`` if there is no such live token."""
        if not self._store.revoke_token(token_id, self._clock.now()):
            raise NotFoundError(f"no active token with id {token_id!r}")

    def set_password(self, username: str, password: str) -> None:
        """Set or replace a user's password."""
        stored = self._store.find_user(username)
        if stored is None:
            raise NotFoundError(f"no user named {username!r}")
        self._store.set_password(stored.user.id, self._hash(validate_password(password)))

    def authenticate_token(self, token: str) -> User:
        """The owner of a live token; ``AuthenticationError`` otherwise."""
        user = None
        if is_token_shaped(token):
            user = self._store.user_for_token(token_hash(token), self._clock.now())
        if user is None:
            raise AuthenticationError("the bearer token is not valid")
        return user

    def log_in(self, username: str, password: str, address: str = "unknown") -> User:
        """Check a username and password from a client ``address``; a session starts.

        Raises ``RateLimitedError`` before any password is checked once the
        attempts allowed by ``LoginLimits`` are used up (the same for unknown
        names, so a 429 says nothing about who exists), and
        ``AuthenticationError`` if they do not match.
        """
        self._throttle_login(username, address)
        # A name no user can have is not looked up (a NUL or a lone surrogate is
        # not even storable), but costs the same hash as a wrong password.
        stored = self._store.find_user(username) if is_valid_username(username) else None
        encoded = stored.password_hash if stored is not None else None
        is_match = verify_password(password, encoded or _DECOY_HASH)
        if stored is None or encoded is None or not is_match:
            raise AuthenticationError("unknown username or wrong password")
        self._analytics.capture(SESSION_STARTED, stored.user.id, {"method": "password"})
        return stored.user

    def log_out(self, user_id: str, expires_at: float) -> None:
        """A session cookie is being dropped: count the session's end if it was still live.

        Sessions are stateless, so nothing is revoked here; ``user_id`` and
        ``expires_at`` come from the encrypted, signed cookie. An expired
        session ended earlier and is not counted again.
        """
        if self._clock.now().timestamp() < expires_at:
            self._analytics.capture(SESSION_ENDED, user_id, {"method": "password"})

    def session_expiry(self, max_age_s: float) -> float:
        """When a session opened now ends, as Unix seconds (stored in the cookie)."""
        return self._clock.now().timestamp() + max_age_s

    def session_user(self, user_id: str, expires_at: float) -> User:
        """The user of a session cookie; ``AuthenticationError`` if expired or gone."""
        if self._clock.now().timestamp() >= expires_at:
            raise AuthenticationError("the session has expired; log in again")
        user = self._store.get_user(user_id)
        if user is None:
            raise AuthenticationError("the session's user no longer exists")
        return user

    def _throttle_login(self, username: str, address: str) -> None:
        if self._throttle is None:
            return
        limiter, limits = self._throttle
        for subject, policy in limits.subjects(username, address):
            decision = limiter.hit(subject, policy)
            if not decision.is_allowed:
                raise RateLimitedError(
                    f"too many login attempts; retry in {decision.retry_after_s} s",
                    retry_after_s=decision.retry_after_s,
                    limit=decision.limit,
                    reset_s=decision.reset_s,
                )

    def _issue(self, user: User, label: str) -> IssuedToken:
        secret = format_token(self._secrets.token_bytes(TOKEN_BYTES))
        token_id = self._store.add_token(user.id, token_hash(secret), label, self._clock.now())
        return IssuedToken(token_id=token_id, user=user, secret=secret)

    def _hash(self, password: str) -> str:
        return hash_password(password, self._secrets.token_bytes(SALT_BYTES))


def _pseudonym(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]
