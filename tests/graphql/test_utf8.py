"""Every JSON GraphQL writes is UTF-8: non-ASCII text as it is, never a `\\uXXXX` escape, over
HTTP (POST, GET, a kept answer's repeat, a request error) and over WebSocket."""

import json
from collections.abc import AsyncIterator
from typing import Final

import httpx
import pytest
from starlette.applications import Starlette

from facade.app import graphql_routes
from facade.graphql.http import GRAPHQL_RESPONSE_JSON, JSON
from facade.graphql.media import encode_json, read_json
from facade.settings import Settings
from tests.graphql.test_subscriptions import (
    ANSWERS,
    Sandbox,
    init,
    send,
    serving,
    socket,
    subscribe,
    until,
)
from tests.upstream.harness import harness
from tests.utf8 import unescaped

pytestmark = pytest.mark.anyio

TEMPLATES = "{ templates { id name message } }"
NAME = "Код подтверждения"  # a demo template's name


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings.from_env({"FACADE_GRAPHQL_GET": "1"})
    app = Starlette(routes=graphql_routes(settings, harness().client))  # answers kept
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        yield client


@pytest.mark.parametrize("media_type", [GRAPHQL_RESPONSE_JSON, JSON])
@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_an_answer_and_its_kept_repeat_are_utf8(
    client: httpx.AsyncClient, method: str, media_type: str
) -> None:
    body, params = (
        ({"query": TEMPLATES}, None) if method == "POST" else (None, {"query": TEMPLATES})
    )
    request = client.build_request(
        method, "/graphql", json=body, params=params, headers={"Accept": media_type}
    )
    first, repeat = await client.send(request), await client.send(request)
    for response in (first, repeat):
        assert response.status_code == 200
        assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    executed, kept = unescaped(first.content, NAME), unescaped(repeat.content, NAME)
    assert executed["extensions"]["freshness"]["templates"]["status"] == "miss"
    assert kept["extensions"]["freshness"]["templates"]["status"] == "hit", "a kept answer"
    assert kept["data"] == executed["data"]


async def test_a_request_error_is_utf8(client: httpx.AsyncClient) -> None:
    query = "query($n: Int) { contacts(first: $n) { edges { node { name } } } }"
    response = await client.post("/graphql", json={"query": query, "variables": {"n": "Иван"}})
    (error,) = unescaped(response.content, "Иван")["errors"]
    assert "Иван" in error["message"]


# A lone surrogate escape: valid JSON syntax, but no Unicode text holds it (RFC 8259 §8.2).
LONE_SURROGATE: Final = '{"name": "a\\ud800b"}'


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_lone_surrogate_is_refused_as_unreadable_json_as_rest_refuses_it(
    client: httpx.AsyncClient, method: str
) -> None:
    query = "query($name: String) { templates { id } }"
    if method == "POST":
        content = f'{{"query": {json.dumps(query)}, "variables": {LONE_SURROGATE}}}'
        request = client.build_request("POST", "/graphql", content=content, headers=_JSON)
        field, what = "body", "The request body"
    else:
        params = {"query": query, "variables": LONE_SURROGATE}
        request = client.build_request("GET", "/graphql", params=params)
        field, what = "variables", "The `variables` parameter"
    response = await client.send(request)
    assert response.status_code == 400
    message = f"{what} is not valid UTF-8 JSON."
    extensions = {"code": "INVALID_INPUT", "field": field}
    assert response.json() == {"errors": [{"message": message, "extensions": extensions}]}


_JSON: Final = {"content-type": "application/json"}


def test_read_json_refuses_what_rest_refuses_and_reads_the_rest() -> None:
    assert read_json('{"a": "\\ud83d\\ude00", "b": [1, 2.5, null]}') == {
        "a": "😀",
        "b": [1, 2.5, None],
    }
    for unreadable in (LONE_SURROGATE, b'{"a": "\xff"}', "{", '{"a": 1,}'):
        with pytest.raises(json.JSONDecodeError):
            read_json(unreadable)


def test_encode_json_is_compact_utf8_and_escapes_only_what_utf8_cannot_carry() -> None:
    value = {"name": 'Пётр "Я" 😀', "tab": "\t", "n": [1, 2.5, None, True]}
    assert encode_json(value) == (
        '{"name":"Пётр \\"Я\\" 😀","tab":"\\t","n":[1,2.5,null,true]}'.encode()
    )
    lone = {"text": "a\ud800b"}  # a lone surrogate: no UTF-8 for it, a JSON escape instead
    assert encode_json(lone) == b'{"text":"a\\ud800b"}'
    assert json.loads(encode_json(lone)) == lone


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
async def test_websocket_messages_are_utf8_text_frames() -> None:
    box = Sandbox()
    async with serving(box.app) as url, socket(url) as ws:
        await init(ws)
        await send(ws, id="q", type="subscribe", payload={"query": TEMPLATES})
        query_result, complete = await ws.recv(), await ws.recv()
        assert isinstance(query_result, str), "a text frame"
        assert unescaped(query_result, NAME)["type"] == "next"
        assert json.loads(complete) == {"id": "q", "type": "complete"}

        await subscribe(ws, "1", ANSWERS)
        await until(lambda: bool(box.pollers.answer_poller.subscribers))
        await box.ticker.settle()
        box.upstream.emulator.inject_answer(
            phone="79990001122", message="Да, приду", to_phone="79370000009"
        )
        await box.ticker.advance(30.0)
        event = await ws.recv()
        assert isinstance(event, str), "a text frame"
        found = unescaped(event, "Да, приду")
        assert found["payload"]["data"]["answerReceived"]["message"] == "Да, приду"
        await send(ws, id="1", type="complete")
        await until(lambda: not box.pollers.answer_poller.running)
