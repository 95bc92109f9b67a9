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
from starlette.routing import Route

from facade.emulator.app import create_emulator
from facade.settings import Settings

# The embedded emulator is reached in process; this host name never resolves.
SANDBOX_BASE_URL = "http://sandbox-smsc.invalid"


def upstream_base_url(settings: Settings) -> str:
    return SANDBOX_BASE_URL if settings.account is None else settings.account.base_url


def create_app(
    settings: Settings, *, upstream_transport: httpx.AsyncBaseTransport | None = None
) -> Starlette:
    if upstream_transport is None and settings.sandbox:
        upstream_transport = httpx.ASGITransport(app=create_emulator(seed="demo"))
    upstream = httpx.AsyncClient(
        transport=upstream_transport, base_url=upstream_base_url(settings), trust_env=False
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await upstream.aclose()

    app = Starlette(routes=[Route("/healthz", healthz)], lifespan=lifespan)
    app.state.settings = settings
    app.state.upstream = upstream
    return app


async def healthz(request: Request) -> JSONResponse:
    """The process is alive and accepts requests."""
    settings: Settings = request.app.state.settings
    return JSONResponse({"status": "ok", "sandbox": settings.sandbox})


def app_from_env() -> Starlette:
    """The entry point of `uvicorn facade.app:app_from_env --factory`."""
    return create_app(Settings.from_env(os.environ))
