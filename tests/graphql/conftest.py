"""GraphQL through HTTP: the service's own /graphql routes, the emulator behind them."""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from facade.app import graphql_routes
from facade.settings import Settings
from tests.upstream.harness import Harness, harness

GraphQLCall = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def upstream() -> Harness:
    """The SmscClient and its emulator; override in a module for another seed or config."""
    return harness()


@pytest.fixture
async def graphql(upstream: Harness) -> AsyncIterator[GraphQLCall]:
    app = Starlette(routes=graphql_routes(Settings.from_env({}), upstream.client))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:

        async def call(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            body: dict[str, Any] = response.json()
            return body

        yield call
