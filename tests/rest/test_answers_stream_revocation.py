"""An event stream's token is verified while the stream lasts: revoked (by a second `TokenStore`
on the same data directory, as `facade token revoke` would) or expired, the stream ends with an
UNAUTHENTICATED `event: error`, and no event is sent after it lapsed."""

import contextlib
import pathlib
import time
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest
from starlette.applications import Starlette

from facade.credentials.auth import Authenticator
from facade.credentials.scopes import Scope
from facade.credentials.tokens import AUTH_FAILED, TokenStore
from facade.gate import Gate
from facade.rest import EXCEPTION_HANDLERS, rest_routes
from facade.rest.events import LAPSED
from facade.upstream.pollers import Pollers
from tests.graphql.test_subscriptions import serving
from tests.production import Production, production
from tests.rest.test_answers_stream import ANSWERS, URL, Exchange, eventually
from tests.upstream.harness import Harness, harness
from tests.upstream.test_pollers import Ticker

pytestmark = pytest.mark.anyio

DAY = 86400.0
WITHIN = 2.0  # seconds from the revocation or expiry to the end of the stream
LIFETIME = 2.0  # seconds an expiring token lives: time enough to connect


@contextlib.asynccontextmanager
async def streaming(prod: Production, token: str) -> AsyncIterator[httpx.Response]:
    """`GET /v1/answers/stream` with `token`, through uvicorn on loopback, headers received."""
    async with serving(prod.app) as ws_url:
        base = ws_url.replace("ws://", "http://").removesuffix("/graphql")
        async with (
            httpx.AsyncClient(base_url=base, trust_env=False) as client,
            client.stream("GET", URL, headers={"Authorization": f"Bearer {token}"}) as response,
        ):
            yield response


async def rest_of(response: httpx.Response) -> bytes:
    """The body from here to the end of the stream."""
    body = b""
    with anyio.fail_after(5):
        async for chunk in response.aiter_bytes():
            body += chunk
    return body


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
async def test_revoking_the_token_ends_its_stream(tmp_path: pathlib.Path) -> None:
    async with production(tmp_path) as prod, streaming(prod, prod.tokens[Scope.READ]) as response:
        assert response.status_code == 200
        revoked = time.monotonic()
        prod.store.revoke("client-read")
        body = await rest_of(response)
        ended = time.monotonic()
        await eventually(lambda: not prod.app.state.pollers["default"].answer_poller.subscribers)
    assert body == LAPSED
    assert ended - revoked < WITHIN


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
async def test_an_expiring_token_ends_its_stream(tmp_path: pathlib.Path) -> None:
    async with production(tmp_path) as prod:
        issued = prod.store.issue(
            "brief", scopes=[Scope.READ], account="default", expires_days=LIFETIME / DAY
        )
        assert issued.record.expires_at is not None
        async with streaming(prod, issued.token) as response:
            assert response.status_code == 200
            body = await rest_of(response)
            ended = time.time()
    assert body == LAPSED
    assert issued.record.expires_at <= ended < issued.record.expires_at + WITHIN


class Guarded:
    """The REST routes behind a token `Gate` whose periodic check never comes (`recheck` an
    hour): what is held back is held back by the check before each event. Fake-time pollers."""

    def __init__(self, data_dir: pathlib.Path) -> None:
        self.upstream: Harness = harness()
        self.ticker = Ticker(self.upstream.clock)
        self.pollers = Pollers(
            self.upstream.client, clock=self.upstream.clock, sleep=self.ticker.sleep
        )
        self.data_dir = data_dir
        self.store = TokenStore.in_dir(data_dir)
        clients = {"default": self.upstream.client}
        gate = Gate(Authenticator(self.store, clients, recheck=3600.0), clients)
        routes = rest_routes(gate.rest_client, live=lambda _: self.pollers)
        self.app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)


async def test_an_answer_after_the_revocation_is_not_sent(tmp_path: pathlib.Path) -> None:
    live = Guarded(tmp_path / "data")
    token = live.store.issue("web", scopes=[Scope.READ], account="default").token
    exchange = Exchange(URL, {"Authorization": f"Bearer {token}"})
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(exchange.run, live.app)
            await eventually(lambda: exchange.status is not None)
            await live.ticker.settle()
            with TokenStore.in_dir(live.data_dir) as cli:
                cli.revoke("web")
            live.upstream.emulator.inject_answer(phone="79990001122", message="too late")
            await live.ticker.advance(ANSWERS, asleep=0)
            await eventually(lambda: exchange.finished)
    finally:
        live.store.close()
    assert exchange.status == 200
    assert exchange.ended
    (event,) = exchange.events()
    assert event["event"] == "error"
    assert event["data"]["status"] == 401
    assert event["data"]["code"] == "UNAUTHENTICATED"
    assert event["data"]["detail"] == AUTH_FAILED
    assert not live.pollers.answer_poller.subscribers
