"""`FreshnessExtension`: `extensions.freshness` says how fresh each top-level field's data is."""

from typing import Any

import httpx
import pytest
import strawberry
import strawberry.asgi
from starlette.applications import Starlette
from starlette.routing import Route

from facade.graphql.context import Context
from facade.graphql.freshness import FreshnessExtension
from facade.graphql.queries import Query
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

SCHEMA = strawberry.Schema(query=Query, extensions=[FreshnessExtension])


async def run(upstream: Harness, query: str) -> dict[str, Any]:
    """One request: a new Context, as the HTTP view makes for each."""
    result = await SCHEMA.execute(query, context_value=Context(smsc=upstream.client))
    assert result.errors is None, result.errors
    return result.extensions or {}


async def test_first_read_is_a_miss_then_a_hit_that_ages(upstream: Harness) -> None:
    first = await run(upstream, "{ templates { id } }")
    upstream.clock.advance(12.5)
    second = await run(upstream, "{ templates { id } }")

    assert first == {"freshness": {"templates": {"status": "miss", "age": 0.0}}}
    assert second == {"freshness": {"templates": {"status": "hit", "age": 12.5}}}
    assert len(upstream.calls("get")) == 1


async def test_smsc_failing_past_the_ttl_gives_stale_data_with_its_age(
    upstream: Harness,
) -> None:
    await run(upstream, "{ templates { name } }")
    upstream.clock.advance(301)  # past the template list's TTL of 300 s
    upstream.emulator.add_fault("status", status=503)

    result = await SCHEMA.execute(
        "{ templates { name } }", context_value=Context(smsc=upstream.client)
    )

    assert result.errors is None
    assert result.data is not None
    assert result.data["templates"]
    assert result.extensions == {"freshness": {"templates": {"status": "stale", "age": 301.0}}}
    assert {call.status for call in upstream.calls()} == {200, 503}


async def test_each_response_key_gets_its_own_entry(upstream: Harness) -> None:
    await run(upstream, "{ groups { id } }")
    upstream.clock.advance(3)

    found = await run(
        upstream,
        '{ vip: group(id: "1") { id } all: groups { id } blacklist { id } answers { totalCount } }',
    )

    assert found == {
        "freshness": {
            "vip": {"status": "hit", "age": 3.0},
            "all": {"status": "hit", "age": 3.0},
            "blacklist": {"status": "miss", "age": 0.0},
            "answers": {"status": "miss", "age": 0.0},
        }
    }


async def test_nothing_read_adds_nothing(upstream: Harness) -> None:
    result = await SCHEMA.execute(
        '{ job(id: "999999") { id } }', context_value=Context(smsc=upstream.client)
    )

    assert result.data == {"job": None}
    assert not result.extensions


async def test_a_context_of_another_kind_adds_nothing() -> None:
    result = await SCHEMA.execute("{ __typename }", context_value={"smsc": None})

    assert result.data == {"__typename": "Query"}
    assert not result.extensions


async def test_freshness_reaches_the_http_response(upstream: Harness) -> None:
    class View(strawberry.asgi.GraphQL[Context, None]):
        async def get_context(self, request: Any, response: Any) -> Context:
            return Context(smsc=upstream.client)

    app = Starlette(routes=[Route("/graphql", View(SCHEMA), methods=["POST"])])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        response = await client.post("/graphql", json={"query": "{ downloadTasks { id } }"})

    assert response.json()["extensions"] == {
        "freshness": {"downloadTasks": {"status": "miss", "age": 0.0}}
    }
