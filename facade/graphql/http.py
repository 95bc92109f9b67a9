"""GraphQL over HTTP at `/graphql`: content negotiation, status codes and request checks.

Follows the GraphQL-over-HTTP specification (https://graphql.github.io/graphql-over-http/draft/,
"Request", "Body", "Status Codes") and passes every `graphql-http` server audit, warnings included
(`tests/graphql_http_audit`). Strawberry executes; this view decides everything around it:

- the response media type comes from `Accept`: `application/graphql-response+json` when asked
  for by name, `application/json` for wildcards and a missing header (audits 47DE and 80D8),
  406 when neither is acceptable;
- a request that is not a well-formed GraphQL-over-HTTP request (malformed JSON, missing or
  mistyped parameters, a batch) is answered 400; an unsupported `Content-Type` 415; a body over
  `max_body_bytes` 413 before it is parsed;
- a GraphQL request error (parse, validation, abuse limits, operation selection, variable
  coercion) is answered without `data`: 400 under `application/graphql-response+json`, 200 under
  `application/json` as the specification asks of that legacy type;
- GET serves queries only (a mutation is 405 with `Allow: POST`), and only when
  `allow_get_queries`; a GET from a browser without `query` gets the GraphQL IDE.

Subscriptions are served over WebSocket by strawberry, with the graphql-transport-ws protocol
only (https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md). `connection_getter` gives
the connection its context at the handshake and `on_connect` authenticates it on
`connection_init`; a refusal closes the socket with 4403 before any operation can run, and an
operation sent before the acknowledgement closes it with 4401 (strawberry). Authentication holds
for the connection's life: once its token is revoked or expires the socket is closed with 4403,
and nothing more is run or sent on it. Each operation gets a context of its own.
"""

import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, Final, cast

import strawberry
import strawberry.asgi
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from facade.errors import AuthError, ErrorCode, ForbiddenError, InputError
from facade.graphql.answers import Answer, AnswerKey, keepable
from facade.graphql.documents import operation_count, operation_label
from facade.graphql.limits import MAX_BODY_BYTES
from facade.graphql.media import (
    GRAPHQL_RESPONSE_JSON,
    JSON,
    encode_json,
    negotiate,
    read_json,
    split_media_type,
    utf8,
)
from facade.graphql.persisted import PersistedDocuments, PersistedError
from facade.graphql.request import (
    Params,
    Refusal,
    error_entry,
    parsed_json,
    read_params,
    refused,
)
from facade.graphql.websocket import TransportWSHandler
from facade.upstream import reads
from facade.upstream.reads import DerivedCache

__all__ = ["GRAPHQL_RESPONSE_JSON", "JSON", "GraphQLView", "negotiate"]


logger = logging.getLogger(__name__)

# A socket that has not sent `connection_init` by then is closed (4408): nobody lingers unknown.
CONNECTION_INIT_TIMEOUT: Final = dt.timedelta(seconds=10)


def _is_requesterror_entry(result: ExecutionResult) -> bool:
    """No field ran: parse, validation or variable coercion failed (GraphQL spec, "Errors").

    Field errors always carry a `path`; request errors never do, and leave no `data`.
    """
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


class GraphQLView(strawberry.asgi.GraphQL[Any, None]):
    """Strawberry's ASGI view with GraphQL over HTTP done by the specification.

    `context_getter` builds each operation's context from the request; it may raise `AuthError`
    (answered 401), `ForbiddenError` (403) or `InputError` (400: a token in the URL). A context
    with `may_mutate` False (a token without the `write` scope) gets 403 for a mutation, before
    anything executes.

    WebSocket connections (graphql-transport-ws only) get their context from `connection_getter`
    (default: `context_getter`) at the handshake; `on_connect` (default: accept) then checks it
    once strawberry has set its `connection_params` from `connection_init`, and refuses the
    connection by raising `AuthError`, `ForbiddenError` or `InputError`; to hold it for the
    connection's life, it keeps a `SessionGuard` in the socket's scope (`keep_guard`).
    `allowed_origins` are the browser origins besides the service's own that may open one.

    With `answers` and `partition` (who asks, as far as an answer may differ: account and
    scopes), a query's clean answer is kept under the request's raw bytes and served again
    without parsing or executing while its data holds (`answers.py`); identical requests in
    flight wait for the first. `documents` resolves persisted documents (`persisted.py`) once
    the caller is authenticated.
    """

    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(
        self,
        schema: BaseSchema,
        *,
        context_getter: Callable[[Request], Awaitable[Any]],
        graphiql: bool = True,
        allow_get_queries: bool = True,
        ide_html: Callable[[], str] | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
        connection_getter: Callable[[WebSocket], Awaitable[Any]] | None = None,
        on_connect: Callable[[Any], Awaitable[None]] | None = None,
        allowed_origins: Sequence[str] = (),
        partition: Callable[[Request], Hashable] | None = None,
        answers: DerivedCache[AnswerKey, Answer] | None = None,
        documents: PersistedDocuments | None = None,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=allow_get_queries,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=CONNECTION_INIT_TIMEOUT,
            allowed_origins=allowed_origins,
        )
        self._context_getter = context_getter
        self._connection_getter = connection_getter
        self._on_connect = on_connect
        self._ide_html = ide_html
        self._max_body_bytes = max_body_bytes
        self._partition = partition
        self._answers = answers
        self._documents = documents or PersistedDocuments()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            response = await self.respond(Request(scope, receive))
            await response(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Any:
        if isinstance(request, WebSocket) and self._connection_getter is not None:
            return await self._connection_getter(request)
        # A WebSocket handshake carries the headers and query string a context getter reads.
        return await self._context_getter(cast("Request", request))

    async def on_ws_connect(self, context: Any) -> UnsetType:
        """Accept `connection_init` (an ack without payload), or refuse it: strawberry then
        closes the socket with 4403."""
        if self._on_connect is not None:
            try:
                await self._on_connect(context)
            except (AuthError, ForbiddenError, InputError) as exc:
                logger.info("WebSocket connection refused: %s", exc.message)
                raise ConnectionRejectionError from exc
        ack: UnsetType = UNSET
        return ack

    def decode_json(self, data: str | bytes) -> object:
        """A WebSocket message, read as HTTP bodies are (`read_json`)."""
        return read_json(data)

    def encode_json(self, data: object) -> str:
        """A WebSocket message's text (strawberry sends bytes as a binary frame, which
        graphql-transport-ws does not allow); HTTP answers are written by `_response`."""
        return encode_json(data).decode()

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(self._ide_html() if self._ide_html else self.graphql_ide_html)

    async def respond(self, request: Request) -> Response:
        """The HTTP response to one request; never raises, never shows a traceback."""
        media_type = JSON
        try:
            if request.method not in ("GET", "POST"):
                raise Refusal(405, "GraphQL is served by GET and POST.", headers=_ALLOW_ALL)
            if self._wants_ide(request):
                return await self.render_graphql_ide(request)
            negotiated = negotiate(request.headers.get("accept"))
            if negotiated is None:
                raise Refusal(406, f"Accept {GRAPHQL_RESPONSE_JSON} or {JSON}.")
            media_type = negotiated
            return await self._execute(request, media_type)
        except Refusal as refusal:
            body = {"errors": [error_entry(refusal.message, refusal.code, refusal.field)]}
            return self._response(body, refusal.status, media_type, refusal.headers)
        except Exception:  # the edge: logged here, answered without the traceback
            logger.exception("GraphQL request failed")
            body = {"errors": [error_entry("Internal server error.", ErrorCode.INTERNAL)]}
            return self._response(body, 500, media_type)

    def _wants_ide(self, request: Request) -> bool:
        return (
            self.graphql_ide is not None
            and request.method == "GET"
            and "query" not in request.query_params
            and "text/html" in request.headers.get("accept", "")
        )

    async def _execute(self, request: Request, media_type: str) -> Response:
        source = await (self._get_source if request.method == "GET" else self._post_source)(request)
        answers = self._answers
        if answers is None or self._partition is None:
            params = self._params_of(request, source)
            return (await self._run(request, params, media_type))[0]
        try:
            partition = self._admitted(self._partition, request)
        except Refusal:
            self._params_of(request, source)  # a malformed request is told so first
            raise
        key = (request.method, source, media_type, partition)
        found = answers.get(key)
        if found is None:
            await answers.settled(key)  # an identical query under way: its answer may do
            found = answers.get(key)
        if found is not None:
            request.scope[OPERATION_KEY] = found.value.operation
            return self._raw_response(found.value.body(), 200, media_type)
        params = self._params_of(request, source)
        with answers.building(key), reads.recording() as log:
            response, answer = await self._run(request, params, media_type)
            if answer is not None:
                operation = request.scope.get(OPERATION_KEY, answer.operation)
                kept = dataclasses.replace(answer, key_bytes=len(source), operation=operation)
                answers.put(key, log, kept)
        return response

    def _admitted(self, partition: Callable[[Request], Hashable], request: Request) -> Hashable:
        try:
            return partition(request)
        except (AuthError, ForbiddenError, InputError) as exc:
            raise refused(exc) from exc

    async def _context(self, request: Request) -> Any:
        try:
            return await self._context_getter(request)
        except (AuthError, ForbiddenError, InputError) as exc:
            raise refused(exc) from exc

    async def _run(
        self, request: Request, params: Params, media_type: str
    ) -> tuple[Response, Answer | None]:
        """Execute the operation: its response, and the answer to keep for it if it may be."""
        context = await self._context(request)
        try:
            document = self._documents.resolve(params.query, params.document_id, params.extensions)
        except PersistedError as exc:
            raise Refusal(exc.status, exc.message, code=exc.code) from exc
        if isinstance(self.schema, strawberry.Schema):
            request.scope[OPERATION_KEY] = operation_label(
                self.schema._schema, document, params.operation_name
            )
        if params.operation_name is None and operation_count(document) > 1:
            # Strawberry would run the first; the spec makes it a request error.
            return self._requesterror_entry(_UNNAMED_OPERATION, media_type), None
        may_mutate = getattr(context, "may_mutate", True)
        allowed = {OperationType.QUERY}
        if request.method == "POST" and may_mutate:
            allowed.add(OperationType.MUTATION)
        try:
            result = await self.schema.execute(
                document,
                variable_values=params.variables,
                context_value=context,
                operation_name=params.operation_name,
                allowed_operation_types=allowed,
                operation_extensions=params.extensions,
            )
        except InvalidOperationTypeError as exc:
            if exc.operation_type is OperationType.MUTATION and request.method != "POST":
                raise Refusal(405, "Mutations need POST.", headers=_ALLOW_POST) from exc
            if exc.operation_type is OperationType.MUTATION:
                raise Refusal(
                    403, "This token lacks the write scope.", code=ErrorCode.FORBIDDEN
                ) from exc
            return self._requesterror_entry(
                "Subscriptions are served over WebSocket.", media_type
            ), None
        except CannotGetOperationTypeError as exc:
            return self._requesterror_entry(exc.as_http_error_reason(), media_type), None
        except MissingQueryError:
            return self._requesterror_entry("The `query` parameter is empty.", media_type), None
        body: dict[str, Any] = dict(await self.process_result(request, result))
        if _is_requesterror_entry(result):
            body.pop("data", None)
            status = _request_error_status(media_type)
            return self._response(body, status, media_type), None
        return self._response(body, 200, media_type), keepable(result, context)

    async def _get_source(self, request: Request) -> bytes:
        if not self.allow_queries_via_get:
            raise Refusal(405, "Queries need POST here.", headers=_ALLOW_POST)
        source: bytes = request.scope["query_string"]
        if len(source) > self._max_body_bytes:
            raise Refusal(414, "The query string is too long.")
        return source

    async def _post_source(self, request: Request) -> bytes:
        media_type, parameters = split_media_type(request.headers.get("content-type", ""))
        if media_type != JSON or not utf8(parameters):
            raise Refusal(415, f"Send the request as {JSON} (UTF-8).")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_body_bytes:
            raise self._too_large()
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > self._max_body_bytes:
                raise self._too_large()
        if not body:
            raise Refusal(400, "The request body is empty.")
        return bytes(body)

    def _params_of(self, request: Request, source: bytes) -> Params:
        if request.method == "POST":
            return read_params(parsed_json(source, "The request body", "body"))
        query = request.query_params
        data: dict[str, object] = {
            name: query[name] for name in ("query", "documentId") if name in query
        }
        if query.get("operationName"):
            data["operationName"] = query["operationName"]
        for name in ("variables", "extensions"):
            if query.get(name):
                data[name] = parsed_json(query[name], f"The `{name}` parameter", name)
        return read_params(data)

    def _too_large(self) -> Refusal:
        return Refusal(413, f"The request body exceeds {self._max_body_bytes} bytes.")

    def _requesterror_entry(self, message: str, media_type: str) -> Response:
        body = {"errors": [error_entry(message, None)]}
        return self._response(body, _request_error_status(media_type), media_type)

    def _response(
        self,
        body: Mapping[str, Any],
        status: int,
        media_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        return self._raw_response(encode_json(body), status, media_type, headers)

    def _raw_response(
        self,
        body: bytes,
        status: int,
        media_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        return Response(
            body,
            status_code=status,
            headers={
                **(headers or {}),
                "Content-Type": f"{media_type}; charset=utf-8",
                "Vary": "Accept",
            },
        )


# Where a request's operation is kept for the metrics (`documents.operation_label`).
OPERATION_KEY: Final = "facade.operation"
_UNNAMED_OPERATION: Final = (
    "The document defines several operations: name the one to run in `operationName`."
)


_ALLOW_ALL = {"Allow": "GET, POST"}
_ALLOW_POST = {"Allow": "POST"}


def _request_error_status(media_type: str) -> int:
    """400, except under legacy `application/json`, which keeps 200 (spec, "Status Codes")."""
    return 400 if media_type == GRAPHQL_RESPONSE_JSON else 200
