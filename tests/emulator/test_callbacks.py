"""Callbacks: status changes and incoming messages posted to the account's handler, with retries."""

import hashlib
from typing import Any
from urllib.parse import parse_qsl

import anyio
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from facade.emulator.assumptions import CALLBACK_RETRY_DELAYS, DELIVERY_SECONDS, TEST_NUMBER_PREFIX
from facade.emulator.state import AccountCredentials
from tests.emulator.conftest import WALL_START, call, wait_until

URL = "http://facade.test/smsc/callback/key-1?charset=utf-8"
SECRET = "s3cret"  # noqa: S105 - a test checksum secret
PHONE = "79991112233"
SENT = str(int(WALL_START))


class Receiver:
    """A handler (for `httpx.MockTransport`) that records requests and answers `answers` in
    turn (an HTTP status, or an exception to raise), then 200 `OK`."""

    def __init__(self, *answers: int | Exception) -> None:
        self.requests: list[httpx.Request] = []
        self.answers = list(answers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return httpx.Response(answer)
        return httpx.Response(200, text="OK")

    def forms(self, charset: str = "utf-8") -> list[dict[str, str]]:
        return [
            dict(parse_qsl(request.content.decode("ascii"), encoding=charset))
            for request in self.requests
        ]


def digest(text: str, algorithm: str = "md5") -> str:
    return hashlib.new(algorithm, text.encode()).hexdigest()


def status_form(status: int, err: int = 0, ts: str = SENT, **changes: str) -> dict[str, str]:
    form = {
        "id": "fx1",
        "phone": PHONE,
        "status": str(status),
        "err": str(err),
        "ts": ts,
        "cnt": "1",
        "cost": "2.50",
        "sender": "SMSC.RU",
    } | changes
    form["md5"] = digest(f"{form['id']}:{form['phone']}:{status}:{SECRET}")
    return form


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def app(make_app, receiver):
    return make_app(
        callback_url=URL,
        callback_secret=SECRET,
        callback_transport=httpx.MockTransport(receiver),
    )


async def send(client: httpx.AsyncClient, **params: Any) -> str:
    return await call(client, "send.php", **{"phones": PHONE, "mes": "a", "id": "fx1", **params})


@pytest.mark.anyio
async def test_each_status_change_is_posted_with_its_checksum(client, clock, state, receiver):
    await send(client)
    assert await state.deliver_callbacks() == 1
    clock.advance(DELIVERY_SECONDS)
    assert await state.deliver_callbacks() == 1
    assert receiver.forms() == [status_form(0), status_form(1, ts=str(int(WALL_START) + 5))]
    request = receiver.requests[0]
    assert (request.method, str(request.url)) == ("POST", URL)
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert await state.deliver_callbacks() == 0


@pytest.mark.anyio
async def test_the_request_that_caused_a_callback_does_not_send_it(client, state, receiver):
    await send(client)
    assert receiver.requests == []
    assert [callback.fields[2] for callback in state.callbacks.pending] == [("status", "0")]


@pytest.mark.anyio
async def test_a_scheduled_message_posts_no_waiting(client, clock, state, receiver):
    await send(client, time="+1")
    assert await state.deliver_callbacks() == 0
    clock.advance(60 + DELIVERY_SECONDS)
    assert await state.deliver_callbacks() == 2
    assert [form["status"] for form in receiver.forms()] == ["0", "1"]


@pytest.mark.anyio
async def test_every_step_of_a_test_number_and_refused_recipients(client, clock, state, receiver):
    phone = TEST_NUMBER_PREFIX + "04"
    await send(client, phones=f"{phone},123")
    clock.advance(2 * DELIVERY_SECONDS)
    assert await state.deliver_callbacks() == 4
    posted = [(form["phone"], form["status"], form["err"]) for form in receiver.forms()]
    assert posted == [(phone, "0", "0"), ("123", "22", "249"), (phone, "1", "0"), (phone, "4", "0")]


@pytest.mark.anyio
async def test_a_forced_status_is_posted(client, clock, state, receiver):
    await send(client)
    clock.advance(1)
    state.force_message_status("fx1", PHONE, 20, 13)
    clock.advance(3600)
    assert await state.deliver_callbacks() == 2
    assert receiver.forms()[1] == status_form(20, 13, ts=str(int(WALL_START) + 1))


@pytest.mark.anyio
async def test_an_incoming_message_is_posted(client, state, receiver):
    response = await client.post(
        "/__emulator__/answers",
        json={"phone": "79161234567", "message": "Да, спасибо", "to_phone": "79370000001"},
    )
    answer_id = response.json()["id"]
    assert receiver.requests == []
    assert await state.deliver_callbacks() == 1
    checksum = digest(f"{answer_id}:79161234567::{SECRET}")
    assert receiver.forms() == [
        {
            "id": str(answer_id),
            "phone": "79161234567",
            "mes": "Да, спасибо",
            "to": "79370000001",
            "sent": SENT,
            "md5": checksum,
        }
    ]


@pytest.mark.anyio
async def test_without_a_secret_there_is_no_checksum_and_sha1_on_demand(client, state, receiver):
    state.set_callback(URL)
    await send(client)
    await state.deliver_callbacks()
    assert "md5" not in receiver.forms()[0]
    state.set_callback(URL, secret=SECRET, checksum="sha1")
    await send(client, id="fx2")
    await state.deliver_callbacks()
    form = receiver.forms()[1]
    assert "md5" not in form
    assert form["sha1"] == digest(f"fx2:{PHONE}:0:{SECRET}", "sha1")


@pytest.mark.anyio
async def test_the_body_is_in_the_charset_the_url_names(client, state, receiver):
    state.set_callback("http://facade.test/cb")
    state.inject_answer(phone="79161234567", message="Привет 😀")
    await state.deliver_callbacks()
    assert receiver.forms("windows-1251")[0]["mes"] == "Привет ?"


@pytest.mark.anyio
async def test_an_account_without_a_handler_posts_nothing_even_later(
    client, clock, state, receiver
):
    state.set_callback(None)
    await send(client)
    assert await state.deliver_callbacks() == 0
    state.set_callback(URL, secret=SECRET)
    clock.advance(DELIVERY_SECONDS)
    # Only what happens from now on: the delivery, not the hand-over before the handler was set.
    assert await state.deliver_callbacks() == 1
    assert receiver.forms()[0]["status"] == "1"


@pytest.mark.anyio
async def test_handlers_are_per_account(make_app, receiver):
    accounts = [AccountCredentials("demo", "demo"), AccountCredentials("other", "pw")]
    app = make_app(accounts=accounts, callback_transport=httpx.MockTransport(receiver))
    state = app.state.emulator
    assert state.callback_targets == {}
    state.set_callback("http://facade.test/other", login="other")
    state.inject_answer(phone="79161234567", message="a")
    state.inject_answer(phone="79161234567", message="b", login="other")
    await state.deliver_callbacks()
    assert [
        (str(r.url), f["mes"]) for r, f in zip(receiver.requests, receiver.forms(), strict=True)
    ] == [("http://facade.test/other", "b")]
    with pytest.raises(KeyError):
        state.set_callback(URL, login="nobody")


class TestRetries:
    @pytest.mark.anyio
    async def test_failed_attempts_are_retried_with_backoff(self, make_app, client, clock):
        receiver = Receiver(500, httpx.ConnectError("refused"))
        app = make_app(callback_url=URL, callback_transport=httpx.MockTransport(receiver))
        state = app.state.emulator
        state.inject_answer(phone="79161234567", message="a")
        assert await state.deliver_callbacks() == 0
        (callback,) = state.callbacks.pending
        assert (callback.attempts, callback.error) == (1, "HTTP 500")
        clock.advance(CALLBACK_RETRY_DELAYS[0] - 1)
        assert await state.deliver_callbacks() == 0
        assert callback.attempts == 1
        clock.advance(1)
        assert await state.deliver_callbacks() == 0
        assert (callback.attempts, callback.error) == (2, "ConnectError: refused")
        clock.advance(CALLBACK_RETRY_DELAYS[1])
        assert await state.deliver_callbacks() == 1
        assert (callback.attempts, callback.outcome, callback.error) == (3, "delivered", None)
        assert list(state.callbacks.delivered) == [callback]
        assert state.callbacks.pending == []

    @pytest.mark.anyio
    async def test_dropped_after_the_last_retry(self, make_app, clock):
        receiver = Receiver(*[503] * (len(CALLBACK_RETRY_DELAYS) + 1))
        app = make_app(callback_url=URL, callback_transport=httpx.MockTransport(receiver))
        state = app.state.emulator
        state.inject_answer(phone="79161234567", message="a")
        for delay in (*CALLBACK_RETRY_DELAYS, 0):
            assert await state.deliver_callbacks() == 0
            clock.advance(delay)
        assert len(receiver.requests) == len(CALLBACK_RETRY_DELAYS) + 1
        assert state.callbacks.pending == []
        (dropped,) = state.callbacks.dropped
        assert (dropped.outcome, dropped.error) == ("dropped", "HTTP 503")

    @pytest.mark.anyio
    async def test_an_in_process_receiver_that_fails_is_a_failed_attempt(self, make_app, clock):
        async def broken(request: Request) -> PlainTextResponse:
            raise RuntimeError("receiver bug")

        receiver_app = Starlette(routes=[Route("/cb", broken, methods=["POST"])])
        app = make_app(
            callback_url="http://facade.test/cb",
            callback_transport=httpx.ASGITransport(app=receiver_app),
        )
        state = app.state.emulator
        state.inject_answer(phone="79161234567", message="a")
        assert await state.deliver_callbacks() == 0
        assert state.callbacks.pending[0].error == "RuntimeError: receiver bug"


@pytest.mark.anyio
async def test_an_asgi_receiver_reads_the_form(make_app, clock):
    received: list[dict[str, str]] = []

    async def handler(request: Request) -> PlainTextResponse:
        received.append(dict(parse_qsl((await request.body()).decode("ascii"))))
        return PlainTextResponse("OK")

    receiver_app = Starlette(routes=[Route("/smsc/callback/{key}", handler, methods=["POST"])])
    app = make_app(
        callback_url=URL,
        callback_secret=SECRET,
        callback_transport=httpx.ASGITransport(app=receiver_app),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://smsc.test") as client:
        await send(client, sender="Магазин")
    state = app.state.emulator
    assert await state.deliver_callbacks() == 1
    assert received == [status_form(0, sender="Магазин")]
    await state.aclose()


@pytest.mark.anyio
async def test_the_worker_sends_new_callbacks_at_once(client, state, receiver):
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(state.run_callbacks)
        await wait_until(lambda: state.callbacks._wake is not None)
        await send(client)
        await wait_until(lambda: len(receiver.requests) == 1)
        tasks.cancel_scope.cancel()
    assert receiver.forms() == [status_form(0)]


@pytest.mark.anyio
async def test_the_lifespan_runs_the_worker_and_closes_its_client(app, client, state, receiver):
    async with app.router.lifespan_context(app):
        await wait_until(lambda: state.callbacks._wake is not None)
        await send(client)
        await wait_until(lambda: len(receiver.requests) == 1)
        assert state.callbacks._client is not None
    assert state.callbacks._client is None


@pytest.mark.anyio
async def test_reset_forgets_the_queue_but_keeps_the_handlers(client, state, receiver):
    await send(client)
    state.reset(seed="empty")
    assert state.callbacks.pending == []
    assert state.callback_targets["demo"].url == URL
    assert await state.deliver_callbacks() == 0
