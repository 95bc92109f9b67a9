"""The gate in front of both APIs: a request (or a WebSocket's handshake and `connection_init`)
→ its verified principal → the account's `SmscClient`, with the scopes each operation needs.
"""

from collections.abc import Callable, Coroutine, Hashable, Mapping
from typing import Any, cast

from starlette.requests import Request
from starlette.websockets import WebSocket

from facade.credentials.auth import Authenticator, keep_guard
from facade.credentials.scopes import Principal
from facade.credentials.scopes import Scope as TokenScope
from facade.errors import AuthError, ForbiddenError, InputError
from facade.graphql.context import Context
from facade.settings import (
    DEFAULT_ACCOUNT,
)
from facade.upstream.client import SmscClient
from facade.upstream.idempotency import Idempotency
from facade.upstream.pollers import Pollers

ContextGetter = Callable[[Request], Coroutine[Any, Any, Context]]

# The embedded emulator is reached in process; this host name never resolves.

# Where a request's verified principal is kept: in its ASGI scope, for the request's lifetime.
_PRINCIPAL = "facade.principal"

# A graphql-transport-ws connection between its handshake and its `connection_init`: no scope.
CONNECTING = Principal(name="(connecting)", account=DEFAULT_ACCOUNT, scopes=frozenset())


class Gate:
    """Authentication and scopes in front of both APIs: request → principal → account client."""

    def __init__(
        self,
        authenticator: Authenticator,
        clients: Mapping[str, SmscClient],
        idempotency: Idempotency | None = None,
        pollers: Mapping[str, Pollers] | None = None,
    ) -> None:
        self._authenticator = authenticator
        self._clients = clients
        self._idempotency = idempotency
        self._pollers = pollers or {}

    def principal(self, request: Request) -> Principal:
        """The request's principal, verified once per request (REST asks again for the scope of
        an idempotency key). URLs carrying tokens never get here: `RefuseTokensInUrl` ran first."""
        known = request.scope.get(_PRINCIPAL)
        if isinstance(known, Principal):
            return known
        principal = self._authenticator.authenticate(request.headers.get("authorization"))
        request.scope[_PRINCIPAL] = principal
        # An event stream stays open: it watches the token with this (`rest/events.py`).
        keep_guard(request.scope, self._authenticator.guard(principal))
        return principal

    def account_if_allowed(self, request: Request, scope: TokenScope) -> str | None:
        """The caller's account if its token allows `scope`; None for any refusal, which the
        routes then answer in full (`ServeKept`)."""
        try:
            principal = self.principal(request)
        except (AuthError, ForbiddenError, InputError):
            return None
        return principal.account if principal.allows(scope) else None

    async def rest_client(self, request: Request, scope: TokenScope) -> SmscClient:
        principal = self.principal(request)
        if not principal.allows(scope):
            raise ForbiddenError(f"This token lacks the {scope.value} scope.")
        return self._clients[principal.account]

    def graphql_partition(self, request: Request) -> Hashable:
        """Who asks, as far as a query's answer can differ: the account and the scopes."""
        principal = self.principal(request)
        return principal.account, principal.scopes

    async def graphql_context(self, request: Request) -> Context:
        principal = self.principal(request)
        return Context(
            smsc=self._clients[principal.account],
            sandbox=self._authenticator.sandbox,
            principal=principal,
            idempotency=self._idempotency,
            pollers=self._pollers.get(principal.account),
        )

    async def graphql_connection(self, websocket: WebSocket) -> Context:
        """A WebSocket connection's context at its handshake: nobody yet, with no scope, until
        `admit_connection` has authenticated its `connection_init`."""
        return Context(
            smsc=next(iter(self._clients.values())),
            sandbox=self._authenticator.sandbox,
            principal=CONNECTING,
            websocket=websocket,
        )

    async def admit_connection(self, context: Context) -> None:
        """Authenticate a connection, or raise `AuthError` or `ForbiddenError` to refuse it.

        The token is the `connection_init` payload's `Authorization` (`Bearer <token>`, the key
        in any case), else the handshake's `Authorization` header; the `read` scope is needed.
        """
        params = context.connection_params or {}
        named = [value for key, value in params.items() if key.lower() == "authorization"]
        if len(named) > 1 or not all(isinstance(value, str) for value in named):
            raise AuthError("Send one Authorization: Bearer <token> in connection_init.")
        authorization = cast("str", named[0]) if named else None
        if authorization is None and context.websocket is not None:
            authorization = context.websocket.headers.get("authorization")
        principal = self._authenticator.authenticate(authorization)
        if not principal.allows(TokenScope.READ):
            raise ForbiddenError("This token lacks the read scope.")
        context.principal = principal
        if context.websocket is not None:  # closed with 4403 once the token lapses (http.py)
            keep_guard(context.websocket.scope, self._authenticator.guard(principal))
        context.smsc = self._clients[principal.account]
        context.idempotency = self._idempotency
        context.pollers = self._pollers.get(principal.account)
