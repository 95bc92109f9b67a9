"""Single messages in GraphQL against the emulator: balance, sendMessage, messageCost and message
(every `message` of one document in one status.php request), SMSC's refusals as coded union
members, and sendMessage under an idempotency key: sent once, a lost answer settled by
status.php."""

import decimal
import pathlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request

from facade.app import graphql_routes
from facade.credentials.scopes import Principal, Scope
from facade.domain.messages import MessageStatus
from facade.emulator.faults import Fault
from facade.graphql.context import Context
from facade.graphql.types import RecipientRejection, SentMessage
from facade.settings import Settings
from tests.emulator.conftest import wait_until
from tests.fakes import FakeSleep
from tests.graphql.test_idempotency import codec_of
from tests.upstream.harness import Harness
from tests.upstream.lossy import Rig, rig

pytestmark = pytest.mark.anyio

GraphQLCall = Callable[..., Awaitable[dict[str, Any]]]

PHONE = "79161234567"
UNDELIVERABLE = "79990000308"  # the emulator refuses it at send: error 8 (assumptions.py)
SEND = """
mutation($input: SendMessageInput!, $key: String) {
  sendMessage(input: $input, idempotencyKey: $key) {
    __typename
    ... on SendMessageSuccess {
      id parts cost balance rejected { phone status statusCode errorCode error }
    }
    ... on Error { code message }
    ... on InvalidInputError { field }
    ... on RateLimitedError { retryAfter }
    ... on UpstreamError { upstreamCode outcomeUnknown messageId }
  }
}
"""
FIELDS = "id phone status statusCode final errorCode sentAt cost parts"
ATTEMPTS = 3  # a status read is tried this many times (UpstreamConfig.attempts)


def calls(emulator: Any, endpoint: str, command: str | None = None) -> int:
    return sum(
        1
        for c in emulator.calls
        if c.path.endswith(f"/{endpoint}.php") and (command is None or c.command == command)
    )


def sent(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["sendMessage"]
    return result


async def send(graphql: GraphQLCall, **input: Any) -> dict[str, Any]:
    return sent(await graphql(SEND, {"input": {"phones": [PHONE], "message": "Hi", **input}}))


# reads


async def test_the_balance_with_its_freshness(graphql: GraphQLCall, upstream: Harness) -> None:
    first = await graphql("{ balance { amount currency credit } }")
    again = await graphql("{ balance { amount currency credit } }")

    assert first["data"] == {"balance": {"amount": "1500.00", "currency": "RUR", "credit": None}}
    assert first["extensions"]["freshness"]["balance"]["status"] == "miss"
    assert again["data"] == first["data"]
    assert calls(upstream.emulator, "balance") == 1


async def test_the_cost_is_asked_without_sending(graphql: GraphQLCall, upstream: Harness) -> None:
    query = "query($input: SendMessageInput!) { messageCost(input: $input) { cost parts } }"
    variables = {"input": {"phones": [PHONE, "79161234568"], "message": "Hello"}}

    first = await graphql(query, variables)
    again = await graphql(query, variables)

    assert first["data"] == {"messageCost": {"cost": "5.00", "parts": 2}}
    assert first["extensions"]["freshness"]["messageCost"]["status"] == "miss"
    assert again["data"] == first["data"]
    assert calls(upstream.emulator, "send", "cost") == 1
    assert calls(upstream.emulator, "send", "send") == 0


async def test_a_sent_message_is_followed_by_its_id_and_phone(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    result = await send(graphql)
    query = f"query($id: ID!, $phone: String!) {{ message(id: $id, phone: $phone) {{ {FIELDS} }} }}"
    ref = {"id": result["id"], "phone": PHONE}

    body = await graphql(query, ref)

    assert result["__typename"] == "SendMessageSuccess"
    assert result["id"].startswith("fx")
    assert (result["parts"], result["cost"], result["rejected"]) == (1, None, [])
    message = body["data"]["message"]
    assert (message["id"], message["phone"]) == (result["id"], PHONE)
    assert (message["status"], message["statusCode"], message["final"]) == ("SENT", 0, False)
    assert body["extensions"]["freshness"]["message"]["status"] == "miss"
    upstream.clock.advance(31.0)  # the status's time in the cache, and SMSC's delivery
    delivered = (await graphql(query, ref))["data"]
    assert (delivered["message"]["status"], delivered["message"]["final"]) == ("DELIVERED", True)


async def test_many_messages_of_one_document_travel_in_one_status_request(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    ids = [(await send(graphql, message=f"Hi {n}"))["id"] for n in range(3)]
    fields = " ".join(
        f'm{n}: message(id: "{id}", phone: "{PHONE}") {{ id status }}' for n, id in enumerate(ids)
    )
    unknown = f'gone: message(id: "fxaaaaaaaaaaaaaaaaaaaa", phone: "{PHONE}") {{ status }}'
    again = f'again: message(id: "{ids[0]}", phone: "{PHONE}") {{ status }}'

    body = await graphql(f"{{ {fields} {unknown} {again} }}")

    assert "errors" not in body, body
    data = body["data"]
    assert [data[f"m{n}"]["id"] for n in range(3)] == ids
    assert {data[f"m{n}"]["status"] for n in range(3)} == {"SENT"}
    assert data["gone"] == {"status": "NOT_FOUND"}  # a message, not null: SMSC's own answer
    assert data["again"] == {"status": "SENT"}
    assert set(body["extensions"]["freshness"]) == {"m0", "m1", "m2", "gone", "again"}
    assert calls(upstream.emulator, "status") == 1


# sending


async def test_with_cost_answers_the_cost_and_the_balance_after_it(graphql: GraphQLCall) -> None:
    result = await send(graphql, withCost=True)

    assert (result["parts"], result["cost"], result["balance"]) == (1, "2.50", "1497.50")


async def test_a_recipient_refused_within_an_accepted_send_is_listed(
    graphql: GraphQLCall,
) -> None:
    result = await send(graphql, phones=[PHONE, UNDELIVERABLE])

    assert result["__typename"] == "SendMessageSuccess"
    (rejected,) = result["rejected"]
    assert rejected["phone"] == UNDELIVERABLE
    assert (rejected["status"], rejected["statusCode"], rejected["errorCode"]) == (
        "UNAVAILABLE_NUMBER",
        25,
        248,
    )
    assert rejected["error"]


@pytest.mark.parametrize(
    ("input", "code", "upstream_code"),
    [
        pytest.param({"phones": [UNDELIVERABLE]}, "RECIPIENT_REJECTED", 8, id="cannot-deliver"),
        pytest.param({"message": "Win SPAM-DENIED"}, "MESSAGE_DENIED", 6, id="denied-text"),
        pytest.param({"balance": "0.10"}, "INSUFFICIENT_FUNDS", 3, id="no-money"),
    ],
)
async def test_smscs_refusals_are_coded_upstream_errors_with_the_message_id(
    graphql: GraphQLCall, upstream: Harness, input: dict[str, Any], code: str, upstream_code: int
) -> None:
    balance = input.pop("balance", None)
    if balance is not None:
        upstream.emulator.set_balance(decimal.Decimal(balance))

    result = await send(graphql, **input)

    assert result["__typename"] == "UpstreamError"
    assert (result["code"], result["upstreamCode"]) == (code, upstream_code)
    assert result["outcomeUnknown"] is False
    assert result["messageId"].startswith("fx")
    assert "SMSC error" in result["message"]


async def test_a_refused_cost_is_an_error_with_its_code(graphql: GraphQLCall) -> None:
    body = await graphql(
        '{ messageCost(input: {phones: ["79161234567"], message: "SPAM-DENIED"}) { cost } }'
    )

    (error,) = body["errors"]
    assert error["extensions"] == {"code": "MESSAGE_DENIED", "upstreamCode": 6}
    assert error["path"] == ["messageCost"]


async def test_an_identical_send_within_a_minute_is_rate_limited(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    await send(graphql)
    again = await send(graphql)

    assert (again["__typename"], again["code"]) == ("RateLimitedError", "RATE_LIMITED")
    assert again["retryAfter"] > 0
    assert calls(upstream.emulator, "send", "send") == 1


@pytest.mark.parametrize(
    ("input", "field"),
    [
        pytest.param({"phones": ["123"]}, "phones[0]", id="invalid-number"),
        pytest.param({"phones": []}, "phones", id="no-recipient"),
        pytest.param({"phones": [PHONE, PHONE]}, "phones", id="twice"),
        pytest.param({"message": " "}, "message", id="blank"),
        pytest.param({"subject": "Hi"}, "subject", id="subject-on-sms"),
    ],
)
async def test_bad_input_never_reaches_smsc(
    graphql: GraphQLCall, upstream: Harness, input: dict[str, Any], field: str
) -> None:
    result = await send(graphql, **input)

    assert (result["__typename"], result["code"], result["field"]) == (
        "InvalidInputError",
        "INVALID_INPUT",
        field,
    )
    assert not upstream.emulator.calls


@pytest.mark.parametrize(
    ("id", "phone", "field"),
    [
        pytest.param("a b", PHONE, "id", id="id-space"),
        pytest.param("x" * 41, PHONE, "id", id="id-41"),
        pytest.param("fx1", "123", "phone", id="phone-short"),
        pytest.param("fx1", "#no spaces", "phone", id="telegram-id-space"),
    ],
)
async def test_a_bad_message_ref_is_refused_before_smsc(
    graphql: GraphQLCall, upstream: Harness, id: str, phone: str, field: str
) -> None:
    body = await graphql(
        "query($id: ID!, $phone: String!) { message(id: $id, phone: $phone) { status } }",
        {"id": id, "phone": phone},
    )

    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == field
    assert not upstream.emulator.calls


# under an idempotency key

KEY = "0f8c6a1e-sms-2026-12"
WRITER = Principal(name="writer", account="default", scopes=frozenset({Scope.READ, Scope.WRITE}))
SPEC: dict[str, Any] = {"phones": [PHONE], "message": "Your code: 4321"}


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def lossy(tmp_path: pathlib.Path, sleep: FakeSleep) -> Rig:
    # Repeats wait (real time) for the first run: long enough for a loaded machine.
    return rig(tmp_path, emulator_sleep=sleep, wait=10.0, settle_after=60.0)


@pytest.fixture
async def keyed(lossy: Rig) -> AsyncIterator[GraphQLCall]:
    async def context(_: Request) -> Context:
        return Context(smsc=lossy.client, principal=WRITER, idempotency=lossy.idempotency)

    app = Starlette(routes=graphql_routes(Settings.from_env({}), context))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:

        async def call(input: dict[str, Any] = SPEC, key: str = KEY) -> dict[str, Any]:
            variables = {"input": input, "key": key}
            response = await client.post("/graphql", json={"query": SEND, "variables": variables})
            body: dict[str, Any] = response.json()
            return body

        yield call


async def test_twenty_concurrent_sends_under_one_key_send_once(
    keyed: GraphQLCall, lossy: Rig, sleep: FakeSleep
) -> None:
    lossy.emulator.add_fault("latency", path="send.php", command="send", seconds=1, times=1)
    sleep.hold()
    bodies: list[dict[str, Any]] = []

    async def call() -> None:
        bodies.append(await keyed())

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(call)
        await wait_until(lambda: sleep.waiting == 1)
        for _ in range(100):
            await anyio.lowlevel.checkpoint()
        sleep.release()

    results = [sent(body) for body in bodies]
    assert results[0]["__typename"] == "SendMessageSuccess"
    assert results == [results[0]] * 20
    assert calls(lossy.emulator, "send", "send") == 1
    assert lossy.emulator.message(results[0]["id"], PHONE) is not None


async def test_a_lost_send_is_settled_on_its_repeat_never_sent_again(
    keyed: GraphQLCall, lossy: Rig
) -> None:
    # SMSC sends it, the answer is lost, and status.php cannot be asked either just then.
    lossy.emulator.faults.add(Fault("reset_after", path="send.php", times=1))
    lossy.emulator.faults.add(Fault("reset", path="status.php", times=ATTEMPTS))

    lost = sent(await keyed())
    early = await keyed()
    (error,) = early["errors"]
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["outcomeUnknown"] is True
    lossy.clock.advance(error["extensions"]["retryAfter"])
    settled = sent(await keyed())

    assert (lost["__typename"], lost["code"], lost["outcomeUnknown"]) == (
        "UpstreamError",
        "UPSTREAM_UNAVAILABLE",
        True,
    )
    assert settled["__typename"] == "SendMessageSuccess"
    assert lossy.emulator.message(settled["id"], PHONE) is not None
    assert (settled["parts"], settled["balance"], settled["rejected"]) == (1, None, [])
    assert sent(await keyed()) == settled
    assert calls(lossy.emulator, "send", "send") == 1


async def test_the_same_key_with_another_message_is_refused(keyed: GraphQLCall, lossy: Rig) -> None:
    sent(await keyed())

    refused = sent(await keyed({**SPEC, "message": "Another"}))

    assert (refused["__typename"], refused["field"]) == ("InvalidInputError", "idempotencyKey")
    assert calls(lossy.emulator, "send", "send") == 1


async def test_a_bad_input_is_refused_before_the_key_is_taken(
    keyed: GraphQLCall, lossy: Rig
) -> None:
    refused = sent(await keyed({**SPEC, "phones": ["123"]}))
    accepted = sent(await keyed())

    assert (refused["__typename"], refused["field"]) == ("InvalidInputError", "phones[0]")
    assert accepted["__typename"] == "SendMessageSuccess"


async def test_a_replayed_refusal_keeps_its_message_id(keyed: GraphQLCall, lossy: Rig) -> None:
    lossy.emulator.set_balance(decimal.Decimal("0.10"))

    first = sent(await keyed())
    again = sent(await keyed())

    assert first["code"] == "INSUFFICIENT_FUNDS"
    assert again == first


def test_a_sent_message_comes_back_equal_from_its_record() -> None:
    rejection = RecipientRejection(
        phone=UNDELIVERABLE,
        status=MessageStatus.UNAVAILABLE_NUMBER,
        status_code=25,
        error_code=248,
        error="No route to this number",
    )
    result = SentMessage(
        id=strawberry.ID("fxq3vkmw2hd7ta5ejry4c"),
        parts=2,
        cost=decimal.Decimal("5.00"),
        balance=decimal.Decimal("1495.00"),
        rejected=[rejection],
    )
    codec = codec_of("send_message")

    assert codec.decode(codec.encode(result)) == result
