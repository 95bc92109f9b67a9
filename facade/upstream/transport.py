"""One SMSC command over HTTP: a POSTed form, retries for reads, failover to backup hosts.

Credentials travel in the form body, never in the URL (smsc-api-notes.md §1.2, §1.3). httpx's
exceptions and failed responses hold the request, body and all, so none of them outlives the
attempt: the errors raised here name what failed (label and attempt; the path and host only in
their `diagnostic`, for the logs) and chain to no httpx object. Any HTTP status but 200 is a
transport failure; SMSC's own error envelopes come with 200 and are the parser's business (§1.5).
"""

import dataclasses
import random
import urllib.parse
from collections.abc import Awaitable, Callable, Sequence
from typing import Final

import anyio
import httpx

from facade.errors import FacadeError, UpstreamOutcomeUnknown, UpstreamUnavailable
from facade.upstream.config import UpstreamConfig
from facade.upstream.timing import Sleep, default_sleep

__all__ = ["FORM_CONTENT_TYPE", "SmscTransport"]

FORM_CONTENT_TYPE: Final = "application/x-www-form-urlencoded"

# The connection was never established, so the request cannot have reached SMSC.
_NOT_SENT: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

# Outcome labels for `on_attempt`, most specific class first; anything else is
# "transport_error". With "ok", "http_<status>" and "deadline_exceeded" the set stays bounded.
_LABELS: Final[tuple[tuple[type[httpx.RequestError], str], ...]] = (
    (httpx.ConnectTimeout, "connect_timeout"),
    (httpx.ReadTimeout, "read_timeout"),
    (httpx.WriteTimeout, "write_timeout"),
    (httpx.PoolTimeout, "pool_timeout"),
    (httpx.ConnectError, "connect_error"),
    (httpx.ReadError, "read_error"),
    (httpx.WriteError, "write_error"),
    (httpx.RemoteProtocolError, "remote_protocol_error"),
    (httpx.DecodingError, "decoding_error"),
)


def _admit_any() -> None:
    pass


def _label(exc: httpx.RequestError) -> str:
    for cls, label in _LABELS:
        if isinstance(exc, cls):
            return label
    return "transport_error"


def _status_label(status: int) -> str:
    return f"http_{status}" if 100 <= status <= 599 else "http_invalid"


@dataclasses.dataclass(frozen=True, slots=True)
class _Lost:
    """An attempt that got no response: the label of its httpx error, not the error itself."""

    label: str
    sent: bool  # whether the request may have reached SMSC


@dataclasses.dataclass(frozen=True, slots=True)
class _Failure:
    """A failed attempt, by label and host: no httpx object, which would hold the request."""

    label: str
    host: str


@dataclasses.dataclass(slots=True)
class _Call:
    """What one `send` has done so far, for the error that ends it."""

    path: str
    writes: bool
    attempts_max: int
    on_attempt: Callable[[str], None] | None
    attempts: int = 0
    in_flight: str | None = None  # the host of the request under way
    failures: list[_Failure] = dataclasses.field(default_factory=list)

    def start(self, host: str) -> None:
        self.attempts += 1
        self.in_flight = host

    def finish(self, label: str) -> None:
        self.in_flight = None
        if self.on_attempt is not None:
            self.on_attempt(label)

    def fail(self, label: str, host: str) -> None:
        self.failures.append(_Failure(label, host))
        self.finish(label)

    def describe(self, label: str, host: str) -> str:
        """For the logs: the path and the host too."""
        return (
            f"SMSC {self.path}: {label} via {host} (attempt {self.attempts} of {self.attempts_max})"
        )

    def summary(self, label: str) -> str:
        """For clients: what failed, without the host or path (`facade.errors`)."""
        return (
            f"SMSC could not be reached: {label} (attempt {self.attempts} of {self.attempts_max})"
        )

    def unavailable(self, label: str, host: str, then: str = "") -> UpstreamUnavailable:
        return UpstreamUnavailable(
            self.summary(label) + then, diagnostic=self.describe(label, host) + then
        )

    def failure(self, then: str = "") -> UpstreamUnavailable:
        """The last failure as an error."""
        last = self.failures[-1]
        return self.unavailable(last.label, last.host, then)

    def unknown(self, label: str, host: str) -> UpstreamOutcomeUnknown:
        applied = "; the write may have been applied"
        return UpstreamOutcomeUnknown(
            self.summary(label) + applied,
            path=self.path,
            host=host,
            diagnostic=self.describe(label, host) + applied,
        )


class SmscTransport:
    """POSTs one SMSC command: form body with credentials (never in the URL), retries for reads,
    failover to backup hosts.

    `base_urls[0]` is the primary (`https://smsc.ru`), the rest are backups (`https://www2.smsc.ru`,
    smsc-api-notes.md §1.1). The client must carry no default query params; redirects are never
    followed, so the credentials are never re-sent to another host.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_urls: Sequence[str],
        config: UpstreamConfig,
        sleep: Sleep = default_sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if not base_urls:
            raise ValueError("base_urls: give at least the primary")
        self._hosts: list[tuple[str, str]] = []
        for position, base_url in enumerate(base_urls):
            url = httpx.URL(base_url)
            if (
                url.scheme not in ("http", "https")
                or not url.host
                or url.userinfo
                or url.query
                or url.fragment
            ):
                # The URL itself stays out of the message: it may hold credentials.
                raise ValueError(
                    f"base_urls[{position}]: must be http(s)://host[/prefix] "
                    "without credentials, query or fragment"
                )
            self._hosts.append((base_url.rstrip("/"), url.host))
        self._client = client
        self._config = config
        self._sleep = sleep
        self._jitter = jitter
        self._timeout = httpx.Timeout(
            connect=config.connect_timeout,
            read=config.read_timeout,
            write=config.write_timeout,
            pool=config.pool_timeout,
        )

    def timeout(self) -> httpx.Timeout:
        """The per-phase timeouts every request is sent with."""
        return self._timeout

    async def send(
        self,
        path: str,
        form: Sequence[tuple[str, str]],
        *,
        writes: bool,
        admit: Callable[[], Awaitable[None] | None] = _admit_any,
        on_attempt: Callable[[str], None] | None = None,
    ) -> httpx.Response:
        """POST `form` to `path` (`/sys/jobs.php`) and return the HTTP 200 response, body read.

        Before every attempt `admit()` runs (awaited when it returns an awaitable) and may refuse by raising a `FacadeError`: before the
        first attempt that error propagates as it is; after a failed attempt an
        `UpstreamUnavailable` describing the last failure is raised from it instead.

        Reads (`writes=False`) are retried up to `config.attempts` attempts in all on transport
        errors and 5xx, with full-jitter exponential backoff; a transport error moves on to the
        next host, round-robin. Writes move on to the next host, without backoff, only when the
        connection was never established; any later failure is an `UpstreamOutcomeUnknown` at
        once. Everything, backoffs included, must end within `config.deadline` seconds.

        `on_attempt` gets one label per attempt: "ok", "http_<status>", "connect_error",
        "connect_timeout", "pool_timeout", "read_timeout", "write_timeout", "read_error",
        "write_error", "remote_protocol_error", "decoding_error", "transport_error" or
        "deadline_exceeded". Errors raised here chain to no httpx exception (module docstring).
        """
        if not path.startswith("/") or "?" in path or "#" in path:
            raise ValueError(f"path: {path!r} must be an absolute path without query")
        content = urllib.parse.urlencode(form, encoding=self._config.charset).encode("ascii")
        call = _Call(path, writes, self._config.attempts, on_attempt)
        with anyio.move_on_after(self._config.deadline):
            return await self._attempt_all(call, content, admit)
        raise self._deadline_error(call)

    async def _attempt_all(
        self, call: _Call, content: bytes, admit: Callable[[], Awaitable[None] | None]
    ) -> httpx.Response:
        index = 0
        while True:
            await self._admit(call, admit)
            base_url, host = self._hosts[index]
            call.start(host)
            outcome = await self._post(base_url + call.path, content)
            if isinstance(outcome, _Lost):
                label, sent = outcome.label, outcome.sent
                index = (index + 1) % len(self._hosts)
                retry = True
            elif outcome.status_code == httpx.codes.OK:
                call.finish("ok")
                return outcome
            else:
                label, sent = _status_label(outcome.status_code), True
                retry = outcome.is_server_error
            if call.writes and sent:
                call.finish(label)
                raise call.unknown(label, host)
            call.fail(label, host)
            if not retry or call.attempts >= call.attempts_max:
                raise call.failure()
            if not call.writes:
                await self._sleep(self._backoff(call.attempts))

    async def _post(self, url: str, content: bytes) -> httpx.Response | _Lost:
        """The response, or what became of a request that got none.

        The httpx error is dropped here, inside its `except` block, so that nothing raised later
        has it (and the request it holds) as its `__context__`.
        """
        try:
            return await self._client.post(
                url,
                content=content,
                headers={"Content-Type": FORM_CONTENT_TYPE},
                timeout=self._timeout,
                follow_redirects=False,
            )
        except httpx.RequestError as exc:
            return _Lost(_label(exc), sent=not isinstance(exc, _NOT_SENT))

    @staticmethod
    async def _admit(call: _Call, admit: Callable[[], Awaitable[None] | None]) -> None:
        """`admit()`, awaited when it is a coroutine (the cluster-wide budget asks Redis)."""
        if not call.failures:
            admitted = admit()
            if admitted is not None:
                await admitted
            return
        try:
            admitted = admit()
            if admitted is not None:
                await admitted
        except FacadeError as exc:
            raise call.failure(f"; then refused ({type(exc).__name__})") from exc

    def _backoff(self, failures: int) -> float:
        delay = min(self._config.backoff_max, self._config.backoff * 2.0 ** (failures - 1))
        return delay * self._jitter()

    def _deadline_error(self, call: _Call) -> UpstreamUnavailable:
        expired = f"deadline of {self._config.deadline:g}s exceeded"
        host = call.in_flight
        if host is not None:
            call.finish("deadline_exceeded")
            if call.writes:
                return call.unknown(expired, host)
            return call.unavailable(expired, host)
        # Between attempts only a backoff can be under way, so an attempt has failed.
        return call.failure(f"; then {expired}")
