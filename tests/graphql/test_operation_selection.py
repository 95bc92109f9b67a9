"""A document of several operations runs only the one `operationName` names; without a name it is
a request error (GraphQL spec, "GetOperation"; GraphQL over HTTP, "Status Codes"), never its
first operation: over POST and GET, for persisted documents, and never from a kept answer."""

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from facade.app import graphql_routes
from facade.graphql.http import GRAPHQL_RESPONSE_JSON, JSON
from facade.graphql.persisted import sha256_hex
from facade.graphql.schema import create_schema
from facade.settings import Settings
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

TWO = "query Templates { templates { id } } query Groups { groups { id } }"
MIXED = (
    "query Templates { templates { id } } "
    'mutation Create { createGroup(input: {name: "VIP"}) { __typename } }'
)
STATUS = {GRAPHQL_RESPONSE_JSON: 400, JSON: 200}


@pytest.fixture
def upstream() -> Harness:
    return harness()


@pytest.fixture
def executions(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents the schema executed."""
    schema = create_schema(production=False, introspection=True)
    original = schema.execute
    seen: list[str] = []

    async def execute(query: str | None, *args: Any, **kwargs: Any) -> Any:
        seen.append(query or "")
        return await original(query, *args, **kwargs)

    monkeypatch.setattr(schema, "execute", execute)
    return seen


@pytest.fixture
async def client(upstream: Harness) -> AsyncIterator[httpx.AsyncClient]:
    """The service's /graphql (kept answers on), GET queries allowed."""
    settings = Settings.from_env({"FACADE_GRAPHQL_GET": "true"})
    app = Starlette(routes=graphql_routes(settings, upstream.client))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        yield client


def _assert_request_error(response: httpx.Response, media_type: str) -> None:
    assert response.status_code == STATUS[media_type], response.text
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    body = response.json()
    assert "data" not in body
    assert "operationName" in body["errors"][0]["message"]


@pytest.mark.parametrize("media_type", [GRAPHQL_RESPONSE_JSON, JSON])
@pytest.mark.parametrize("document", [TWO, MIXED], ids=["two-queries", "query-and-mutation"])
@pytest.mark.parametrize("name", [None, ""], ids=["absent", "empty"])
async def test_several_operations_without_a_name_is_a_request_error_over_post(
    client: httpx.AsyncClient,
    upstream: Harness,
    executions: list[str],
    media_type: str,
    document: str,
    name: str | None,
) -> None:
    body: dict[str, Any] = {"query": document}
    if name is not None:
        body["operationName"] = name
    for _ in range(2):  # a repeat is not answered from a kept answer either
        response = await client.post("/graphql", json=body, headers={"Accept": media_type})
        _assert_request_error(response, media_type)
    assert executions == []
    assert upstream.calls("get") == []
    assert upstream.calls("add") == []


@pytest.mark.parametrize("media_type", [GRAPHQL_RESPONSE_JSON, JSON])
async def test_several_operations_without_a_name_is_a_request_error_over_get(
    client: httpx.AsyncClient, executions: list[str], media_type: str
) -> None:
    for _ in range(2):
        response = await client.get(
            "/graphql", params={"query": TWO}, headers={"Accept": media_type}
        )
        _assert_request_error(response, media_type)
    assert executions == []


@pytest.mark.parametrize("media_type", [GRAPHQL_RESPONSE_JSON, JSON])
async def test_a_persisted_document_of_several_operations_needs_a_name(
    client: httpx.AsyncClient, executions: list[str], media_type: str
) -> None:
    apq = {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(TWO)}}
    headers = {"Accept": media_type}
    registered = await client.post(
        "/graphql", json={"query": TWO, "extensions": apq}, headers=headers
    )
    by_hash = await client.post("/graphql", json={"extensions": apq}, headers=headers)
    by_get = await client.get("/graphql", params={"extensions": json.dumps(apq)}, headers=headers)
    for response in (registered, by_hash, by_get):
        _assert_request_error(response, media_type)
    assert executions == []
    named = await client.post(
        "/graphql",
        json={"extensions": apq, "operationName": "Groups"},
        headers=headers,
    )
    assert named.status_code == 200, named.text
    assert set(named.json()["data"]) == {"groups"}


async def test_a_kept_answer_of_a_named_operation_is_not_served_without_the_name(
    client: httpx.AsyncClient, executions: list[str]
) -> None:
    for name in ("Templates", "Templates", "Groups"):
        response = await client.post("/graphql", json={"query": TWO, "operationName": name})
        assert response.status_code == 200, response.text
    assert len(executions) == 2, "the repeat of Templates was a kept answer"
    unnamed = await client.post(
        "/graphql", json={"query": TWO}, headers={"Accept": GRAPHQL_RESPONSE_JSON}
    )
    _assert_request_error(unnamed, GRAPHQL_RESPONSE_JSON)
    assert len(executions) == 2


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"query": "query Only { groups { id } }"}, id="one-named"),
        pytest.param({"query": "{ groups { id } }"}, id="one-anonymous"),
        pytest.param(
            {"query": "query Only { ...G } fragment G on Query { groups { id } }"},
            id="one-with-a-fragment",
        ),
        pytest.param({"query": TWO, "operationName": "Groups"}, id="two-named"),
    ],
)
async def test_one_operation_or_a_named_one_runs(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await client.post("/graphql", json=body, headers={"Accept": GRAPHQL_RESPONSE_JSON})
    assert response.status_code == 200, response.text
    assert set(response.json()["data"]) == {"groups"}
