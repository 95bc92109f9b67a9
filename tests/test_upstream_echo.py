"""Issue 14 (4, 6): an upstream that answers 200 echoing the request leaks no credential form into
any response or log line, and what clients are told names no upstream host or path, nor quotes a
Python exception.

The echo comes in many encodings (upper case, base64 and hex of the whole form, HTML entities,
JSON escapes, digests of the password), wrapped in every shape a parser may meet (bare, SMSC's
error envelopes, XML and JSON documents), for every fmt, through REST and GraphQL of the service
as operators run it (canary credentials, client tokens), its logs captured at DEBUG in both
formats. The credential forms looked for are computed here, independently of
`facade.smsc.secrets`: the point is the forms no redactor lists.
"""

import base64
import hashlib
import html
import io
import json
import logging
import pathlib
import urllib.parse
from collections.abc import Callable, Iterator
from typing import Final

import httpx
import pytest

from facade.credentials.scopes import Scope
from facade.observability.logs import TEXT_FORMAT, JsonFormatter, RequestIdFilter
from tests.production import CANARY_LOGIN, CANARY_PASSWORD, Production, production

pytestmark = pytest.mark.anyio

# What goes on the wire for `psw`: the MD5 of the password (smsc-api-notes.md §1.3), which SMSC
# accepts as the password itself.
PSW_ON_THE_WIRE: Final = hashlib.md5(CANARY_PASSWORD.encode()).hexdigest()  # noqa: S324
MD5_DIGEST: Final = hashlib.md5(CANARY_PASSWORD.encode()).digest()  # noqa: S324
UPSTREAM_NAMES: Final = ("smsc.test", "/sys/", ".php", "http://", "https://")
INT_LIMIT_TEXTS: Final = ("Exceeds the limit", "4300", "int_max_str_digits", "integer string")


# --- the credential forms looked for ----------------------------------------------------------


def _b64_windows(data: bytes) -> Iterator[str]:
    """Base64 of `data` as it reads inside the base64 of a longer text, at any of the three
    alignments: the characters that depend on `data` alone."""
    for pad in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            yield encode(b"\0" * pad + data).decode()[4:-4]


def _text_forms(value: str) -> Iterator[str]:
    raw = value.encode()
    yield from (value, value.upper(), value.lower(), value.swapcase())
    yield from (raw.hex(), raw.hex().upper())
    yield from _b64_windows(raw)
    yield from _b64_windows(value.upper().encode())
    yield from (urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value))
    yield "".join(f"&#{ord(char)};" for char in value)
    yield "".join(f"&#x{ord(char):x};" for char in value)
    yield "".join(f"\\u{ord(char):04x}" for char in value)
    yield "".join(f"\\u{ord(char):04X}" for char in value)
    yield json.dumps(value)[1:-1]
    digest = hashlib.md5(raw).digest()  # noqa: S324 - a form of the secret
    yield from (digest.hex(), digest.hex().upper(), *_b64_windows(digest))


def credential_forms() -> set[str]:
    forms: set[str] = set()
    for value in (CANARY_LOGIN, CANARY_PASSWORD, PSW_ON_THE_WIRE):
        forms.update(_text_forms(value))
    forms.update(_b64_windows(f"{CANARY_LOGIN}:{CANARY_PASSWORD}".encode()))
    forms.update(_b64_windows(MD5_DIGEST))
    forms.add(MD5_DIGEST.decode("latin-1"))
    # Distinctive enough to mean a leak: the canaries' stems ("canary-") are everywhere.
    return {form for form in forms if len(form) >= 8}


FORMS: Final = credential_forms()


def leaks(text: str) -> list[str]:
    return sorted(form for form in FORMS if form in text)


# --- the echoes -------------------------------------------------------------------------------

Encode = Callable[[bytes], str]


def _decoded(content: bytes) -> str:
    return urllib.parse.unquote_plus(content.decode())


ENCODINGS: Final[dict[str, Encode]] = {
    "raw": lambda content: content.decode(),
    "upper-case": lambda content: content.decode().upper(),
    "url-decoded": _decoded,
    "url-decoded-upper-case": lambda content: _decoded(content).upper(),
    "base64": lambda content: base64.b64encode(content).decode(),
    "base64-url-safe": lambda content: base64.urlsafe_b64encode(content).decode(),
    "base64-upper-case": lambda content: base64.b64encode(content.upper()).decode(),
    "hex": lambda content: content.hex(),
    "hex-upper-case": lambda content: content.hex().upper(),
    "html-entities": lambda content: "".join(f"&#{ord(char)};" for char in _decoded(content)),
    "json-escapes": lambda content: "".join(f"\\u{ord(char):04x}" for char in _decoded(content)),
    "md5-raw": lambda _: f"psw={MD5_DIGEST.decode('latin-1')}",
    "md5-hex": lambda _: f"psw={MD5_DIGEST.hex()}&PSW={MD5_DIGEST.hex().upper()}",
    "md5-base64": lambda _: base64.b64encode(MD5_DIGEST).decode(),
    "basic-auth": lambda _: base64.b64encode(f"{CANARY_LOGIN}:{CANARY_PASSWORD}".encode()).decode(),
}


def _xml_text(text: str) -> str:
    return html.escape(text, quote=False)


# Where the echo sits: what reaches a parser, in each shape it tells apart.
CONTAINERS: Final[dict[str, Callable[[str], str]]] = {
    "bare": lambda echo: echo,
    "fmt0-envelope": lambda echo: f"ERROR = 1 ({echo})",
    "fmt1-like": lambda echo: f"0,{echo}",
    "fmt2-envelope": lambda echo: (
        f"<result><error>{_xml_text(echo)}</error><error_code>1</error_code></result>"
    ),
    "fmt2-document": lambda echo: f"<list><item>{_xml_text(echo)}</item></list>",
    "fmt3-envelope": lambda echo: json.dumps({"error": echo, "error_code": 1}),
    "fmt3-without-code": lambda echo: json.dumps({"error": echo}),
    "fmt3-record": lambda echo: json.dumps([{"id": echo, "name": echo}]),
    "html-page": lambda echo: f"<html><body><pre>{_xml_text(echo)}</pre></body></html>",
}

CASES: Final = [(encoding, container) for encoding in ENCODINGS for container in CONTAINERS] + [
    ("login-as-xml-tag", "bare")
]


class Echo:
    """The MockTransport handler: answers 200 with the request echoed as `case` says."""

    def __init__(self) -> None:
        self.case = CASES[0]
        self.answered = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.answered += 1
        encoding, container = self.case
        if encoding == "login-as-xml-tag":
            return httpx.Response(200, text=f"<{CANARY_LOGIN}>{PSW_ON_THE_WIRE}</{CANARY_LOGIN}>")
        echo = ENCODINGS[encoding](request.content)
        return httpx.Response(200, content=CONTAINERS[container](echo).encode("utf-8"))


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[list[io.StringIO]]:
    """Every record at DEBUG, formatted as JSON and as text, as `facade serve` writes them."""
    caplog.set_level(logging.DEBUG)  # undone by caplog at the end of the test
    streams = [io.StringIO(), io.StringIO()]
    handlers = [logging.StreamHandler(stream) for stream in streams]
    handlers[0].setFormatter(JsonFormatter())
    handlers[1].setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for handler in handlers:
        handler.addFilter(RequestIdFilter())
        root.addHandler(handler)
    yield streams
    for handler in handlers:
        root.removeHandler(handler)


def _files(root: pathlib.Path) -> str:
    return "\n".join(
        path.read_bytes().decode("latin-1") for path in sorted(root.rglob("*")) if path.is_file()
    )


async def _ask(service: Production, number: int) -> list[httpx.Response]:
    """A read through each API and a write through each under an idempotency key (so that its
    outcome is stored), every one distinct (so that no budget of identical requests refuses it)."""
    client, auth = service.client, service.auth(Scope.WRITE)
    job = f'{{ job(id: "{number}") {{ id status }} }}'
    create = (
        "mutation($name: String!, $key: String) { createGroup(input: {name: $name}, "
        "idempotencyKey: $key) { __typename ... on Error { code message } } }"
    )
    return [
        await client.post("/graphql", json={"query": job}, headers=auth),
        await client.get(f"/v1/jobs/{number}0", headers=auth),
        await client.post(
            "/graphql",
            json={"query": create, "variables": {"name": f"G {number}", "key": f"g-{number}"}},
            headers=auth,
        ),
        await client.post(
            "/v1/groups",
            json={"name": f"R {number}"},
            headers={**auth, "Idempotency-Key": f"r-{number}"},
        ),
    ]


@pytest.mark.parametrize("fmt", ["0", "1", "2", "3"], ids=lambda fmt: f"fmt{fmt}")
async def test_an_echo_of_the_request_in_any_encoding_leaks_no_credential(
    tmp_path: pathlib.Path,
    caplog: pytest.LogCaptureFixture,
    logs: list[io.StringIO],
    fmt: str,
) -> None:
    echo = Echo()
    responses: list[httpx.Response] = []
    async with production(
        tmp_path,
        environ={"FACADE_UPSTREAM_FMT": fmt, "FACADE_LOG_LEVEL": "DEBUG"},
        upstream=httpx.MockTransport(echo),
    ) as service:
        for number, case in enumerate(CASES, start=1000):
            echo.case = case
            asked = await _ask(service, number)
            responses += asked
            said = "\n".join(f"{r.status_code} {r.headers}\n{r.text}" for r in asked)
            assert leaks(said) == [], case
        data = _files(service.data_dir)

    assert echo.answered >= 4 * len(CASES), "every request reached the echoing upstream"
    bodies = [response.json() for response in responses]
    codes = {_code(body) for body in bodies}
    assert codes <= {"UPSTREAM_PROTOCOL_ERROR", "UPSTREAM_REJECTED"}, codes
    assert "UPSTREAM_PROTOCOL_ERROR" in codes
    assert "UPSTREAM_REJECTED" in codes  # the envelopes: SMSC's description is not said either
    said = "\n".join(f"{r.headers}\n{r.text}" for r in responses)
    for name in UPSTREAM_NAMES:
        assert name not in said
    logged = "\n".join(
        [caplog.text, *(stream.getvalue() for stream in logs)]
        + [str(vars(record)) for record in caplog.records]
    )
    assert "UPSTREAM_PROTOCOL_ERROR" in logged, "the failures are logged"
    assert "keyed digest" in logged, "a body is logged by its summary"
    assert leaks(logged) == []
    assert leaks(data) == [], "nor in what the idempotency store keeps"


def _code(body: dict[str, object]) -> object:
    """The code of a problem, a GraphQL error or an error member of a payload."""
    if "code" in body:
        return body["code"]
    errors = body.get("errors")
    if isinstance(errors, list):
        return errors[0]["extensions"]["code"]
    data = body["data"]
    assert isinstance(data, dict)
    (payload,) = data.values()
    return payload["code"]


# --- hosts, paths and Python's words ------------------------------------------------------------


def _failing(request: httpx.Request) -> httpx.Response:
    """Reads get 503 (unavailable after retries); writes time out (outcome unknown)."""
    if request.content.startswith(b"add_group="):
        raise httpx.ReadTimeout("timed out", request=request)
    return httpx.Response(503, text=f"<html>{request.url}</html>")


async def test_client_texts_name_no_upstream_host_or_path(
    tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with production(tmp_path, upstream=httpx.MockTransport(_failing)) as service:
        responses = await _ask(service, 7)

    graphql_read, rest_read, graphql_write, rest_write = (r.json() for r in responses)
    assert rest_read["code"] == graphql_read["errors"][0]["extensions"]["code"]
    assert rest_read["code"] == "UPSTREAM_UNAVAILABLE"
    assert rest_read["detail"].startswith("SMSC could not be reached: http_503 (attempt 1 of 3)")
    messages = [
        graphql_read["errors"][0]["message"],
        rest_read["detail"],
        graphql_write["data"]["createGroup"]["message"],
        rest_write["detail"],
    ]
    assert rest_write["outcomeUnknown"] is True
    assert "may have been applied" in rest_write["detail"]
    for message in messages:
        for name in UPSTREAM_NAMES:
            assert name not in message, message
    # Operators still learn where it failed.
    assert "via smsc.test" in caplog.text
    assert "/sys/" in caplog.text


@pytest.mark.parametrize(
    "query",
    [
        pytest.param("{ contacts(first: %s) { totalCount } }", id="int-argument"),
        pytest.param(
            'mutation { createGroup(input: {name: "x", number: %s}) { __typename } }',
            id="int-in-an-input",
        ),
    ],
)
async def test_graphql_says_in_its_own_words_what_python_refused(
    tmp_path: pathlib.Path, query: str
) -> None:
    digits = "9" * 5000  # past Python's limit on the digits int() converts
    async with production(tmp_path) as service:
        response = await service.client.post(
            "/graphql", json={"query": query % digits}, headers=service.auth(Scope.WRITE)
        )

    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "INVALID_INPUT"}
    assert (
        error["message"] == "Expected value of type 'Int'; the value given cannot be read as one."
    )
    for text in INT_LIMIT_TEXTS:
        assert text not in response.text


async def test_rest_says_no_python_text_for_a_huge_integer(tmp_path: pathlib.Path) -> None:
    digits = "9" * 5000
    async with production(tmp_path) as service:
        responses = [
            await service.client.get(f"/v1/contacts?limit={digits}", headers=service.auth()),
            await service.client.post(
                "/v1/groups",
                content=f'{{"name": "x", "number": {digits}}}',
                headers={**service.auth(Scope.WRITE), "Content-Type": "application/json"},
            ),
        ]

    for response in responses:
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "INVALID_INPUT"
        for text in INT_LIMIT_TEXTS:
            assert text not in response.text
