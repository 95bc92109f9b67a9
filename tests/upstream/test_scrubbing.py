"""Errors from the upstream layer carry no secret: no httpx object in their chain, and no byte of
what SMSC echoes back. Canary credentials go out; every form of them is looked for in what comes
back.
"""

import asyncio
import inspect
import json
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, Protocol

import anyio
import httpx
import pytest

from facade.domain.templates import TemplateDraft
from facade.errors import (
    BodySummary,
    SmscAuthError,
    SmscBadRequest,
    SmscError,
    UpstreamOutcomeUnknown,
    UpstreamProtocolError,
    UpstreamUnavailable,
)
from facade.smsc.commands import Credentials
from facade.smsc.secrets import pair_forms, secret_forms
from facade.smsc.wire import Fmt
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.exchange import Freshness
from facade.upstream.timing import Sleep
from facade.upstream.transport import SmscTransport
from tests.fakes import FakeClock, FakeSleep
from tests.upstream.harness import harness

pytestmark = pytest.mark.anyio

LOGIN = "canary-login-Логин+&="
PASSWORD = "canary-Секрет 42/+&=~?"  # noqa: S105 - a canary to look for, not a credential
APIKEY = "canary-apikey-Ключ/+=0123"
FORMS = sorted(
    secret_forms(LOGIN)
    | secret_forms(PASSWORD)
    | secret_forms(APIKEY)
    | pair_forms(LOGIN, PASSWORD),
    key=len,
)

CREDENTIALS = [
    pytest.param(Credentials(login=LOGIN, password=PASSWORD), id="md5-password"),
    pytest.param(
        Credentials(login=LOGIN, password=PASSWORD, hash_password=False), id="raw-password"
    ),
    pytest.param(Credentials(apikey=APIKEY), id="apikey"),
]

Respond = Callable[[httpx.Request, bytes], httpx.Response | Awaitable[httpx.Response]]
Outcome = int | type[httpx.RequestError] | Respond


def secrets_of(credentials: Credentials) -> list[str]:
    values = (credentials.login, credentials.password, credentials.apikey)
    return [value for value in values if value]


def echo(request: httpx.Request, content: bytes) -> bytes:
    """What a proxy's error page might say: the URL and the whole form body."""
    return b"<html>You sent " + str(request.url).encode() + b" with " + content + b"</html>"


class Upstream:
    """The MockTransport handler: plays `outcomes` in order, the last one again and again.

    An httpx error class is raised with the request and its body in its message; a status is
    answered with `echo` of the request as its body; a callable makes the response itself.
    """

    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes = list(outcomes)
        self.requests = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        content = await request.aread()
        self.requests += 1
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, type):
            raise outcome(f"failed: {request.url} {content!r}", request=request)
        if isinstance(outcome, int):
            return httpx.Response(outcome, content=echo(request, content))
        response = outcome(request, content)
        return await response if inspect.isawaitable(response) else response


class Build(Protocol):
    def __call__(
        self,
        upstream: Upstream,
        credentials: Credentials,
        *,
        sleep: Sleep | None = None,
        **config: Any,
    ) -> SmscClient: ...


@pytest.fixture
async def build() -> AsyncIterator[Build]:
    clients: list[httpx.AsyncClient] = []

    def build(
        upstream: Upstream,
        credentials: Credentials,
        *,
        sleep: Sleep | None = None,
        **config: Any,
    ) -> SmscClient:
        http = httpx.AsyncClient(transport=httpx.MockTransport(upstream))
        clients.append(http)
        settings = UpstreamConfig(**{"read_budget": 10, **config})
        transport = SmscTransport(
            http,
            base_urls=["https://smsc.test", "https://www2.smsc.test"],
            config=settings,
            sleep=sleep or FakeSleep(),
            jitter=lambda: 1.0,
        )
        return SmscClient(
            account="default",
            credentials=credentials,
            transport=transport,
            config=settings,
            clock=FakeClock(),
        )

    yield build
    for http in clients:
        await http.aclose()


def chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        exc = pending.pop()
        if exc is None or id(exc) in seen:
            continue
        seen.add(id(exc))
        yield exc
        pending += [exc.__cause__, exc.__context__]


def assert_clean(text: str) -> None:
    assert "canary" not in text
    for form in FORMS:
        assert form not in text, form


def assert_scrubbed(error: BaseException) -> None:
    """No httpx object anywhere in the chain, and no form of a secret in any text of it."""
    for exc in chain(error):
        assert not isinstance(exc, httpx.HTTPError), repr(exc)
        for value in vars(exc).values():
            assert not isinstance(value, httpx.HTTPError | httpx.Request | httpx.Response)
        assert_clean(f"{exc!s} {exc!r} {vars(exc)!r}")
    assert_clean("".join(traceback.format_exception(error)))


# --- (a) reads that fail in transport ---------------------------------------------------------


@pytest.mark.parametrize("credentials", CREDENTIALS)
@pytest.mark.parametrize(
    ("outcome", "label"),
    [
        pytest.param(httpx.ReadTimeout, "read_timeout", id="read-timeout"),
        pytest.param(httpx.ConnectError, "connect_error", id="connect-error"),
        pytest.param(httpx.ReadError, "read_error", id="connection-reset"),
        pytest.param(httpx.RemoteProtocolError, "remote_protocol_error", id="protocol-error"),
        pytest.param(503, "http_503", id="503-echo"),
        pytest.param(404, "http_404", id="404-echo"),
        pytest.param(
            lambda request, content: httpx.Response(
                200,
                headers={"Content-Encoding": "gzip"},
                stream=httpx.ByteStream(echo(request, content)),
            ),
            "decoding_error",
            id="undecodable-echo",
        ),
    ],
)
async def test_a_failed_read_chains_to_no_httpx_error(
    build: Build, credentials: Credentials, outcome: Outcome, label: str
) -> None:
    client = build(Upstream(outcome), credentials)

    with pytest.raises(UpstreamUnavailable) as caught:
        await client.templates()

    error = caught.value
    assert type(error) is UpstreamUnavailable
    assert error.diagnostic.startswith(f"SMSC /sys/templates.php: {label} via ")
    assert str(error).startswith(f"SMSC could not be reached: {label} (attempt ")
    assert error.__cause__ is None
    assert error.__context__ is None
    assert_scrubbed(error)


async def test_a_read_refused_after_a_failure_chains_to_the_refusal_only(build: Build) -> None:
    client = build(Upstream(503), Credentials(login=LOGIN, password=PASSWORD), read_budget=1)

    with pytest.raises(UpstreamUnavailable) as caught:
        await client.templates()

    assert str(caught.value).endswith("(attempt 1 of 3); then refused (RateLimitedError)")
    assert [type(exc).__name__ for exc in chain(caught.value)] == [
        "UpstreamUnavailable",
        "RateLimitedError",
    ]
    assert_scrubbed(caught.value)


async def test_a_read_past_the_deadline_in_a_backoff_chains_to_nothing(build: Build) -> None:
    async def sleep_forever(seconds: float) -> None:
        await anyio.sleep_forever()

    client = build(
        Upstream(503),
        Credentials(login=LOGIN, password=PASSWORD),
        sleep=sleep_forever,
        deadline=0.01,
    )

    with pytest.raises(UpstreamUnavailable) as caught:
        await client.templates()

    assert str(caught.value).endswith("then deadline of 0.01s exceeded")
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert_scrubbed(caught.value)


# --- (b) writes whose outcome is unknown ------------------------------------------------------


@pytest.mark.parametrize("credentials", CREDENTIALS)
@pytest.mark.parametrize(
    ("outcome", "label"),
    [
        pytest.param(httpx.ReadTimeout, "read_timeout", id="read-timeout"),
        pytest.param(httpx.WriteError, "write_error", id="write-error"),
        pytest.param(500, "http_500", id="500-echo"),
    ],
)
async def test_a_write_of_unknown_outcome_chains_to_no_httpx_error(
    build: Build, credentials: Credentials, outcome: Outcome, label: str
) -> None:
    client = build(Upstream(outcome), credentials)

    with pytest.raises(UpstreamOutcomeUnknown) as caught:
        await client.create_template(TemplateDraft(name="n", message="m"))

    error = caught.value
    assert error.diagnostic == (
        f"SMSC /sys/templates.php: {label} via smsc.test (attempt 1 of 3); "
        "the write may have been applied"
    )
    assert str(error) == (
        f"SMSC could not be reached: {label} (attempt 1 of 3); the write may have been applied"
    )
    assert error.__cause__ is None
    assert error.__context__ is None
    assert_scrubbed(error)


async def test_a_write_past_the_deadline_chains_to_nothing(build: Build) -> None:
    async def hang(request: httpx.Request, content: bytes) -> httpx.Response:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    client = build(Upstream(hang), Credentials(login=LOGIN, password=PASSWORD), deadline=0.01)

    with pytest.raises(UpstreamOutcomeUnknown) as caught:
        await client.create_template(TemplateDraft(name="n", message="m"))

    assert "deadline of 0.01s exceeded" in str(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None
    assert_scrubbed(caught.value)


# --- (c) a 200 that echoes the request --------------------------------------------------------


def _straddling(request: httpx.Request, content: bytes) -> httpx.Response:
    """A secret that starts just before the 120th character: cut there, its start would remain."""
    secret = (PASSWORD if b"psw=" in content else APIKEY).encode()
    return httpx.Response(200, content=b"<" + b"x" * 105 + secret + b">")


def _json_echo(request: httpx.Request, content: bytes) -> httpx.Response:
    """Unfinished JSON: the JSONDecodeError under the protocol error holds the whole document."""
    return httpx.Response(
        200, content=b'{"request": "' + content + b'", "url": "' + str(request.url).encode()
    )


def _cp1251_echo(request: httpx.Request, content: bytes) -> httpx.Response:
    raw = " ".join(secrets_of_request(content)).encode("cp1251")
    return httpx.Response(200, content=b"echo " + content + b" " + raw)


def secrets_of_request(content: bytes) -> list[str]:
    return [LOGIN, PASSWORD] if b"login=" in content else [APIKEY]


@pytest.mark.parametrize("credentials", CREDENTIALS)
@pytest.mark.parametrize(
    ("outcome", "charset", "reason"),
    [
        pytest.param(
            lambda request, content: httpx.Response(200, content=echo(request, content)),
            "utf-8",
            "not well-formed XML (ParseError)",
            id="html-echo",
        ),
        pytest.param(
            lambda request, content: httpx.Response(200, content=content),
            "utf-8",
            None,
            id="bare-form-echo",
        ),
        pytest.param(_json_echo, "utf-8", "not valid JSON (JSONDecodeError)", id="json-echo"),
        pytest.param(
            _straddling, "utf-8", "not well-formed XML (ParseError)", id="secret-at-the-cut"
        ),
        pytest.param(_cp1251_echo, "windows-1251", None, id="cp1251-echo"),
    ],
)
async def test_a_body_that_echoes_the_request_is_not_in_the_protocol_error(
    build: Build,
    caplog: pytest.LogCaptureFixture,
    credentials: Credentials,
    outcome: Outcome,
    charset: str,
    reason: str | None,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = build(Upstream(outcome), credentials, charset=charset)

    with pytest.raises(UpstreamProtocolError) as caught:
        await client.templates()

    error = caught.value
    assert str(error) == "SMSC's answer to `templates.get` could not be read (fmt 3)."
    assert error.diagnostic.startswith("unreadable /sys/templates.php?get response (fmt=3): ")
    if reason is not None:
        assert error.reason == reason
    # No excerpt, masked or not: the body is known by its length, shape and keyed digest only.
    assert isinstance(error.body, BodySummary)
    assert error.body.length > 0
    assert str(error.body) in error.diagnostic
    assert error.__cause__ is None
    assert error.__context__ is None
    assert_scrubbed(error)
    assert_clean(caplog.text)


# --- (d) SMSC's error envelope echoing the account --------------------------------------------


def _envelope(fmt: Fmt, code: int, description: str) -> bytes:
    if fmt is Fmt.TEXT:
        return f"ERROR = {code} ({description})".encode()
    if fmt is Fmt.XML:
        text = description.replace("&", "&amp;").replace("<", "&lt;")
        return f"<result><error>{text}</error><error_code>{code}</error_code></result>".encode()
    # As PHP's json_encode writes it: `\/` and `\uXXXX`.
    return json.dumps({"error": description, "error_code": code}).replace("/", "\\/").encode()


@pytest.mark.parametrize("credentials", CREDENTIALS)
@pytest.mark.parametrize("fmt", [Fmt.TEXT, Fmt.XML, Fmt.JSON], ids=["fmt0", "fmt2", "fmt3"])
@pytest.mark.parametrize(
    ("code", "cls"), [(2, SmscAuthError), (1, SmscBadRequest)], ids=["auth", "bad-request"]
)
async def test_an_error_envelope_that_names_the_account_is_not_kept(
    build: Build, credentials: Credentials, fmt: Fmt, code: int, cls: type[SmscError]
) -> None:
    values = secrets_of(credentials)
    description = "unknown account " + " / ".join(values)

    def envelope(request: httpx.Request, content: bytes) -> httpx.Response:
        return httpx.Response(200, content=_envelope(fmt, code, description))

    upstream = Upstream(envelope)
    client = build(upstream, credentials, fmt=fmt)

    with pytest.raises(SmscError) as caught:
        await client.templates()

    error = caught.value
    assert type(error) is cls
    assert error.upstream_code == code
    assert error.description == "", "a description SMSC is not known to send is not kept"
    assert str(error) == f"{cls.MEANINGS.get(code, cls.MEANING)} (SMSC error {code})."
    # Not a description SMSC is known to send: the logs get its summary, not its text.
    assert error.diagnostic.startswith(
        f"SMSC /sys/templates.php?get error {code}; an unknown description ("
    )
    assert "unknown account" not in error.diagnostic
    assert error.__cause__ is None
    assert error.__context__ is None
    assert_scrubbed(error)

    if cls is SmscAuthError:  # the account gate answers the next call from memory
        with pytest.raises(SmscAuthError) as remembered:
            await client.groups()
        assert upstream.requests == 1
        assert remembered.value.description == error.description
        assert_scrubbed(remembered.value)


# --- (e) purge --------------------------------------------------------------------------------


async def test_purge_drops_every_cached_read_and_counts_them() -> None:
    h = harness()
    await h.client.templates()
    await h.client.groups()
    await h.client.templates()
    assert len(h.calls("get")) == 1

    assert h.client.purge() == 2
    assert len(h.client.cache.entries) == 0
    assert h.client.purge() == 0

    fetched = await h.client.templates()
    assert fetched.freshness is Freshness.MISS
    assert len(h.calls("get")) == 2
    await h.http.aclose()


async def test_purge_leaves_a_call_under_way_alone() -> None:
    held = FakeSleep()
    held.hold()
    h = harness(emulator_sleep=held)
    h.emulator.add_fault("latency", seconds=1.0)
    task = asyncio.create_task(h.client.templates())
    for _ in range(10_000):
        if held.waiting:
            break
        await asyncio.sleep(0)
    assert held.waiting == 1

    assert h.client.purge() == 0
    held.release()
    fetched = await task

    assert fetched.freshness is Freshness.MISS
    assert fetched.value
    assert len(h.client.cache.entries) == 1
    await h.http.aclose()
