"""`refuse_token_in_url`: a client token or a credential parameter in a URL is refused, however
many times over it is percent-encoded, in the path and the query, over HTTP and WebSocket."""

import pathlib
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from facade.browser import RefuseTokensInUrl
from facade.credentials.auth import (
    MAX_URL_DECODINGS,
    URL_REFUSAL,
    URL_TOO_ENCODED,
    refuse_token_in_url,
)
from facade.credentials.scopes import Scope as TokenScope
from facade.errors import InputError
from tests.production import production

TAIL = "B" * 43
TOKEN = "smscf_" + TAIL


def _encoded(text: str, times: int) -> str:
    """`text` with its first character percent-encoded, then every `%` encoded `times - 1`
    more times (`s` → `%73` → `%2573` → `%252573`)."""
    encoded = f"%{ord(text[0]):02X}" + text[1:]
    for _ in range(times - 1):
        encoded = encoded.replace("%", "%25")
    return encoded


REFUSED = [
    pytest.param("/v1/templates", f"search={TOKEN}", id="query-plain"),
    pytest.param(f"/v1/templates/{TOKEN}", "", id="path-plain"),
    pytest.param("/v1/templates", f"search={_encoded(TOKEN, 1)}", id="query-once"),
    pytest.param("/v1/templates", f"search={_encoded(TOKEN, 2)}", id="query-twice"),
    pytest.param("/v1/templates", f"search={_encoded(TOKEN, 3)}", id="query-three-times"),
    pytest.param("/v1/templates", f"x={_encoded(TOKEN, 4)}", id="query-four-times"),
    # The server has decoded the path once already: `%2573` arrived as `%252573`.
    pytest.param(f"/v1/templates/{_encoded(TOKEN, 1)}", "", id="path-twice"),
    pytest.param(f"/v1/templates/{_encoded(TOKEN, 2)}", "", id="path-three-times"),
    pytest.param("/v1/templates", "search=smscf%255F" + TAIL, id="query-underscore-twice"),
    pytest.param("/v1/templates", "search=%2573mscf_" + TAIL + "+x", id="query-twice-plus"),
    pytest.param("/v1/templates", "a=1&b=%25%37%33mscf_" + TAIL, id="query-digits-encoded"),
    pytest.param("/graphql", "token=abc", id="param-plain"),
    pytest.param("/graphql", "ACCESS_TOKEN=abc", id="param-upper"),
    pytest.param("/graphql", "access%5Ftoken=abc", id="param-once"),
    pytest.param("/graphql", "access%255Ftoken=abc", id="param-twice"),
    pytest.param("/graphql", "%2561pikey=abc", id="param-twice-first-letter"),
    pytest.param("/graphql", "x=1&%25252570sw=abc", id="param-four-times"),
]


@pytest.mark.parametrize(("path", "query"), REFUSED)
def test_tokens_and_credential_parameters_are_refused_under_any_encoding(
    path: str, query: str
) -> None:
    with pytest.raises(InputError) as caught:
        refuse_token_in_url(path, query)
    assert caught.value.field == "url"
    assert URL_REFUSAL in caught.value.message


@pytest.mark.parametrize(
    ("path", "query"),
    [
        pytest.param(f"/v1/templates/{_encoded(TOKEN, MAX_URL_DECODINGS + 1)}", "", id="path"),
        pytest.param("/v1/templates", f"q={_encoded(TOKEN, MAX_URL_DECODINGS + 1)}", id="query"),
        pytest.param("/v1/templates", "q=%2525252541", id="harmless-but-too-deep"),
    ],
)
def test_a_url_still_changing_after_the_last_decoding_is_refused(path: str, query: str) -> None:
    with pytest.raises(InputError, match=URL_TOO_ENCODED):
        refuse_token_in_url(path, query)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        pytest.param("/v1/templates", "", id="nothing"),
        pytest.param("/v1/contacts", "search=100%25+sure&limit=3", id="percent-sign"),
        pytest.param("/v1/contacts", "search=%252525", id="literal-percent-25-25"),
        pytest.param("/v1/contacts", "search=smscf", id="prefix-without-underscore"),
        pytest.param("/v1/contacts", "search=sms+cf_" + TAIL, id="plus-splits-the-prefix"),
        pytest.param("/v1/contacts", "tokens=1&my_token=2&search=%E2%82%AC", id="near-names"),
        pytest.param("/v1/contacts/100%", "x=%zz&y=%", id="not-escapes"),
    ],
)
def test_ordinary_urls_pass(path: str, query: str) -> None:
    refuse_token_in_url(path, query)


async def _closed_with(scope: dict[str, Any]) -> list[Message]:
    sent: list[Message] = []
    reached: list[str] = []

    async def app(_: Scope, __: Receive, ___: Send) -> None:
        reached.append("app")

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await RefuseTokensInUrl(app)(scope, receive, send)
    if reached:
        return []
    return sent


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "query"),
    [
        pytest.param("/graphql", f"t={_encoded(TOKEN, 2)}", id="query-twice"),
        pytest.param(f"/graphql/{_encoded(TOKEN, 2)}", "", id="path-three-times"),
        pytest.param("/graphql", "access%255Ftoken=1", id="param-twice"),
    ],
)
async def test_a_websocket_handshake_with_an_encoded_token_is_closed(path: str, query: str) -> None:
    scope = {
        "type": "websocket",
        "path": path,
        "query_string": query.encode("latin-1"),
        "headers": [],
    }
    assert await _closed_with(scope) == [{"type": "websocket.close", "code": 4400}]


@pytest.mark.anyio
async def test_a_websocket_handshake_without_a_token_goes_on() -> None:
    scope = {"type": "websocket", "path": "/graphql", "query_string": b"", "headers": []}
    assert await _closed_with(scope) == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    "url",
    [
        f"/v1/templates?search={_encoded(TOKEN, 2)}",
        f"/healthz?x={_encoded(TOKEN, 3)}",
        f"/graphql?query=%7Btemplates%7Bid%7D%7D&x={_encoded(TOKEN, 2)}",
        # httpx sends the path as given; the server decodes it once, leaving `%2573...`.
        f"/v1/templates/{_encoded(TOKEN, 3)}",
        "/v1/templates?access%255Ftoken=abc",
    ],
)
async def test_double_encoded_tokens_are_refused_end_to_end(
    tmp_path: pathlib.Path, url: str
) -> None:
    async with production(tmp_path) as service:
        response = await service.client.get(url, headers=service.auth(TokenScope.READ))
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "INVALID_INPUT"
    assert "Authorization header" in response.json()["detail"]
