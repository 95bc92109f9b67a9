"""Every JSON REST writes is UTF-8: non-ASCII text as it is, never a `\\uXXXX` escape, in
bodies (and their kept repeats), problem details and Server-Sent Events."""

import httpx
import pytest

from tests.rest.conftest import PROBLEM
from tests.rest.test_answers_stream import ANSWERS, Live, eventually
from tests.utf8 import unescaped

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("path", "text"),
    [
        pytest.param("/v1/templates", "Код подтверждения", id="templates"),
        pytest.param("/v1/contacts?limit=50", "Иванов Иван", id="contacts"),
    ],
)
async def test_a_body_and_its_kept_repeat_are_utf8(
    client: httpx.AsyncClient, path: str, text: str
) -> None:
    first, repeat = await client.get(path), await client.get(path)
    for response in (first, repeat):
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        unescaped(response.content, text)
    assert repeat.content == first.content


async def test_a_problem_detail_is_utf8(client: httpx.AsyncClient) -> None:
    body = {"phones": ["79161112233"], "name": "Пётр", "имя": "лишнее поле"}
    response = await client.post("/v1/contacts", json=body)
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    problem = unescaped(response.content, "имя")
    assert (problem["code"], problem["field"]) == ("INVALID_INPUT", "имя")


async def test_an_event_is_utf8() -> None:
    live = Live()
    async with live.stream() as stream:
        await live.ticker.settle()
        live.inject("Да, приду")
        await live.ticker.advance(ANSWERS)
        await eventually(lambda: bool(stream.events()))
    assert stream.headers["content-type"] == "text/event-stream; charset=utf-8"
    (data,) = (line for line in stream.body.split(b"\n") if line.startswith(b"data: "))
    assert unescaped(data.removeprefix(b"data: "), "Да, приду")["message"] == "Да, приду"
