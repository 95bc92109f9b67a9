"""Subscriptions over a real WebSocket (graphql-transport-ws): uvicorn on loopback, in the test's
own event loop, so the pollers run on fake time the test moves."""

import contextlib
import json
import pathlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from facade.app import create_app
from facade.credentials.scopes import Scope
from facade.domain.jobs import SendAfter
from facade.domain.messages import MessageSpec, MessageState, MessageStatus
from facade.emulator.app import create_emulator
from facade.emulator.state import AccountCredentials
from facade.graphql.context import Context
from facade.graphql.http import GraphQLView
from facade.graphql.schema import create_schema
from facade.settings import Settings
from facade.upstream.pollers import Pollers
from tests.loopback import free_port
from tests.production import CANARY_LOGIN, CANARY_PASSWORD, Production, production
from tests.upstream.harness import Harness, harness
from tests.upstream.test_pollers import Ticker

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]

PROTOCOL = Subprotocol("graphql-transport-ws")
ANSWERS = 'subscription { answerReceived(toPhone: "79370000009") { id message toPhone } }'
ALL_ANSWERS = "subscription { answerReceived { id message } }"
JOB = 'subscription { jobChanged(id: "2012") { id status statusCode } }'


async def until(condition: Callable[[], bool]) -> None:
    """Wait for what another task (the server's) will do: real I/O on loopback takes time."""
    with anyio.fail_after(5):
        while not condition():  # noqa: ASYNC110 - uvicorn and sockets signal no event to wait on
            await anyio.sleep(0.002)


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """`app` under uvicorn on loopback, in this event loop; yields the `/graphql` WebSocket URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve)
        await until(lambda: server.started)
        try:
            yield f"ws://127.0.0.1:{port}/graphql"
        finally:
            server.should_exit = True


@contextlib.asynccontextmanager
async def socket(url: str, **headers: str) -> AsyncIterator[ClientConnection]:
    async with connect(
        url, subprotocols=[PROTOCOL], additional_headers=headers, proxy=None, open_timeout=5
    ) as ws:
        yield ws


async def send(ws: ClientConnection, **message: Any) -> None:
    await ws.send(json.dumps(message))


async def receive(ws: ClientConnection) -> dict[str, Any]:
    with anyio.fail_after(5):
        found: dict[str, Any] = json.loads(await ws.recv())
    return found


async def close_code(ws: ClientConnection) -> int | None:
    """The code the server closed the socket with."""
    with anyio.fail_after(5), contextlib.suppress(ConnectionClosed):
        while True:
            await ws.recv()
    assert ws.close_code is not None
    return ws.close_code


async def init(ws: ClientConnection, **payload: Any) -> dict[str, Any]:
    await send(ws, type="connection_init", payload=payload)
    return await receive(ws)


def subscribe(ws: ClientConnection, id: str, query: str) -> Any:
    return send(ws, id=id, type="subscribe", payload={"query": query})


class Sandbox:
    """The GraphQL view over a harness client whose pollers run on fake time."""

    def __init__(self, *, wired: bool = True) -> None:
        self.upstream: Harness = harness()
        self.ticker = Ticker(self.upstream.clock)
        self.pollers = Pollers(
            self.upstream.client, clock=self.upstream.clock, sleep=self.ticker.sleep
        )

        async def context(_: Request | WebSocket) -> Context:
            pollers = self.pollers if wired else None
            return Context(smsc=self.upstream.client, sandbox=True, pollers=pollers)

        view = GraphQLView(create_schema(), context_getter=context)
        self.app = Starlette(
            routes=[
                Route("/graphql", view, methods=["GET", "POST"]),
                WebSocketRoute("/graphql", view),
            ]
        )


@pytest.fixture
async def sandbox() -> AsyncIterator[tuple[Sandbox, str]]:
    found = Sandbox()
    async with serving(found.app) as url:
        yield found, url


async def test_a_subscriber_receives_an_injected_answer(sandbox: tuple[Sandbox, str]) -> None:
    box, url = sandbox
    async with socket(url) as ws:
        assert await init(ws) == {"type": "connection_ack"}
        await subscribe(ws, "1", ANSWERS)
        await until(lambda: bool(box.pollers.answer_poller.subscribers))
        await box.ticker.settle()
        elsewhere = box.upstream.emulator.inject_answer(phone="79990001122", message="no")
        injected = box.upstream.emulator.inject_answer(
            phone="79990001122", message="Да, приду", to_phone="79370000009"
        )
        await box.ticker.advance(30.0)

        message = await receive(ws)

        assert message == {
            "id": "1",
            "type": "next",
            "payload": {
                "data": {
                    "answerReceived": {
                        "id": str(injected),
                        "message": "Да, приду",
                        "toPhone": "79370000009",
                    }
                }
            },
        }
        assert elsewhere < injected
        await send(ws, id="1", type="complete")
        await until(lambda: not box.pollers.answer_poller.running)
    assert len(box.upstream.calls("get_answers")) == 2


async def test_many_subscriptions_share_one_poll(sandbox: tuple[Sandbox, str]) -> None:
    box, url = sandbox
    async with contextlib.AsyncExitStack() as stack:
        sockets = [await stack.enter_async_context(socket(url)) for _ in range(10)]
        for ws in sockets:
            await init(ws)
            for n in range(3):
                await subscribe(ws, str(n), ALL_ANSWERS)
        await until(lambda: len(box.pollers.answer_poller.subscribers) == 30)
        await box.ticker.settle()
        injected = box.upstream.emulator.inject_answer(phone="79990001122", message="all")
        await box.ticker.advance(30.0)

        received = [await receive(ws) for ws in sockets for _ in range(3)]

    assert {m["payload"]["data"]["answerReceived"]["id"] for m in received} == {str(injected)}
    assert len(box.upstream.calls("get_answers")) == 2
    await until(lambda: not box.pollers.answer_poller.running)


async def test_job_changed_sends_the_status_now_then_each_change(
    sandbox: tuple[Sandbox, str],
) -> None:
    box, url = sandbox
    async with socket(url) as ws:
        await init(ws)
        await subscribe(ws, "job", JOB)
        first = await receive(ws)
        await box.ticker.settle()
        box.upstream.emulator.set_job_status(2012, 1)
        await box.ticker.advance(60.0)
        second = await receive(ws)

    assert first["payload"]["data"]["jobChanged"] == {
        "id": "2012",
        "status": "WAITING",
        "statusCode": 0,
    }
    assert second["payload"]["data"]["jobChanged"]["status"] == "RUNNING"
    await until(lambda: not box.pollers.job_poller.running)


async def test_message_status_changed_follows_a_message_to_its_final_status(
    sandbox: tuple[Sandbox, str],
) -> None:
    """The status now; a poll that finds no change sends nothing; a change SMSC calls back with
    arrives at once (no poll), and being final completes the subscription."""
    box, url = sandbox
    later = SendAfter(600)  # waiting for ten minutes: no change of its own while followed
    spec = MessageSpec(phones=("79990000001",), message="Code 4321", send_time=later)
    sent = await box.upstream.client.send_message(spec)
    query = (
        f'subscription {{ messageStatusChanged(id: "{sent.id}", phone: "79990000001") '
        "{ id phone status statusCode final } }"
    )
    async with socket(url) as ws:
        await init(ws)
        await subscribe(ws, "m", query)
        first = (await receive(ws))["payload"]["data"]["messageStatusChanged"]
        await box.ticker.settle()
        polled = box.pollers.message_poller.polls
        await box.ticker.advance(30.0)
        assert box.pollers.message_poller.polls == polled + 1
        calls = len(box.upstream.calls("status"))
        box.pollers.deliver_message(
            MessageState(
                id=sent.id,
                phone="79990000001",
                status=MessageStatus.DELIVERED,
                status_code=1,
                error_code=0,
            )
        )
        last = (await receive(ws))["payload"]["data"]["messageStatusChanged"]
        assert await receive(ws) == {"id": "m", "type": "complete"}
        assert len(box.upstream.calls("status")) == calls
    assert first == {
        "id": sent.id,
        "phone": "79990000001",
        "status": "WAITING",
        "statusCode": -1,
        "final": False,
    }
    assert (last["status"], last["final"]) == ("DELIVERED", True)
    await until(lambda: not box.pollers.message_poller.running)


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        pytest.param(
            'subscription { jobChanged(id: "999999") { id } }', "NOT_FOUND", None, id="job"
        ),
        pytest.param(
            'subscription { jobChanged(id: "x1") { id } }', "INVALID_INPUT", "id", id="id"
        ),
        pytest.param(
            'subscription { answerReceived(toPhone: "12") { id } }',
            "INVALID_INPUT",
            "toPhone",
            id="phone",
        ),
    ],
)
async def test_a_refused_subscription_gets_a_coded_error_then_completes(
    sandbox: tuple[Sandbox, str], query: str, code: str, field: str | None
) -> None:
    box, url = sandbox
    async with socket(url) as ws:
        await init(ws)
        await subscribe(ws, "1", query)
        error = await receive(ws)
        assert await receive(ws) == {"id": "1", "type": "complete"}
    (found,) = error["payload"]["errors"]
    assert found["extensions"]["code"] == code
    assert found["extensions"].get("field") == field
    assert not box.pollers.answer_poller.subscribers
    assert not box.pollers.job_poller.subscribers


async def test_an_unexpected_error_in_a_stream_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    box = Sandbox(wired=False)
    async with serving(box.app) as url, socket(url) as ws:
        await init(ws)
        await subscribe(ws, "1", ALL_ANSWERS)
        error = await receive(ws)
    assert error["payload"]["errors"] == [
        {"message": "Internal error.", "extensions": {"code": "INTERNAL"}}
    ]
    assert "live updates are not wired" in caplog.text


async def test_the_legacy_graphql_ws_protocol_is_not_offered(sandbox: tuple[Sandbox, str]) -> None:
    _, url = sandbox
    async with connect(url, subprotocols=[Subprotocol("graphql-ws")], proxy=None) as ws:
        assert ws.subprotocol is None
        assert await close_code(ws) == 4406


async def test_a_message_with_a_lone_surrogate_is_not_json_and_closes_the_socket(
    sandbox: tuple[Sandbox, str],
) -> None:
    """Read as HTTP bodies are (`read_json`): the protocol's answer to a non-JSON message is 4400,
    and nothing is subscribed."""
    box, url = sandbox
    async with socket(url) as ws:
        await init(ws)
        query = json.dumps(ANSWERS).replace("79370000009", "\\ud800")
        assert "\\ud800" in query
        await ws.send(f'{{"id": "1", "type": "subscribe", "payload": {{"query": {query}}}}}')
        assert await close_code(ws) == 4400
    assert not box.pollers.answer_poller.subscribers


async def test_a_subscription_over_http_post_is_a_request_error(
    sandbox: tuple[Sandbox, str],
) -> None:
    box, _ = sandbox
    transport = httpx.ASGITransport(app=box.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        response = await client.post("/graphql", json={"query": ALL_ANSWERS})
    assert response.status_code == 200
    assert response.json() == {"errors": [{"message": "Subscriptions are served over WebSocket."}]}


async def test_the_sandbox_service_needs_no_token(tmp_path: pathlib.Path) -> None:
    app = create_app(Settings.from_env({"FACADE_DATA_DIR": str(tmp_path)}))
    async with serving(app) as url, socket(url) as ws:
        assert await init(ws) == {"type": "connection_ack"}
        await subscribe(ws, "job", JOB)
        first = await receive(ws)
        await send(ws, id="job", type="complete")
        await until(lambda: not app.state.pollers["default"].job_poller.running)
    assert first["payload"]["data"]["jobChanged"]["status"] == "WAITING"


# The service as operators run it: tokens required, authentication in `connection_init`.


@pytest.fixture
async def service(tmp_path: pathlib.Path) -> AsyncIterator[tuple[Production, str]]:
    async with production(tmp_path) as found, serving(found.app) as url:
        yield found, url


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"Authorization": "Bearer smscf_" + "A" * 43}, id="unknown-token"),
        pytest.param({"Authorization": "Bearer nonsense"}, id="malformed-token"),
        pytest.param({"Authorization": "smscf_" + "A" * 43}, id="no-scheme"),
        pytest.param({"Authorization": 42}, id="not-a-string"),
    ],
)
async def test_init_without_a_valid_token_is_refused_with_4403(
    service: tuple[Production, str], payload: dict[str, Any]
) -> None:
    prod, url = service
    async with socket(url) as ws:
        await send(ws, type="connection_init", payload=payload)
        assert await close_code(ws) == 4403
    assert not prod.emulator.calls


@pytest.mark.parametrize("key", ["Authorization", "authorization", "AUTHORIZATION"])
async def test_a_valid_token_in_connection_init_is_accepted(
    service: tuple[Production, str], key: str
) -> None:
    prod, url = service
    async with socket(url) as ws:
        assert await init(ws, **{key: f"Bearer {prod.tokens[Scope.READ]}"}) == {
            "type": "connection_ack"
        }
        await subscribe(ws, "job", JOB)
        first = await receive(ws)
    assert first["payload"]["data"]["jobChanged"]["id"] == "2012"


async def test_a_valid_token_on_the_handshake_is_accepted(service: tuple[Production, str]) -> None:
    prod, url = service
    async with socket(url, Authorization=f"Bearer {prod.tokens[Scope.READ]}") as ws:
        assert await init(ws) == {"type": "connection_ack"}


async def test_the_init_payload_wins_over_the_handshake(service: tuple[Production, str]) -> None:
    prod, url = service
    async with socket(url, Authorization=f"Bearer {prod.tokens[Scope.READ]}") as ws:
        await send(ws, type="connection_init", payload={"Authorization": "Bearer bad"})
        assert await close_code(ws) == 4403


async def test_nothing_runs_before_init(service: tuple[Production, str]) -> None:
    prod, url = service
    async with socket(url, Authorization=f"Bearer {prod.tokens[Scope.READ]}") as ws:
        await subscribe(ws, "job", JOB)
        assert await close_code(ws) == 4401
    assert not prod.emulator.calls


async def test_a_token_in_the_url_refuses_the_handshake(service: tuple[Production, str]) -> None:
    prod, url = service
    with pytest.raises(InvalidStatus) as refused:
        async with socket(f"{url}?access_token={prod.tokens[Scope.READ]}"):
            pass
    assert refused.value.response.status_code == 403


async def test_validation_errors_hide_suggestions_in_production(
    service: tuple[Production, str],
) -> None:
    prod, url = service
    async with socket(url) as ws:
        await init(ws, Authorization=f"Bearer {prod.tokens[Scope.READ]}")
        await subscribe(ws, "1", "subscription { answerRecieved { id } }")
        error = await receive(ws)
    (found,) = error["payload"]
    assert "answerRecieved" in found["message"]
    assert "Did you mean" not in found["message"]


async def test_a_token_subscribes_on_its_own_account(tmp_path: pathlib.Path) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[accounts.marketing]\nlogin = { env = "MKT_LOGIN" }\npassword = { env = "MKT_PSW" }\n',
        encoding="utf-8",
    )
    emulator = create_emulator(
        seed="demo",
        accounts=[
            AccountCredentials(login=CANARY_LOGIN, password=CANARY_PASSWORD),
            AccountCredentials(login="mkt", password="mkt-password"),  # noqa: S106
        ],
    )
    environ = {"FACADE_ACCOUNTS_FILE": str(accounts), "MKT_LOGIN": "mkt", "MKT_PSW": "mkt-password"}
    upstream = httpx.ASGITransport(app=emulator)
    async with production(tmp_path, environ=environ, upstream=upstream) as prod:
        marketing = prod.store.issue("mkt", scopes=[Scope.READ], account="marketing").token
        async with serving(prod.app) as url, socket(url) as ws:
            await init(ws, Authorization=f"Bearer {marketing}")
            await subscribe(ws, "job", JOB)
            error = await receive(ws)
    assert error["payload"]["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert prod.app.state.pollers["marketing"].job_poller.subscribers == {}
