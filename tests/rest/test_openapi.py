"""`/openapi.json` and `/docs`: generated from the declarations, valid, and matching the routes."""

import re
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.routing import Route

from facade.rest import RESOURCES
from facade.settings import CACHE_TTLS
from tests.rest.conftest import GraphQLCall, enum_values

pytestmark = pytest.mark.anyio

DOCUMENT_ROUTES = {"/openapi.json", "/docs"}
# POSTs that take no body: an action on a resource.
BODILESS_ACTIONS = {"cancelJob"}


@pytest.fixture
async def document(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


async def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    validate(document)


async def test_documented_operations_and_routes_are_the_same(
    app: Starlette, document: dict[str, Any]
) -> None:
    served = {
        (route.path, method)
        for route in app.routes
        if isinstance(route, Route) and route.path.startswith("/v1/")
        for method in route.methods or ()
        if method != "HEAD"
    }
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item
    }
    assert documented == served
    assert {r.path for r in app.routes if isinstance(r, Route)} >= DOCUMENT_ROUTES


async def test_path_parameters_match_the_templates(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        for op in item.values():
            names = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path))
            assert all(p["required"] for p in op["parameters"] if p["in"] == "path")


async def test_every_response_of_every_operation_is_described(document: dict[str, Any]) -> None:
    for item in document["paths"].values():
        for method, op in item.items():
            statuses = set(op["responses"])
            assert {"400", "401", "403", "429", "500", "502", "503"} <= statuses
            if method == "get":
                assert "304" in statuses
                assert set(op["responses"]["200"]["headers"]) >= {"ETag", "Cache-Control"}
            if method in {"post", "patch"} and op["operationId"] not in BODILESS_ACTIONS:
                assert {"413", "415"} <= statuses
                assert "requestBody" in op


def test_every_cacheable_read_names_a_known_ttl() -> None:
    for resource in RESOURCES:
        for op in resource.operations:
            assert (op.method == "GET") is op.cacheable
            assert op.cache is None or op.cache in CACHE_TTLS


@pytest.mark.parametrize("name", ["MessageFormat", "SmsEncoding", "GroupKind"])
async def test_enum_values_are_graphqls(
    document: dict[str, Any], graphql: GraphQLCall, name: str
) -> None:
    rest = document["components"]["schemas"][name]["enum"]
    assert rest == await enum_values(graphql, name)


@pytest.mark.parametrize(
    ("schema", "type_name"),
    [("Template", "Template"), ("Group", "Group"), ("MessageSegments", "MessageSegments")],
)
async def test_field_names_are_graphqls(
    document: dict[str, Any], graphql: GraphQLCall, schema: str, type_name: str
) -> None:
    data = await graphql(f'{{ __type(name: "{type_name}") {{ fields {{ name }} }} }}')
    graphql_fields = {field["name"] for field in data["__type"]["fields"]}

    assert set(document["components"]["schemas"][schema]["properties"]) == graphql_fields
