"""The service: one Starlette application built eagerly from `Settings`.

`create_app` does no network I/O, so tests may use `httpx.ASGITransport`. Without SMSC
credentials (sandbox mode) the embedded emulator, with demo data, serves as SMSC and requests need
no token; otherwise every GraphQL and REST request needs a client token, bound to one of the
configured accounts, whose scopes decide what it may do.
"""

import asyncio
import contextlib
import os
import pathlib
from collections.abc import AsyncIterator, Callable, Coroutine, Hashable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from facade.browser import RefuseTokensInUrl, browser_middleware
from facade.callbacks import SandboxCallbacks, callback_route, intake_for
from facade.credentials import redaction
from facade.credentials.auth import Authenticator
from facade.credentials.scopes import Scope as TokenScope
from facade.credentials.token_format import TOKEN_PATTERN
from facade.credentials.tokens import TokenStore
from facade.emulator.app import create_emulator
from facade.gate import Gate
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
    """Every form of every configured credential (Redis' password and the callback keys and
    secrets too), and anything shaped like a client token."""
    credentials = [upstream_credentials(a) for a in settings.accounts.values()]
    callbacks = [
        secret.reveal()
        for account in settings.accounts.values()
        for secret in (account.callback_key, account.callback_secret)
        if secret is not None
    ]
    redactor = Redactor.for_all(credentials, patterns=[TOKEN_PATTERN]).merge(Redactor(callbacks))
    redis_password = urlsplit(settings.redis_url.reveal()).password if settings.redis_url else None
    return redactor.merge(Redactor([redis_password])) if redis_password else redactor


def create_app(
    settings: Settings, *, upstream_transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    # Sandbox mode: the embedded emulator, which posts its callbacks to this app (in process).
    sandbox = SandboxCallbacks() if upstream_transport is None and settings.sandbox else None
    redactor = secrets_redactor(settings)
    if sandbox is not None:
        redactor = redactor.merge(Redactor([sandbox.key, sandbox.secret]))
        emulator = create_emulator(
            seed="demo",
            callback_url=sandbox.url,
            callback_secret=sandbox.secret,
            callback_transport=sandbox.transport,
        )
        upstream_transport = httpx.ASGITransport(app=emulator)
    redaction.install(redactor)
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
    intake = intake_for(settings.accounts or {DEFAULT_ACCOUNT: None}, pollers, sandbox)
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
        worker = None
        if sandbox is not None:  # the emulator's callback worker (its own lifespan is skipped)
            worker = asyncio.get_running_loop().create_task(emulator.state.emulator.run_callbacks())
        try:
            yield
        finally:
            if worker is not None:
                worker.cancel()
                await asyncio.gather(worker, return_exceptions=True)
                await emulator.state.emulator.aclose()
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
            callback_route(intake),
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
    app.state.callbacks = intake
    if sandbox is not None:
        sandbox.attach(app)
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
