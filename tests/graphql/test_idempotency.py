"""`idempotencyKey` on GraphQL mutations: one job however often createJob is repeated, the same
response back, other arguments refused, lost answers settled, never sent twice."""

import datetime as dt
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
from strawberry.types.base import StrawberryObjectDefinition

from facade.app import graphql_routes
from facade.credentials.scopes import Principal, Scope
from facade.domain.blacklist import BlockScope
from facade.graphql.context import Context
from facade.graphql.idempotent import Idempotent, ResultCodec
from facade.graphql.mutations import (
    AddToBlacklistSuccess,
    CreateContactSuccess,
    CreateGroupSuccess,
    CreateJobSuccess,
)
from facade.graphql.schema import create_schema
from facade.graphql.types import BlacklistEntry, Contact, CreatedJob, Group
from facade.settings import Settings
from facade.upstream.settling import NOT_CREATED
from tests.emulator.conftest import wait_until
from tests.fakes import FakeSleep
from tests.upstream.lossy import Rig, rig

pytestmark = pytest.mark.anyio

Post = Callable[..., Awaitable[dict[str, Any]]]

CREATE = """
mutation($input: CreateJobInput!, $key: String) {
  createJob(input: $input, idempotencyKey: $key) {
    __typename
    ... on CreateJobSuccess { job { id cost } }
    ... on InvalidInputError { code field message }
    ... on UpstreamError { code message outcomeUnknown upstreamCode }
  }
}
"""
SPEC: dict[str, Any] = {"name": "Spring", "phones": ["79161234567"], "message": "Hello"}
KEY = "3b241101-e2bb-4255-8caf-4136c566a962"
WRITER = Principal(name="writer", account="default", scopes=frozenset({Scope.READ, Scope.WRITE}))


@pytest.fixture
def sleep() -> FakeSleep:
    return FakeSleep()


@pytest.fixture
def lossy(tmp_path: pathlib.Path, sleep: FakeSleep) -> Rig:
    return rig(tmp_path, emulator_sleep=sleep, wait=0.5, settle_after=60.0)


@pytest.fixture
async def post(lossy: Rig) -> AsyncIterator[Post]:
    async def context(request: Request) -> Context:
        name = request.headers.get("x-client", WRITER.name)
        principal = Principal(name=name, account="default", scopes=WRITER.scopes)
        return Context(smsc=lossy.client, principal=principal, idempotency=lossy.idempotency)

    app = Starlette(routes=graphql_routes(Settings.from_env({}), context))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:

        async def call(
            query: str = CREATE, variables: dict[str, Any] | None = None, client_name: str = ""
        ) -> dict[str, Any]:
            headers = {"x-client": client_name} if client_name else {}
            variables = {"input": SPEC, "key": KEY} if variables is None else variables
            response = await client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
            body: dict[str, Any] = response.json()
            return body

        yield call


def created(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["createJob"]
    return result


async def test_twenty_concurrent_and_twenty_sequential_repeats_make_one_job(post, lossy, sleep):
    lossy.emulator.add_fault("latency", path="jobs.php", command="add", seconds=1, times=1)
    sleep.hold()
    bodies: list[dict[str, Any]] = []

    async def call() -> None:
        bodies.append(await post())

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(call)
        await wait_until(lambda: sleep.waiting == 1)
        for _ in range(100):
            await anyio.lowlevel.checkpoint()
        sleep.release()
    for _ in range(20):
        bodies.append(await post())

    (job,) = lossy.jobs_named("Spring")
    expected = {"__typename": "CreateJobSuccess", "job": {"id": str(job.id), "cost": None}}
    assert [created(body) for body in bodies] == [expected] * 40
    assert lossy.adds() == 1


async def test_the_same_key_with_other_arguments_is_refused(post, lossy):
    await post()

    refused = created(await post(variables={"input": {**SPEC, "message": "Hi"}, "key": KEY}))

    assert refused["__typename"] == "InvalidInputError"
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "idempotencyKey")
    assert lossy.adds() == 1


async def test_keys_belong_to_their_client(post, lossy):
    first = created(await post())
    other = created(await post(client_name="another"))

    assert first["job"]["id"] != other["job"]["id"]
    assert len(lossy.jobs_named("Spring")) == 2


async def test_without_a_key_nothing_is_kept(post, lossy):
    variables = {"input": SPEC}

    first = created(await post(variables=variables))

    assert first["__typename"] == "CreateJobSuccess"
    assert await lossy.store.sweep() == 0
    assert lossy.adds() == 1


async def test_a_repeat_while_the_first_runs_waits_a_bounded_time_then_conflicts(
    post, lossy, sleep
):
    lossy.emulator.add_fault("latency", path="jobs.php", command="add", seconds=1, times=1)
    sleep.hold()
    first: list[dict[str, Any]] = []

    async def call() -> None:
        first.append(await post())

    async with anyio.create_task_group() as group:
        group.start_soon(call)
        await wait_until(lambda: sleep.waiting == 1)
        waited = await post()
        sleep.release()

    (error,) = waited["errors"]
    assert error["extensions"] == {"code": "CONFLICT", "retryAfter": 1.0}
    assert created(await post()) == created(first[0])
    assert lossy.adds() == 1


async def test_a_refused_input_releases_the_key(post, lossy):
    refused = created(await post(variables={"input": {**SPEC, "phones": ["12"]}, "key": KEY}))
    accepted = created(await post())

    assert (refused["__typename"], refused["field"]) == ("InvalidInputError", "phones[0]")
    assert accepted["__typename"] == "CreateJobSuccess"


async def test_a_malformed_key_is_refused(post, lossy):
    refused = created(await post(variables={"input": SPEC, "key": " padded "}))

    assert (refused["__typename"], refused["field"]) == ("InvalidInputError", "idempotencyKey")
    assert lossy.adds() == 0


async def test_a_lost_answer_is_outcome_unknown_then_the_repeat_finds_the_job(post, lossy):
    lossy.emulator.add_fault("reset_after", path="jobs.php", command="add", times=1)

    lost = created(await post())
    settled = created(await post())

    assert (lost["__typename"], lost["outcomeUnknown"]) == ("UpstreamError", True)
    (job,) = lossy.jobs_named("Spring")
    assert settled == {"__typename": "CreateJobSuccess", "job": {"id": str(job.id), "cost": None}}
    assert created(await post()) == settled
    assert lossy.adds() == 1


async def test_a_request_lost_before_smsc_settles_as_not_created(post, lossy):
    lossy.emulator.add_fault("reset", path="jobs.php", command="add", times=1)

    lost = created(await post())
    lossy.wall.advance(60.0)
    settled = created(await post())

    assert lost["outcomeUnknown"] is True
    assert settled == {
        "__typename": "InvalidInputError",
        "code": "INVALID_INPUT",
        "message": f"idempotencyKey: {NOT_CREATED}",
        "field": "idempotencyKey",
    }
    assert created(await post()) == settled
    assert lossy.jobs_named("Spring") == []


async def test_other_mutations_answer_the_same_result_again(post, lossy):
    query = """
    mutation($key: String) {
      createTemplate(input: {name: "Greeting", message: "Hi", format: SMS}, idempotencyKey: $key) {
        ... on CreateTemplateSuccess {
          template { id name message format formatRaw sender autoSign segments { parts } }
        }
      }
    }
    """

    bodies = [await post(query, {"key": KEY}) for _ in range(3)]

    assert bodies[0] == bodies[1] == bodies[2]
    assert "errors" not in bodies[0]
    adds = [c for c in lossy.emulator.calls if c.path.endswith("templates.php")]
    assert [c.command for c in adds] == ["add"]


def mutation_fields() -> list[Any]:
    mutation = create_schema().get_type_by_name("Mutation")
    assert isinstance(mutation, StrawberryObjectDefinition)
    return list(mutation.fields)


def test_every_mutation_but_purge_cache_takes_a_key() -> None:
    for field in mutation_fields():
        names = {argument.python_name for argument in field.arguments}
        assert ("idempotency_key" in names) == (field.name != "purge_cache"), field.name


def codec_of(field_name: str) -> ResultCodec:
    field = next(f for f in mutation_fields() if f.name == field_name)
    (extension,) = [e for e in field.extensions if isinstance(e, Idempotent)]
    return extension.codec


@pytest.mark.parametrize(
    ("field", "result"),
    [
        pytest.param(
            "create_contact",
            CreateContactSuccess(
                contact=Contact(
                    phones=["79161234567"],
                    name=None,
                    group_ids=[strawberry.ID("3")],
                    first_name="Анна",
                    last_name=None,
                    middle_name=None,
                    birthday=dt.date(1990, 5, 17),
                    client_id=None,
                    comment='a, "quoted" <comment>',
                    tags=["vip"],
                    other_phones=[],
                    emails=[],
                    other_emails=[],
                )
            ),
            id="contact-with-a-date",
        ),
        pytest.param(
            "create_job",
            CreateJobSuccess(job=CreatedJob(id=strawberry.ID("7"), cost=decimal.Decimal("1.40"))),
            id="job-with-a-decimal",
        ),
        pytest.param(
            "add_to_blacklist",
            AddToBlacklistSuccess(
                entry=BlacklistEntry(
                    id=strawberry.ID("1"),
                    phone="79161234567",
                    scope=BlockScope.MASS,
                    scope_code=1,
                    comment=None,
                )
            ),
            id="entry-with-an-enum",
        ),
        pytest.param(
            "create_group",
            CreateGroupSuccess(
                group=Group(id=strawberry.ID("5"), name="VIP", number=None, contact_count=0)
            ),
            id="group",
        ),
    ],
)
def test_results_come_back_equal(field: str, result: Any) -> None:
    codec = codec_of(field)

    assert codec.decode(codec.encode(result)) == result


def test_only_a_field_s_own_result_types_are_read_back() -> None:
    stored = codec_of("create_template").encode(
        CreateJobSuccess(job=CreatedJob(id=strawberry.ID("7"), cost=None))
    )

    with pytest.raises(ValueError, match="CreateJobSuccess is not a result type"):
        codec_of("create_template").decode(stored)
