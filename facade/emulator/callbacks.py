"""Callbacks: SMSC posting each status change and each incoming message to the account's handler.

docs/smsc-wire.md ("Messages", "Callbacks"): a form-encoded POST; a status change carries `id`,
`phone`, `status`, `err`, `ts`, `cnt`, `cost`, `sender`; an incoming message `id`, `phone`, `mes`,
`to`, `sent`. With a secret, `md5` (or `sha1`) is the hex digest of `<id>:<phone>:<status>:<secret>`
(UTF-8; `<status>` empty for an incoming message). The body is encoded in the `charset` the URL
names, windows-1251 without one (smsc-messages-notes.md §5.1); `fmt` in the URL is not honoured.

Delivery [A]: a request only queues its callbacks. A worker (`CallbackDispatcher.run`, started by
the emulator's lifespan) or a test (`EmulatorState.deliver_callbacks`) sends those due, in order.
A 2xx answer delivers one; any other status, a transport error or an exception of an in-process
receiver fails the attempt, and the next waits `CALLBACK_RETRY_DELAYS[n]` seconds on the
emulator's clock; after the last retry the callback is dropped (kept in `dropped` for tests).
"""

from __future__ import annotations

import hashlib
import logging
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

import anyio
import httpx

from facade.emulator.assumptions import (
    CALLBACK_DEFAULT_CHARSET,
    CALLBACK_LOG_SIZE,
    CALLBACK_RETRY_DELAYS,
    CALLBACK_TIMEOUT_SECONDS,
    CHARSETS,
)
from facade.emulator.pricing import render_money

if TYPE_CHECKING:
    from collections.abc import Callable

    from facade.emulator.deliveries import SentMessage, Step
    from facade.emulator.records import Answer

logger = logging.getLogger(__name__)

Checksum = Literal["md5", "sha1"]
CHECKSUMS: Final = ("md5", "sha1")
Fields = tuple[tuple[str, str], ...]
_FORM: Final = "application/x-www-form-urlencoded"


@dataclass(frozen=True, slots=True)
class CallbackTarget:
    """An account's handler: its URL, and the secret and algorithm of the checksum if any."""

    url: str
    secret: str | None = None
    checksum: Checksum = "md5"

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "secret": self.secret, "checksum": self.checksum}


@dataclass(slots=True)
class Callback:
    """One callback: what is posted where, when it is next due, and how it went."""

    url: str
    fields: Fields
    due: float
    attempts: int = 0
    outcome: Literal["pending", "delivered", "dropped"] = "pending"
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "fields": dict(self.fields),
            "attempts": self.attempts,
            "outcome": self.outcome,
            "error": self.error,
        }


def status_fields(message: SentMessage, step: Step) -> Fields:
    return (
        ("id", message.id),
        ("phone", message.phone),
        ("status", str(step.status)),
        ("err", str(step.err)),
        ("ts", str(int(step.at))),
        ("cnt", str(message.parts)),
        ("cost", render_money(message.cost)),
        ("sender", message.sender),
    )


def answer_fields(answer: Answer) -> Fields:
    sent = answer.received if answer.sent is None else answer.sent
    return (
        ("id", str(answer.id)),
        ("phone", answer.phone),
        ("mes", answer.message),
        ("to", answer.to_phone),
        ("sent", str(int(sent))),
    )


def checksum(fields: Fields, secret: str, algorithm: Checksum = "md5") -> str:
    """The hex digest over `<id>:<phone>:<status>:<secret>` (docs/smsc-wire.md, "Messages")."""
    values = dict(fields)
    text = f"{values['id']}:{values['phone']}:{values.get('status', '')}:{secret}"
    return hashlib.new(algorithm, text.encode(), usedforsecurity=False).hexdigest()


def signed(fields: Fields, target: CallbackTarget) -> Fields:
    if target.secret is None:
        return fields
    return (*fields, (target.checksum, checksum(fields, target.secret, target.checksum)))


def encode_form(url: str, fields: Fields) -> bytes:
    """The body in the charset the handler URL asks for (`?charset=utf-8`)."""
    asked = dict(parse_qsl(urlsplit(url).query)).get("charset", "").lower()
    charset = asked if asked in CHARSETS else CALLBACK_DEFAULT_CHARSET
    return urlencode(fields, encoding=charset, errors="replace").encode("ascii")


class CallbackDispatcher:
    """The queue of callbacks and their delivery, on the emulator's `clock`.

    `transport` (an `httpx.AsyncBaseTransport`: `ASGITransport`, `MockTransport`) replaces the
    network; the dispatcher owns the `httpx.AsyncClient` over it, made at the first delivery.
    """

    def __init__(
        self, *, clock: Callable[[], float], transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._clock = clock
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._lock: anyio.Lock | None = None
        self._wake: anyio.Event | None = None
        self.pending: list[Callback] = []
        self.delivered: deque[Callback] = deque(maxlen=CALLBACK_LOG_SIZE)
        self.dropped: deque[Callback] = deque(maxlen=CALLBACK_LOG_SIZE)

    def post(self, target: CallbackTarget, fields: Fields) -> Callback:
        """Queue a callback, due now; the request that caused it does not wait for it."""
        callback = Callback(target.url, signed(fields, target), due=self._clock())
        self.pending.append(callback)
        if self._wake is not None:
            self._wake.set()
        return callback

    def clear(self) -> None:
        self.pending.clear()
        self.delivered.clear()
        self.dropped.clear()

    async def deliver_due(self) -> int:
        """Attempt every callback due by now, in order; the number delivered."""
        if self._lock is None:
            self._lock = anyio.Lock()
        delivered = 0
        async with self._lock:
            now = self._clock()
            for callback in [c for c in self.pending if c.due <= now]:
                if await self._attempt(callback):
                    delivered += 1
                    self._settle(callback, "delivered", self.delivered)
                elif callback.attempts > len(CALLBACK_RETRY_DELAYS):
                    self._settle(callback, "dropped", self.dropped)
                    logger.warning("emulator: callback to %s dropped", callback.url)
                else:
                    callback.due = self._clock() + CALLBACK_RETRY_DELAYS[callback.attempts - 1]
        return delivered

    def _settle(
        self, callback: Callback, outcome: Literal["delivered", "dropped"], log: deque[Callback]
    ) -> None:
        callback.outcome = outcome
        self.pending.remove(callback)
        log.append(callback)

    async def _attempt(self, callback: Callback) -> bool:
        callback.attempts += 1
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self._transport, timeout=CALLBACK_TIMEOUT_SECONDS
            )
        try:
            response = await self._client.post(
                callback.url,
                content=encode_form(callback.url, callback.fields),
                headers={"content-type": _FORM},
            )
        except Exception as exc:  # the edge: whatever the receiver does, the attempt failed
            callback.error = f"{type(exc).__name__}: {exc}"
            logger.warning("emulator: callback to %s failed", callback.url, exc_info=True)
            return False
        if response.is_success:
            callback.error = None
            return True
        callback.error = f"HTTP {response.status_code}"
        return False

    async def run(self, before: Callable[[], None], interval: float) -> None:
        """The worker: `before` (queue what became due), deliver, then wait for a new callback
        or `interval` seconds of real time; until cancelled."""
        while True:
            self._wake = anyio.Event()
            before()
            await self.deliver_due()
            with anyio.move_on_after(interval):
                await self._wake.wait()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
