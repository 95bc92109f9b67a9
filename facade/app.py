"""The service: one Starlette application built eagerly from `Settings`.

`create_app` does no network I/O, so tests may use `TestClient(app)` or `httpx.ASGITransport`.
Without SMSC credentials (sandbox mode) the embedded emulator, with demo data, serves as SMSC.
"""

import contextlib
import os
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from facade.emulator.app import create_emulator
from facade.graphql.context import Context
from facade.graphql.graphiql import SANDBOX_EXAMPLE_QUERY, asset_routes, render_page
from facade.graphql.http import GraphQLView
from facade.graphql.schema import create_schema
from facade.rest import EXCEPTION_HANDLERS, rest_routes
from facade.settings import CACHE_TTLS, SANDBOX_LOGIN, SANDBOX_PASSWORD, Settings
from facade.smsc.commands import Credentials
from facade.smsc.wire import Fmt
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.transport import SmscTransport

# The embedded emulator is reached in process; this host name never resolves.
SANDBOX_BASE_URL = "http://sandbox-smsc.invalid"


def upstream_base_urls(settings: Settings) -> tuple[str, ...]:
    account = settings.account
    if account is None:
        return (SANDBOX_BASE_URL,)
    return (account.base_url, *account.backup_urls)


def upstream_credentials(settings: Settings) -> Credentials:
    account = settings.account
    if account is None:
        return Credentials(login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD)
    return Credentials(
        login=account.login.reveal() if account.login else None,
        password=account.password.reveal() if account.password else None,
        apikey=account.apikey.reveal() if account.apikey else None,
    )


def create_smsc_client(settings: Settings, http: httpx.AsyncClient) -> SmscClient:
    """The default account's client; the emulator in sandbox mode."""
    config = UpstreamConfig(fmt=Fmt(settings.upstream_fmt), ttls=CACHE_TTLS)
    transport = SmscTransport(http, base_urls=upstream_base_urls(settings), config=config)
    return SmscClient(
        account="default",
        credentials=upstream_credentials(settings),
        transport=transport,
        config=config,
    )


def create_app(
    settings: Settings, *, upstream_transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    if upstream_transport is None and settings.sandbox:
        upstream_transport = httpx.ASGITransport(app=create_emulator(seed="demo"))
    upstream = httpx.AsyncClient(transport=upstream_transport, trust_env=False)
    smsc = create_smsc_client(settings, upstream)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await smsc.aclose()
            await upstream.aclose()

    app = Starlette(
        routes=[*graphql_routes(settings, smsc), *rest_routes(smsc), Route("/healthz", healthz)],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.upstream = upstream
    app.state.smsc = smsc
    return app


def graphql_routes(settings: Settings, smsc: SmscClient) -> list[BaseRoute]:
    """`/graphql` (GraphiQL on GET from a browser) and GraphiQL's own files, served locally."""

    async def context(_: Request) -> Context:
        return Context(smsc=smsc, sandbox=settings.sandbox)

    example = SANDBOX_EXAMPLE_QUERY if settings.sandbox else None
    view = GraphQLView(
        create_schema(production=not settings.sandbox),
        context_getter=context,
        graphiql=settings.graphiql,
        ide_html=lambda: render_page(example_query=example),
    )
    routes: list[BaseRoute] = [Route("/graphql", view, methods=["GET", "POST"])]
    if settings.graphiql:
        routes += asset_routes()
    return routes


async def healthz(request: Request) -> JSONResponse:
    """The process is alive and accepts requests."""
    settings: Settings = request.app.state.settings
    return JSONResponse({"status": "ok", "sandbox": settings.sandbox})


def app_from_env() -> Starlette:
    """The entry point of `uvicorn facade.app:app_from_env --factory`."""
    return create_app(Settings.from_env(os.environ))
