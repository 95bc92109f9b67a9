"""Server-Sent Events: routes for `EventStream` declarations (HTML Living Standard, "Server-sent
events", https://html.spec.whatwg.org/multipage/server-sent-events.html).

A request is authenticated and validated like any other; what the stream's handler raises while
opening it is answered as a problem, before the first byte of the stream. Then each event goes
out as `id:`, `event:` and one `data:` line of JSON, a comment every `heartbeat` seconds keeps
proxies from closing an idle connection, and a `FacadeError` ending the events is sent as a last
`event: error` carrying the problem document. The stream is released (its handler's context
left) as soon as the client goes away, whether it was waiting for an event or writing one. Its
token is verified again while it lasts (`SessionGuard`): once revoked or expired, the stream ends
with an UNAUTHENTICATED `event: error`, and no event is sent after it lapsed.
"""

import contextlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Final

import anyio
import anyio.lowlevel
from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.types import Message, Receive, Scope, Send

from facade.credentials.auth import SessionGuard, guard_of
from facade.credentials.tokens import AUTH_FAILED
from facade.domain.rules import is_id
from facade.errors import ErrorCode, FacadeError, InputError
from facade.rest.errors import error_response, problem
from facade.rest.http import ClientGetter
from facade.rest.operations import Call, Event, EventStream
from facade.upstream.client import SmscClient
from facade.upstream.pollers import Pollers
from facade.upstream.timing import Sleep, default_sleep
from facade.vocabulary.shapes import validated

EVENT_STREAM: Final = "text/event-stream"
HEARTBEAT_SECONDS: Final = 15.0
HEARTBEAT: Final = b": keep-alive\n\n"
LAST_EVENT_ID: Final = "Last-Event-ID"
# No cache may keep a stream, no proxy buffer it (`X-Accel-Buffering`: nginx's switch).
_HEADERS: Final = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}

# The account's pollers, for the client a request was authenticated to.
LiveGetter = Callable[[SmscClient], Pollers]

logger = logging.getLogger(__name__)


def encode_event(event: str, data: bytes, id: str | None = None) -> bytes:
    """One event; `data` must be one line (compact JSON is), `id` without line breaks."""
    head = b"" if id is None else f"id: {id}\n".encode()
    return head + f"event: {event}\n".encode() + b"data: " + data + b"\n\n"


# The last event of a stream whose token was revoked or has expired.
LAPSED: Final = encode_event(
    "error", bytes(problem(401, ErrorCode.UNAUTHENTICATED, AUTH_FAILED).body)
)


def last_event_id(request: Request) -> str | None:
    """The id a reconnecting client last received: digits only, else `InputError`."""
    value = request.headers.get(LAST_EVENT_ID)
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not is_id(value):
        raise InputError(LAST_EVENT_ID, "must be the id of an event this stream sent")
    return value


def build_stream_routes(
    streams: Sequence[EventStream],
    client_for: ClientGetter,
    live_for: LiveGetter,
    *,
    heartbeat: float = HEARTBEAT_SECONDS,
    sleep: Sleep = default_sleep,
) -> list[BaseRoute]:
    return [
        Route(s.path, _endpoint(s, client_for, live_for, heartbeat, sleep), methods=["GET"])
        for s in streams
    ]


def _endpoint(
    stream: EventStream,
    client_for: ClientGetter,
    live_for: LiveGetter,
    heartbeat: float,
    sleep: Sleep,
) -> Callable[[Request], Awaitable[Response]]:
    adapter: TypeAdapter[Any] = TypeAdapter(stream.data)

    async def endpoint(request: Request) -> Response:
        opened = contextlib.AsyncExitStack()
        try:
            smsc = await client_for(request, stream.scope)
            call: Call[Any, Any, None] = Call(
                request=request,
                smsc=smsc,
                path=validated(stream.path_model, dict(request.path_params)),
                query=validated(stream.query_model, dict(request.query_params)),
                body=None,
            )
            if request.method == "HEAD":  # the headers a GET would get, and no stream to hold
                return Response(media_type=EVENT_STREAM, headers=_HEADERS)
            events = await opened.enter_async_context(stream.handler(call, live_for(smsc)))
        except Exception as error:  # noqa: BLE001 - the edge: every failure becomes a problem
            await opened.aclose()
            return error_response(error, stream.operation_id)
        body = _encoded(stream, adapter, events)
        return EventStreamResponse(
            body,
            close=opened.aclose,
            heartbeat=heartbeat,
            sleep=sleep,
            guard=guard_of(request.scope),
        )

    return endpoint


async def _encoded(
    stream: EventStream, adapter: TypeAdapter[Any], events: AsyncIterator[Event]
) -> AsyncGenerator[bytes, None]:
    try:
        async for event in events:
            yield encode_event(stream.event, adapter.dump_json(event.data, by_alias=True), event.id)
    except FacadeError as error:
        yield encode_event("error", bytes(error_response(error, stream.operation_id).body))


class EventStreamResponse(StreamingResponse):
    """`text/event-stream` from `body`, with heartbeats; `close` runs however the stream ends.

    The client leaving (`http.disconnect`, or a write failing) cancels the stream at once. With a
    `guard`, the token lapsing ends it with `LAPSED`, and no event goes out once it has lapsed.
    """

    def __init__(
        self,
        body: AsyncGenerator[bytes, None],
        *,
        close: Callable[[], Awaitable[None]],
        heartbeat: float = HEARTBEAT_SECONDS,
        sleep: Sleep = default_sleep,
        guard: SessionGuard | None = None,
    ) -> None:
        super().__init__(body, media_type=EVENT_STREAM, headers=_HEADERS)
        self._events = body
        self._close = close
        self._heartbeat = heartbeat
        self._sleep = sleep
        self._guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lock = anyio.Lock()
        try:
            async with anyio.create_task_group() as group:

                async def emit(message: Message) -> None:
                    try:
                        async with lock:
                            await send(message)
                    except OSError:  # the client went away mid-write (ASGI spec 2.4)
                        group.cancel_scope.cancel()
                        await anyio.lowlevel.checkpoint()

                async def beat() -> None:
                    while True:
                        await self._sleep(self._heartbeat)
                        await emit(_body(HEARTBEAT, more=True))

                async def until_disconnect() -> None:
                    while (await receive())["type"] != "http.disconnect":
                        pass
                    group.cancel_scope.cancel()

                group.start_soon(until_disconnect)
                await emit(
                    {"type": "http.response.start", "status": 200, "headers": self.raw_headers}
                )
                group.start_soon(beat)
                with anyio.CancelScope() as events:
                    if self._guard is not None:
                        group.start_soon(_cancel_when_lapsed, self._guard, events)
                    async for data in self._events:
                        if not self._holds():
                            break
                        await emit(_body(data, more=True))
                if self._holds():
                    await emit(_body(b"", more=False))
                else:
                    logger.info("event stream ended: its token was revoked or has expired")
                    await emit(_body(LAPSED, more=False))
                group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await self._events.aclose()
                await self._close()

    def _holds(self) -> bool:
        return self._guard is None or self._guard.holds()


async def _cancel_when_lapsed(guard: SessionGuard, events: anyio.CancelScope) -> None:
    await guard.lapsed()
    events.cancel()


def _body(data: bytes, *, more: bool) -> Message:
    return {"type": "http.response.body", "body": data, "more_body": more}


__all__ = [
    "EVENT_STREAM",
    "HEARTBEAT_SECONDS",
    "LAPSED",
    "LAST_EVENT_ID",
    "EventStreamResponse",
    "LiveGetter",
    "build_stream_routes",
    "encode_event",
    "last_event_id",
]
