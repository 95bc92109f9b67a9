"""Authentication holds for a WebSocket's life: a revoked or expired token's socket is closed
with 4403 and nothing more is answered on it. uvicorn on loopback; the revocation comes from a
second `TokenStore` on the same data directory, as `facade token revoke` would."""

import contextlib
import pathlib
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from facade.credentials.auth import Authenticator
from facade.credentials.scopes import Scope
from facade.credentials.tokens import TokenStore
from facade.gate import Gate
from facade.graphql.http import GraphQLView
from facade.graphql.schema import create_schema
from facade.upstream.pollers import Pollers
from tests.graphql.test_subscriptions import (
    ALL_ANSWERS,
    JOB,
    init,
    receive,
    send,
    serving,
    socket,
    subscribe,
    until,
)
from tests.production import Production, production
from tests.upstream.harness import Harness, harness
from tests.upstream.test_pollers import Ticker

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]

DAY = 86400.0
WITHIN = 2.0  # seconds from the revocation or expiry to the close
LIFETIME = 2.0  # seconds an expiring token lives: time enough to connect
TEMPLATES = "{ templates { id name } }"


async def closing(ws: ClientConnection) -> tuple[list[dict[str, Any]], int | None]:
    """Everything the server still sends, until it closes the socket; and its close code."""
    received: list[dict[str, Any]] = []
    with anyio.fail_after(5), contextlib.suppress(ConnectionClosed):
        while True:
            received.append(await receive(ws))
    return received, ws.close_code


@pytest.fixture
async def service(tmp_path: pathlib.Path) -> AsyncIterator[tuple[Production, str]]:
    async with production(tmp_path) as found, serving(found.app) as url:
        yield found, url


async def test_revoking_the_token_closes_its_socket_with_4403(
    service: tuple[Production, str],
) -> None:
    prod, url = service
    async with socket(url) as ws:
        await init(ws, Authorization=f"Bearer {prod.tokens[Scope.READ]}")
        await subscribe(ws, "job", JOB)
        first = await receive(ws)
        calls = len(prod.emulator.calls)

        revoked = time.monotonic()
        prod.store.revoke("client-read")
        await subscribe(ws, "templates", TEMPLATES)
        received, code = await closing(ws)
        closed = time.monotonic()

    assert first["payload"]["data"]["jobChanged"]["id"] == "2012"
    assert code == 4403
    assert received == []
    assert closed - revoked < WITHIN
    assert len(prod.emulator.calls) == calls  # the query after the revocation never ran
    await until(lambda: not prod.app.state.pollers["default"].job_poller.subscribers)


async def test_an_expiring_token_closes_its_socket_with_4403(
    service: tuple[Production, str],
) -> None:
    prod, url = service
    issued = prod.store.issue(
        "brief", scopes=[Scope.READ], account="default", expires_days=LIFETIME / DAY
    )
    assert issued.record.expires_at is not None
    async with socket(url) as ws:
        assert await init(ws, Authorization=f"Bearer {issued.token}") == {"type": "connection_ack"}
        await subscribe(ws, "job", JOB)
        first = await receive(ws)
        received, code = await closing(ws)
        closed = time.time()

    assert first["type"] == "next"
    assert code == 4403
    assert received == []
    assert issued.record.expires_at <= closed < issued.record.expires_at + WITHIN


async def test_other_tokens_sockets_stay_open(service: tuple[Production, str]) -> None:
    prod, url = service
    async with socket(url) as kept, socket(url) as revoked:
        await init(kept, Authorization=f"Bearer {prod.tokens[Scope.WRITE]}")
        await init(revoked, Authorization=f"Bearer {prod.tokens[Scope.READ]}")
        prod.store.revoke("client-read")
        _, code = await closing(revoked)
        await subscribe(kept, "templates", TEMPLATES)
        answer = await receive(kept)
    assert code == 4403
    assert answer["type"] == "next"
    assert answer["payload"]["data"]["templates"]


# Before the periodic check: the guard is asked before anything is run or sent.


class Guarded:
    """A token service whose periodic check never comes (`recheck` an hour): what is refused is
    refused by the check before each message; the pollers run on fake time."""

    def __init__(self, data_dir: pathlib.Path) -> None:
        self.upstream: Harness = harness()
        self.ticker = Ticker(self.upstream.clock)
        self.pollers = Pollers(
            self.upstream.client, clock=self.upstream.clock, sleep=self.ticker.sleep
        )
        self.store = TokenStore.in_dir(data_dir)
        clients = {"default": self.upstream.client}
        gate = Gate(
            Authenticator(self.store, clients, recheck=3600.0),
            clients,
            pollers={"default": self.pollers},
        )
        view = GraphQLView(
            create_schema(production=True),
            context_getter=gate.graphql_context,
            connection_getter=gate.graphql_connection,
            on_connect=gate.admit_connection,
        )
        self.app = Starlette(routes=[WebSocketRoute("/graphql", view)])


@pytest.fixture
async def guarded(tmp_path: pathlib.Path) -> AsyncIterator[tuple[Guarded, str, str]]:
    found = Guarded(tmp_path / "data")
    token = found.store.issue("web", scopes=[Scope.READ], account="default").token
    try:
        async with serving(found.app) as url:
            yield found, url, token
    finally:
        found.store.close()


async def test_an_event_after_the_revocation_is_not_sent(
    guarded: tuple[Guarded, str, str], tmp_path: pathlib.Path
) -> None:
    box, url, token = guarded
    async with socket(url) as ws:
        await init(ws, Authorization=f"Bearer {token}")
        await subscribe(ws, "1", ALL_ANSWERS)
        await until(lambda: bool(box.pollers.answer_poller.subscribers))
        await box.ticker.settle()
        with TokenStore.in_dir(tmp_path / "data") as cli:
            cli.revoke("web")
        box.upstream.emulator.inject_answer(phone="79990001122", message="too late")
        await box.ticker.advance(30.0)
        received, code = await closing(ws)
    assert code == 4403
    assert received == []
    await until(lambda: not box.pollers.answer_poller.subscribers)


async def test_a_query_after_the_revocation_is_not_run(
    guarded: tuple[Guarded, str, str], tmp_path: pathlib.Path
) -> None:
    box, url, token = guarded
    async with socket(url) as ws:
        await init(ws, Authorization=f"Bearer {token}")
        with TokenStore.in_dir(tmp_path / "data") as cli:
            cli.revoke("web")
        await subscribe(ws, "1", TEMPLATES)
        received, code = await closing(ws)
    assert code == 4403
    assert received == []
    assert box.upstream.calls() == []


async def test_a_ping_after_the_revocation_gets_no_pong(
    guarded: tuple[Guarded, str, str], tmp_path: pathlib.Path
) -> None:
    _, url, token = guarded
    async with socket(url) as ws:
        await init(ws, Authorization=f"Bearer {token}")
        await send(ws, type="ping")
        assert await receive(ws) == {"type": "pong"}
        with TokenStore.in_dir(tmp_path / "data") as cli:
            cli.revoke("web")
        await send(ws, type="ping")
        received, code = await closing(ws)
    assert code == 4403
    assert received == []
