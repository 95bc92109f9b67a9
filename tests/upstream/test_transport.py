"""SmscTransport against a scripted MockTransport: form bodies, retries, failover, the deadline."""

import dataclasses
import urllib.parse
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import anyio
import httpx
import pytest

from facade.errors import RateLimitedError, UpstreamOutcomeUnknown, UpstreamUnavailable
from facade.upstream.config import UpstreamConfig
from facade.upstream.timing import Sleep
from facade.upstream.transport import FORM_CONTENT_TYPE, SmscTransport

PRIMARY = "https://smsc.ru"
BACKUP = "https://www2.smsc.ru"
PATH = "/sys/jobs.php"
SECRETS = {"login": "alice-login", "psw": "s3cret-md5", "apikey": "k3y-value"}
FORM = [("get", "1"), ("login", SECRETS["login"]), ("psw", SECRETS["psw"]), ("fmt", "3")]
CONFIG = UpstreamConfig(attempts=3, backoff=0.5, backoff_max=4.0, deadline=5.0)
HANG = "hang"  # an outcome: the handler waits forever, as an upstream that never answers

Outcome = int | type[httpx.TransportError] | str


@dataclasses.dataclass(frozen=True)
class Seen:
    method: str
    url: httpx.URL
    body: bytes
    headers: httpx.Headers
    timeout: dict[str, float]


class App:
    """The MockTransport handler: plays `outcomes` in order (then 200), records every request."""

    def __init__(self, *outcomes: Outcome, body: bytes = b'{"id": 1}') -> None:
        self.outcomes = list(outcomes)
        self.body = body
        self.seen: list[Seen] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(
            Seen(
                request.method,
                request.url,
                await request.aread(),
                request.headers,
                request.extensions["timeout"],
            )
        )
        outcome = self.outcomes.pop(0) if self.outcomes else 200
        if outcome == HANG:
            await anyio.Event().wait()
        if isinstance(outcome, type):
            raise outcome("simulated", request=request)
        assert isinstance(outcome, int)
        headers = {"Location": f"{BACKUP}{PATH}"} if 300 <= outcome < 400 else {}
        return httpx.Response(outcome, content=self.body, headers=headers)

    @property
    def hosts(self) -> list[str]:
        return [seen.url.host for seen in self.seen]


class FakeSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Labels(list[str]):
    def __call__(self, label: str) -> None:
        self.append(label)


@dataclasses.dataclass
class Rig:
    transport: SmscTransport
    sleep: FakeSleep


Build = Callable[..., Rig]


@pytest.fixture
async def build() -> AsyncIterator[Build]:
    clients: list[httpx.AsyncClient] = []

    def build(
        app: App,
        *,
        base_urls: Sequence[str] = (PRIMARY, BACKUP),
        jitter: float = 1.0,
        follow_redirects: bool = False,
        sleep: Sleep | None = None,
        **config: Any,
    ) -> Rig:
        client = httpx.AsyncClient(
            transport=httpx.MockTransport(app), follow_redirects=follow_redirects
        )
        clients.append(client)
        fake_sleep = FakeSleep()
        transport = SmscTransport(
            client,
            base_urls=base_urls,
            config=dataclasses.replace(CONFIG, **config),
            sleep=fake_sleep if sleep is None else sleep,
            jitter=lambda: jitter,
        )
        return Rig(transport, fake_sleep)

    yield build
    for client in clients:
        await client.aclose()


def assert_no_httpx_chained(error: BaseException) -> None:
    """Neither the error nor anything it chains to is (or holds) an httpx object."""
    seen: BaseException | None = error
    while seen is not None:
        assert not isinstance(seen, httpx.HTTPError)
        assert not any(
            isinstance(value, httpx.HTTPError | httpx.Request | httpx.Response)
            for value in vars(seen).values()
        )
        seen = seen.__cause__ or seen.__context__


def assert_no_secrets(error: BaseException) -> None:
    chain = [error, error.__cause__, error.__context__]
    text = " ".join(f"{exc!s} {exc!r}" for exc in chain if exc is not None)
    for value in SECRETS.values():
        assert value not in text


# --- the request ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_posts_the_form_as_body_to_a_url_without_query(build: Build) -> None:
    app = App()
    rig = build(app)

    response = await rig.transport.send(PATH, FORM, writes=False)

    assert response.status_code == 200
    assert response.content == b'{"id": 1}'
    [seen] = app.seen
    assert seen.method == "POST"
    assert str(seen.url) == f"{PRIMARY}{PATH}"
    assert seen.url.query == b""
    assert seen.headers["Content-Type"] == FORM_CONTENT_TYPE
    assert seen.body == b"get=1&login=alice-login&psw=s3cret-md5&fmt=3"
    for value in SECRETS.values():
        assert value not in str(seen.url)


@pytest.mark.anyio
async def test_encodes_cyrillic_values_as_utf8(build: Build) -> None:
    app = App()
    rig = build(app)

    await rig.transport.send(PATH, [("name", "Привет мир"), ("tpl", "ёЁ")], writes=True)

    body = app.seen[0].body
    assert body == (
        b"name=%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82+%D0%BC%D0%B8%D1%80&tpl=%D1%91%D0%81"
    )
    assert urllib.parse.parse_qsl(body.decode("ascii"), encoding="utf-8") == [
        ("name", "Привет мир"),
        ("tpl", "ёЁ"),
    ]


@pytest.mark.anyio
async def test_sends_the_per_phase_timeouts(build: Build) -> None:
    app = App()
    rig = build(app, connect_timeout=1.0, read_timeout=2.0, write_timeout=3.0, pool_timeout=4.0)

    await rig.transport.send(PATH, FORM, writes=False)

    expected = {"connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0}
    assert app.seen[0].timeout == expected
    assert rig.transport.timeout() == httpx.Timeout(connect=1.0, read=2.0, write=3.0, pool=4.0)


@pytest.mark.anyio
async def test_a_trailing_slash_on_a_base_url_is_dropped(build: Build) -> None:
    app = App()
    rig = build(app, base_urls=[PRIMARY + "/"])

    await rig.transport.send(PATH, FORM, writes=False)

    assert str(app.seen[0].url) == f"{PRIMARY}{PATH}"


@pytest.mark.anyio
async def test_an_error_envelope_with_http_200_is_returned_untouched(build: Build) -> None:
    envelope = b'{"error": "duplicate request, wait a minute", "error_code": 9}'
    app = App(body=envelope)
    rig = build(app)
    labels = Labels()

    response = await rig.transport.send(PATH, FORM, writes=False, on_attempt=labels)

    assert response.content == envelope
    assert labels == ["ok"]
    assert len(app.seen) == 1


@pytest.mark.anyio
async def test_redirects_are_not_followed_even_if_the_client_would(build: Build) -> None:
    app = App(302)
    rig = build(app, follow_redirects=True)

    with pytest.raises(UpstreamUnavailable, match="http_302"):
        await rig.transport.send(PATH, FORM, writes=False)

    assert app.hosts == ["smsc.ru"]


# --- reads ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_read_is_retried_on_503_then_succeeds(build: Build) -> None:
    app = App(503, 200)
    rig = build(app, jitter=0.5)
    labels = Labels()

    response = await rig.transport.send(PATH, FORM, writes=False, on_attempt=labels)

    assert response.status_code == 200
    assert labels == ["http_503", "ok"]
    assert app.hosts == ["smsc.ru", "smsc.ru"]  # the host answered: no failover on a status
    assert rig.sleep.delays == [0.25]


@pytest.mark.anyio
async def test_a_read_gives_up_after_the_configured_attempts(build: Build) -> None:
    app = App(503, 502, 503, 200)
    rig = build(app)

    with pytest.raises(UpstreamUnavailable) as caught:
        await rig.transport.send(PATH, FORM, writes=False)

    assert type(caught.value) is UpstreamUnavailable
    assert caught.value.diagnostic == "SMSC /sys/jobs.php: http_503 via smsc.ru (attempt 3 of 3)"
    assert str(caught.value) == "SMSC could not be reached: http_503 (attempt 3 of 3)"
    assert_no_httpx_chained(caught.value)
    assert len(app.seen) == 3
    assert rig.sleep.delays == [0.5, 1.0]


@pytest.mark.anyio
async def test_backoff_doubles_up_to_the_cap_and_is_scaled_by_jitter(build: Build) -> None:
    app = App(*[503] * 6)
    rig = build(app, attempts=6, backoff=1.0, backoff_max=5.0, jitter=0.5)

    with pytest.raises(UpstreamUnavailable):
        await rig.transport.send(PATH, FORM, writes=False)

    assert rig.sleep.delays == [0.5, 1.0, 2.0, 2.5, 2.5]


@pytest.mark.anyio
async def test_a_read_fails_over_round_robin_on_transport_errors(build: Build) -> None:
    app = App(httpx.ConnectError, httpx.ReadTimeout, 200)
    rig = build(app)
    labels = Labels()

    await rig.transport.send(PATH, FORM, writes=False, on_attempt=labels)

    assert app.hosts == ["smsc.ru", "www2.smsc.ru", "smsc.ru"]
    assert labels == ["connect_error", "read_timeout", "ok"]
    assert rig.sleep.delays == [0.5, 1.0]


@pytest.mark.anyio
async def test_a_single_host_is_retried_after_a_transport_error(build: Build) -> None:
    app = App(httpx.RemoteProtocolError, 200)
    rig = build(app, base_urls=[PRIMARY])

    await rig.transport.send(PATH, FORM, writes=False)

    assert app.hosts == ["smsc.ru", "smsc.ru"]


@pytest.mark.parametrize("status", [403, 404, 301, 204])
@pytest.mark.anyio
async def test_a_read_is_not_retried_on_other_statuses(build: Build, status: int) -> None:
    app = App(status)
    rig = build(app)
    labels = Labels()

    with pytest.raises(UpstreamUnavailable) as caught:
        await rig.transport.send(PATH, FORM, writes=False, on_attempt=labels)

    assert type(caught.value) is UpstreamUnavailable
    assert labels == [f"http_{status}"]
    assert len(app.seen) == 1
    assert rig.sleep.delays == []


# --- writes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "label"),
    [
        pytest.param(httpx.ReadTimeout, "read_timeout", id="read-timeout"),
        pytest.param(httpx.WriteTimeout, "write_timeout", id="write-timeout"),
        pytest.param(httpx.RemoteProtocolError, "remote_protocol_error", id="protocol-error"),
        pytest.param(httpx.ReadError, "read_error", id="read-error"),
        pytest.param(503, "http_503", id="503"),
        pytest.param(404, "http_404", id="404"),
    ],
)
@pytest.mark.anyio
async def test_a_write_that_may_have_been_sent_is_never_retried(
    build: Build, outcome: Outcome, label: str
) -> None:
    app = App(outcome, 200)
    rig = build(app)
    labels = Labels()

    with pytest.raises(UpstreamOutcomeUnknown) as caught:
        await rig.transport.send(PATH, FORM, writes=True, on_attempt=labels)

    assert len(app.seen) == 1
    assert labels == [label]
    assert rig.sleep.delays == []
    assert caught.value.path == PATH
    assert caught.value.host == "smsc.ru"
    assert "may have been applied" in str(caught.value)
    assert_no_httpx_chained(caught.value)


@pytest.mark.parametrize("error", [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout])
@pytest.mark.anyio
async def test_a_write_that_never_connected_moves_to_the_backup(
    build: Build, error: type[httpx.TransportError]
) -> None:
    app = App(error, 200)
    rig = build(app)

    response = await rig.transport.send(PATH, FORM, writes=True)

    assert response.status_code == 200
    assert app.hosts == ["smsc.ru", "www2.smsc.ru"]
    assert app.seen[0].body == app.seen[1].body
    assert rig.sleep.delays == []


@pytest.mark.anyio
async def test_a_write_that_never_connects_gives_up_plainly(build: Build) -> None:
    app = App(httpx.ConnectError, httpx.ConnectTimeout, 200)
    rig = build(app, attempts=2)

    with pytest.raises(UpstreamUnavailable) as caught:
        await rig.transport.send(PATH, FORM, writes=True)

    assert type(caught.value) is UpstreamUnavailable  # nothing was sent: safe to retry later
    assert (
        caught.value.diagnostic
        == "SMSC /sys/jobs.php: connect_timeout via www2.smsc.ru (attempt 2 of 2)"
    )
    assert str(caught.value) == "SMSC could not be reached: connect_timeout (attempt 2 of 2)"
    assert_no_httpx_chained(caught.value)
    assert app.hosts == ["smsc.ru", "www2.smsc.ru"]


# --- admit ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_admit_runs_before_every_attempt(build: Build) -> None:
    app = App(503, httpx.ConnectError, 200)
    rig = build(app)
    seen_at_admit: list[int] = []

    await rig.transport.send(
        PATH, FORM, writes=False, admit=lambda: seen_at_admit.append(len(app.seen))
    )

    assert seen_at_admit == [0, 1, 2]


@pytest.mark.anyio
async def test_admit_refusing_before_the_first_attempt_raises_its_own_error(build: Build) -> None:
    app = App()
    rig = build(app)
    refusal = RateLimitedError("budget spent", retry_after=12.0)

    def admit() -> None:
        raise refusal

    with pytest.raises(RateLimitedError) as caught:
        await rig.transport.send(PATH, FORM, writes=True, admit=admit)

    assert caught.value is refusal
    assert app.seen == []


@pytest.mark.parametrize("writes", [False, True])
@pytest.mark.anyio
async def test_admit_refusing_after_a_failure_raises_upstream_unavailable(
    build: Build, *, writes: bool
) -> None:
    app = App(httpx.ConnectError, 200)
    rig = build(app)
    calls: list[None] = []

    def admit() -> None:
        if calls:
            raise RateLimitedError("budget spent", retry_after=12.0)
        calls.append(None)

    with pytest.raises(UpstreamUnavailable) as caught:
        await rig.transport.send(PATH, FORM, writes=writes, admit=admit)

    assert type(caught.value) is UpstreamUnavailable
    assert caught.value.diagnostic == (
        "SMSC /sys/jobs.php: connect_error via smsc.ru (attempt 1 of 3); "
        "then refused (RateLimitedError)"
    )
    assert str(caught.value) == (
        "SMSC could not be reached: connect_error (attempt 1 of 3); then refused (RateLimitedError)"
    )
    assert isinstance(caught.value.__cause__, RateLimitedError)
    assert caught.value.__cause__.__context__ is None
    assert len(app.seen) == 1


@pytest.mark.anyio
async def test_a_bug_in_admit_after_a_failure_propagates(build: Build) -> None:
    app = App(503)
    rig = build(app)
    calls: list[None] = []

    def admit() -> None:
        if calls:
            raise RuntimeError("bug")
        calls.append(None)

    with pytest.raises(RuntimeError, match="bug"):
        await rig.transport.send(PATH, FORM, writes=False, admit=admit)


# --- the deadline -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("writes", "error"), [(False, UpstreamUnavailable), (True, UpstreamOutcomeUnknown)]
)
@pytest.mark.anyio
async def test_a_request_past_the_deadline_is_abandoned(
    build: Build, *, writes: bool, error: type[UpstreamUnavailable]
) -> None:
    app = App(HANG)
    rig = build(app, deadline=0.05)
    labels = Labels()

    with pytest.raises(UpstreamUnavailable) as caught:
        await rig.transport.send(PATH, FORM, writes=writes, on_attempt=labels)

    assert type(caught.value) is error
    assert caught.value.diagnostic.startswith(
        "SMSC /sys/jobs.php: deadline of 0.05s exceeded via smsc.ru (attempt 1 of 3)"
    )
    assert str(caught.value).startswith(
        "SMSC could not be reached: deadline of 0.05s exceeded (attempt 1 of 3)"
    )
    assert labels == ["deadline_exceeded"]
    assert len(app.seen) == 1


@pytest.mark.anyio
async def test_the_deadline_covers_backoffs(build: Build) -> None:
    app = App(503)

    async def sleep_forever(seconds: float) -> None:
        await anyio.sleep_forever()

    rig = build(app, deadline=0.05, sleep=sleep_forever)
    labels = Labels()

    with pytest.raises(UpstreamUnavailable) as caught:
        await rig.transport.send(PATH, FORM, writes=False, on_attempt=labels)

    assert type(caught.value) is UpstreamUnavailable
    assert caught.value.diagnostic == (
        "SMSC /sys/jobs.php: http_503 via smsc.ru (attempt 1 of 3); then deadline of 0.05s exceeded"
    )
    assert str(caught.value) == (
        "SMSC could not be reached: http_503 (attempt 1 of 3); then deadline of 0.05s exceeded"
    )
    assert_no_httpx_chained(caught.value)
    assert labels == ["http_503"]


# --- labels and messages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "label"),
    [
        pytest.param(httpx.ConnectTimeout, "connect_timeout", id="connect-timeout"),
        pytest.param(httpx.ReadTimeout, "read_timeout", id="read-timeout"),
        pytest.param(httpx.WriteTimeout, "write_timeout", id="write-timeout"),
        pytest.param(httpx.PoolTimeout, "pool_timeout", id="pool-timeout"),
        pytest.param(httpx.ConnectError, "connect_error", id="connect-error"),
        pytest.param(httpx.ReadError, "read_error", id="read-error"),
        pytest.param(httpx.WriteError, "write_error", id="write-error"),
        pytest.param(httpx.RemoteProtocolError, "remote_protocol_error", id="remote-protocol"),
        pytest.param(httpx.LocalProtocolError, "transport_error", id="local-protocol"),
        pytest.param(httpx.CloseError, "transport_error", id="close-error"),
        pytest.param(500, "http_500", id="500"),
        pytest.param(999, "http_invalid", id="status-out-of-range"),
    ],
)
@pytest.mark.anyio
async def test_on_attempt_labels(build: Build, outcome: Outcome, label: str) -> None:
    app = App(outcome)
    rig = build(app, attempts=1)
    labels = Labels()

    public = rf"^SMSC could not be reached: {label} \(attempt 1 of 1\)$"
    with pytest.raises(UpstreamUnavailable, match=public) as caught:
        await rig.transport.send(PATH, FORM, writes=False, on_attempt=labels)

    assert labels == [label]
    assert f": {label} via smsc.ru" in caught.value.diagnostic


@pytest.mark.parametrize(
    ("outcomes", "writes"),
    [
        pytest.param((httpx.ConnectError, 503, 503), False, id="read-exhausted"),
        pytest.param((404,), False, id="read-404"),
        pytest.param((httpx.ReadTimeout,), True, id="write-read-timeout"),
        pytest.param((500,), True, id="write-500"),
        pytest.param(
            (httpx.ConnectError, httpx.ConnectError, httpx.ConnectError), True, id="write-connect"
        ),
    ],
)
@pytest.mark.anyio
async def test_errors_carry_no_form_value(
    build: Build, outcomes: tuple[Outcome, ...], *, writes: bool
) -> None:
    app = App(*outcomes)
    rig = build(app)
    form = [*FORM, ("apikey", SECRETS["apikey"])]

    with pytest.raises(UpstreamUnavailable) as caught:
        await rig.transport.send(PATH, form, writes=writes)

    assert_no_secrets(caught.value)


# --- construction -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_urls",
    [
        pytest.param([], id="none"),
        pytest.param(["ftp://smsc.ru"], id="scheme"),
        pytest.param(["https://"], id="no-host"),
        pytest.param([PRIMARY, "https://alice:s3cret-md5@www2.smsc.ru"], id="userinfo"),
        pytest.param(["https://smsc.ru?psw=s3cret-md5"], id="query"),
        pytest.param(["https://smsc.ru#top"], id="fragment"),
    ],
)
@pytest.mark.anyio
async def test_refuses_base_urls_that_are_not_plain(build: Build, base_urls: list[str]) -> None:
    with pytest.raises(ValueError, match="base_urls") as caught:
        build(App(), base_urls=base_urls)

    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize("path", ["sys/jobs.php", "/sys/get.php?get_answers=1", "/sys/jobs.php#x"])
@pytest.mark.anyio
async def test_refuses_a_path_with_query(build: Build, path: str) -> None:
    app = App()
    rig = build(app)

    with pytest.raises(ValueError, match="path"):
        await rig.transport.send(path, FORM, writes=False)

    assert app.seen == []
