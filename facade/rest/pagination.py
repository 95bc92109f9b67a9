"""Pages of a whole list: `limit` (1-100, default 20) and an opaque `cursor`.

SMSC answers a listing whole and `SmscClient` caches it, so every page slices one cached list:
walking the pages spends one identical-request budget, not one per page. A cursor is urlsafe
base64 (unpadded) of `r1:<kind>:<position>:<key>`, the page's last item and its position: the next
page starts after the item with that key wherever it now is, or, if it is gone, at the position it
had, which its successor now holds (`facade.domain.pages` indexes each
list once, so a page costs the same at any depth). The body says
`{"items", "totalCount", "nextCursor", "next"}`; `next` is also a `Link: <...>; rel="next"`, under
`FACADE_PUBLIC_URL` or relative (`links.py`), never at the request's host.
"""

import base64
import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, Final, Generic, TypeVar
from urllib.parse import urlencode

from pydantic import Field

from facade.domain.pages import start_after_key
from facade.domain.rules import page_cursor
from facade.rest.operations import Call, Model, Params, Reply
from facade.upstream.client import Fetched

T = TypeVar("T")
U = TypeVar("U")

DEFAULT_LIMIT: Final = 20
MAX_LIMIT: Final = 100
_VERSION: Final = "r1"


class PageQuery(Params):
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
    cursor: str | None = Field(default=None, description="Where to go on: a page's `nextCursor`.")


class Page(Model, Generic[T]):
    # The examples are of a one-page list: the last page (examples.py).
    items: list[T]
    total_count: int = Field(description="Items of the whole list, all pages.", examples=[1])
    next_cursor: str | None = Field(
        description="The cursor of the next page; null on the last.", examples=[None]
    )
    next: str | None = Field(
        description="The URL of the next page (relative, unless the service is configured with "
        "its public URL); null on the last.",
        examples=[None],
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    items: list[T]
    total: int
    next_cursor: str | None


def encode_cursor(kind: str, position: int, key: str) -> str:
    raw = f"{_VERSION}:{kind}:{position}:{key}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, kind: str) -> tuple[int, str]:
    """(position, key) of a cursor this API issued for a `kind` list; else `InputError`."""
    return page_cursor(cursor, _VERSION, kind, "cursor")


def paginate(
    items: Sequence[T], query: PageQuery, *, kind: str, key: Callable[[T], str]
) -> Slice[T]:
    """The page `query` asks for; `key` names an item uniquely within the list."""
    start = 0
    if query.cursor is not None:
        position, after = decode_cursor(query.cursor, kind)
        start = start_after_key(items, key, position, after)
    return page_from(items, start, query.limit, kind=kind, key=key)


def page_from(
    items: Sequence[T], start: int, limit: int, *, kind: str, key: Callable[[T], str]
) -> Slice[T]:
    """`limit` items from `start` on, and the cursor of the page after them."""
    chosen = list(items[start : start + limit])
    end = start + len(chosen)
    # The cursor names the page's last item and its own position: when that item is gone by the
    # next request, its successor has moved into that position, where the next page starts.
    last = end - 1
    following = encode_cursor(kind, last, key(chosen[-1])) if chosen and end < len(items) else None
    return Slice(chosen, len(items), following)


def page_reply(
    body_type: type[Page[U]],
    call: Call[Any, Any, Any],
    path: str,
    page: Slice[T],
    convert: Callable[[T], U],
    fetched: Fetched[Any],
) -> Reply:
    """A cacheable read of one page: the body (`body_type`, e.g. `Page[Contact]`, the declared
    response) and its `Link` header. The next page's URL is `path` (the operation's) with the
    request's query, whose `cursor` is replaced, as `call.links` writes URLs."""
    next_url = None
    if page.next_cursor is not None:
        query = [(k, v) for k, v in call.request.query_params.multi_items() if k != "cursor"]
        next_url = call.links.url(path, urlencode([*query, ("cursor", page.next_cursor)]))
    body = body_type(
        items=[convert(item) for item in page.items],
        total_count=page.total,
        next_cursor=page.next_cursor,
        next=next_url,
    )
    headers = {} if next_url is None else {"Link": f'<{next_url}>; rel="next"'}
    return Reply.read(body, fetched, **headers)


__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "Page",
    "PageQuery",
    "Slice",
    "decode_cursor",
    "encode_cursor",
    "page_from",
    "page_reply",
    "paginate",
]
