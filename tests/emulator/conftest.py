"""Fixtures for the emulator's tests: a fake clock and sleep, the app, and a client to call it."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from starlette.applications import Starlette

from facade.emulator.app import create_emulator
from facade.emulator.state import EmulatorState
from tests.fakes import FakeClock, FakeSleep

# 15.11.2025 12:00:00 Moscow time (09:00 UTC): fixed so that literal bodies can hold dates.
WALL_START = 1763197200.0
DEMO = {"login": "demo", "psw": "demo"}


async def wait_until(condition: Callable[[], bool]) -> None:
    """Let other tasks run until `condition` holds (no real time passes)."""
    for _ in range(10_000):
        if condition():
            return
        await anyio.lowlevel.checkpoint()
    raise AssertionError("condition never held")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def make_app(clock: FakeClock, sleep: FakeSleep) -> Callable[..., Starlette]:
    def make(seed: str = "demo", **kwargs: Any) -> Starlette:
        return create_emulator(seed=seed, clock=clock, sleep=sleep, wall_start=WALL_START, **kwargs)

    return make


@pytest.fixture
def app(make_app: Callable[..., Starlette]) -> Starlette:
    return make_app()


@pytest.fixture
def state(app: Starlette) -> EmulatorState:
    emulator: EmulatorState = app.state.emulator
    return emulator


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://smsc.test") as client:
        yield client


async def call(client: httpx.AsyncClient, path: str, **params: Any) -> str:
    """One SMSC call as the demo account (unless credentials are given); the decoded body.

    `fmt` (default: none sent), `charset` (default utf-8) and `method` (default POST) are taken
    from `params`; a parameter given as None is not sent.
    """
    charset = params.pop("charset", "utf-8")
    method = params.pop("method", "POST")
    form = {**DEMO, **params, "charset": charset}
    form = {k: v for k, v in form.items() if v is not None}
    if method == "GET":
        response = await client.get(f"/sys/{path}", params=form)
    else:
        response = await client.post(f"/sys/{path}", data=form)
    assert response.status_code == 200
    body: str = response.content.decode(charset)
    return body
