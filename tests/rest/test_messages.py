"""`/v1/messages` and `/v1/balance` end to end against the emulator: send (201 and `Location`),
the cost (a POST that reads), one message or many in one status.php request, the balance,
SMSC's refusals as problems (402, 422) with the message's id, GraphQL agreement, and sends under
an `Idempotency-Key`: sent once, a lost answer settled by status.php."""

import decimal
import json
import pathlib
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from starlette.applications import Starlette

from facade.domain.jobs import SendAfter
from facade.domain.messages import MessageSpec, MessageState, MessageStatus
from facade.emulator.faults import Fault
from facade.rest import EXCEPTION_HANDLERS, rest_routes
from facade.rest.idempotent import RestIdempotency
from facade.upstream.settling import NOT_SENT
from tests.emulator.conftest import wait_until
from tests.fakes import FakeSleep
from tests.rest.conftest import GraphQLCall, assert_problem
from tests.rest.test_answers_stream import Live, eventually
from tests.upstream.harness import Harness
from tests.upstream.lossy import Rig, rig

STREAM_PHONE = "79990000001"

pytestmark = pytest.mark.anyio

PHONE = "79161234567"
OTHER = "79161234568"
UNDELIVERABLE = "79990000308"  # the emulator refuses it at send: error 8 (assumptions.py)
SPEC: dict[str, Any] = {"phones": [PHONE], "message": "Your code: 4321"}
FIELDS = (
    "id phone status statusCode final changedAt errorCode error sentAt cost sender statusName "
    "message parts country operator region"
)
ATTEMPTS = 3  # a status read is tried this many times (UpstreamConfig.attempts)


def calls(emulator: Any, endpoint: str, command: str | None = None) -> int:
    return sum(
        1
        for c in emulator.calls
        if c.path.endswith(f"/{endpoint}.php") and (command is None or c.command == command)
    )


async def send(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/v1/messages", json={**SPEC, **body})


# sending and following


async def test_a_send_answers_201_and_locates_the_message(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    response = await send(client)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {"id": body["id"], "parts": 1, "cost": None, "balance": None, "rejected": []}
    assert body["id"].startswith("fx")
    assert response.headers["location"] == f"/v1/messages/{body['id']}?phone={PHONE}"
    message = await client.get(response.headers["location"])
    assert message.status_code == 200
    assert (message.json()["id"], message.json()["phone"]) == (body["id"], PHONE)
    assert message.json()["status"] == "SENT"
    assert calls(upstream.emulator, "send", "send") == 1


async def test_a_plus_phone_is_located_encoded(client: httpx.AsyncClient) -> None:
    response = await send(client, phones=[f"+{PHONE}"])

    id = response.json()["id"]
    assert response.headers["location"] == f"/v1/messages/{id}?phone=%2B{PHONE}"
    assert (await client.get(response.headers["location"])).json()["status"] == "SENT"


async def test_with_cost_answers_the_cost_and_the_balance_after_it(
    client: httpx.AsyncClient,
) -> None:
    body = (await send(client, withCost=True)).json()

    assert (body["cost"], body["balance"]) == ("2.50", "1497.50")
    balance = await client.get("/v1/balance")
    assert balance.json() == {"amount": "1497.50", "currency": "RUR", "credit": None}


async def test_a_recipient_refused_within_an_accepted_send_is_listed(
    client: httpx.AsyncClient,
) -> None:
    response = await send(client, phones=[PHONE, UNDELIVERABLE])

    assert response.status_code == 201
    (rejected,) = response.json()["rejected"]
    assert (rejected["phone"], rejected["status"], rejected["statusCode"]) == (
        UNDELIVERABLE,
        "UNAVAILABLE_NUMBER",
        25,
    )


async def test_one_message_is_a_cacheable_read(client: httpx.AsyncClient) -> None:
    location = (await send(client)).headers["location"]

    first = await client.get(location)
    again = await client.get(location, headers={"If-None-Match": first.headers["etag"]})

    assert first.headers["cache-control"] == "private, max-age=30"
    assert first.headers["x-facade-cache"] == "miss"
    assert first.headers["age"] == "0"
    assert again.status_code == 304
    assert again.headers["x-facade-cache"] == "hit"


async def test_a_message_smsc_does_not_know_is_not_found_by_status(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/messages/fxaaaaaaaaaaaaaaaaaaaa", params={"phone": PHONE})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["statusCode"]) == ("NOT_FOUND", -3)
    assert response.json()["final"] is True


async def test_many_messages_in_one_call_and_one_status_request(
    client: httpx.AsyncClient, upstream: Harness, graphql: GraphQLCall
) -> None:
    ids = [(await send(client, message=f"Hi {n}")).json()["id"] for n in range(3)]
    # one unknown, and the same one twice (answered twice)
    refs = [f"{id}:{PHONE}" for id in ids] + [
        f"fxaaaaaaaaaaaaaaaaaaaa:{OTHER}",
        f"{ids[0]}:{PHONE}",
    ]

    response = await client.get("/v1/messages", params={"ref": refs})

    assert response.status_code == 200, response.text
    found = response.json()
    assert [(m["id"], m["phone"]) for m in found] == [tuple(r.split(":")) for r in refs]
    assert [m["status"] for m in found] == ["SENT", "SENT", "SENT", "NOT_FOUND", "SENT"]
    assert calls(upstream.emulator, "status") == 1
    assert response.headers["x-facade-cache"] == "miss"
    assert "etag" in response.headers
    one = await graphql(
        f'{{ message(id: "{ids[1]}", phone: "{PHONE}") {{ {FIELDS} }} }}'
    )  # the same reading as GraphQL's
    assert one["message"] == found[1]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({}, "ref", id="none"),
        pytest.param({"ref": ["fx1"]}, "ref[0]", id="no-colon"),
        pytest.param({"ref": [f"fx1:{PHONE}", "fx2:123"]}, "ref[1]", id="bad-phone"),
        pytest.param({"ref": [f"a b:{PHONE}"]}, "ref[0]", id="bad-id"),
        pytest.param({"ref": [f"fx{n}:{PHONE}" for n in range(101)]}, "ref", id="101"),
    ],
)
async def test_bad_refs_are_refused_before_smsc(
    client: httpx.AsyncClient, upstream: Harness, params: dict[str, Any], field: str
) -> None:
    response = await client.get("/v1/messages", params=params)

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


async def test_one_message_takes_one_phone(client: httpx.AsyncClient, upstream: Harness) -> None:
    response = await client.get("/v1/messages/fx1", params={"phone": [PHONE, OTHER]})

    body = assert_problem(response, 400, "INVALID_INPUT", field="phone")
    assert "ref=" in body["detail"]
    assert not upstream.emulator.calls


# the cost and the balance


async def test_the_cost_is_a_post_that_reads(client: httpx.AsyncClient, upstream: Harness) -> None:
    body = {"phones": [PHONE, OTHER], "message": "Hello"}

    first = await client.post("/v1/messages/cost", json=body)
    again = await client.post("/v1/messages/cost", json=body, headers={"Idempotency-Key": "k"})

    assert first.status_code == 200
    assert first.json() == {"cost": "5.00", "parts": 2}
    assert (first.headers["x-facade-cache"], first.headers["age"]) == ("miss", "0")
    assert "etag" not in first.headers
    assert again.json() == first.json()
    assert again.headers["x-facade-cache"] == "hit"
    assert "idempotent-replayed" not in again.headers
    assert calls(upstream.emulator, "send", "cost") == 1
    assert calls(upstream.emulator, "send", "send") == 0


async def test_the_balance(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    response = await client.get("/v1/balance")

    assert response.status_code == 200
    assert response.json() == (await graphql("{ balance { amount currency credit } }"))["balance"]
    assert response.headers["cache-control"] == "private, max-age=60"


# SMSC's refusals


@pytest.mark.parametrize(
    ("body", "status", "code", "upstream_code"),
    [
        pytest.param(
            {"phones": [UNDELIVERABLE]}, 422, "RECIPIENT_REJECTED", 8, id="cannot-deliver"
        ),
        pytest.param({"message": "Win SPAM-DENIED"}, 422, "MESSAGE_DENIED", 6, id="denied-text"),
        pytest.param({"balance": "0.10"}, 402, "INSUFFICIENT_FUNDS", 3, id="no-money"),
    ],
)
async def test_smscs_refusals_are_problems_with_the_message_id(
    client: httpx.AsyncClient,
    upstream: Harness,
    body: dict[str, Any],
    status: int,
    code: str,
    upstream_code: int,
) -> None:
    balance = body.pop("balance", None)
    if balance is not None:
        upstream.emulator.set_balance(decimal.Decimal(balance))

    response = await send(client, **body)

    problem = assert_problem(response, status, code, upstreamCode=upstream_code)
    assert problem["messageId"].startswith("fx")
    assert "location" not in response.headers


async def test_a_refused_cost_names_no_message(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/messages/cost", json={**SPEC, "message": "SPAM-DENIED"})

    problem = assert_problem(response, 422, "MESSAGE_DENIED", upstreamCode=6)
    assert "messageId" not in problem


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"phones": ["123"]}, "phones[0]", id="invalid-number"),
        pytest.param({"phones": []}, "phones", id="no-recipient"),
        pytest.param({"message": "m" * 1001}, "message", id="too-long"),
        pytest.param({"voice": "MALE"}, "voice", id="voice-on-sms"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/messages", "/v1/messages/cost"])
async def test_bad_input_never_reaches_smsc(
    client: httpx.AsyncClient, upstream: Harness, path: str, body: dict[str, Any], field: str
) -> None:
    response = await client.post(path, json={**SPEC, **body})

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


# the document


async def test_the_document_tells_the_reads_and_the_refusals(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    send_op, cost = paths["/v1/messages"]["post"], paths["/v1/messages/cost"]["post"]
    get_many, balance = paths["/v1/messages"]["get"], paths["/v1/balance"]["get"]

    assert "Idempotency-Key" in {p["name"] for p in send_op["parameters"]}
    assert "Idempotency-Key" not in {p["name"] for p in cost["parameters"]}
    assert (send_op["x-required-scope"], cost["x-required-scope"]) == ("write", "read")
    assert set(cost["responses"]["200"]["headers"]) == {"Age", "X-Facade-Cache"}
    assert {"ETag", "Cache-Control"} <= set(get_many["responses"]["200"]["headers"])
    assert "304" in balance["responses"]
    assert "INSUFFICIENT_FUNDS" in send_op["responses"]["402"]["description"]
    assert "INSUFFICIENT_FUNDS" in send_op["description"]
    refusals = send_op["responses"]["422"]["content"]["application/problem+json"]["examples"]
    assert {"MESSAGE_DENIED", "RECIPIENT_REJECTED"} <= set(refusals)
    (ref,) = [p for p in get_many["parameters"] if p["name"] == "ref"]
    assert ref["in"] == "query"
    assert (ref["schema"]["type"], ref["schema"]["maxItems"]) == ("array", 100)


# under an Idempotency-Key

KEY = {"Idempotency-Key": "5f0c8a1e-sms-2026-12"}


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def lossy(tmp_path: pathlib.Path, sleep: FakeSleep) -> Rig:
    # Repeats wait (real time) for the first run: long enough for a loaded machine.
    return rig(tmp_path, emulator_sleep=sleep, wait=10.0, settle_after=60.0)


@pytest.fixture
async def keyed(lossy: Rig) -> AsyncIterator[httpx.AsyncClient]:
    routes = rest_routes(lossy.client, idempotency=RestIdempotency(lossy.idempotency))
    app = Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        yield client


def same(response: httpx.Response) -> tuple[int, bytes, str | None]:
    return response.status_code, response.content, response.headers.get("location")


async def test_twenty_concurrent_sends_under_one_key_send_once(
    keyed: httpx.AsyncClient, lossy: Rig, sleep: FakeSleep
) -> None:
    lossy.emulator.add_fault("latency", path="send.php", command="send", seconds=1, times=1)
    sleep.hold()
    responses: list[httpx.Response] = []

    async def post() -> None:
        responses.append(await keyed.post("/v1/messages", json=SPEC, headers=KEY))

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(post)
        await wait_until(lambda: sleep.waiting == 1)
        for _ in range(100):
            await anyio.lowlevel.checkpoint()
        sleep.release()

    first = next(r for r in responses if "idempotent-replayed" not in r.headers)
    assert first.status_code == 201
    assert {same(r) for r in responses} == {same(first)}
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 19
    assert calls(lossy.emulator, "send", "send") == 1


async def test_a_lost_send_is_settled_on_its_repeat_never_sent_again(
    keyed: httpx.AsyncClient, lossy: Rig
) -> None:
    # SMSC sends it, the answer is lost, and status.php cannot be asked either just then.
    lossy.emulator.faults.add(Fault("reset_after", path="send.php", times=1))
    lossy.emulator.faults.add(Fault("reset", path="status.php", times=ATTEMPTS))

    lost = await keyed.post("/v1/messages", json=SPEC, headers=KEY)
    early = await keyed.post("/v1/messages", json=SPEC, headers=KEY)
    lossy.clock.advance(float(early.headers["retry-after"]))
    settled = await keyed.post("/v1/messages", json=SPEC, headers=KEY)

    assert_problem(lost, 502, "UPSTREAM_UNAVAILABLE", outcomeUnknown=True)
    assert_problem(early, 409, "CONFLICT", outcomeUnknown=True)
    assert settled.status_code == 201, settled.text
    id = settled.json()["id"]
    assert settled.json() == {"id": id, "parts": 1, "cost": "2.50", "balance": None, "rejected": []}
    assert settled.headers["location"] == f"/v1/messages/{id}?phone={PHONE}"
    assert settled.headers["idempotent-replayed"] == "true"
    assert lossy.emulator.message(id, PHONE) is not None
    again = await keyed.post("/v1/messages", json=SPEC, headers=KEY)
    assert same(again) == same(settled)
    assert calls(lossy.emulator, "send", "send") == 1


async def test_a_lost_send_smsc_never_had_is_spent_after_the_settle_time(
    keyed: httpx.AsyncClient, lossy: Rig
) -> None:
    lossy.emulator.faults.add(Fault("reset", path="send.php", times=1))

    lost = await keyed.post("/v1/messages", json=SPEC, headers=KEY)
    lossy.wall.advance(61.0)
    lossy.clock.advance(61.0)
    spent = await keyed.post("/v1/messages", json=SPEC, headers=KEY)
    sends = calls(lossy.emulator, "send", "send")  # the lost one, dropped before SMSC acted
    fresh = await keyed.post("/v1/messages", json=SPEC, headers={"Idempotency-Key": "another"})

    assert_problem(lost, 502, "UPSTREAM_UNAVAILABLE", outcomeUnknown=True)
    assert_problem(
        spent,
        422,
        "INVALID_INPUT",
        field="Idempotency-Key",
        detail=f"Idempotency-Key: {NOT_SENT}",
    )
    assert fresh.status_code == 201
    assert sends == 1
    assert lossy.emulator.message(fresh.json()["id"], PHONE) is not None


async def test_a_bad_input_is_refused_before_the_key_is_taken(
    keyed: httpx.AsyncClient, lossy: Rig
) -> None:
    refused = await keyed.post("/v1/messages", json={**SPEC, "phones": ["123"]}, headers=KEY)
    accepted = await keyed.post("/v1/messages", json=SPEC, headers=KEY)

    assert_problem(refused, 400, "INVALID_INPUT", field="phones[0]")
    assert accepted.status_code == 201
    assert "idempotent-replayed" not in accepted.headers


async def test_a_replayed_refusal_keeps_its_message_id(
    keyed: httpx.AsyncClient, lossy: Rig
) -> None:
    lossy.emulator.set_balance(decimal.Decimal("0.10"))

    first = await keyed.post("/v1/messages", json=SPEC, headers=KEY)
    again = await keyed.post("/v1/messages", json=SPEC, headers=KEY)

    assert_problem(first, 402, "INSUFFICIENT_FUNDS")
    assert again.json() == first.json()
    assert again.json()["messageId"].startswith("fx")


# GET /v1/messages/{id}/events: a message followed as Server-Sent Events


async def test_a_message_streams_its_status_then_each_change_until_final() -> None:
    """The status now; a poll that finds no change sends nothing; SMSC's callback brings the
    final status at once, and the stream ends after it."""
    live = Live()
    later = SendAfter(600)  # waiting for ten minutes: no change of its own while followed
    spec = MessageSpec(phones=(STREAM_PHONE,), message="Code 4321", send_time=later)
    sent = await live.upstream.client.send_message(spec)
    path = f"/v1/messages/{sent.id}/events?phone={STREAM_PHONE}"
    async with live.stream(path) as stream:
        await eventually(lambda: len(stream.events()) == 1)
        await live.ticker.settle()
        await live.ticker.advance(30.0)
        assert len(stream.events()) == 1
        live.pollers.deliver_message(
            MessageState(
                id=sent.id,
                phone=STREAM_PHONE,
                status=MessageStatus.DELIVERED,
                status_code=1,
                error_code=0,
            )
        )
        await eventually(lambda: stream.ended)
    assert stream.status == 200
    assert stream.headers["content-type"] == "text/event-stream; charset=utf-8"
    first, last = stream.events()
    assert (first["event"], first["data"]["status"], first["data"]["final"]) == (
        "status",
        "WAITING",
        False,
    )
    assert (last["data"]["status"], last["data"]["final"]) == ("DELIVERED", True)
    assert first["data"]["id"] == sent.id


async def test_a_bad_message_stream_request_is_a_problem_before_smsc() -> None:
    live = Live()
    async with live.stream(f"/v1/messages/a%20b/events?phone={STREAM_PHONE}") as stream:
        await eventually(lambda: stream.ended)
    assert stream.status == 400
    assert json.loads(stream.body)["field"] == "id"
    assert not live.upstream.emulator.calls


async def test_the_message_stream_is_documented_without_event_ids() -> None:
    """Its events carry no id (a reconnect starts from the status then), so the document asks
    for none, and takes no Last-Event-ID: an event as sent validates against it."""
    live = Live()
    transport = httpx.ASGITransport(app=live.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        document = (await client.get("/openapi.json")).json()
    operation = document["paths"]["/v1/messages/{id}/events"]["get"]
    status_event = operation["responses"]["200"]["content"]["text/event-stream"]["schema"]
    assert status_event["oneOf"][0]["required"] == ["event", "data"]
    assert "id" not in status_event["oneOf"][0]["properties"]
    assert "Last-Event-ID" not in [parameter["name"] for parameter in operation["parameters"]]
    answers = document["paths"]["/v1/answers/stream"]["get"]
    assert "Last-Event-ID" in [parameter["name"] for parameter in answers["parameters"]]
