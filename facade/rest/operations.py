"""Declarations: a `Resource` groups `Operation`s; each is the single source of its route and
of its entry in `/openapi.json`.

A handler is `async def handler(call: Call[PathModel, QueryModel, BodyModel]) -> Reply`; the
models are read from that annotation, so what the handler uses, what is validated and what is
documented are one and the same. `NoParams` stands for "no path parameters" or "no query";
`None` for "no body". An `EventStream` declares a `text/event-stream` GET the same way (`events.py`
serves it).
"""

import dataclasses
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Any, Final, Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from starlette.requests import Request

from facade.credentials.scopes import Scope
from facade.errors import ErrorCode
from facade.rest.links import Links
from facade.upstream.client import SmscClient
from facade.upstream.exchange import Fetched
from facade.upstream.pollers import Pollers
from facade.upstream.settling import Settling

P = TypeVar("P", bound=BaseModel)
Q = TypeVar("Q", bound=BaseModel)
B = TypeVar("B", bound=BaseModel | None)


class Params(BaseModel):
    """Base of path and query models: values arrive as strings, unknown query names are ignored."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class NoParams(Params):
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class Call(Generic[P, Q, B]):
    """One validated request, as a handler sees it; `links` builds the URLs it answers with."""

    request: Request
    smsc: SmscClient
    path: P
    query: Q
    body: B
    links: Links = dataclasses.field(default_factory=Links)


@dataclasses.dataclass(frozen=True, slots=True)
class Reply:
    """What a handler answers; the operation's declaration supplies the status by default.

    `fetched` makes a read conditional and cache-described: `ETag`, `Cache-Control`, `Age`
    and `X-Facade-Cache` come from it (see `http.py`).
    """

    body: Any = None
    status: int | None = None
    fetched: Fetched[Any] | None = None
    location: str | None = None  # a path (`/v1/...`): the `Location` header's URL (`links.py`)
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    media_type: str | None = None  # a file: `body` is its bytes, sent as they are, in chunks

    @classmethod
    def read(cls, body: Any, fetched: Fetched[Any], **headers: str) -> "Reply":
        return cls(body=body, fetched=fetched, headers=headers)

    @classmethod
    def file(
        cls, content: bytes, media_type: str, fetched: Fetched[Any], **headers: str
    ) -> "Reply":
        """A file of an operation declared with `files=`: streamed, not serialized as JSON."""
        return cls(body=content, fetched=fetched, headers=headers, media_type=media_type)

    @classmethod
    def created(cls, body: Any, location: str) -> "Reply":
        return cls(body=body, status=201, location=location)

    @classmethod
    def no_content(cls) -> "Reply":
        return cls(status=204)


Handler = Callable[[Call[Any, Any, Any]], Awaitable[Reply]]
# A write SMSC can be asked about when its answer was lost (`facade.upstream.settling`: a job
# creation, a send), made from the validated call: where to look, and the reply a found one gets.
SettlingOf = Callable[[Call[Any, Any, Any]], Settling[Reply]]


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """One server-sent event: its data (serialized as the stream's `data` type) and its id, which
    a client sends back as `Last-Event-ID` when it reconnects."""

    data: Any
    id: str | None = None


# Opens a stream for a validated request and the account's pollers: what it raises on entering
# is answered as a problem; then its events are sent. Leaving it releases what it holds.
StreamHandler = Callable[
    [Call[Any, Any, None], Pollers], AbstractAsyncContextManager[AsyncIterator[Event]]
]

# What any operation that reaches SMSC can answer, besides its own codes.
COMMON_ERRORS: Final = (
    ErrorCode.INVALID_INPUT,
    ErrorCode.UNAUTHENTICATED,
    ErrorCode.FORBIDDEN,
    ErrorCode.RATE_LIMITED,
    ErrorCode.UPSTREAM_AUTH_FAILED,
    ErrorCode.UPSTREAM_IP_BLOCKED,
    ErrorCode.UPSTREAM_REJECTED,
    ErrorCode.UPSTREAM_UNAVAILABLE,
    ErrorCode.UPSTREAM_PROTOCOL_ERROR,
    ErrorCode.INTERNAL,
)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    description: str
    tag: str
    handler: Handler
    path_model: type[BaseModel]
    query_model: type[BaseModel]
    body_model: type[BaseModel] | None
    response: Any  # a type pydantic can serialize (a model, list[Model], ...); None: no body
    status: int
    empty: tuple[int, ...]  # other success statuses the operation answers without a body
    errors: tuple[ErrorCode, ...]
    cache: str | None  # the SmscClient TTL key of the read behind a cacheable GET
    files: tuple[str, ...] = ()  # the success body is a file of these media types, not JSON
    scope: Scope = Scope.READ  # what the caller's token must allow
    idempotent: bool = False  # takes an `Idempotency-Key` (rest/idempotent.py)
    settling: SettlingOf | None = None  # a write settled after a lost answer (`SettlingOf`)
    # Changes nothing: a GET, or a POST whose body is a question (too large or too private for
    # a URL); such a POST says where its answer came from (`Age`, `X-Facade-Cache`), no more.
    read: bool = False
    # Documented examples (examples.py): of path parameters by name, and of a file's content.
    parameter_examples: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    file_example: str | None = None

    @property
    def cacheable(self) -> bool:
        return self.cache is not None

    @property
    def all_errors(self) -> tuple[ErrorCode, ...]:
        own = (*self.errors, ErrorCode.CONFLICT) if self.idempotent else self.errors
        return tuple(dict.fromkeys((*own, *COMMON_ERRORS)))


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class EventStream:
    """A GET answered with `text/event-stream` (Server-Sent Events) rather than one body."""

    path: str
    operation_id: str
    summary: str
    description: str
    tag: str
    handler: StreamHandler
    path_model: type[BaseModel]
    query_model: type[BaseModel]
    event: str  # the `event:` name of its events
    data: Any  # the type of each event's data, as for `Operation.response`
    errors: tuple[ErrorCode, ...]
    scope: Scope = Scope.READ
    # Its events carry their data's id, and a client resumes after one with `Last-Event-ID`.
    resumable: bool = True

    @property
    def all_errors(self) -> tuple[ErrorCode, ...]:
        return tuple(dict.fromkeys((*self.errors, *COMMON_ERRORS)))


def call_models(
    handler: Handler | StreamHandler,
) -> tuple[type[BaseModel], type[BaseModel], type[BaseModel] | None]:
    """The path, query and body models named by the handler's `call: Call[P, Q, B]`."""
    hints = typing.get_type_hints(handler)
    annotation = hints.get("call")
    if typing.get_origin(annotation) is not Call:
        raise TypeError(f"{handler.__qualname__}: annotate its parameter as call: Call[P, Q, B]")
    path, query, body = typing.get_args(annotation)
    return path, query, None if body is type(None) else body


class Resource:
    """A group of operations under one path prefix and OpenAPI tag.

    Declare each operation with the decorator of its method::

        templates = Resource("/v1/templates", tag="Templates")

        @templates.get("/{id}", "getTemplate", "One template.", response=Template,
                       cache="templates.get", errors=(ErrorCode.NOT_FOUND,))
        async def get_template(call: Call[IdPath, NoParams, None]) -> Reply: ...
    """

    def __init__(
        self,
        prefix: str,
        *,
        tag: str,
        description: str = "",
        examples: Mapping[str, Any] | None = None,
    ) -> None:
        """`examples`: of its operations' path parameters, by name, for the documentation:
        values the sandbox's demo data holds, so that "Try it out" finds them."""
        self.prefix = prefix
        self.tag = tag
        self.description = description
        self.examples: Mapping[str, Any] = dict(examples or {})
        self.operations: list[Operation] = []
        self.streams: list[EventStream] = []

    def operation(
        self,
        method: str,
        path: str,
        operation_id: str,
        summary: str,
        *,
        response: Any = None,
        status: int = 200,
        empty: tuple[int, ...] = (),
        errors: tuple[ErrorCode, ...] = (),
        cache: str | None = None,
        files: tuple[str, ...] = (),
        description: str = "",
        scope: Scope | None = None,
        idempotent: bool | None = None,
        settling: SettlingOf | None = None,
        read: bool | None = None,
        file_example: str | None = None,
    ) -> Callable[[Handler], Handler]:
        """`read` (a GET always; a POST whose body is a question, which changes nothing) makes
        `scope` default to `read` and takes no `Idempotency-Key`; every other operation needs
        `write` and takes one, unless `scope` and `idempotent` say otherwise. `settling`
        declares a write SMSC can be asked about after its answer was lost (see
        `facade.upstream.settling`); `file_example`, the documented content of a `files=`
        answer."""
        reads = method == "GET" if read is None else read
        if cache is not None and method != "GET":
            raise ValueError(f"{operation_id}: only a GET is cacheable")
        if reads and method not in ("GET", "POST"):
            raise ValueError(f"{operation_id}: only a GET or a POST reads")
        if idempotent and reads:
            what = "a GET" if method == "GET" else "a read"
            raise ValueError(f"{operation_id}: {what} needs no idempotency key")
        if settling is not None and (reads or idempotent is False):
            raise ValueError(f"{operation_id}: only an idempotent write is settled")
        needed = scope or (Scope.READ if reads else Scope.WRITE)
        keyed = not reads if idempotent is None else idempotent

        def declare(handler: Handler) -> Handler:
            path_model, query_model, body_model = call_models(handler)
            self.operations.append(
                Operation(
                    method=method,
                    path=self.prefix + path,
                    operation_id=operation_id,
                    summary=summary,
                    description=description or (handler.__doc__ or "").strip(),
                    tag=self.tag,
                    handler=handler,
                    path_model=path_model,
                    query_model=query_model,
                    body_model=body_model,
                    response=response,
                    status=status,
                    empty=empty,
                    errors=errors,
                    cache=cache,
                    files=files,
                    scope=needed,
                    idempotent=keyed,
                    settling=settling,
                    read=reads,
                    parameter_examples=self.examples,
                    file_example=file_example,
                )
            )
            return handler

        return declare

    def get(
        self, path: str, operation_id: str, summary: str, **kw: Any
    ) -> Callable[[Handler], Handler]:
        return self.operation("GET", path, operation_id, summary, **kw)

    def post(
        self, path: str, operation_id: str, summary: str, **kw: Any
    ) -> Callable[[Handler], Handler]:
        return self.operation("POST", path, operation_id, summary, **kw)

    def put(
        self, path: str, operation_id: str, summary: str, **kw: Any
    ) -> Callable[[Handler], Handler]:
        return self.operation("PUT", path, operation_id, summary, **kw)

    def patch(
        self, path: str, operation_id: str, summary: str, **kw: Any
    ) -> Callable[[Handler], Handler]:
        return self.operation("PATCH", path, operation_id, summary, **kw)

    def delete(
        self, path: str, operation_id: str, summary: str, **kw: Any
    ) -> Callable[[Handler], Handler]:
        return self.operation("DELETE", path, operation_id, summary, **kw)

    def stream(
        self,
        path: str,
        operation_id: str,
        summary: str,
        *,
        event: str,
        data: Any,
        errors: tuple[ErrorCode, ...] = (),
        description: str = "",
        resumable: bool = True,
    ) -> Callable[[StreamHandler], StreamHandler]:
        """Declare a Server-Sent Events GET; its handler takes `call: Call[P, Q, None]` and the
        account's `Pollers`, and is an async context manager (`contextlib.asynccontextmanager`)
        giving the events. A stream that is not `resumable` sends events without ids and takes
        no `Last-Event-ID`."""

        def declare(handler: StreamHandler) -> StreamHandler:
            path_model, query_model, _ = call_models(handler)
            self.streams.append(
                EventStream(
                    path=self.prefix + path,
                    operation_id=operation_id,
                    summary=summary,
                    description=description or (handler.__doc__ or "").strip(),
                    tag=self.tag,
                    handler=handler,
                    path_model=path_model,
                    query_model=query_model,
                    event=event,
                    data=data,
                    errors=errors,
                    resumable=resumable,
                )
            )
            return handler

        return declare


__all__ = [
    "COMMON_ERRORS",
    "Call",
    "Event",
    "EventStream",
    "Handler",
    "NoParams",
    "Operation",
    "Params",
    "Reply",
    "Resource",
    "SettlingOf",
    "StreamHandler",
    "call_models",
]
