"""The declaration framework on a resource of its own: pagination, auth, unexpected errors."""

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import Field
from starlette.applications import Starlette
from starlette.requests import Request

from facade.credentials.scopes import Scope
from facade.errors import AuthError, ConfigError, ForbiddenError
from facade.rest import EXCEPTION_HANDLERS, rest_routes
from facade.rest.inputs import IdPath
from facade.rest.openapi import openapi_document
from facade.rest.operations import Call, NoParams, Params, Reply, Resource
from facade.rest.pagination import Page, PageQuery, page_reply
from facade.upstream.client import SmscClient
from facade.upstream.exchange import Fetched, Freshness
from facade.vocabulary.paging import Kind, encode_cursor, paginate
from facade.vocabulary.shapes import Input, Output
from tests.rest.conftest import assert_problem
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

NUMBERS = [f"n{i}" for i in range(45)]
NUMBER: Kind[str] = Kind("number", str)


class Number(Output):
    value: str


class Echo(Input):
    nested_items: list[int] = Field(default_factory=list)


fake = Resource("/v1/fake", tag="Fake")


@fake.get("/numbers", "listNumbers", "A fake list.", response=Page[Number], cache="fake.get")
async def list_numbers(call: Call[NoParams, PageQuery, None]) -> Reply:
    fetched = Fetched(list(NUMBERS), Freshness.MISS)
    page = paginate(fetched.value, NUMBER, call.query.page(NUMBER))
    return page_reply(
        Page[Number], call, "/v1/fake/numbers", page, lambda n: Number(value=n), fetched
    )


@fake.post("/echo", "echo", "Echoes a body.", response=Echo)
async def echo(call: Call[NoParams, NoParams, Echo]) -> Reply:
    return Reply(call.body)


class Flags(Params):
    dry_run: bool = False


@fake.put("/things/{id}", "putThing", "Replaces a thing.", status=204)
async def put_thing(call: Call[IdPath, Flags, Echo]) -> Reply:
    return Reply(headers={"X-Dry-Run": str(call.query.dry_run).lower()})


@fake.get("/explode", "explode", "Fails unexpectedly.", response=Number)
async def explode(call: Call[NoParams, NoParams, None]) -> Reply:
    raise RuntimeError("secret detail")


@fake.get("/config", "config", "Fails with an operator's error.", response=Number)
async def config(call: Call[NoParams, NoParams, None]) -> Reply:
    raise ConfigError(["SMSC_LOGIN is secret"])


@pytest.fixture
def identity() -> list[Exception]:
    """What the client getter raises instead of answering (empty: it answers)."""
    return []


@pytest.fixture
async def client(upstream: Harness, identity: list[Exception]) -> AsyncIterator[httpx.AsyncClient]:
    async def client_for(_: Request, __: Scope) -> SmscClient:
        if identity:
            raise identity[0]
        return upstream.client

    app = Starlette(routes=rest_routes(client_for, [fake]), exception_handlers=EXCEPTION_HANDLERS)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        yield client


async def test_pages_walk_the_whole_list_with_next_links(client: httpx.AsyncClient) -> None:
    seen: list[str] = []
    url: str | None = "/v1/fake/numbers?limit=20&other=kept"
    pages = 0
    while url is not None:
        response = await client.get(url)
        assert response.status_code == 200
        body = response.json()
        assert body["totalCount"] == 45
        seen += [item["value"] for item in body["items"]]
        url = body["next"]
        if url is None:
            assert body["nextCursor"] is None
            assert "link" not in response.headers
        else:
            assert response.headers["link"] == f'<{url}>; rel="next"'
            assert f"cursor={body['nextCursor']}" in url
            assert "other=kept" in url
        pages += 1
    assert seen == NUMBERS
    assert pages == 3


async def test_default_page_size_is_20(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/fake/numbers")).json()

    assert [item["value"] for item in body["items"]] == NUMBERS[:20]


async def test_a_cursor_resumes_after_its_item_or_at_its_position() -> None:
    first = paginate(NUMBERS, NUMBER, PageQuery(limit=2).page(NUMBER))
    assert first.next_cursor == encode_cursor("number", 1, "n1"), "the last item, where it is"
    request = PageQuery(limit=2, cursor=first.next_cursor).page(NUMBER)
    assert paginate(NUMBERS, NUMBER, request).items == ["n2", "n3"]

    gone = [n for n in NUMBERS if n != "n1"]
    assert paginate(gone, NUMBER, request).items == ["n2", "n3"], "none skipped"
    moved = ["n9", *NUMBERS]
    assert paginate(moved, NUMBER, request).items == ["n2", "n3"]

    assert paginate([], NUMBER, PageQuery().page(NUMBER)).next_cursor is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=x", "limit"),
        ("cursor=%25%25", "cursor"),
        ("cursor=bm90LWEtY3Vyc29y", "cursor"),
        (f"cursor={encode_cursor('other', 1, 'n1')}", "cursor"),
        ("cursor=%C3%A9", "cursor"),
    ],
)
async def test_bad_page_parameters_are_400(
    client: httpx.AsyncClient, query: str, field: str
) -> None:
    response = await client.get(f"/v1/fake/numbers?{query}")

    assert_problem(response, 400, "INVALID_INPUT", field=field)


async def test_a_nested_field_is_named_by_its_camel_case_path(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/fake/echo", json={"nestedItems": [1, 2, "x"]})

    assert_problem(response, 400, "INVALID_INPUT", field="nestedItems[2]")
    assert (await client.post("/v1/fake/echo", json={"nestedItems": [1]})).json() == {
        "nestedItems": [1]
    }


async def test_an_unknown_ttl_key_uses_the_clients_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/fake/numbers")

    assert response.headers["cache-control"] == "private, max-age=60"


@pytest.mark.parametrize("path", ["/v1/fake/explode", "/v1/fake/config"])
async def test_an_unexpected_error_is_a_masked_500_logged_once(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    with caplog.at_level(logging.INFO, logger="facade.rest"):
        response = await client.get(path)

    body = assert_problem(response, 500, "INTERNAL", detail="Internal error.")
    assert "secret" not in response.text
    assert set(body) == {"type", "title", "status", "detail", "code"}
    (record,) = caplog.records
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (AuthError("A valid client token is required."), 401, "UNAUTHENTICATED"),
        (ForbiddenError("The token lacks the write scope."), 403, "FORBIDDEN"),
    ],
)
async def test_the_client_getter_authenticates(
    client: httpx.AsyncClient,
    identity: list[Exception],
    error: Exception,
    status: int,
    code: str,
) -> None:
    identity.append(error)

    response = await client.get("/v1/fake/numbers")

    assert_problem(response, status, code, detail=str(error))
    assert ("www-authenticate" in response.headers) is (status == 401)


def test_declarations_are_checked() -> None:
    resource = Resource("/v1/x", tag="X")

    with pytest.raises(ValueError, match="only a GET is cacheable"):
        resource.post("", "p", "P.", cache="templates.get")

    async def untyped(call):
        return Reply()

    with pytest.raises(TypeError, match="call: Call"):
        resource.get("", "u", "U.")(untyped)

    async def twice(call: Call[NoParams, NoParams, None]) -> Reply:
        return Reply()

    resource.delete("", "a", "A.")(twice)
    resource.delete("", "b", "B.")(twice)
    with pytest.raises(ValueError, match="declared twice"):
        rest_routes(_never(), [resource])


def test_reads_and_settled_writes_are_checked() -> None:
    resource = Resource("/v1/x", tag="X")

    async def handler(call: Call[NoParams, NoParams, None]) -> Reply:
        return Reply()

    resource.post("/q", "q", "Q.", read=True)(handler)
    (question,) = resource.operations
    assert (question.read, question.idempotent, question.scope) == (True, False, Scope.READ)
    with pytest.raises(ValueError, match="a read needs no idempotency key"):
        resource.post("/r", "r", "R.", read=True, idempotent=True)
    with pytest.raises(ValueError, match="only a GET or a POST reads"):
        resource.put("/r", "r", "R.", read=True)
    with pytest.raises(ValueError, match="only an idempotent write is settled"):
        resource.post("/r", "r", "R.", read=True, settling=lambda call: NotImplemented)
    with pytest.raises(ValueError, match="only an idempotent write is settled"):
        resource.post("/r", "r", "R.", idempotent=False, settling=lambda call: NotImplemented)


def _never() -> SmscClient:
    return SmscClient.__new__(SmscClient)


async def test_a_put_with_query_flags_and_no_response_body(client: httpx.AsyncClient) -> None:
    response = await client.put("/v1/fake/things/7?dryRun=true", json={})

    assert response.status_code == 204
    assert response.headers["x-dry-run"] == "true"
    document = openapi_document([fake], title="t", version="1")
    operation = document["paths"]["/v1/fake/things/{id}"]["put"]
    assert operation["parameters"][1] == {
        "name": "dryRun",
        "in": "query",
        "required": False,
        "schema": {"type": "boolean", "default": False},
    }
    assert "content" not in operation["responses"]["204"]
