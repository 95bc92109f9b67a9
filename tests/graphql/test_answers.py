"""Repeated identical queries are answered from kept answers, exactly while their data holds."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from facade.app import graphql_routes
from facade.graphql.answers import ENTRY_OVERHEAD, MAX_ANSWERS_BYTES, Answer, answers_cache
from facade.graphql.schema import create_schema
from facade.settings import Settings
from facade.upstream.reads import ReadLog
from tests.graphql.conftest import GraphQLCall
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

TEMPLATES = "{ templates { id name } }"
CREATE = """mutation($name: String!) {
  createTemplate(input: {name: $name, message: "hi", format: SMS}) {
    __typename ... on CreateTemplateSuccess { template { id } }
  }
}"""


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents the schema executed (a served kept answer executes nothing)."""
    schema = create_schema(production=False, introspection=True)
    original = schema.execute
    seen: list[str] = []

    async def execute(query: str | None, *args: Any, **kwargs: Any) -> Any:
        seen.append(query or "")
        return await original(query, *args, **kwargs)

    monkeypatch.setattr(schema, "execute", execute)
    return seen


async def test_a_repeat_is_served_without_executing_and_its_freshness_tells_the_age(
    graphql: GraphQLCall, upstream: Harness, executions: list[str]
) -> None:
    first = await graphql(TEMPLATES)
    upstream.clock.advance(7.5)
    second = await graphql(TEMPLATES)
    assert second["data"] == first["data"]
    assert first["extensions"]["freshness"] == {"templates": {"status": "miss", "age": 0.0}}
    assert second["extensions"]["freshness"] == {"templates": {"status": "hit", "age": 7.5}}
    assert executions == [TEMPLATES]
    assert len(upstream.calls("get")) == 1


async def test_a_write_through_the_facade_ends_the_kept_answer(
    graphql: GraphQLCall, upstream: Harness, executions: list[str]
) -> None:
    before = await graphql(TEMPLATES)
    created = await graphql(CREATE, {"name": "new one"})
    new_id = created["data"]["createTemplate"]["template"]["id"]
    after = await graphql(TEMPLATES)
    assert new_id not in [t["id"] for t in before["data"]["templates"]]
    assert {"id": new_id, "name": "new one"} in after["data"]["templates"]
    assert executions.count(TEMPLATES) == 2


async def test_expiry_ends_the_kept_answer(
    graphql: GraphQLCall, upstream: Harness, executions: list[str]
) -> None:
    await graphql(TEMPLATES)
    upstream.clock.advance(upstream.client.config.ttl("templates.get") + 1)
    again = await graphql(TEMPLATES)
    assert again["extensions"]["freshness"]["templates"]["status"] == "miss"
    assert executions.count(TEMPLATES) == 2


async def test_variables_and_operation_names_are_part_of_the_key(
    two_callers: httpx.AsyncClient, executions: list[str]
) -> None:
    query = "query One($id: ID!) { template(id: $id) { id } } query Two { groups { id } }"

    async def post(name: str, **variables: str) -> dict[str, Any]:
        body = {"query": query, "operationName": name, "variables": variables}
        response = await two_callers.post("/graphql", json=body)
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()["data"]
        return data

    first = await post("One", id="1001")
    second = await post("One", id="1002")
    groups = await post("Two")
    assert first == {"template": {"id": "1001"}}
    assert second == {"template": {"id": "1002"}}
    assert "groups" in groups
    assert await post("One", id="1001") == first
    assert await post("Two") == groups
    assert len(executions) == 3, "each distinct request executed once, the repeats were kept"


async def test_mutations_are_never_kept(
    graphql: GraphQLCall, upstream: Harness, executions: list[str]
) -> None:
    for _ in range(2):
        created = await graphql(CREATE, {"name": "twice"})
        assert created["data"]["createTemplate"]["__typename"] == "CreateTemplateSuccess"
    assert len(upstream.calls("add")) == 2
    assert len(executions) == 2


async def test_an_answer_with_errors_is_not_kept(
    graphql: GraphQLCall, executions: list[str]
) -> None:
    query = "{ contacts(first: 500) { totalCount } }"
    first = await graphql(query)
    second = await graphql(query)
    assert first["errors"]
    assert second["errors"]
    assert len(executions) == 2


async def test_a_read_that_failed_is_not_a_kept_null(
    graphql: GraphQLCall, executions: list[str]
) -> None:
    query = '{ job(id: "987654321") { id } }'
    assert (await graphql(query))["data"] == {"job": None}
    assert (await graphql(query))["data"] == {"job": None}
    assert len(executions) == 2, "not found is an upstream error: nothing tracked, nothing kept"


async def test_a_stale_answer_is_not_kept(
    graphql: GraphQLCall, upstream: Harness, executions: list[str]
) -> None:
    await graphql(TEMPLATES)
    upstream.clock.advance(upstream.client.config.ttl("templates.get") + 1)
    upstream.emulator.add_fault("status", status=503)
    stale = await graphql(TEMPLATES)
    assert stale["extensions"]["freshness"]["templates"]["status"] == "stale"
    again = await graphql(TEMPLATES)
    assert again["extensions"]["freshness"]["templates"]["status"] == "stale"
    assert executions.count(TEMPLATES) == 3


async def test_a_query_without_reads_is_kept_as_is(
    graphql: GraphQLCall, executions: list[str]
) -> None:
    first = await graphql("{ __typename }")
    second = await graphql("{ __typename }")
    assert first == second == {"data": {"__typename": "Query"}}
    assert len(executions) == 1


@pytest.fixture
def slow_upstream() -> Harness:
    return harness()


async def test_a_thousand_identical_cold_queries_execute_once_and_ask_smsc_once(
    slow_upstream: Harness, executions: list[str]
) -> None:
    slow_upstream.emulator.add_fault("latency", seconds=0.05)
    app = Starlette(routes=graphql_routes(Settings.from_env({}), slow_upstream.client))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        responses = await asyncio.gather(
            *(client.post("/graphql", json={"query": TEMPLATES}) for _ in range(1000))
        )
    assert {r.status_code for r in responses} == {200}
    bodies = [r.json() for r in responses]
    assert all("errors" not in b and b["data"] == bodies[0]["data"] for b in bodies)
    assert len(slow_upstream.calls("get")) == 1
    assert len(executions) == 1


@pytest.fixture
async def two_callers(upstream: Harness) -> AsyncIterator[httpx.AsyncClient]:
    """The view with a partition read from a header: answers are never shared across it."""
    routes = graphql_routes(
        Settings.from_env({}),
        upstream.client,
        partition=lambda request: request.headers.get("x-who"),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=Starlette(routes=routes)), base_url="http://facade"
    ) as client:
        yield client


async def test_answers_are_kept_per_partition(
    two_callers: httpx.AsyncClient, executions: list[str]
) -> None:
    for who in ("a", "b", "a", "b"):
        response = await two_callers.post(
            "/graphql", json={"query": TEMPLATES}, headers={"x-who": who}
        )
        assert response.status_code == 200
    assert len(executions) == 2


async def test_the_media_type_is_part_of_the_key(
    two_callers: httpx.AsyncClient, executions: list[str]
) -> None:
    for accept in ("application/json", "application/graphql-response+json") * 2:
        response = await two_callers.post(
            "/graphql", json={"query": TEMPLATES}, headers={"accept": accept}
        )
        assert response.headers["content-type"].startswith(accept)
    assert len(executions) == 2


def test_many_tiny_answers_with_large_keys_stay_within_the_bound() -> None:
    assert Answer(b"{}", (), key_bytes=5000).size() == 2 + 5000 + ENTRY_OVERHEAD
    cache = answers_cache()
    for index in range(3000):
        key = ("POST", b"x" * 20_000 + str(index).encode(), "application/json", None)
        assert cache.put(key, ReadLog(), Answer(b"{}", (), key_bytes=len(key[1])))
    assert len(cache) <= MAX_ANSWERS_BYTES // 20_000
