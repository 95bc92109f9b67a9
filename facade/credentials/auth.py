"""Who is calling: a client token from `Authorization: Bearer`, never from the URL.

Sandbox mode has no tokens: every request acts as `SANDBOX_PRINCIPAL` on the emulator's account.
Outside it, `TokenStore.verify` decides (unknown, revoked and expired tokens alike: 401), and the
token must be bound to an account the service has configured. A connection that stays open (a
WebSocket, an event stream) keeps a `SessionGuard`, which asks the store again while it lasts.
"""

from collections.abc import Awaitable, Callable, Collection, Mapping, MutableMapping
from typing import Any, Final, Protocol
from urllib.parse import parse_qsl, unquote

import anyio

from facade.credentials.scopes import SANDBOX_PRINCIPAL, Principal
from facade.credentials.token_format import looks_like_token
from facade.errors import AuthError, InputError

# Query parameters that carry credentials in other APIs; a client sending one meant a token.
URL_CREDENTIAL_PARAMS: Final = frozenset(
    {"access_token", "token", "auth_token", "authorization", "bearer", "api_key", "apikey", "psw"}
)
URL_REFUSAL: Final = (
    "Client tokens and credentials go in the Authorization header, never in the URL; "
    "treat this one as leaked and rotate it."
)
URL_TOO_ENCODED: Final = "is percent-encoded too many times over to be checked for tokens"
# Percent-decodings of a path or query before it must stop changing: one by the server, up to
# three more by whatever decodes it again.
MAX_URL_DECODINGS: Final = 4
# How often an open connection's token is verified again: a revocation or an expiry ends the
# connection within this, and anything it would send or run before then is refused at once.
RECHECK_SECONDS: Final = 0.5
# Where a connection's guard is kept: in its ASGI scope, for the connection's lifetime.
_GUARD: Final = "facade.session_guard"

Sleep = Callable[[float], Awaitable[None]]


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal: ...

    def is_live(self, key_id: str) -> bool: ...


def refuse_token_in_url(path: str, query_string: str) -> None:
    """`InputError` (400) when the URL carries a client token or a credential parameter.

    Tokens have a recognizable prefix, so one is found anywhere in the path or query, encoded
    or not, and encoded again (`%2573mscf_`: a proxy or a framework may decode once more than
    we do): each is percent-decoded until it stops changing, `+` as a space in the query. A URL
    still changing after `MAX_URL_DECODINGS` is refused too, since it could hide one deeper.
    Credential-named parameters are refused whatever they hold, their names decoded alike.
    """
    for text in (*_decodings(path), *_decodings(query_string, plus=True)):
        if looks_like_token(text):
            raise InputError("url", URL_REFUSAL)
    if not query_string:
        return
    for name, _ in parse_qsl(query_string, keep_blank_values=True):
        if any(n.lower() in URL_CREDENTIAL_PARAMS for n in _decodings(name, plus=True)):
            raise InputError("url", URL_REFUSAL)


def _decodings(text: str, *, plus: bool = False) -> list[str]:
    """`text` and each of its percent-decodings until one changes nothing; `InputError` when
    `MAX_URL_DECODINGS` are not enough."""
    found = [text]
    while True:
        decoded = unquote(found[-1].replace("+", " ") if plus else found[-1])
        if decoded == found[-1]:
            return found
        if len(found) > MAX_URL_DECODINGS:
            raise InputError("url", URL_TOO_ENCODED)
        found.append(decoded)


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1)."""
    if not authorization:
        raise AuthError("Send a client token: Authorization: Bearer <token>.")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("Only Authorization: Bearer <token> is accepted.")
    return token.strip()


class SessionGuard:
    """Authentication for the life of a connection: the token it was opened with, by key id
    (never the token itself), verified again on demand and every `recheck` seconds."""

    def __init__(
        self, verifier: TokenVerifier, key_id: str, *, recheck: float, sleep: Sleep
    ) -> None:
        self._verifier = verifier
        self._key_id = key_id
        self._recheck = recheck
        self._sleep = sleep

    def holds(self) -> bool:
        """The token still verifies: ask before running or sending anything on the connection."""
        return self._verifier.is_live(self._key_id)

    async def lapsed(self) -> None:
        """Return once the token no longer verifies (revoked, or expired): then close."""
        while self.holds():
            await self._sleep(self._recheck)


def keep_guard(scope: MutableMapping[str, Any], guard: SessionGuard | None) -> None:
    """Keep a connection's guard in its ASGI scope, where `guard_of` finds it."""
    if guard is not None:
        scope[_GUARD] = guard


def guard_of(scope: Mapping[str, Any]) -> SessionGuard | None:
    """The connection's guard; None when nothing can lapse (sandbox mode, no token yet)."""
    found = scope.get(_GUARD)
    return found if isinstance(found, SessionGuard) else None


class Authenticator:
    """Turns a request's `Authorization` header into the `Principal` it stands for."""

    def __init__(
        self,
        verifier: TokenVerifier | None,
        accounts: Collection[str],
        *,
        recheck: float = RECHECK_SECONDS,
        sleep: Sleep = anyio.sleep,
    ) -> None:
        """`verifier` None is sandbox mode: no token needed, every request is the sandbox's.
        `recheck` and `sleep` pace the `SessionGuard`s of open connections."""
        self._verifier = verifier
        self._accounts = frozenset(accounts)
        self._recheck = recheck
        self._sleep = sleep

    @property
    def sandbox(self) -> bool:
        return self._verifier is None

    def authenticate(self, authorization: str | None) -> Principal:
        if self._verifier is None:
            return SANDBOX_PRINCIPAL
        principal = self._verifier.verify(bearer_token(authorization))
        if principal.account not in self._accounts:
            raise AuthError(
                f"The token is bound to account {principal.account!r}, which this service "
                "does not configure."
            )
        return principal

    def guard(self, principal: Principal) -> SessionGuard | None:
        """What keeps `principal` authenticated on a connection that stays open; None in
        sandbox mode, which has no token to revoke or expire."""
        if self._verifier is None or principal.key_id is None:
            return None
        return SessionGuard(
            self._verifier, principal.key_id, recheck=self._recheck, sleep=self._sleep
        )
