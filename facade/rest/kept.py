"""Cacheable GETs: entity tags, cache headers, and bodies kept for repeated identical requests.

A cacheable GET's 200 body is a pure function of the account, the path, the query string and
the SMSC reads it was built from. It is kept (`KeptBodies`) while every one of those reads stays
the cached entry it was, and fresh (`facade.upstream.reads`); its `Age`, `Cache-Control` and
`X-Facade-Cache` are written anew on every serve. `ServeKept` answers a repeat before routing,
once the caller is authenticated and allowed the operation's scope; anything else (no token, a
refused one, nothing kept) goes on to the routes, which answer it as they always do.
"""

import dataclasses
import hashlib
import math
from collections.abc import Callable
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Send
from starlette.types import Scope as AsgiScope

from facade.credentials.scopes import Scope
from facade.upstream.exchange import Fetched, Freshness
from facade.upstream.reads import DerivedCache, Read, ReadLog

JSON: Final = "application/json"
CACHE_HEADER: Final = "X-Facade-Cache"
# Bounded in total bytes and per body.
MAX_KEPT_BYTES: Final = 16 << 20
MAX_KEPT_BODY: Final = 1 << 20
ENTRY_OVERHEAD: Final = 1024

# The account, the path and the raw query string of a GET.
BodyKey = tuple[str, str, bytes]

# The account of the request's caller if its token allows `scope`, else None; never raises.
AccountGetter = Callable[[Request, Scope], str | None]


def entity_tag(body: bytes) -> str:
    """A strong validator: the same bytes, the same tag (RFC 9110 §8.8.3)."""
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """`If-None-Match` uses the weak comparison (RFC 9110 §13.1.2): W/ prefixes are ignored."""
    if if_none_match is None:
        return False
    wanted = etag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False


def freshness_headers(fetched: Fetched[Any]) -> dict[str, str]:
    """Where a read's value came from (the facade's cache, SMSC, or a stale cache), and its age."""
    return {CACHE_HEADER: fetched.freshness.value, "Age": str(math.floor(fetched.age))}


def cache_headers(fetched: Fetched[Any], ttl: float) -> dict[str, str]:
    """What the facade's cache holds: fresh for `ttl - age` more seconds, or stale."""
    headers = freshness_headers(fetched)
    if fetched.freshness is Freshness.STALE:
        headers["Cache-Control"] = "private, no-cache"
    else:
        headers["Cache-Control"] = f"private, max-age={max(0, math.floor(ttl - fetched.age))}"
    return headers


@dataclasses.dataclass(frozen=True, slots=True)
class KeptBody:
    """A cacheable GET's 200 body, kept for identical requests while its reads hold
    (`facade.upstream.reads`); the cache headers are written anew on each serve."""

    body: bytes
    etag: str
    headers: dict[str, str]
    ttl: float
    read: Read
    scope: Scope = Scope.READ  # what the caller's token must allow
    route: BaseRoute | None = None  # the route that made it, which the metrics name
    key_bytes: int = 0  # the request's path and query string, which its key holds
    # The headers every serve sends as they are, encoded once.
    raw: tuple[tuple[bytes, bytes], ...] = ()

    def __post_init__(self) -> None:
        fixed = {**self.headers, "ETag": self.etag}
        raw = tuple((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in fixed.items())
        object.__setattr__(self, "raw", raw)

    def size(self) -> int:
        """What keeping it costs: the body, its key's path and query, the headers, and a fixed
        overhead for the objects around them, so that many tiny bodies cannot grow memory."""
        return len(self.body) + self.key_bytes + ENTRY_OVERHEAD

    def response(self, if_none_match: str | None) -> Response:
        age = self.read.age()
        served = cache_headers(Fetched(None, Freshness.HIT, age), self.ttl)
        if matches(if_none_match, self.etag):
            response = Response(status_code=304)
            response.raw_headers.clear()  # a 304 carries no body, nor its length (RFC 9110)
        else:
            response = Response(self.body, media_type=JSON)
        response.raw_headers.extend(self.raw)
        response.raw_headers.extend(
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in served.items()
        )
        return response


class KeptBodies:
    """The kept bodies of one app's routes (`DerivedCache`, bounded)."""

    def __init__(self) -> None:
        self._bodies: DerivedCache[BodyKey, KeptBody] = DerivedCache(
            maxsize=MAX_KEPT_BYTES, max_item=MAX_KEPT_BODY
        )

    def get(self, key: BodyKey) -> KeptBody | None:
        found = self._bodies.get(key)
        return None if found is None else found.value

    def put(self, key: BodyKey, log: ReadLog, body: KeptBody) -> None:
        self._bodies.put(key, log, body)


class ServeKept:
    """ASGI middleware: a GET (or HEAD) whose body is kept is answered here, before routing."""

    def __init__(self, app: ASGIApp, kept: KeptBodies, account_of: AccountGetter) -> None:
        self.app = app
        self.kept = kept
        self.account_of = account_of

    async def __call__(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            request = Request(scope)
            account = self.account_of(request, Scope.READ)
            found = None
            if account is not None:
                found = self.kept.get((account, scope["path"], scope["query_string"]))
            if found is not None and (
                found.scope is Scope.READ or self.account_of(request, found.scope) is not None
            ):
                scope["route"] = found.route  # what the metrics name the operation by
                await found.response(request.headers.get("if-none-match"))(scope, receive, send)
                return
        await self.app(scope, receive, send)
