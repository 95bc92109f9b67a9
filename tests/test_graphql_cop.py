"""graphql-cop's checks (tests/graphql_cop.py) find nothing High or Medium in production.

The checks are first run against two deliberately permissive servers, to show that each of
them can fail: strawberry's own ASGI view with its defaults plus batching and Apollo tracing,
and a naive hand-written endpoint that executes whatever it is sent, unvalidated. (graphql-core
3.3's `MaxIntrospectionDepthRule` already stops the circular introspection query in strawberry.)
"""

import inspect
import pathlib
import traceback
import urllib.parse
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import pytest
import strawberry
import strawberry.asgi
from graphql import ExecutionResult, GraphQLError, execute, parse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.extensions.tracing import ApolloTracingExtension
from strawberry.schema.config import StrawberryConfig

from facade.credentials.scopes import Scope
from facade.graphql.mutations import Mutation
from facade.graphql.schema import Query
from tests import graphql_cop
from tests.graphql_cop import CHECKS, Check, Finding, Severity, is_graphql, scan
from tests.production import production

pytestmark = pytest.mark.anyio

URL = "http://facade.test/graphql"
SERIOUS = {Severity.HIGH, Severity.MEDIUM}

# Every check's name, by the port's function.
NAMES: dict[Check, str] = {
    graphql_cop.field_suggestions: "Field Suggestions",
    graphql_cop.introspection: "Introspection",
    graphql_cop.detect_graphiql: "GraphQL IDE",
    graphql_cop.get_method_support: "GET Method Query Support",
    graphql_cop.alias_overloading: "Alias Overloading",
    graphql_cop.batch_query: "Array-based Query Batching",
    graphql_cop.field_duplication: "Field Duplication",
    graphql_cop.trace_mode: "Trace Mode",
    graphql_cop.directive_overloading: "Directive Overloading",
    graphql_cop.circular_query_introspection: "Introspection-based Circular Query",
    graphql_cop.get_based_mutation: "Mutation is allowed over GET (possible CSRF)",
    graphql_cop.post_based_csrf: "POST based url-encoded query (possible CSRF)",
    graphql_cop.unhandled_error_detection: "Unhandled Errors Detection",
    graphql_cop.circular_fragment: "Circular Fragment",
}

PERMISSIVE_STRAWBERRY = {
    "Field Suggestions",
    "Introspection",
    "GraphQL IDE",
    "GET Method Query Support",
    "Alias Overloading",
    "Array-based Query Batching",
    "Field Duplication",
    "Trace Mode",
    "Directive Overloading",
}
NAIVE = {
    "Introspection",
    "GET Method Query Support",
    "Alias Overloading",
    "Array-based Query Batching",
    "Field Duplication",
    "Introspection-based Circular Query",
    "Mutation is allowed over GET (possible CSRF)",
    "POST based url-encoded query (possible CSRF)",
    "Unhandled Errors Detection",
    "Circular Fragment",
}


def facade_types() -> strawberry.Schema:
    """The facade's own Query and Mutation (over 25 types), with strawberry's permissive options."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=[ApolloTracingExtension],
        config=StrawberryConfig(batching_config={"max_operations": 100}),
    )


def permissive_strawberry() -> Starlette:
    view: strawberry.asgi.GraphQL[Any, Any] = strawberry.asgi.GraphQL(facade_types())
    return Starlette(routes=[Route("/graphql", view, methods=["GET", "POST"])])


def naive() -> Starlette:
    """Executes any operation from a query string, a form or JSON (one or a list), unvalidated,
    and shows the exception of a failed parse, as Apollo Server 2 did in debug mode."""
    schema = facade_types()._schema

    async def run(params: Mapping[str, Any]) -> dict[str, Any]:
        try:
            document = parse(params["query"])
        except GraphQLError as exc:
            stacktrace = traceback.format_exception(exc)
            return {"errors": [{"message": exc.message, "extensions": {"exception": stacktrace}}]}
        result = execute(schema, document)
        if inspect.isawaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        return dict(result.formatted)

    async def endpoint(request: Request) -> Response:
        if request.method == "GET":
            params: Any = dict(request.query_params)
        elif request.headers.get("content-type") == "application/json":
            params = await request.json()
        else:
            params = dict(urllib.parse.parse_qsl((await request.body()).decode()))
        if isinstance(params, list):
            return JSONResponse([await run(item) for item in params])
        if "query" not in params:
            return JSONResponse({"errors": [{"message": "No query."}]}, status_code=400)
        return JSONResponse(await run(params))

    return Starlette(routes=[Route("/graphql", endpoint, methods=["GET", "POST"])])


async def findings(app: Starlette, headers: Mapping[str, str] | None = None) -> list[Finding]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
        return await scan(client, URL, headers or {})


def test_every_check_is_named_and_ported_once() -> None:
    assert set(CHECKS) == set(NAMES)
    assert len(CHECKS) == len(set(CHECKS)) == 14


@pytest.mark.parametrize(
    ("app", "vulnerable"),
    [
        pytest.param(permissive_strawberry, PERMISSIVE_STRAWBERRY, id="strawberry-defaults"),
        pytest.param(naive, NAIVE, id="naive"),
    ],
)
async def test_the_checks_find_a_permissive_server(app: Any, vulnerable: set[str]) -> None:
    found = await findings(app())
    assert {finding.name for finding in found if finding.vulnerable} == vulnerable
    assert [finding.name for finding in found] == [NAMES[check] for check in CHECKS]


def test_every_check_fails_somewhere() -> None:
    assert set(NAMES.values()) == PERMISSIVE_STRAWBERRY | NAIVE


async def test_the_permissive_servers_look_like_graphql_to_graphql_cop() -> None:
    for app in (permissive_strawberry(), naive()):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
            assert await is_graphql(client, URL, {})


@pytest.fixture
async def recorded(tmp_path: pathlib.Path) -> AsyncIterator[tuple[httpx.AsyncClient, list[Any]]]:
    """The production app, and every (status, body) graphql-cop's requests got from it."""
    seen: list[tuple[int, Any]] = []

    async def record(response: httpx.Response) -> None:
        await response.aread()
        try:
            body = response.json()
        except ValueError:
            body = response.text
        seen.append((response.status_code, body))

    async with (
        production(tmp_path) as service,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service.app),
            event_hooks={"response": [record]},
        ) as client,
    ):
        yield client, seen


def serious(found: list[Finding]) -> list[Finding]:
    return [finding for finding in found if finding.vulnerable and finding.severity in SERIOUS]


# What the production app answers graphql-cop without a token: a request it would refuse from
# anyone is refused as such (before authentication); every other one is 401.
REFUSED_BEFORE_AUTHENTICATION = {
    "GraphQL IDE": 406,  # no IDE in production; `text/html` is not a GraphQL response type
    "GET Method Query Support": 405,  # FACADE_GRAPHQL_GET is off
    "Mutation is allowed over GET (possible CSRF)": 405,
    "Array-based Query Batching": 400,
    "POST based url-encoded query (possible CSRF)": 415,  # facade.browser
}


async def test_without_a_token_nothing_is_answered(
    recorded: tuple[httpx.AsyncClient, list[Any]],
) -> None:
    client, seen = recorded
    found = await scan(client, URL, {})
    assert not any(finding.vulnerable for finding in found), found
    assert len(seen) == len(CHECKS)  # one request a check
    for finding, (status, body) in zip(found, seen, strict=True):
        assert status == REFUSED_BEFORE_AUTHENTICATION.get(finding.name, 401), (finding, body)
        assert list(body) == ["errors"]


@pytest.mark.parametrize("scope", [Scope.READ, Scope.ADMIN])
async def test_with_a_token_nothing_high_or_medium_is_found(
    tmp_path: pathlib.Path, scope: Scope
) -> None:
    async with production(tmp_path) as service:
        headers = service.auth(scope)
        # The token works: graphql-cop would scan this endpoint, and a fair query is answered.
        assert await is_graphql(service.client, URL, headers)
        found = await scan(service.client, URL, headers)
    assert serious(found) == []
    assert not any(finding.vulnerable for finding in found), found


async def test_a_fragment_cycle_is_refused_by_validation(tmp_path: pathlib.Path) -> None:
    """graphql-cop's circular-fragment probe names an operation (`cop`) its document lacks, so
    it is refused before validation; without `operationName` the cycle itself is refused."""
    query = (
        "query { __schema { ...A } } "
        "fragment A on __Schema { __typename ...B } fragment B on __Schema { ...A }"
    )
    async with production(tmp_path) as service:
        response = await service.client.post(
            "/graphql", json={"query": query}, headers=service.auth(Scope.READ)
        )
    messages = [error["message"] for error in response.json()["errors"]]
    assert "Cannot spread fragment 'A' within itself via 'B'." in messages
    assert "data" not in response.json()


@pytest.mark.parametrize(
    ("environ", "found"),
    [
        pytest.param({"FACADE_GRAPHQL_GET": "true"}, {"GET Method Query Support"}, id="get"),
        pytest.param(
            # graphql-core's MaxIntrospectionDepthRule still stops the circular query.
            {"FACADE_INTROSPECTION": "true"},
            {"Introspection"},
            id="introspection",
        ),
        pytest.param({"FACADE_GRAPHIQL": "true"}, {"GraphQL IDE"}, id="graphiql"),
    ],
)
async def test_what_an_operator_turns_on_is_what_graphql_cop_finds(
    tmp_path: pathlib.Path, environ: dict[str, str], found: set[str]
) -> None:
    async with production(tmp_path, environ=environ) as service:
        findings = await scan(service.client, URL, service.auth(Scope.READ))
    assert {finding.name for finding in findings if finding.vulnerable} == found
