"""One middleware for what every HTTP request leaves behind: its id, its metrics, its log line."""

import itertools
import logging
import secrets
import time
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from facade.observability.logs import (
    REQUEST_ID,
    REQUEST_ID_HEADER,
    accepted_request_id,
    fields_shown,
)
from facade.observability.metrics import Metrics, classify
from facade.upstream.callbacks import CALLBACK_PATH

access = logging.getLogger("facade.access")

_REQUEST_ID_RAW = REQUEST_ID_HEADER.encode("latin-1")


class RequestIds:
    """Unique request ids, cheaply: a random per-process prefix (64 bits) and a counter.

    Unique across replicas and restarts without a random draw per request (`uuid4` was a
    measurable share of a cached read's time); the counter reveals only this process's count.
    """

    def __init__(self) -> None:
        self._prefix = secrets.token_hex(8)
        self._count = itertools.count(1)

    def new(self) -> str:
        return f"{self._prefix}{next(self._count):08x}"


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of the (lowercase) header `name`, without building a `Headers`."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class Observe:
    """Request id (context variable + `X-Request-ID` header), request metrics, and one access log
    line a request: method, path (never the query string: it may hold phones or search text),
    status, duration, API and operation."""

    def __init__(
        self, app: ASGIApp, metrics: Metrics, *, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.clock = clock
        self._ids = RequestIds()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = accepted_request_id(_header(scope, _REQUEST_ID_RAW)) or self._ids.new()
        reset = REQUEST_ID.set(request_id)
        try:
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
            else:
                await self._http(scope, receive, send, request_id)
        finally:
            REQUEST_ID.reset(reset)

    async def _http(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        started = self.clock()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            seconds = self.clock() - started
            api, operation = classify(scope)
            self.metrics.observe(api, operation, status, seconds)
            fields = None
            path = logged_path(scope["path"])
            if fields_shown():
                fields = {
                    "method": scope["method"],
                    "path": path,
                    "status": status,
                    "durationMs": round(seconds * 1000, 3),
                    "api": api,
                    "operation": operation,
                }
            access.info(
                "%s %s %d %.1fms",
                scope["method"],
                path,
                status,
                seconds * 1000,
                extra=fields,
            )


def logged_path(path: str) -> str:
    """The path as the access log writes it: a callback's key masked, whatever it is."""
    if path.startswith(CALLBACK_PATH):
        return CALLBACK_PATH + "***"
    return path
