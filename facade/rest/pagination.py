"""Pages of a whole list: `limit` (1-100, default 20) and an opaque `cursor`: REST's wrapper of
one page.

`facade.vocabulary.paging` cuts the page, from the cached whole list, and issues and reads the
cursors, GraphQL's connections alike (so an edge's cursor is a `cursor` here, and a `nextCursor`
a GraphQL `after`); it states how a page resumes after a cursor. This module names the page the
REST way: the body says `{"items", "totalCount", "nextCursor", "next"}`, where `nextCursor` is
the page's last item's cursor; `next` is also a `Link: <...>; rel="next"`, under
`FACADE_PUBLIC_URL` or relative (`links.py`), never at the request's host.
"""

from collections.abc import Callable
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from pydantic import Field

from facade.rest.operations import Call, Params, Reply
from facade.upstream.exchange import Fetched
from facade.vocabulary.fields import Cursor
from facade.vocabulary.paging import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Kind,
    PageRequest,
    Slice,
    page_request,
)
from facade.vocabulary.shapes import Output

T = TypeVar("T")
U = TypeVar("U")


class PageQuery(Params):
    limit: int = Field(
        default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page."
    )
    cursor: Cursor | None = Field(
        default=None, description="Where to go on: a page's `nextCursor`."
    )

    def page(self, kind: Kind[Any]) -> PageRequest:
        """`limit` and `cursor` for a `kind` list, checked before anything is read."""
        return page_request(
            kind, self.limit, self.cursor, size_field="limit", cursor_field="cursor"
        )


class Page(Output, Generic[T]):
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


__all__ = ["Page", "PageQuery", "page_reply"]
