"""What browsers may do: CORS for the configured origins, and no cross-site "simple" bodies.

A page on another site can POST a form (`application/x-www-form-urlencoded`,
`multipart/form-data`), `text/plain`, or a Blob or ArrayBuffer with no `Content-Type` at all,
without asking the server first: those are CORS "simple" requests (Fetch Standard, "CORS-
safelisted request-header"; no preflight). Every body this service reads is JSON, so such
bodies are refused with 415 before any route runs or the body is read. Everything else a
cross-site page sends needs a preflight, which only `FACADE_CORS_ORIGINS` pass. The one
exception is SMSC's callbacks (`/smsc/callback/{key}`): SMSC posts forms, and the secret key in
the path, which no other site knows, is what stands in for the browser's protections there.
"""

from collections.abc import Iterable, Sequence
from typing import Final
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from facade.credentials.auth import refuse_token_in_url
from facade.errors import ErrorCode, InputError
from facade.upstream.callbacks import CALLBACK_PATH
from facade.vocabulary.problems import PROBLEM_JSON, graphql_body, problem_body

__all__ = [
    "CORS_ALLOW_HEADERS",
    "CORS_EXPOSE_HEADERS",
    "CORS_MAX_AGE",
    "CORS_METHODS",
    "SIMPLE_MEDIA_TYPES",
    "CrossSiteBodyGuard",
    "OriginCORSMiddleware",
    "RefuseTokensInUrl",
    "browser_middleware",
]

# The media types a cross-site page may send without a preflight (Fetch Standard,
# "CORS-safelisted request-header", `Content-Type`).
SIMPLE_MEDIA_TYPES: Final = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CORS_METHODS: Final = ("GET", "POST", "PUT", "PATCH", "DELETE")
# If-None-Match: REST answers it with 304 against the exposed ETag (facade.rest.http).
CORS_ALLOW_HEADERS: Final = (
    "Authorization",
    "Content-Type",
    "Accept",
    "Idempotency-Key",
    "If-None-Match",
)
CORS_EXPOSE_HEADERS: Final = ("ETag", "Age", "X-Facade-Cache", "Retry-After", "Location")
CORS_MAX_AGE: Final = 600

_REFUSAL: Final = "Send the body as application/json; forms and text are refused."


def _media_types(headers: Headers) -> list[str]:
    return [value.split(";")[0].strip().lower() for value in headers.getlist("content-type")]


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length", "0").strip()
    return "transfer-encoding" in headers or length != "0"


def _refusal(path: str) -> Response:
    """415 in the wire format of whatever lives at `path`."""
    if path == "/graphql" or path.startswith("/graphql/"):
        body = graphql_body(ErrorCode.INVALID_INPUT, _REFUSAL)
        return Response(body, status_code=415, media_type="application/json")
    body = problem_body(415, ErrorCode.INVALID_INPUT, _REFUSAL)
    return Response(body, status_code=415, media_type=PROBLEM_JSON)


class CrossSiteBodyGuard:
    """Refuses POST, PUT, PATCH and DELETE bodies a cross-site page could send unasked.

    That is a `Content-Type` in `SIMPLE_MEDIA_TYPES`, or a body without `Content-Type`. A
    request with neither body nor `Content-Type` (`POST /v1/jobs/{id}/cancel`) passes, and so
    does SMSC's callback (`CALLBACK_PATH`).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in BODY_METHODS
            and not scope["path"].startswith(CALLBACK_PATH)
        ):
            headers = Headers(scope=scope)
            media_types = _media_types(headers)
            if any(media_type in SIMPLE_MEDIA_TYPES for media_type in media_types) or (
                not media_types and _has_body(headers)
            ):
                await _refusal(scope["path"])(scope, receive, send)
                return
        await self.app(scope, receive, send)


class OriginCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, silent towards origins it does not allow.

    Starlette sends `Access-Control-Expose-Headers` to every origin and answers a refused
    preflight with its `Access-Control-Allow-*` headers; here an origin outside the list gets
    no `Access-Control-*` header at all (`Vary: Origin` still, for caches).
    """

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if not self.is_allowed_origin(request_headers["origin"]):
            for name in {key.lower() for key in response.headers}:
                if name.startswith("access-control-"):
                    del response.headers[name]
        return response

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        origin = request_headers.get("origin")
        if origin is not None and not self.is_allowed_origin(origin):
            request_headers = Headers(
                raw=[(name, value) for name, value in request_headers.raw if name != b"origin"]
            )
        await super().send(message, send, request_headers)


class RefuseTokensInUrl:
    """400 for any request whose URL carries a client token or a credential parameter, on every
    path, before routing: such a URL is already in proxies' and browsers' histories, and the
    client must learn it, not have it work."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            try:
                refuse_token_in_url(scope["path"], scope["query_string"].decode("latin-1"))
            except InputError as exc:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4400})
                    return
                body = problem_body(400, ErrorCode.INVALID_INPUT, exc.message, field=exc.field)
                response = Response(body, status_code=400, media_type=PROBLEM_JSON)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def browser_middleware(cors_origins: Sequence[str]) -> list[Middleware]:
    """The middleware for `Starlette(middleware=...)`, outermost first.

    CORS is outermost: a preflight is answered before any route or guard sees it, and a refusal
    from the guard or a route still carries `Access-Control-Allow-Origin` for an allowed origin,
    so that origin's script can read why. Without origins there is no CORS middleware at all:
    a preflight then reaches the routes like any other `OPTIONS` (405, no `Access-Control-*`).
    """
    origins = _checked(cors_origins)
    middleware = [Middleware(CrossSiteBodyGuard)]
    if origins:
        cors = Middleware(
            OriginCORSMiddleware,
            allow_origins=origins,
            allow_methods=CORS_METHODS,
            allow_headers=CORS_ALLOW_HEADERS,
            expose_headers=CORS_EXPOSE_HEADERS,
            allow_credentials=False,  # bearer tokens; no cookies to send
            max_age=CORS_MAX_AGE,
        )
        middleware.insert(0, cors)
    return middleware


_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def _checked(origins: Iterable[str]) -> tuple[str, ...]:
    """Each origin as browsers serialize it in `Origin`: lowercase, no default port, no path."""
    found = []
    for value in origins:
        parts = urlsplit(value.strip())
        if value == "*" or parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise ValueError(f"{value!r} is not an http(s) origin; CORS origins must be named")
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
            raise ValueError(f"{value!r} is not an origin: scheme, host and port only")
        port = parts.port if parts.port not in (None, _DEFAULT_PORTS[parts.scheme]) else None
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        found.append(f"{parts.scheme}://{host}" + (f":{port}" if port else ""))
    return tuple(found)
