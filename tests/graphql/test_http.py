"""GraphQL over HTTP: negotiation, status codes and request checks of `GraphQLView`."""

import dataclasses
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import Message
from strawberry.types import Info

from facade.errors import AuthError, ForbiddenError
from facade.graphql.http import GRAPHQL_RESPONSE_JSON, JSON, GraphQLView, negotiate

pytestmark = pytest.mark.anyio

GRJ = GRAPHQL_RESPONSE_JSON


@dataclasses.dataclass
class Recorder:
    calls: list[str] = dataclasses.field(default_factory=list)


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, info: Info[Recorder, None], name: str = "world") -> str:
        info.context.calls.append("hello")
        return f"hello {name}"

    @strawberry.field
    def day(self, info: Info[Recorder, None], on: dt.date) -> str:
        info.context.calls.append("day")
        return on.isoformat()

    @strawberry.field
    def maybe(self, info: Info[Recorder, None]) -> str | None:
        info.context.calls.append("maybe")
        raise ValueError("maybe failed")

    @strawberry.field
    def broken(self, info: Info[Recorder, None]) -> str:
        info.context.calls.append("broken")
        raise ValueError("broken failed")


@strawberry.type
class Mutation:
    @strawberry.mutation
    def poke(self, info: Info[Recorder, None]) -> bool:
        info.context.calls.append("poke")
        return True


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation)
ContextGetter = Callable[[Request], Awaitable[Any]]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_client(recorder: Recorder) -> Callable[..., httpx.AsyncClient]:
    def make(*, context_getter: ContextGetter | None = None, **options: Any) -> httpx.AsyncClient:
        async def record(_: Request) -> Recorder:
            recorder.calls.append("context")
            return recorder

        view = GraphQLView(SCHEMA, context_getter=context_getter or record, **options)
        app = Starlette(routes=[Route("/graphql", view, methods=["GET", "POST", "PUT", "DELETE"])])
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://facade")

    return make


@pytest.fixture
async def client(make_client: Callable[..., httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    async with make_client() as client:
        yield client


def post(
    client: httpx.AsyncClient, body: object, accept: str | None = GRJ, **headers: str
) -> Awaitable[httpx.Response]:
    if accept is not None:
        headers["Accept"] = accept
    return client.post("/graphql", json=body, headers=headers)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        pytest.param(None, JSON, id="missing"),
        pytest.param(" ", JSON, id="blank"),
        pytest.param("*/*", JSON, id="any"),
        pytest.param("application/*", JSON, id="any-application"),
        pytest.param("application/json", JSON, id="json"),
        pytest.param(GRJ, GRJ, id="graphql-response"),
        pytest.param(f"{GRJ}, {JSON};q=0.9", GRJ, id="recommended"),
        pytest.param(f"{JSON}, {GRJ}", GRJ, id="tie-prefers-graphql-response"),
        pytest.param(f"{GRJ};q=0.5, {JSON}", JSON, id="quality-wins"),
        pytest.param(f"{GRJ};q=0.5, */*", JSON, id="wildcard-with-higher-quality"),
        pytest.param(f"{JSON};q=0, */*", GRJ, id="json-refused-by-name"),
        pytest.param(f"{GRJ}; charset=utf-8, {JSON}; charset=utf-8", GRJ, id="charset-utf8"),
        pytest.param(f'{JSON}; charset="UTF-8"', JSON, id="charset-quoted"),
        pytest.param("text/html,application/xhtml+xml,*/*;q=0.8", JSON, id="browser"),
        pytest.param("text/html", None, id="html-only"),
        pytest.param(f"{JSON};q=0", None, id="quality-zero"),
        pytest.param(f"{JSON}; charset=latin-1", None, id="charset-latin1"),
        pytest.param(f"{JSON};q=high", None, id="quality-malformed"),
        pytest.param(f"{JSON};q=2", None, id="quality-out-of-range"),
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        pytest.param(GRJ, GRJ, id="graphql-response"),
        pytest.param(JSON, JSON, id="json"),
        pytest.param("*/*", JSON, id="any"),
        pytest.param(None, JSON, id="missing"),
    ],
)
async def test_a_query_is_answered_in_the_negotiated_media_type(
    client: httpx.AsyncClient, accept: str | None, media_type: str
) -> None:
    response = await post(client, {"query": "{ hello }"}, accept=accept)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert response.headers["vary"] == "Accept"
    assert response.json() == {"data": {"hello": "hello world"}}


async def test_nothing_acceptable_is_406_before_anything_runs(
    client: httpx.AsyncClient, recorder: Recorder
) -> None:
    response = await post(client, {"query": "{ hello }"}, accept="text/html")
    assert response.status_code == 406
    assert response.headers["content-type"] == f"{JSON}; charset=utf-8"
    assert "errors" in response.json()
    assert recorder.calls == []


async def test_operation_name_variables_and_extensions_are_honoured(
    client: httpx.AsyncClient,
) -> None:
    response = await post(
        client,
        {
            "query": "query A { hello } query B($n: String!) { hello(name: $n) }",
            "operationName": "B",
            "variables": {"n": "Ann"},
            "extensions": {"some": "value"},
        },
    )
    assert response.json() == {"data": {"hello": "hello Ann"}}


REQUEST_ERRORS = [
    pytest.param({"query": "{"}, id="parse"),
    pytest.param({"query": "{ nope }"}, id="validation"),
    pytest.param(
        {"query": "query($d: Date!) { day(on: $d) }", "variables": {"d": "x"}}, id="coercion"
    ),
    pytest.param({"query": "query($d: Date!) { day(on: $d) }"}, id="missing-variable"),
    pytest.param({"query": "{ hello }", "operationName": "C"}, id="operation-unknown"),
    pytest.param({"query": ""}, id="query-empty"),
    pytest.param({"query": "subscription { hello }"}, id="subscription"),
]


@pytest.mark.parametrize("body", REQUEST_ERRORS)
async def test_a_request_error_is_400_without_data_as_graphql_response(
    client: httpx.AsyncClient, recorder: Recorder, body: dict[str, Any]
) -> None:
    response = await post(client, body, accept=GRJ)
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{GRJ}; charset=utf-8"
    assert "data" not in response.json()
    assert response.json()["errors"]
    assert "hello" not in recorder.calls
    assert "day" not in recorder.calls


@pytest.mark.parametrize("body", REQUEST_ERRORS)
async def test_a_request_error_is_200_without_data_as_legacy_json(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await post(client, body, accept=JSON)
    assert response.status_code == 200
    assert "data" not in response.json()
    assert response.json()["errors"]


@pytest.mark.parametrize(
    ("query", "data"),
    [
        pytest.param("{ hello maybe }", {"hello": "hello world", "maybe": None}, id="partial"),
        pytest.param("{ hello broken }", None, id="null-data"),
    ],
)
@pytest.mark.parametrize("accept", [GRJ, JSON])
async def test_a_field_error_is_200_with_data(
    client: httpx.AsyncClient, query: str, data: object, accept: str
) -> None:
    response = await post(client, {"query": query}, accept=accept)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == data
    assert body["errors"][0]["path"]


MALFORMED = [
    pytest.param(b'{ "not a JSON', id="malformed-json"),
    pytest.param(b"\xff\xfe{}", id="not-utf8"),
    pytest.param(b"[" * 50_000, id="nested-too-deep"),
    pytest.param(b"", id="empty-body"),
    pytest.param(b"1", id="not-an-object"),
    pytest.param(b'[{"query": "{ hello }"}, {"query": "{ hello }"}]', id="batch"),
    pytest.param(b"{}", id="query-missing"),
    pytest.param(b'{"qeury": "{ hello }"}', id="query-misspelt"),
    pytest.param(b'{"query": null}', id="query-null"),
    pytest.param(b'{"query": 0}', id="query-number"),
    pytest.param(b'{"query": {"obj": "ect"}}', id="query-object"),
    pytest.param(b'{"query": "{ hello }", "operationName": false}', id="operation-name-bool"),
    pytest.param(b'{"query": "{ hello }", "variables": "string"}', id="variables-string"),
    pytest.param(b'{"query": "{ hello }", "variables": [1]}', id="variables-array"),
    pytest.param(b'{"query": "{ hello }", "extensions": 0}', id="extensions-number"),
]


@pytest.mark.parametrize("body", MALFORMED)
@pytest.mark.parametrize("accept", [GRJ, JSON])
async def test_a_malformed_request_is_400_and_runs_nothing(
    client: httpx.AsyncClient, recorder: Recorder, body: bytes, accept: str
) -> None:
    response = await client.post(
        "/graphql", content=body, headers={"Content-Type": JSON, "Accept": accept}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert list(response.json()) == ["errors"]
    assert recorder.calls == []


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param(None, id="missing"),
        pytest.param("text/plain", id="text"),
        pytest.param("application/graphql", id="graphql"),
        pytest.param("multipart/form-data; boundary=x", id="multipart"),
        pytest.param("application/x-www-form-urlencoded", id="form"),
        pytest.param(f"{JSON}; charset=latin-1", id="json-latin1"),
    ],
)
async def test_an_unsupported_content_type_is_415(
    client: httpx.AsyncClient, recorder: Recorder, content_type: str | None
) -> None:
    headers = {"Accept": GRJ} | ({"Content-Type": content_type} if content_type else {})
    response = await client.post("/graphql", content=b'{"query": "{ hello }"}', headers=headers)
    assert response.status_code == 415
    assert recorder.calls == []


@pytest.mark.parametrize("content_type", [f"{JSON}; charset=utf-8", f"{JSON}; charset=UTF8"])
async def test_json_with_a_utf8_charset_is_accepted(
    client: httpx.AsyncClient, content_type: str
) -> None:
    body = json.dumps({"query": '{ hello(name: "Run🏃") }'}).encode()
    response = await client.post("/graphql", content=body, headers={"Content-Type": content_type})
    assert response.json() == {"data": {"hello": "hello Run🏃"}}


async def test_a_body_at_the_limit_is_read(make_client: Callable[..., httpx.AsyncClient]) -> None:
    body = b'{"query": "{ hello }"}'
    async with make_client(max_body_bytes=len(body)) as client:
        response = await client.post("/graphql", content=body, headers={"Content-Type": JSON})
    assert response.status_code == 200


async def test_a_body_over_the_declared_limit_is_413_unread(
    make_client: Callable[..., httpx.AsyncClient], recorder: Recorder
) -> None:
    async with make_client(max_body_bytes=10) as client:
        response = await client.post(
            "/graphql", content=b'{"query": "{ hello }"}', headers={"Content-Type": JSON}
        )
    assert response.status_code == 413
    assert recorder.calls == []


async def test_a_streamed_body_is_cut_at_the_limit(
    make_client: Callable[..., httpx.AsyncClient], recorder: Recorder
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": '
        yield b'"{ hello }"}'

    async with make_client(max_body_bytes=15) as client:
        response = await client.post(
            "/graphql", content=chunks(), headers={"Content-Type": JSON, "Accept": GRJ}
        )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.headers["content-type"] == f"{GRJ}; charset=utf-8"
    assert recorder.calls == []


async def test_a_mutation_runs_over_post(client: httpx.AsyncClient, recorder: Recorder) -> None:
    response = await post(client, {"query": "mutation { poke }"})
    assert response.json() == {"data": {"poke": True}}
    assert recorder.calls == ["context", "poke"]


@pytest.mark.parametrize("accept", [GRJ, JSON])
async def test_a_mutation_over_get_is_405_allow_post(
    client: httpx.AsyncClient, recorder: Recorder, accept: str
) -> None:
    response = await client.get(
        "/graphql", params={"query": "mutation { poke }"}, headers={"Accept": accept}
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "data" not in response.json()
    assert "poke" not in recorder.calls


async def test_a_query_over_get_runs_with_its_parameters(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={
            "query": "query A { hello } query B($n: String!) { hello(name: $n) }",
            "operationName": "B",
            "variables": json.dumps({"n": "Bo"}),
            "extensions": json.dumps({"some": "value"}),
        },
        headers={"Accept": GRJ},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "hello Bo"}}


async def test_empty_optional_get_parameters_mean_absent(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql", params={"query": "{ hello }", "operationName": "", "variables": ""}
    )
    assert response.json() == {"data": {"hello": "hello world"}}


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({}, id="query-missing"),
        pytest.param({"query": "{ hello }", "variables": "{nope"}, id="variables-malformed"),
        pytest.param({"query": "{ hello }", "variables": "[1]"}, id="variables-array"),
        pytest.param({"query": "{ hello }", "extensions": "1"}, id="extensions-number"),
    ],
)
async def test_a_malformed_get_is_400(
    client: httpx.AsyncClient, recorder: Recorder, params: dict[str, str]
) -> None:
    response = await client.get("/graphql", params=params, headers={"Accept": JSON})
    assert response.status_code == 400
    assert recorder.calls == []


async def test_a_query_string_over_the_limit_is_414(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    async with make_client(max_body_bytes=20) as client:
        response = await client.get("/graphql", params={"query": "{ hello hello hello }"})
    assert response.status_code == 414


async def test_get_queries_can_be_turned_off(
    make_client: Callable[..., httpx.AsyncClient], recorder: Recorder
) -> None:
    async with make_client(allow_get_queries=False) as client:
        refused = await client.get("/graphql", params={"query": "{ hello }"})
        posted = await post(client, {"query": "{ hello }"})
    assert refused.status_code == 405
    assert refused.headers["allow"] == "POST"
    assert posted.status_code == 200
    assert recorder.calls == ["context", "hello"]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_other_methods_are_405(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/graphql", json={"query": "{ hello }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"] == f"{JSON}; charset=utf-8"


BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


async def test_a_browser_gets_the_ide_page_given(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    async with make_client(ide_html=lambda: "<title>our IDE</title>") as client:
        response = await client.get("/graphql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == "<title>our IDE</title>"


async def test_without_a_page_the_ide_is_strawberrys(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_without_the_ide_a_browser_gets_a_graphql_error(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    async with make_client(graphiql=False) as client:
        response = await client.get("/graphql", headers={"Accept": BROWSER})
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{JSON}; charset=utf-8"


async def test_an_unauthenticated_request_is_401(
    make_client: Callable[..., httpx.AsyncClient],
) -> None:
    async def refuse(_: Request) -> Any:
        raise AuthError("A valid client token is required.")

    async with make_client(context_getter=refuse) as client:
        response = await post(client, {"query": "{ hello }"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "errors": [
            {
                "message": "A valid client token is required.",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]
    }


async def test_a_forbidden_request_is_403(make_client: Callable[..., httpx.AsyncClient]) -> None:
    async def refuse(_: Request) -> Any:
        raise ForbiddenError("The token lacks the write scope.")

    async with make_client(context_getter=refuse) as client:
        response = await post(client, {"query": "mutation { poke }"})
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN"}


async def test_an_unexpected_failure_is_500_without_a_traceback(
    make_client: Callable[..., httpx.AsyncClient], caplog: pytest.LogCaptureFixture
) -> None:
    async def explode(_: Request) -> Any:
        raise RuntimeError("secret internals")

    async with make_client(context_getter=explode) as client:
        with caplog.at_level(logging.ERROR, logger="facade.graphql.http"):
            response = await post(client, {"query": "{ hello }"})
    assert response.status_code == 500
    assert response.headers["content-type"] == f"{GRJ}; charset=utf-8"
    assert response.json() == {
        "errors": [{"message": "Internal server error.", "extensions": {"code": "INTERNAL"}}]
    }
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert "secret internals" in caplog.text


async def test_websocket_subscriptions_go_through_strawberry_with_the_context_getter() -> None:
    seen: list[str] = []

    async def context(connection: Request) -> Recorder:
        seen.append(connection.url.path)
        return Recorder()

    incoming: list[Message] = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": json.dumps({"type": "connection_init"})},
        {"type": "websocket.disconnect", "code": 1000},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "path": "/graphql",
        "query_string": b"",
        "headers": [(b"sec-websocket-protocol", b"graphql-transport-ws")],
        "subprotocols": ["graphql-transport-ws"],
    }
    await GraphQLView(SCHEMA, context_getter=context)(scope, receive, send)
    assert sent[0] == {
        "type": "websocket.accept",
        "subprotocol": "graphql-transport-ws",
        "headers": [],
    }
    assert json.loads(sent[1]["text"]) == {"type": "connection_ack"}
    assert seen == ["/graphql"]
