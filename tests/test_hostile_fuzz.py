"""Property: whatever values a client gives any argument of any operation, in either API, the
answer is never a 5xx nor INTERNAL, and nothing is logged with a traceback (issue 15).

The operations are enumerated, not listed: GraphQL's every query and mutation field from the
schema, each argument sent as a variable; REST's every operation of `/openapi.json`, with its path
and query parameters and JSON body. Each value is drawn from hostile strings (lone surrogates,
NUL and other controls, 30,000 characters, 6,000 digits), integers (negative, 2^63, 10^40, 6,000
digits), floats (NaN, infinities, 1e308), wrong types, and plausible values, so that some
requests get past validation to the emulator. Both APIs share one app, with idempotency records,
for the whole module; hypothesis is derandomized, so a run is the same every time.
"""

import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Iterator, Mapping
from typing import Any, Final

import anyio.from_thread
import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facade.graphql.schema import create_schema
from facade.rest.openapi import openapi_document
from facade.rest.routes import RESOURCES
from tests.hostile import (
    JSON_HEADERS,
    Digits,
    both_apis,
    graphql_codes,
    to_json,
    tracebacks,
    url_quote,
)
from tests.upstream.lossy import Rig, rig

MAX_EXAMPLES: Final = 50
MAX_URL_VALUE: Final = 2000
FUZZ: Final = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
PLAUSIBLE: Final = (
    "",
    " ",
    "79161234567",
    "+79031112233",
    "41",
    "1001",
    "2001",
    "2012",
    "Shop",
    "Привет",
    "a@example.com",
    "#12345",
    "@shop_bot",
    "en",
    "https://example.com/a.pdf",
    "2030-01-02",
    "2030-01-02T03:04:00+03:00",
    "DAILY",
)

# values


def _texts() -> st.SearchStrategy[str]:
    pieces = st.one_of(
        st.sampled_from(PLAUSIBLE),
        st.text(max_size=12),
        st.integers(0xD800, 0xDFFF).map(chr),
        st.text(st.characters(max_codepoint=0x9F), max_size=4),
        st.builds(
            lambda char, size: char * size,
            st.sampled_from("9xЖ\x00 "),
            st.sampled_from([19, 201, 1001, 5000, 30_000]),
        ),
    )
    return st.lists(pieces, min_size=1, max_size=3).map("".join)


TEXTS: Final = _texts()
INTEGERS: Final = st.one_of(
    st.integers(-3, 200),
    st.integers(-(2**31), 2**31 - 1),
    st.integers(-(10**40), 10**40),
    st.sampled_from([2**31, 2**63, -(2**63) - 1]),
    st.sampled_from([4400, 6000]).map(lambda size: Digits("9" * size)),
)
FLOATS: Final = st.one_of(
    st.floats(), st.sampled_from([1e308, -1e308, 1e-320, 0.1, 720.0]), INTEGERS
)
OFFSETS: Final = st.integers(-14 * 60, 14 * 60).map(
    lambda minutes: dt.timezone(dt.timedelta(minutes=minutes))
)
DATES: Final = st.one_of(st.dates().map(dt.date.isoformat), TEXTS)
MOMENTS: Final = st.one_of(
    st.datetimes(timezones=st.one_of(st.none(), OFFSETS)).map(dt.datetime.isoformat), TEXTS
)
WRONG: Final[st.SearchStrategy[Any]] = st.one_of(
    st.booleans(), st.lists(st.integers(), max_size=2), st.just({})
)


def _or_wrong(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(strategy, strategy, strategy, WRONG)


# Valid inputs, by GraphQL input type and REST body schema: an input is as often one of these
# with one field drawn, so that requests also get past validation to the emulator.
PHONE: Final = "79161234567"
JOB: Final = {"name": "Fuzz", "phones": [PHONE], "message": "Hello"}
VALID: Final[Mapping[str, dict[str, Any]]] = {
    "CreateJob": JOB,
    "CreateContact": {"phones": ["79990001122"], "name": "Fuzz"},
    "UpdateContact": {"phone": PHONE, "name": "Fuzz"},
    "CreateTemplate": {"name": "Fuzz", "message": "Hello"},
    "UpdateTemplate": {"id": "1001", "name": "Fuzz"},
    "CreateGroup": {"name": "Fuzz"},
    "RenameGroup": {"id": "41", "name": "Fuzz"},
    "AddToBlacklist": {"phone": "79990003344"},
    "AddContactToGroup": {"phone": PHONE, "groupId": "41"},
    "RemoveContactFromGroup": {"phone": PHONE, "groupId": "41"},
    "MoveContactToGroup": {"phone": PHONE, "groupId": "41"},
}


def _objects(
    name: str, required: Mapping[str, st.SearchStrategy[Any]], optional: Mapping[str, Any]
) -> st.SearchStrategy[Any]:
    """Objects of these fields: drawn whole, or a valid one (`VALID`) with one field drawn."""
    drawn = st.fixed_dictionaries(dict(required), optional=dict(optional))
    base = VALID.get(name.removesuffix("Input"))
    fields = {**required, **optional}
    if base is None or not fields:
        return _or_wrong(drawn)
    one_drawn = st.sampled_from(sorted(fields)).flatmap(
        lambda field: fields[field].map(lambda value: {**base, field: value})
    )
    return _or_wrong(st.one_of(drawn, one_drawn, one_drawn))


# GraphQL: every query and mutation field, its arguments as variables

SCHEMA: Final = create_schema()._schema
SCALARS: Final[Mapping[str, st.SearchStrategy[Any]]] = {
    "String": TEXTS,
    "ID": st.one_of(TEXTS, INTEGERS),
    "Int": INTEGERS,
    "Float": FLOATS,
    "Boolean": st.booleans(),
    "Date": DATES,
    "DateTime": MOMENTS,
}


def graphql_values(type_: GraphQLInputType) -> st.SearchStrategy[Any]:
    if isinstance(type_, GraphQLNonNull):
        return _graphql_values(type_.of_type)
    return st.one_of(st.none(), _graphql_values(type_))


def _graphql_values(type_: GraphQLInputType) -> st.SearchStrategy[Any]:
    if isinstance(type_, GraphQLList):
        return st.lists(graphql_values(type_.of_type), max_size=3)
    if isinstance(type_, GraphQLInputObjectType):
        required = {
            name: graphql_values(field.type)
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is None
        }
        optional = {
            name: graphql_values(field.type)
            for name, field in type_.fields.items()
            if name not in required
        }
        return _objects(type_.name, required, optional)
    if isinstance(type_, GraphQLEnumType):
        return st.one_of(st.sampled_from(list(type_.values)), TEXTS)
    assert isinstance(type_, GraphQLScalarType), type_
    return SCALARS[type_.name]


@dataclasses.dataclass(frozen=True, slots=True)
class GraphQLOperation:
    document: str
    variables: st.SearchStrategy[dict[str, Any]]


def graphql_operation(kind: str, name: str, field: GraphQLField) -> GraphQLOperation:
    declared = ", ".join(f"${arg}: {spec.type}" for arg, spec in field.args.items())
    given_ = ", ".join(f"{arg}: ${arg}" for arg in field.args)
    selection = "" if is_leaf_type(get_named_type(field.type)) else "{ __typename }"
    head = f"{kind}({declared})" if declared else kind
    call = f"{name}({given_})" if given_ else name
    variables = st.fixed_dictionaries(
        {arg: graphql_values(spec.type) for arg, spec in field.args.items()}
    )
    return GraphQLOperation(f"{head} {{ {call} {selection} }}", variables)


def _graphql_operations() -> list[Any]:
    found = []
    for kind, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            operation = graphql_operation(kind, name, field)
            found.append(pytest.param(operation, id=f"{kind}-{name}"))
    return found


# REST: every operation of /openapi.json

DOCUMENT: Final = openapi_document(RESOURCES, title="smsc-facade", version="1")
COMPONENTS: Final = DOCUMENT["components"]["schemas"]


def schema_values(schema: Mapping[str, Any], name: str = "") -> st.SearchStrategy[Any]:
    if "$ref" in schema:
        referred = schema["$ref"].rsplit("/", 1)[1]
        return schema_values(COMPONENTS[referred], referred)
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            return st.one_of([schema_values(option) for option in schema[combined]])
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), TEXTS)
    match schema.get("type"):
        case "string":
            return {"date": DATES, "date-time": MOMENTS}.get(schema.get("format", ""), TEXTS)
        case "integer":
            return _or_wrong(INTEGERS)
        case "number":
            return _or_wrong(FLOATS)
        case "boolean":
            return _or_wrong(st.booleans())
        case "null":
            return st.none()
        case "array":
            return _or_wrong(st.lists(schema_values(schema.get("items", {})), max_size=3))
        case "object":
            properties = schema.get("properties", {})
            required = set(schema.get("required", ()))
            return _objects(
                name,
                {field: schema_values(properties[field]) for field in required},
                {
                    field: schema_values(value)
                    for field, value in properties.items()
                    if field not in required
                },
            )
    return st.one_of(TEXTS, INTEGERS)


@dataclasses.dataclass(frozen=True, slots=True)
class RestOperation:
    method: str
    path: str
    path_parameters: st.SearchStrategy[dict[str, Any]]
    query_parameters: st.SearchStrategy[dict[str, Any]]
    body: st.SearchStrategy[Any] | None


def _parameters(operation: Mapping[str, Any], where: str) -> st.SearchStrategy[dict[str, Any]]:
    values = {
        parameter["name"]: st.one_of(TEXTS, INTEGERS, schema_values(parameter["schema"]))
        for parameter in operation.get("parameters", ())
        if parameter["in"] == where
    }
    if where == "path":
        return st.fixed_dictionaries(values)
    return st.fixed_dictionaries({}, optional=values)


def _rest_operations() -> list[Any]:
    found = []
    for path, methods in DOCUMENT["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            declared = RestOperation(
                method=method.upper(),
                path=path,
                path_parameters=_parameters(operation, "path"),
                query_parameters=_parameters(operation, "query"),
                body=None if body is None else st.one_of(schema_values(body), TEXTS, WRONG),
            )
            found.append(pytest.param(declared, id=operation["operationId"]))
    return found


# the app, served from one event loop for the module


@dataclasses.dataclass(frozen=True, slots=True)
class Served:
    portal: anyio.from_thread.BlockingPortal
    client: httpx.AsyncClient
    lossy: Rig

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(lambda: self.client.request(method, url, **kwargs))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with anyio.from_thread.start_blocking_portal("asyncio") as portal:
        # Built in the loop's thread, which then uses it alone.
        lossy = portal.call(rig, tmp_path_factory.mktemp("hostile"))
        transport = httpx.ASGITransport(app=both_apis(lossy))
        client = httpx.AsyncClient(transport=transport, base_url="http://facade")
        yield Served(portal, client, lossy)
        portal.call(client.aclose)
        portal.call(lossy.http.aclose)


def watch(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.WARNING, logger="httpx")  # a line per request, of no interest


def assert_handled(response: httpx.Response, caplog: pytest.LogCaptureFixture) -> None:
    assert response.status_code < 500, response.text
    assert not tracebacks(caplog.records)
    caplog.clear()


@pytest.mark.parametrize("operation", _graphql_operations())
@FUZZ
@given(data=st.data())
def test_no_graphql_argument_makes_the_facade_fail(
    served: Served,
    caplog: pytest.LogCaptureFixture,
    operation: GraphQLOperation,
    data: st.DataObject,
) -> None:
    watch(caplog)
    variables = data.draw(operation.variables)
    payload = {"query": operation.document, "variables": variables}

    response = served.request("POST", "/graphql", content=to_json(payload), headers=JSON_HEADERS)

    assert_handled(response, caplog)
    assert "INTERNAL" not in graphql_codes(response.json()), response.text


@pytest.mark.parametrize("operation", _rest_operations())
@FUZZ
@given(data=st.data())
def test_no_rest_parameter_or_field_makes_the_facade_fail(
    served: Served,
    caplog: pytest.LogCaptureFixture,
    operation: RestOperation,
    data: st.DataObject,
) -> None:
    watch(caplog)
    path = operation.path
    for name, value in data.draw(operation.path_parameters).items():
        path = path.replace("{" + name + "}", url_quote(_plain(value)))
    query = data.draw(operation.query_parameters)
    if query:
        path += "?" + "&".join(
            f"{name}={url_quote(_plain(value))}" for name, value in query.items()
        )
    headers: dict[str, str] = {}
    content = None
    if operation.body is not None:
        content = to_json(data.draw(operation.body))
        headers |= JSON_HEADERS
    if operation.method != "GET" and data.draw(st.booleans()):
        headers["idempotency-key"] = str(uuid.uuid4())

    response = served.request(operation.method, path, content=content, headers=headers)

    assert_handled(response, caplog)
    if response.headers.get("content-type") == "application/problem+json":
        assert response.json()["code"] != "INTERNAL", response.text


def _plain(value: Any) -> str:
    """A value as it appears in a URL: cut to `MAX_URL_VALUE`, as URLs are bounded on the way
    (httpx refuses one over 64 KiB; uvicorn a request line over 16 KiB by default)."""
    if isinstance(value, Digits):
        value = value.text
    text = value if isinstance(value, str) else to_json(value)
    return text[:MAX_URL_VALUE]
