"""Who is calling: a client token from `Authorization: Bearer`, never from the URL.

Sandbox mode has no tokens: every request acts as `SANDBOX_PRINCIPAL` on the emulator's account.
Outside it, `TokenStore.verify` decides (unknown, revoked and expired tokens alike: 401), and the
token must be bound to an account the service has configured.
"""

from collections.abc import Collection
from typing import Final, Protocol
from urllib.parse import parse_qsl, unquote

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


class TokenVerifier(Protocol):
    def verify(self, token: str) -> Principal: ...


def refuse_token_in_url(path: str, query_string: str) -> None:
    """`InputError` (400) when the URL carries a client token or a credential parameter.

    Tokens have a recognizable prefix, so one is found anywhere in the path or query, encoded
    or not; credential-named parameters are refused whatever they hold.
    """
    decoded = unquote(path) + "?" + unquote(query_string.replace("+", " "))
    if looks_like_token(decoded):
        raise InputError("url", URL_REFUSAL)
    if not query_string:
        return
    names = {name.lower() for name, _ in parse_qsl(query_string, keep_blank_values=True)}
    if names & URL_CREDENTIAL_PARAMS:
        raise InputError("url", URL_REFUSAL)


def bearer_token(authorization: str | None) -> str:
    """The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1)."""
    if not authorization:
        raise AuthError("Send a client token: Authorization: Bearer <token>.")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("Only Authorization: Bearer <token> is accepted.")
    return token.strip()


class Authenticator:
    """Turns a request's `Authorization` header into the `Principal` it stands for."""

    def __init__(self, verifier: TokenVerifier | None, accounts: Collection[str]) -> None:
        """`verifier` None is sandbox mode: no token needed, every request is the sandbox's."""
        self._verifier = verifier
        self._accounts = frozenset(accounts)

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
