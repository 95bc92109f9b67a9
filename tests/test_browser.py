"""Browser safety: cross-site "simple" bodies are refused; CORS answers the configured origins only."""

import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message

from facade.app import create_app
from facade.browser import (
    CORS_ALLOW_HEADERS,
    CORS_EXPOSE_HEADERS,
    CrossSiteBodyGuard,
    OriginCORSMiddleware,
    browser_middleware,
)
from facade.settings import Settings

pytestmark = pytest.mark.anyio

ALLOWED = "https://app.example"
STRANGER = "https://evil.example"
PROBLEM = "application/problem+json"

SIMPLE = [
    pytest.param("application/x-www-form-urlencoded", id="form"),
    pytest.param("multipart/form-data; boundary=x", id="multipart"),
    pytest.param("text/plain", id="text"),
    pytest.param("text/plain;charset=UTF-8", id="text-utf8-as-fetch-sends-it"),
    pytest.param("Application/X-WWW-Form-URLEncoded ; charset=utf-8", id="form-mixed-case"),
]


class Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def endpoint(self, request: Request) -> Response:
        self.calls.append(f"{request.method} {request.url.path}")
        await request.body()
        return JSONResponse({"ok": True}, headers={"ETag": '"1"'})


def toy_app(recorder: Recorder, cors_origins: Sequence[str] = ()) -> Starlette:
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    return Starlette(
        routes=[
            Route(path, recorder.endpoint, methods=methods)
            for path in ("/v1/templates", "/v1/jobs/1/cancel", "/graphql", "/healthz")
        ],
        middleware=browser_middleware(cors_origins),
    )


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def client(recorder: Recorder) -> AsyncIterator[httpx.AsyncClient]:
    app = toy_app(recorder, [ALLOWED])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade.test"
    ) as client:
        yield client


@pytest.mark.parametrize("content_type", SIMPLE)
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/v1/templates", "/v1/jobs/1/cancel", "/healthz"])
async def test_a_simple_body_is_a_415_problem_outside_graphql(
    client: httpx.AsyncClient, recorder: Recorder, path: str, method: str, content_type: str
) -> None:
    response = await client.request(
        method, path, content=b"query=x", headers={"Content-Type": content_type}
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 415
    assert body["code"] == "INVALID_INPUT"
    assert body["type"] == "urn:smsc-facade:problem:invalid-input"
    assert body["title"] == "Unsupported Media Type"
    assert "application/json" in body["detail"]
    assert recorder.calls == []


@pytest.mark.parametrize("content_type", SIMPLE)
async def test_a_simple_body_to_graphql_is_a_415_graphql_error(
    client: httpx.AsyncClient, recorder: Recorder, content_type: str
) -> None:
    response = await client.post(
        "/graphql", content=b"query={__typename}", headers={"Content-Type": content_type}
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT"}
    assert "application/json" in error["message"]
    assert list(response.json()) == ["errors"]
    assert recorder.calls == []


async def test_a_body_without_content_type_is_refused_as_a_blob_would_be(
    client: httpx.AsyncClient, recorder: Recorder
) -> None:
    response = await client.post("/v1/jobs/1/cancel", content=b"\x00\x01")
    assert response.status_code == 415
    assert response.json()["code"] == "INVALID_INPUT"
    assert recorder.calls == []


async def test_a_chunked_body_without_content_type_is_refused(
    client: httpx.AsyncClient, recorder: Recorder
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"x"

    response = await client.post("/v1/jobs/1/cancel", content=chunks())
    assert response.status_code == 415
    assert recorder.calls == []


@pytest.mark.parametrize("method", ["POST", "DELETE"])
async def test_no_body_and_no_content_type_passes(
    client: httpx.AsyncClient, recorder: Recorder, method: str
) -> None:
    response = await client.request(method, "/v1/jobs/1/cancel")
    assert response.status_code == 200
    assert recorder.calls == [f"{method} /v1/jobs/1/cancel"]


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/merge-patch+json"],
)
async def test_json_passes(
    client: httpx.AsyncClient, recorder: Recorder, content_type: str
) -> None:
    response = await client.post(
        "/v1/templates", content=b"{}", headers={"Content-Type": content_type}
    )
    assert response.status_code == 200
    assert recorder.calls == ["POST /v1/templates"]


async def test_a_get_is_not_guarded(client: httpx.AsyncClient, recorder: Recorder) -> None:
    response = await client.get("/v1/templates", headers={"Content-Type": "text/plain"})
    assert response.status_code == 200


async def test_the_guard_answers_without_reading_the_body() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the route ran")

    async def receive() -> Message:
        raise AssertionError("the body was read")

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/templates",
        "headers": [(b"content-type", b"text/plain"), (b"content-length", b"5")],
    }
    await CrossSiteBodyGuard(app)(scope, receive, send)
    assert sent[0]["status"] == 415


def preflight(
    origin: str, method: str = "POST", headers: str = "authorization, content-type"
) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


def cors_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: value
        for name, value in response.headers.items()
        if name.startswith("access-control-")
    }


async def test_a_preflight_from_an_allowed_origin_is_allowed(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/graphql", headers=preflight(ALLOWED, headers="Authorization, Content-Type")
    )
    assert response.status_code == 200
    assert cors_headers(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE",
        "access-control-allow-headers": ", ".join(
            sorted(
                {*CORS_ALLOW_HEADERS, "Accept", "Accept-Language", "Content-Language"},
            )
        ),
        "access-control-max-age": "600",
    }


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        pytest.param("DELETE", "idempotency-key", id="idempotency-key"),
        pytest.param("GET", "if-none-match, accept", id="conditional-get"),
    ],
)
async def test_a_preflight_allows_what_the_api_reads(
    client: httpx.AsyncClient, method: str, headers: str
) -> None:
    response = await client.options("/v1/templates", headers=preflight(ALLOWED, method, headers))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "headers"),
    [
        pytest.param("PROPFIND", "authorization", id="method"),
        pytest.param("POST", "x-custom", id="header"),
    ],
)
async def test_a_preflight_asking_for_more_is_refused(
    client: httpx.AsyncClient, method: str, headers: str
) -> None:
    response = await client.options("/graphql", headers=preflight(ALLOWED, method, headers))
    assert response.status_code == 400
    assert "access-control-allow-credentials" not in response.headers


async def test_a_preflight_from_a_stranger_gets_no_cors_header(
    client: httpx.AsyncClient, recorder: Recorder
) -> None:
    response = await client.options("/graphql", headers=preflight(STRANGER))
    assert response.status_code == 400
    assert cors_headers(response) == {}
    assert "Origin" in response.headers["vary"]
    assert recorder.calls == []


async def test_a_response_to_an_allowed_origin_is_readable(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/templates", headers={"Origin": ALLOWED})
    assert cors_headers(response) == {
        "access-control-allow-origin": ALLOWED,
        "access-control-expose-headers": ", ".join(CORS_EXPOSE_HEADERS),
    }
    assert "Origin" in response.headers["vary"]


async def test_a_response_to_a_stranger_has_no_cors_header(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/templates", headers={"Origin": STRANGER})
    assert response.status_code == 200
    assert cors_headers(response) == {}
    assert "Origin" in response.headers["vary"]


async def test_a_refusal_is_readable_by_an_allowed_origin(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", content=b"x", headers={"Origin": ALLOWED, "Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.headers["access-control-allow-origin"] == ALLOWED


async def test_without_origins_there_is_no_cors_at_all(recorder: Recorder) -> None:
    app = toy_app(recorder, [])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade.test"
    ) as client:
        refused = await client.options("/graphql", headers=preflight(ALLOWED))
        plain = await client.get("/v1/templates", headers={"Origin": ALLOWED})
    assert refused.status_code == 405
    assert cors_headers(refused) == {}
    assert cors_headers(plain) == {}
    assert recorder.calls == ["GET /v1/templates"]


def test_cors_is_outermost() -> None:
    with_cors: list[object] = [m.cls for m in browser_middleware([ALLOWED])]
    without: list[object] = [m.cls for m in browser_middleware([])]
    assert with_cors == [OriginCORSMiddleware, CrossSiteBodyGuard]
    assert without == [CrossSiteBodyGuard]


def test_cors_never_allows_credentials_or_every_origin() -> None:
    [cors, _] = browser_middleware([ALLOWED])
    assert cors.kwargs["allow_credentials"] is False
    assert cors.kwargs["allow_origins"] == (ALLOWED,)


@pytest.mark.parametrize(
    ("configured", "origin"),
    [
        pytest.param("https://App.Example", "https://app.example", id="case"),
        pytest.param("https://app.example:443/", "https://app.example", id="default-port"),
        pytest.param("http://localhost:5173", "http://localhost:5173", id="other-port"),
        pytest.param("http://[::1]:8080", "http://[::1]:8080", id="ipv6"),
    ],
)
def test_origins_are_compared_as_browsers_send_them(configured: str, origin: str) -> None:
    [cors, _] = browser_middleware([configured])
    assert cors.kwargs["allow_origins"] == (origin,)


@pytest.mark.parametrize(
    "origin",
    ["*", "null", "app.example", "ftp://app.example", "https://app.example/app", "https://a@b"],
)
def test_a_wildcard_or_a_non_origin_is_refused(origin: str) -> None:
    with pytest.raises(ValueError, match="origin"):
        browser_middleware([origin])


# The service itself: `create_app` wires `browser_middleware(settings.cors_origins)`.


async def service(environ: dict[str, str]) -> httpx.AsyncClient:
    app = create_app(Settings.from_env(environ))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://facade.test")


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        pytest.param("/graphql", "application/json", id="graphql"),
        pytest.param("/v1/jobs/1/cancel", PROBLEM, id="rest-without-body-model"),
        pytest.param("/v1/templates", PROBLEM, id="rest-with-body-model"),
    ],
)
@pytest.mark.parametrize("content_type", SIMPLE)
async def test_the_service_refuses_simple_bodies(
    path: str, media_type: str, content_type: str
) -> None:
    async with await service({}) as client:
        response = await client.post(
            path, content=b"query={__typename}", headers={"Content-Type": content_type}
        )
    assert response.status_code == 415
    assert response.headers["content-type"].startswith(media_type)
    body = response.json()
    code = body["errors"][0]["extensions"]["code"] if path == "/graphql" else body["code"]
    assert code == "INVALID_INPUT"


async def test_the_service_answers_its_cors_origins_only() -> None:
    async with await service({"FACADE_CORS_ORIGINS": ALLOWED}) as client:
        allowed = await client.options("/graphql", headers=preflight(ALLOWED))
        stranger = await client.options("/graphql", headers=preflight(STRANGER))
        read = await client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": ALLOWED}
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ALLOWED
    assert cors_headers(stranger) == {}
    assert read.headers["access-control-allow-origin"] == ALLOWED
    assert json.loads(read.text)["data"] == {"__typename": "Query"}


async def test_the_service_without_cors_origins_sends_no_cors_header() -> None:
    async with await service({}) as client:
        response = await client.options("/graphql", headers=preflight(ALLOWED))
        read = await client.get("/healthz", headers={"Origin": ALLOWED})
    assert cors_headers(response) == {}
    assert cors_headers(read) == {}
