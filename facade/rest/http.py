"""From declarations to Starlette routes: validation, conditional reads, cache headers, errors.

One `Route` per path serves all of its methods, so a wrong method is answered 405 with an
`Allow` header that lists every method of the path. A request goes: path, query and body
validated (pydantic errors become an `InputError` naming the camelCase field), the body also by
the shared rules (its `to_domain()`, before idempotency) → the handler → the reply serialized
with the declared response type.

Reads (RFC 9110 §8.8.3, §13.1.2; RFC 9111 §5.2.2.1, §5.1): every cacheable GET carries a strong
`ETag` (a hash of the body) and answers `If-None-Match` with 304. `Cache-Control` tells the truth
about the facade's cache: `private, max-age=<seconds the cached value stays fresh>`, or
`private, no-cache` when a stale value is served; `Age` and `X-Facade-Cache: hit|miss|stale`
say where the value came from.

A POST that only reads (declared `read`: its question is the body) says where its answer came
from (`Age`, `X-Facade-Cache`) and nothing more: it is neither conditional nor kept.

Changes (POST, PUT, PATCH, DELETE) take an `Idempotency-Key` (`idempotent.py`): the first
request under a key runs, its response is stored, and repeats get it again without SMSC. A write
declared with `settling` is settled against SMSC when its answer was lost (`Operation.settling`).

A query parameter declared as a list is read from every occurrence (`?ref=a&ref=b`); any other
takes the last.
"""

import dataclasses
import typing
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Final

from pydantic import BaseModel, TypeAdapter
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from facade.credentials.scopes import Scope
from facade.errors import AuthError, ForbiddenError, InputError
from facade.rest.errors import error_response
from facade.rest.idempotent import (
    HEADER,
    REPLAYED_HEADER,
    RESPONSE_CODEC,
    RestIdempotency,
    StoredResponse,
    arguments,
    request_key,
)
from facade.rest.kept import (
    CACHE_HEADER,
    JSON,
    KeptBodies,
    KeptBody,
    cache_headers,
    entity_tag,
    freshness_headers,
    matches,
)
from facade.rest.links import Links
from facade.rest.operations import Call, Operation, Reply
from facade.upstream import reads
from facade.upstream.client import SmscClient
from facade.upstream.idempotency import IdempotencyKey, fingerprint
from facade.upstream.settling import Settling
from facade.vocabulary.shapes import Input, validated, validated_json

MAX_BODY_BYTES: Final = 1 << 20
FILE_CHUNK_BYTES: Final = 64 << 10
_PER_SERVE: Final = frozenset(
    {CACHE_HEADER.lower(), "age", "cache-control", "content-length", "content-type"}
)

# Authenticates the request and answers the client of its account, if its token allows the
# scope: `AuthError` → 401, `ForbiddenError` → 403 (before anything reaches SMSC).
ClientGetter = Callable[[Request, Scope], Awaitable[SmscClient]]


def fixed_client(smsc: SmscClient) -> ClientGetter:
    """Every request served by one account's client, whatever it asks (sandbox mode, tests)."""

    async def get(_: Request, __: Scope) -> SmscClient:
        return smsc

    return get


def guarded(
    endpoint: Callable[[Request], Awaitable[Response]], client_for: ClientGetter, scope: Scope
) -> Callable[[Request], Awaitable[Response]]:
    """`endpoint`, answered only to callers `client_for` admits with `scope` (in sandbox mode,
    everyone); the others get a problem: 401 without a valid token, 403 without the scope."""

    async def admitted(request: Request) -> Response:
        try:
            await client_for(request, scope)
        except (AuthError, ForbiddenError, InputError) as error:
            return error_response(error, request.url.path)
        return await endpoint(request)

    return admitted


def build_routes(
    operations: Sequence[Operation],
    client_for: ClientGetter,
    idempotency: RestIdempotency | None = None,
    kept: KeptBodies | None = None,
    links: Links | None = None,
) -> list[BaseRoute]:
    """Without `idempotency` (tests), a request with an `Idempotency-Key` is refused. Cacheable
    GETs keep their bodies in `kept` (`kept.py`), which `ServeKept` may serve from too. `links`
    writes the URLs of answers (`Location`, `next`): relative without it."""
    kept = kept or KeptBodies()
    links = links or Links()
    by_path: dict[str, dict[str, Operation]] = {}
    for operation in operations:
        methods = by_path.setdefault(operation.path, {})
        if operation.method in methods:
            raise ValueError(f"{operation.method} {operation.path} is declared twice")
        methods[operation.method] = operation
    return [
        Route(path, _endpoint(methods, client_for, idempotency, kept, links), methods=list(methods))
        for path, methods in by_path.items()
    ]


def _endpoint(
    methods: dict[str, Operation],
    client_for: ClientGetter,
    idempotency: RestIdempotency | None,
    bodies: KeptBodies,
    links: Links,
) -> Callable[[Request], Awaitable[Response]]:
    adapters = {
        op.method: None if op.response is None else TypeAdapter(op.response)
        for op in methods.values()
    }

    async def endpoint(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        operation = methods[method]
        adapter = adapters[method]
        try:
            smsc = await client_for(request, operation.scope)
            if method == "GET" and operation.cache is not None:
                kept = (smsc.account, request.scope["path"], request.scope["query_string"])
                found = bodies.get(kept)
                if found is not None:
                    return found.response(request.headers.get("if-none-match"))
                with reads.recording() as log:
                    response, body = await _read(
                        operation, adapter, await _call(request, smsc, operation, links)
                    )
                if body is not None:
                    bodies.put(kept, log, body)
                return response
            key = request_key(request) if operation.idempotent else None
            call = await _call(request, smsc, operation, links, body=True)
            if key is None:
                return _respond(operation, adapter, await operation.handler(call), call)
            if idempotency is None:
                raise InputError(HEADER, "idempotency keys are not taken by this server")
            return await _idempotent(operation, adapter, call, key, idempotency)
        except Exception as error:  # noqa: BLE001 - the edge: every failure becomes a problem
            return error_response(error, operation.operation_id)

    return endpoint


async def _call(
    request: Request, smsc: SmscClient, operation: Operation, links: Links, *, body: bool = False
) -> Call[Any, Any, Any]:
    """The request validated in the order GraphQL's inputs name it: what the path names (the id,
    the phone), the query, then the body."""
    path = _params(operation.path_model, request.path_params)
    query = _params(operation.query_model, request.query_params)
    found = await _body(operation, request) if body else None
    if isinstance(found, Input):
        found.path_rules(path)
    return Call(request=request, smsc=smsc, path=path, query=query, body=found, links=links)


async def _read(
    operation: Operation, adapter: TypeAdapter[Any] | None, call: Call[Any, Any, Any]
) -> tuple[Response, "KeptBody | None"]:
    """A cacheable GET: its response, and the body to keep for repeats if it may be kept."""
    reply = await operation.handler(call)
    response = _respond(operation, adapter, reply, call)
    fetched = reply.fetched
    if (
        response.status_code != 200
        or reply.media_type is not None
        or fetched is None
        or fetched.read is None
        or operation.cache is None
    ):
        return response, None
    headers = {
        name: value
        for name, value in response.headers.items()
        if name.lower() not in _PER_SERVE and name.lower() != "etag"
    }
    etag = response.headers["etag"]
    ttl = call.smsc.config.ttl(operation.cache)
    body = bytes(response.body)
    route = call.request.scope.get("route")
    key_bytes = len(call.request.scope["path"]) + len(call.request.scope["query_string"])
    kept = KeptBody(body, etag, headers, ttl, fetched.read, operation.scope, route, key_bytes)
    return response, kept


async def _idempotent(
    operation: Operation,
    adapter: TypeAdapter[Any] | None,
    call: Call[Any, Any, Any],
    key: str,
    idempotency: RestIdempotency,
) -> Response:
    """The operation run once under `key`, or the response it gave (`idempotent.py`)."""
    principal = idempotency.principal(call.request)
    scoped = IdempotencyKey(principal.account, principal.name, key, HEADER)
    signature = fingerprint(operation.operation_id, arguments(call.path, call.query, call.body))

    def stored(reply: Reply) -> StoredResponse:
        return StoredResponse.of(_respond(operation, adapter, reply, call))

    async def execute() -> StoredResponse:
        return stored(await operation.handler(call))

    settling = None
    if operation.settling is not None:
        settling = _StoredSettling(operation.settling(call), stored)
    outcome = await idempotency.idempotency.run(
        scoped, signature, execute, RESPONSE_CODEC, settling=settling
    )
    if outcome.error is not None:
        response = error_response(outcome.error, operation.operation_id)
    else:
        response = outcome.unwrap().response()
    if outcome.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return response


@dataclasses.dataclass(frozen=True, slots=True)
class _StoredSettling:
    """An operation's settling whose found write is answered, and stored, as its reply's
    response."""

    settling: Settling[Reply]
    stored: Callable[[Reply], StoredResponse]

    @property
    def not_made(self) -> str:
        return self.settling.not_made

    def new_marker(self) -> str:
        return self.settling.new_marker()

    async def find(self, marker: str, started_at: float) -> StoredResponse | None:
        found = await self.settling.find(marker, started_at)
        return None if found is None else self.stored(found)


def _params(model: type[BaseModel], values: typing.Mapping[str, Any]) -> BaseModel:
    """Path or query parameters as `model`; a list field's from every occurrence of its name."""
    found = dict(values)
    getlist = getattr(values, "getlist", None)
    if getlist is not None:
        for name, field in model.model_fields.items():
            key = field.alias or name
            if typing.get_origin(field.annotation) is list and key in found:
                found[key] = getlist(key)
    return validated(model, found)


async def _body(operation: Operation, request: Request) -> BaseModel | None:
    model = operation.body_model
    if model is None:
        return None
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != JSON and not (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        raise HTTPException(415, f"Send the body as {JSON}.")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise HTTPException(413, f"The body must be at most {MAX_BODY_BYTES} bytes.")
    # The model's constraints and rules (facade.vocabulary) as it is built: before idempotency,
    # whose fingerprint holds the body, and before the handler.
    return validated_json(model, bytes(raw))


def _respond(
    operation: Operation, adapter: TypeAdapter[Any] | None, reply: Reply, call: Call[Any, Any, Any]
) -> Response:
    status = reply.status or operation.status
    headers = dict(reply.headers)
    if reply.location is not None:
        headers["Location"] = call.links.url(reply.location)
    if reply.media_type is not None:
        body: bytes = reply.body
    elif adapter is None or status == 204:
        return Response(status_code=status, headers=headers)
    else:
        body = adapter.dump_json(reply.body, by_alias=True)
    if reply.fetched is not None and operation.cache is not None:
        headers.update(cache_headers(reply.fetched, call.smsc.config.ttl(operation.cache)))
        etag = entity_tag(body)
        headers["ETag"] = etag
        if matches(call.request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=headers)
    elif reply.fetched is not None and operation.read:
        headers.update(freshness_headers(reply.fetched))
    if reply.media_type is not None:
        return StreamingResponse(
            chunks(body), status_code=status, headers=headers, media_type=reply.media_type
        )
    return Response(body, status_code=status, headers=headers, media_type=JSON)


async def chunks(content: bytes, size: int = FILE_CHUNK_BYTES) -> AsyncIterator[bytes]:
    """A file's bytes in pieces, so a large file is not written to the socket in one go."""
    for start in range(0, len(content), size):
        yield content[start : start + size]
