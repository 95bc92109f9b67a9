"""REST through HTTP: the service's /v1 routes and /graphql on one app, the emulator behind."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from facade.app import graphql_routes
from facade.rest import EXCEPTION_HANDLERS, rest_routes
from facade.settings import Settings
from tests.upstream.harness import Harness, harness

GraphQLCall = Callable[..., Awaitable[dict[str, Any]]]
PROBLEM = "application/problem+json"


@pytest.fixture
def upstream() -> Harness:
    """The SmscClient and its emulator; override in a module for another seed or config."""
    return harness()


@pytest.fixture
def app(upstream: Harness) -> Starlette:
    """Built like `create_app`, with the harness's client (fake clock, call log)."""
    routes = [
        *graphql_routes(Settings.from_env({}), upstream.client),
        *rest_routes(upstream.client),
    ]
    return Starlette(routes=routes, exception_handlers=EXCEPTION_HANDLERS)


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        yield client


@pytest.fixture
def graphql(client: httpx.AsyncClient) -> GraphQLCall:
    async def call(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await client.post("/graphql", json={"query": query, "variables": variables})
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    return call


async def enum_values(graphql: GraphQLCall, name: str) -> list[str]:
    """A GraphQL enum's values, as the schema names them (REST's JSON Schema must say the same)."""
    data = await graphql(f'{{ __type(name: "{name}") {{ enumValues {{ name }} }} }}')
    return [value["name"] for value in data["__type"]["enumValues"]]


def assert_problem(
    response: httpx.Response, status: int, code: str, **members: Any
) -> dict[str, Any]:
    """`response` is an RFC 9457 problem with `status`, `code` and the given members."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].startswith("urn:smsc-facade:problem:")
    assert body["title"]
    assert body["detail"]
    for name, value in members.items():
        assert body[name] == value, (name, body)
    return body
