"""`Idempotency-Key` on REST: one job however often a creation is repeated, the same bytes back,
other payloads refused, lost answers settled against SMSC's job list, never sent twice."""

import pathlib
from collections.abc import AsyncIterator
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from starlette.applications import Starlette

from facade.credentials.scopes import Scope
from facade.rest import EXCEPTION_HANDLERS, rest_routes
from facade.rest.idempotent import RestIdempotency
from facade.upstream.settling import NOT_CREATED
from tests.emulator.conftest import wait_until
from tests.fakes import FakeSleep
from tests.production import production
from tests.rest.conftest import assert_problem
from tests.upstream.harness import harness
from tests.upstream.lossy import Rig, rig

pytestmark = pytest.mark.anyio

SPEC: dict[str, Any] = {"name": "Spring", "phones": ["79161234567"], "message": "Hello"}
KEY = {"Idempotency-Key": "7f9c2ba4-e88f-4a52-9d3b-1b0a3f0a2d11"}


@pytest.fixture
def sleep() -> FakeSleep:
    """The emulator's sleep: `hold()` keeps a delayed answer waiting until `release()`."""
    return FakeSleep()


@pytest.fixture
def lossy(tmp_path: pathlib.Path, sleep: FakeSleep) -> Rig:
    return rig(tmp_path, emulator_sleep=sleep, wait=0.5, settle_after=60.0)


@pytest.fixture
def app(lossy: Rig) -> Starlette:
    routes = rest_routes(lossy.client, idempotency=RestIdempotency(lossy.idempotency))
    return Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        yield client


async def create(
    client: httpx.AsyncClient, body: dict[str, Any] = SPEC, key: str = KEY["Idempotency-Key"]
) -> httpx.Response:
    return await client.post("/v1/jobs", json=body, headers={"Idempotency-Key": key})


def same(response: httpx.Response) -> tuple[int, bytes, str, str | None]:
    return (
        response.status_code,
        response.content,
        response.headers["content-type"],
        response.headers.get("location"),
    )


async def test_twenty_concurrent_and_twenty_sequential_repeats_make_one_job(client, lossy, sleep):
    # The first creation waits in SMSC while the other nineteen arrive.
    lossy.emulator.add_fault("latency", path="jobs.php", command="add", seconds=1, times=1)
    sleep.hold()
    responses: list[httpx.Response] = []

    async def post() -> None:
        responses.append(await create(client))

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(post)
        await wait_until(lambda: sleep.waiting == 1)
        for _ in range(100):
            await anyio.lowlevel.checkpoint()
        sleep.release()
    for _ in range(20):
        responses.append(await create(client))

    first = next(r for r in responses if "idempotent-replayed" not in r.headers)
    assert first.status_code == 201
    (job,) = lossy.jobs_named("Spring")
    assert first.json() == {"id": str(job.id), "cost": None}
    assert first.headers["location"] == f"/v1/jobs/{job.id}"
    assert {same(r) for r in responses} == {same(first)}
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 39
    assert lossy.adds() == 1


async def test_the_same_key_with_another_payload_is_refused(client, lossy):
    await create(client)

    response = await create(client, {**SPEC, "message": "Hello again"})

    assert_problem(response, 422, "INVALID_INPUT", field="Idempotency-Key")
    assert lossy.adds() == 1


async def test_an_equal_payload_written_otherwise_is_a_repeat(client, lossy):
    first = await create(client)
    reordered = {"message": "Hello", "phones": ["79161234567"], "name": "Spring", "sender": None}

    again = await create(client, reordered)

    assert same(again) == same(first)
    assert again.headers["idempotent-replayed"] == "true"


async def test_a_repeat_while_the_first_runs_waits_a_bounded_time_then_is_409(client, lossy, sleep):
    lossy.emulator.add_fault("latency", path="jobs.php", command="add", seconds=1, times=1)
    sleep.hold()
    first: list[httpx.Response] = []

    async def post() -> None:
        first.append(await create(client))

    async with anyio.create_task_group() as group:
        group.start_soon(post)
        await wait_until(lambda: sleep.waiting == 1)
        waited = await create(client)
        sleep.release()
    again = await create(client)

    body = assert_problem(waited, 409, "CONFLICT", retryAfter=1.0)
    assert "still running" in body["detail"]
    assert waited.headers["retry-after"] == "1"
    assert same(again) == same(first[0])
    assert lossy.adds() == 1


async def test_a_refused_input_releases_the_key(client, lossy):
    refused = await create(client, {**SPEC, "phones": ["12"]})

    accepted = await create(client)

    assert_problem(refused, 400, "INVALID_INPUT", field="phones[0]")
    assert accepted.status_code == 201
    assert "idempotent-replayed" not in accepted.headers


async def test_smsc_refusing_the_job_is_answered_again_as_it_was(client, lossy):
    body = {"name": "Spring", "phones": ["79161234567"], "templateId": "999999"}

    first = await create(client, body)
    again = await create(client, body)

    assert first.status_code in (404, 422)
    assert first.headers["content-type"] == "application/problem+json"
    assert same(again) == same(first)
    assert again.headers["idempotent-replayed"] == "true"
    assert lossy.adds() == 1


async def test_a_lost_answer_is_502_then_the_repeat_finds_the_job(client, lossy):
    lossy.emulator.add_fault("reset_after", path="jobs.php", command="add", times=1)

    lost = await create(client)
    settled = await create(client)
    again = await create(client)

    assert_problem(lost, 502, "UPSTREAM_UNAVAILABLE", outcomeUnknown=True)
    (job,) = lossy.jobs_named("Spring")
    assert settled.status_code == 201
    assert settled.json() == {"id": str(job.id), "cost": None}
    assert settled.headers["location"] == f"/v1/jobs/{job.id}"
    assert settled.headers["idempotent-replayed"] == "true"
    assert same(again) == same(settled)
    assert lossy.adds() == 1


async def test_a_request_lost_before_smsc_settles_as_not_created(client, lossy):
    lossy.emulator.add_fault("reset", path="jobs.php", command="add", times=1)

    lost = await create(client)
    early = await create(client)
    lossy.wall.advance(60.0)
    lossy.clock.advance(60.0)  # SMSC's budget for the list read again
    settled = await create(client)
    new_key = await create(client, key="another")

    assert_problem(lost, 502, "UPSTREAM_UNAVAILABLE", outcomeUnknown=True)
    assert_problem(early, 409, "CONFLICT", outcomeUnknown=True)
    # A client error naming the key, never a 5xx that clients retrying every 5xx would loop on.
    body = assert_problem(
        settled,
        422,
        "INVALID_INPUT",
        field="Idempotency-Key",
        detail=f"Idempotency-Key: {NOT_CREATED}",
    )
    assert "outcomeUnknown" not in body
    assert settled.headers["idempotent-replayed"] == "true"
    assert new_key.status_code == 201
    assert len(lossy.jobs_named("Spring")) == 1


async def test_every_change_takes_a_key(client, lossy):
    template = {"name": "Greeting", "message": "Hi"}
    created = [await client.post("/v1/templates", json=template, headers=KEY) for _ in range(2)]
    path = f"/v1/templates/{created[0].json()['id']}"
    deleted = [await client.delete(path, headers={"Idempotency-Key": "del"}) for _ in range(2)]

    assert same(created[1]) == same(created[0])
    assert [r.status_code for r in deleted] == [204, 204]
    assert deleted[1].headers["idempotent-replayed"] == "true"
    commands = [c.command for c in lossy.emulator.calls if c.path.endswith("templates.php")]
    assert commands == ["add", "del"]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"x" * 256, id="too-long"),
        pytest.param(b" leading", id="leading-space"),
        pytest.param("é".encode("latin-1"), id="not-ascii"),
        pytest.param(b"tab\there", id="control"),
    ],
)
async def test_a_malformed_key_is_400(client, lossy, value):
    response = await client.post("/v1/jobs", json=SPEC, headers=[(b"Idempotency-Key", value)])

    assert_problem(response, 400, "INVALID_INPUT", field="Idempotency-Key")
    assert lossy.adds() == 0


async def test_two_keys_at_once_are_400(client):
    headers = [(b"Idempotency-Key", b"a"), (b"Idempotency-Key", b"b")]

    response = await client.post("/v1/jobs", json=SPEC, headers=headers)

    assert_problem(response, 400, "INVALID_INPUT", field="Idempotency-Key")


async def test_a_key_is_refused_where_none_are_kept() -> None:
    app = Starlette(routes=rest_routes(harness().client), exception_handlers=EXCEPTION_HANDLERS)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        response = await client.post("/v1/jobs", json=SPEC, headers=KEY)

    assert_problem(response, 400, "INVALID_INPUT", field="Idempotency-Key")


async def test_the_document_describes_the_key_on_every_change(client):
    document = (await client.get("/openapi.json")).json()

    for item in document["paths"].values():
        for method, op in item.items():
            names = {p["name"] for p in op["parameters"] if p["in"] == "header"}
            # purgeCache asks nothing of SMSC; getMessageCost is a POST that changes nothing.
            keyed = method != "get" and op["operationId"] not in {"purgeCache", "getMessageCost"}
            assert ("Idempotency-Key" in names) == keyed, op["operationId"]
            if keyed:
                assert "409" in op["responses"]
                success = op["responses"][next(iter(op["responses"]))]
                assert "Idempotent-Replayed" in success.get("headers", {}), op["operationId"]


async def test_keys_belong_to_their_client(tmp_path: pathlib.Path) -> None:
    async with production(tmp_path) as service:
        writer, admin = service.auth(Scope.WRITE), service.auth(Scope.ADMIN)

        first = await service.client.post("/v1/jobs", json=SPEC, headers={**writer, **KEY})
        other = await service.client.post("/v1/jobs", json=SPEC, headers={**admin, **KEY})
        again = await service.client.post("/v1/jobs", json=SPEC, headers={**writer, **KEY})

    assert [r.status_code for r in (first, other, again)] == [201, 201, 201]
    assert first.json()["id"] != other.json()["id"]
    assert "idempotent-replayed" not in other.headers
    assert same(again) == same(first)
    assert (service.data_dir / "idempotency.sqlite3").exists()
