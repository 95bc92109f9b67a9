"""The service: one Starlette application built eagerly from `Settings`.

`create_app` does no network I/O, so tests may use `httpx.ASGITransport`. Without SMSC
credentials (sandbox mode) the embedded emulator, with demo data, serves as SMSC and requests need
no token; otherwise every GraphQL and REST request needs a client token, bound to one of the
configured accounts, whose scopes decide what it may do.
"""

import contextlib
import os
import pathlib
from collections.abc import AsyncIterator, Callable, Coroutine, Hashable, Mapping
from typing import Any, cast
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from facade.browser import browser_middleware
from facade.credentials import redaction
from facade.credentials.auth import Authenticator, keep_guard, refuse_token_in_url
from facade.credentials.scopes import Principal
from facade.credentials.scopes import Scope as TokenScope
from facade.credentials.token_format import TOKEN_PATTERN
from facade.credentials.tokens import TokenStore
from facade.emulator.app import create_emulator
from facade.errors import AuthError, ErrorCode, ForbiddenError, InputError
from facade.graphql.answers import answers_cache
from facade.graphql.context import Context
from facade.graphql.graphiql import (
    SANDBOX_EXAMPLE_QUERY,
    asset_routes,
    missing_assets,
    render_missing_page,
    render_page,
)
from facade.graphql.http import GraphQLView
from facade.graphql.persisted import PersistedDocuments
from facade.graphql.schema import create_schema
from facade.observability.health import Check, health_endpoints
from facade.observability.metrics import CountCollector, Metrics
from facade.observability.middleware import Observe
from facade.rest import EXCEPTION_HANDLERS, rest_routes
from facade.rest.errors import problem
from facade.rest.http import guarded
from facade.rest.idempotent import RestIdempotency
from facade.rest.kept import KeptBodies, ServeKept
from facade.rest.links import Links
from facade.settings import (
    CACHE_TTLS,
    DEFAULT_ACCOUNT,
    SANDBOX_LOGIN,
    SANDBOX_PASSWORD,
    Settings,
    SmscAccount,
)
from facade.smsc.commands import Credentials
from facade.smsc.secrets import Redactor
from facade.smsc.wire import Fmt
from facade.upstream.backend import Backend, InProcess
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.idempotency import Idempotency
from facade.upstream.idempotency_sqlite import SqliteIdempotencyStore
from facade.upstream.pollers import Pollers
from facade.upstream.redis_state import connect
from facade.upstream.scaleout import Scaleout
from facade.upstream.timing import DEFAULT_CLOCK
from facade.upstream.transport import SmscTransport

ContextGetter = Callable[[Request], Coroutine[Any, Any, Context]]

# The embedded emulator is reached in process; this host name never resolves.
SANDBOX_BASE_URL = "http://sandbox-smsc.invalid"


def upstream_base_urls(account: SmscAccount | None) -> tuple[str, ...]:
    if account is None:
        return (SANDBOX_BASE_URL,)
    return (account.base_url, *account.backup_urls)


def upstream_credentials(account: SmscAccount | None) -> Credentials:
    if account is None:
        return Credentials(login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD)
    return Credentials(
        login=account.login.reveal() if account.login else None,
        password=account.password.reveal() if account.password else None,
        apikey=account.apikey.reveal() if account.apikey else None,
    )


def upstream_config(settings: Settings) -> UpstreamConfig:
    return UpstreamConfig(
        fmt=Fmt(settings.upstream_fmt),
        ttls=CACHE_TTLS,
        poll_answers=settings.poll_answers_seconds,
        poll_jobs=settings.poll_jobs_seconds,
    )


def create_smsc_clients(
    settings: Settings, http: httpx.AsyncClient, backend: Backend | None = None
) -> dict[str, SmscClient]:
    """One client per configured account, each with its own cache and limits, kept where
    `backend` keeps them (this process by default); in sandbox mode one, `default`, on the
    emulator's demo account."""
    config = upstream_config(settings)
    backend = backend or InProcess()
    accounts: Mapping[str, SmscAccount | None] = settings.accounts or {DEFAULT_ACCOUNT: None}
    return {
        name: SmscClient(
            account=name,
            credentials=upstream_credentials(account),
            transport=SmscTransport(http, base_urls=upstream_base_urls(account), config=config),
            config=config,
            shared=backend.account(name, config=config, clock=DEFAULT_CLOCK),
        )
        for name, account in accounts.items()
    }


def secrets_redactor(settings: Settings) -> Redactor:
    """Every form of every configured credential (Redis' password too), and anything shaped
    like a client token."""
    credentials = [upstream_credentials(a) for a in settings.accounts.values()]
    redactor = Redactor.for_all(credentials, patterns=[TOKEN_PATTERN])
    redis_password = urlsplit(settings.redis_url.reveal()).password if settings.redis_url else None
    return redactor.merge(Redactor([redis_password])) if redis_password else redactor


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


class RefuseTokensInUrl:
    """400 for any request whose URL carries a client token or a credential parameter, on every
    path, before routing: such a URL is already in proxies' and browsers' histories, and the
    client must learn it, not have it work."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            try:
                refuse_token_in_url(scope["path"], scope["query_string"].decode("latin-1"))
            except InputError as exc:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4400})
                    return
                response = problem(400, ErrorCode.INVALID_INPUT, exc.message, field=exc.field)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(
    settings: Settings, *, upstream_transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    redaction.install(secrets_redactor(settings))
    if upstream_transport is None and settings.sandbox:
        upstream_transport = httpx.ASGITransport(app=create_emulator(seed="demo"))
    upstream = httpx.AsyncClient(transport=upstream_transport, trust_env=False)
    # Durable in the data directory, which replicas share (as they share the tokens): no loss of
    # Redis can make a used key look new. Replicas take each other's runs for alive by a lease.
    records = SqliteIdempotencyStore.in_dir(
        settings.data_dir,
        lease=None if settings.redis_url is None else 2 * upstream_config(settings).deadline,
    )
    # Where the accounts' shared state lives, chosen once: this process, or Redis (scale-out).
    scaleout = (
        None
        if settings.redis_url is None
        else Scaleout(
            connect(settings.redis_url.reveal()),
            replicas=settings.replicas,
            data_dir=records.store_id,
        )
    )
    backend: Backend = scaleout or InProcess()
    clients = create_smsc_clients(settings, upstream, backend)
    store = None if settings.sandbox else TokenStore.in_dir(settings.data_dir)
    idempotency = Idempotency(
        records, ttl=settings.idempotency_ttl, settle_after=settings.idempotency_settle_after
    )
    # One poller per account and kind: in this process, or (Redis) across the replicas.
    pollers = {name: Pollers(client, polling=backend.polling) for name, client in clients.items()}
    gate = Gate(Authenticator(store, clients), clients, idempotency, pollers)
    kept = KeptBodies()  # repeated REST reads, answered before routing by `ServeKept`
    metrics = Metrics(lambda: clients)
    metrics.register(
        CountCollector(
            "facade_idempotency_replays",
            "Writes answered from their idempotency record instead of being sent again.",
            lambda: idempotency.replays,
        )
    )
    checks: dict[str, Check] = {"data_dir": lambda: _writable(settings.data_dir)}
    conditions: dict[str, Callable[[], str]] = {}
    if scaleout is not None:
        checks["redis"] = lambda: (
            "Redis has not answered since the start" if scaleout.state == "unreachable" else None
        )
        conditions["redis"] = lambda: scaleout.state
    healthz, readyz = health_endpoints(
        clients,
        checks,
        sandbox=settings.sandbox,
        conditions=conditions,
        refresh=None if scaleout is None else scaleout.probe,
        detailed=lambda request: gate.account_if_allowed(request, TokenScope.ADMIN) is not None,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await backend.start()
        try:
            yield
        finally:
            for live in pollers.values():
                await live.aclose()
            for client in clients.values():
                await client.aclose()
            await upstream.aclose()
            if store is not None:
                store.close()
            await idempotency.aclose()
            await backend.aclose()

    app = Starlette(
        routes=[
            *graphql_routes(
                settings,
                gate.graphql_context,
                connection_getter=gate.graphql_connection,
                on_connect=gate.admit_connection,
                partition=gate.graphql_partition,
            ),
            *rest_routes(
                gate.rest_client,
                idempotency=RestIdempotency(idempotency, gate.principal),
                live=lambda client: pollers[client.account],
                kept=kept,
                links=Links(settings.public_url),
            ),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            # Account names and call counts: for operators' scrapers, which send a bearer token.
            Route("/metrics", guarded(metrics.endpoint, gate.rest_client, TokenScope.ADMIN)),
        ],
        # Observe outermost: every answer gets a request id, a log line and its metrics. Then
        # CORS: refusals (400, 415) still tell an allowed page why. Innermost, a repeated REST
        # read is answered from its kept body before routing (`facade/rest/kept.py`).
        middleware=[
            Middleware(Observe, metrics=metrics),
            *browser_middleware(settings.cors_origins),
            Middleware(RefuseTokensInUrl),
            Middleware(ServeKept, kept=kept, account_of=gate.account_if_allowed),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.upstream = upstream
    app.state.clients = clients
    app.state.smsc = clients.get(DEFAULT_ACCOUNT) or next(iter(clients.values()))
    app.state.tokens = store
    app.state.idempotency = idempotency
    app.state.pollers = pollers
    app.state.metrics = metrics
    app.state.scaleout = scaleout
    return app


def _writable(data_dir: pathlib.Path) -> str | None:
    """The data directory (tokens, idempotency records) can be written, if it exists yet."""
    if data_dir.exists() and not os.access(data_dir, os.W_OK | os.X_OK):
        return "the data directory is not writable"
    return None


def _fixed_context(smsc: SmscClient, *, sandbox: bool) -> ContextGetter:
    pollers = Pollers(smsc)

    async def context(_: Request) -> Context:
        return Context(smsc=smsc, sandbox=sandbox, pollers=pollers)

    return context


def persisted_documents(settings: Settings) -> PersistedDocuments:
    """APQ always; the manifest's documents, and only them if the allow-list is on."""
    if settings.persisted_documents is None:
        return PersistedDocuments()
    return PersistedDocuments.from_file(
        settings.persisted_documents, only_allowed=settings.persisted_only
    )


def _everyone(_: Request) -> Hashable:
    return None


def graphql_routes(
    settings: Settings,
    smsc: SmscClient | ContextGetter,
    *,
    connection_getter: Callable[[WebSocket], Coroutine[Any, Any, Context]] | None = None,
    on_connect: Callable[[Context], Coroutine[Any, Any, None]] | None = None,
    partition: Callable[[Request], Hashable] | None = None,
) -> list[BaseRoute]:
    """`/graphql` (GraphiQL on GET from a browser, subscriptions over WebSocket) and GraphiQL's
    own files, served locally.

    `smsc` is the one client every request uses (tests), or the context getter that
    authenticates each request and picks its account's client; then `partition` tells apart the
    callers whose answers may differ, and repeated queries' answers are kept (`answers.py`). A WebSocket connection gets its
    context from `connection_getter` and is authenticated by `on_connect` on `connection_init`
    (`GraphQLView`); without them it is served like a request.
    """
    context: ContextGetter
    if isinstance(smsc, SmscClient):
        context = _fixed_context(smsc, sandbox=settings.sandbox)
        partition = partition or _everyone
    else:
        context = smsc

    example = SANDBOX_EXAMPLE_QUERY if settings.sandbox else None
    # Without GraphiQL's files (a checkout that never ran `make graphiql-assets`) the API is
    # served all the same; a browser is told how to install them.
    installed = not (settings.graphiql and missing_assets())
    view = GraphQLView(
        create_schema(production=not settings.sandbox, introspection=settings.introspection),
        context_getter=context,
        graphiql=settings.graphiql,
        allow_get_queries=settings.graphql_get,
        ide_html=(lambda: render_page(example_query=example)) if installed else render_missing_page,
        connection_getter=connection_getter,
        on_connect=on_connect,
        allowed_origins=settings.cors_origins,
        partition=partition,
        answers=None if partition is None else answers_cache(),
        documents=persisted_documents(settings),
    )
    routes: list[BaseRoute] = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
    ]
    if settings.graphiql:
        routes += asset_routes()
    return routes


def app_from_env() -> Starlette:
    """The entry point of `uvicorn facade.app:app_from_env --factory`."""
    return create_app(Settings.from_env(os.environ))
