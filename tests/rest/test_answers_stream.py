"""`GET /v1/answers/stream`: Server-Sent Events, on fake time.

httpx's ASGITransport waits for a whole body, which a stream never ends; `Exchange` drives the
app as a server would instead: it keeps what the app sends and can tell it the client left.
"""

import contextlib
import json
import pathlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import anyio.abc
import anyio.lowlevel
import httpx
import pytest
import uvicorn
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message

from facade.app import create_app
from facade.credentials.scopes import Scope
from facade.rest import EXCEPTION_HANDLERS, rest_routes
from facade.rest.events import build_stream_routes
from facade.rest.http import fixed_client
from facade.rest.resources import answers
from facade.settings import Settings
from facade.upstream.pollers import Pollers
from tests.loopback import free_port
from tests.production import production
from tests.upstream.harness import Harness, harness
from tests.upstream.test_pollers import Ticker

pytestmark = pytest.mark.anyio

URL = "/v1/answers/stream"
ANSWERS = 30.0


async def eventually(condition: Callable[[], bool]) -> None:
    for _ in range(20_000):
        if condition():
            return
        await anyio.lowlevel.checkpoint()
    raise AssertionError("condition never held")


class Exchange:
    """One GET through an ASGI app, driven as a server drives it."""

    def __init__(self, path: str, headers: dict[str, str]) -> None:
        target, _, query = path.partition("?")
        self.scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "server": ("facade", 80),
            "client": ("127.0.0.1", 50000),
            "path": target,
            "raw_path": target.encode(),
            "root_path": "",
            "query_string": query.encode(),
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        }
        self.sent: list[Message] = []
        self.finished = False
        self.writable = anyio.Event()
        self.writable.set()
        self.gone = False  # writes fail, as an ASGI 2.4 server's do once the client left
        self._left = anyio.Event()
        self._asked = False

    async def run(self, app: ASGIApp) -> None:
        await app(self.scope, self._receive, self._send)
        self.finished = True

    def leave(self) -> None:
        self._left.set()

    async def _receive(self) -> Message:
        if not self._asked:
            self._asked = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._left.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: Message) -> None:
        await self.writable.wait()
        if self.gone:
            raise OSError("the client went away")
        self.sent.append(message)

    @property
    def status(self) -> int | None:
        starts = [m for m in self.sent if m["type"] == "http.response.start"]
        return starts[0]["status"] if starts else None

    @property
    def headers(self) -> dict[str, str]:
        start = next(m for m in self.sent if m["type"] == "http.response.start")
        return {k.decode(): v.decode() for k, v in start["headers"]}

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")

    @property
    def ended(self) -> bool:
        return any(
            m["type"] == "http.response.body" and not m.get("more_body", False) for m in self.sent
        )

    def events(self) -> list[dict[str, Any]]:
        """Each event's fields (`data` parsed as JSON); comments are left out."""
        found = []
        for block in self.body.decode().split("\n\n"):
            fields = dict(
                line.split(": ", 1) for line in block.splitlines() if not line.startswith(":")
            )
            if fields:
                fields["data"] = json.loads(fields["data"])
                found.append(fields)
        return found

    def ids(self) -> list[str]:
        return [event["id"] for event in self.events() if event["event"] == "answer"]


class Live:
    """The REST routes over a harness client whose pollers run on fake time."""

    def __init__(self, **pollers: Any) -> None:
        self.upstream: Harness = harness()
        self.ticker = Ticker(self.upstream.clock)
        self.pollers = Pollers(
            self.upstream.client, clock=self.upstream.clock, sleep=self.ticker.sleep, **pollers
        )
        routes = rest_routes(self.upstream.client, live=lambda _: self.pollers)
        self.app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)

    @contextlib.asynccontextmanager
    async def stream(
        self, path: str = URL, *, app: ASGIApp | None = None, headers: dict[str, str] | None = None
    ) -> AsyncIterator[Exchange]:
        exchange = Exchange(path, headers or {})
        async with anyio.create_task_group() as group:
            group.start_soon(exchange.run, app or self.app)
            await eventually(lambda: exchange.status is not None)
            yield exchange
            exchange.leave()

    def inject(self, message: str = "hi", to_phone: str = "") -> str:
        return str(
            self.upstream.emulator.inject_answer(
                phone="79990001122", message=message, to_phone=to_phone
            )
        )


async def test_new_answers_arrive_as_events() -> None:
    live = Live()
    async with live.stream() as stream:
        await live.ticker.settle()
        first, second = live.inject("один"), live.inject("два", to_phone="79370000001")
        await live.ticker.advance(ANSWERS)
        await eventually(lambda: len(stream.events()) == 2)

        assert stream.status == 200
        assert stream.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert stream.headers["cache-control"] == "no-store"
        assert "content-length" not in stream.headers
        listed = await _listed(live, second)
    one, two = stream.events()
    assert (one["id"], one["event"], one["data"]["message"]) == (first, "answer", "один")
    assert (two["id"], two["data"]) == (second, listed)
    assert stream.body.startswith(f"id: {first}\nevent: answer\ndata: {{".encode())


async def _listed(live: Live, id: str) -> dict[str, Any]:
    """The answer as `GET /v1/answers` gives it."""
    transport = httpx.ASGITransport(app=live.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        page = (await client.get("/v1/answers", params={"limit": 100})).json()
    found: dict[str, Any] = next(item for item in page["items"] if item["id"] == id)
    return found


async def test_to_phone_filters_the_stream() -> None:
    live = Live()
    async with live.stream(f"{URL}?toPhone=%2B79370000009") as stream:
        await live.ticker.settle()
        live.inject("no")
        wanted = live.inject("yes", to_phone="79370000009")
        await live.ticker.advance(ANSWERS)
        await eventually(lambda: bool(stream.events()))
        await live.ticker.advance(ANSWERS)
    assert stream.ids() == [wanted]


async def test_last_event_id_resumes_after_that_answer_then_goes_live() -> None:
    live = Live()
    async with live.stream(headers={"Last-Event-ID": "6004"}) as stream:
        await eventually(lambda: stream.ids() == ["6005", "6006"])
        assert len(live.upstream.calls("get_answers")) == 1, "one read gave what was missed"
        await live.ticker.settle()
        later = live.inject()
        await live.ticker.advance(ANSWERS)
        await eventually(lambda: len(stream.ids()) == 3)
        await live.ticker.advance(ANSWERS)
    assert stream.ids() == ["6005", "6006", later]


async def test_last_event_id_with_to_phone_resumes_only_those_answers() -> None:
    live = Live()
    headers = {"Last-Event-ID": "6001"}
    async with live.stream(f"{URL}?toPhone=79370000002", headers=headers) as stream:
        await eventually(lambda: bool(stream.ids()))
        await live.ticker.settle()
        later = live.inject(to_phone="79370000002")
        live.inject(to_phone="79370000001")
        await live.ticker.advance(ANSWERS)
        await eventually(lambda: len(stream.ids()) == 3)
    assert stream.ids() == ["6002", "6005", later]


async def test_a_comment_keeps_an_idle_stream_open() -> None:
    live = Live()
    app = Starlette(
        routes=build_stream_routes(
            answers.resource.streams,
            fixed_client(live.upstream.client),
            lambda _: live.pollers,
            heartbeat=15.0,
            sleep=live.ticker.sleep,
        )
    )
    async with live.stream(app=app) as stream:
        await live.ticker.settle(asleep=2)
        await live.ticker.advance(15.0, asleep=2)
        await eventually(lambda: stream.body == b": keep-alive\n\n")
        await live.ticker.advance(15.0, asleep=2)
        await eventually(lambda: stream.body.count(b": keep-alive\n\n") == 2)
    assert stream.events() == []


async def test_leaving_releases_the_subscriber_and_the_poller_stops() -> None:
    live = Live()
    async with live.stream() as stream:
        await live.ticker.settle()
        assert live.pollers.answer_poller.subscribers
        stream.leave()
        await eventually(lambda: stream.finished)
    assert not live.pollers.answer_poller.subscribers
    assert not live.pollers.answer_poller.running
    calls = len(live.upstream.calls("get_answers"))
    for _ in range(3):
        await live.ticker.advance(ANSWERS, asleep=0)
    assert len(live.upstream.calls("get_answers")) == calls
    assert not stream.ended, "nothing is written after the client left"


async def test_a_stream_that_falls_behind_ends_with_an_error_event() -> None:
    live = Live(queue_size=2)
    async with live.stream() as stream:
        await live.ticker.settle()
        stream.writable = anyio.Event()  # the client stops reading
        ids = [live.inject(str(n)) for n in range(3)]
        await live.ticker.advance(ANSWERS)
        stream.writable.set()
        await eventually(lambda: stream.finished)
    *delivered, error = stream.events()
    assert [event["id"] for event in delivered] == ids[:2]
    assert error["event"] == "error"
    assert error["data"]["code"] == "RATE_LIMITED"
    assert "Last-Event-ID" in error["data"]["detail"]
    assert stream.ended
    assert not live.pollers.answer_poller.subscribers


async def test_a_write_failing_releases_the_stream() -> None:
    live = Live()
    async with live.stream() as stream:
        await live.ticker.settle()
        stream.gone = True
        live.inject()
        await live.ticker.advance(ANSWERS, asleep=0)
        await eventually(lambda: stream.finished)
    assert not live.pollers.answer_poller.subscribers
    assert stream.events() == []


async def test_the_service_stopping_ends_the_stream_cleanly() -> None:
    live = Live()
    async with live.stream() as stream:
        await live.ticker.settle()
        await live.pollers.aclose()
        await eventually(lambda: stream.finished)
    assert stream.ended
    assert stream.events() == []


@pytest.mark.parametrize(
    ("path", "headers", "field"),
    [
        pytest.param(f"{URL}?toPhone=12", {}, "toPhone", id="bad-phone"),
        pytest.param(URL, {"Last-Event-ID": "abc"}, "Last-Event-ID", id="bad-last-event-id"),
    ],
)
async def test_bad_input_is_a_problem_before_any_stream(
    path: str, headers: dict[str, str], field: str
) -> None:
    live = Live()
    async with live.stream(path, headers=headers) as stream:
        await eventually(lambda: stream.finished)
    assert stream.status == 400
    assert json.loads(stream.body)["field"] == field
    assert not live.pollers.answer_poller.running


async def test_smsc_failing_while_resuming_is_a_problem_and_leaves_nothing_behind() -> None:
    live = Live()
    live.upstream.emulator.add_fault("status", status=503)
    async with live.stream(headers={"Last-Event-ID": "6004"}) as stream:
        await eventually(lambda: stream.finished)
    assert stream.status == 503
    assert json.loads(stream.body)["code"] == "UPSTREAM_UNAVAILABLE"
    assert not live.pollers.answer_poller.subscribers


# The service as operators run it.


async def test_the_stream_needs_a_token(tmp_path: pathlib.Path) -> None:
    async with production(tmp_path) as prod:
        refused = await prod.client.get(URL)
        exchange = Exchange(URL, prod.auth(Scope.READ))
        async with anyio.create_task_group() as group:
            group.start_soon(exchange.run, prod.app)
            await eventually(lambda: exchange.status is not None)
            assert prod.app.state.pollers["default"].answer_poller.running
            exchange.leave()
        assert not prod.app.state.pollers["default"].answer_poller.running
    assert refused.status_code == 401
    assert refused.json()["code"] == "UNAUTHENTICATED"
    assert exchange.status == 200


async def test_the_service_documents_the_stream(tmp_path: pathlib.Path) -> None:
    app = create_app(Settings.from_env({"FACADE_DATA_DIR": str(tmp_path)}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        document = (await client.get("/openapi.json")).json()

    validate(document)
    operation = document["paths"][URL]["get"]
    assert operation["operationId"] == "streamAnswers"
    assert operation["x-required-scope"] == "read"
    content = operation["responses"]["200"]["content"]["text/event-stream"]
    assert content["x-events"]["answer"] == {"$ref": "#/components/schemas/Answer"}
    assert {p["name"] for p in operation["parameters"]} == {"toPhone", "Last-Event-ID"}
    assert {"400", "401", "403", "429", "503"} <= set(operation["responses"])


async def test_head_answers_the_headers_without_holding_a_stream() -> None:
    live = Live()
    transport = httpx.ASGITransport(app=live.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        response = await client.head(URL)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert not live.pollers.answer_poller.running


def test_without_pollers_the_stream_is_neither_served_nor_documented() -> None:
    routes = rest_routes(harness().client)
    assert URL not in {getattr(route, "path", None) for route in routes}


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
async def test_over_a_real_server_events_arrive_and_leaving_releases_the_stream() -> None:
    live = Live()
    port = free_port()
    config = uvicorn.Config(
        live.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve)
        with anyio.fail_after(5):
            while not server.started:  # noqa: ASYNC110 - uvicorn signals no event
                await anyio.sleep(0.002)
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", trust_env=False) as client,
            client.stream("GET", URL, headers={"Last-Event-ID": "6005"}) as response,
        ):
            lines = response.aiter_lines()
            with anyio.fail_after(5):
                first = [await anext(lines) for _ in range(4)]
            await live.ticker.settle()
            injected = live.inject()
            await live.ticker.advance(ANSWERS)
            with anyio.fail_after(5):
                second = [await anext(lines) for _ in range(4)]
        with anyio.fail_after(5):
            while live.pollers.answer_poller.subscribers:  # noqa: ASYNC110 - see above
                await anyio.sleep(0.002)
        server.should_exit = True
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert first[:2] == ["id: 6006", "event: answer"]
    assert second[:2] == [f"id: {injected}", "event: answer"]
    assert not live.pollers.answer_poller.running
