"""Pages of a whole list, for both APIs: one cursor codec, one slicer, one page-size bound.

SMSC answers a contact or answer listing whole (answers up to 10,000 a call), and `SmscClient`
caches it under one key per filter. So a page never asks SMSC for less: every page of one filter,
GraphQL's or REST's, slices the same cached list, and walking the pages spends one
identical-request budget, not one per page. GraphQL's connections (`facade.graphql.connections`:
edges and pageInfo) and REST's pages (`facade.rest.pagination`: items, nextCursor, `next` and a
`Link`) wrap one `Slice` and differ only in their protocols' names: a page's size is GraphQL's
`first` and REST's `limit` (1-100, default 20), the cursor it resumes after GraphQL's `after` and
REST's `cursor`.

Cursors. A cursor is urlsafe base64, unpadded, of `p1:<kind>:<position>:<key>`: the kind of list
(`contact`, `answer`), an item's position when the cursor was issued and that item's key. Both
APIs issue it and take each other's: a GraphQL edge's cursor is a REST `cursor`, a REST
`nextCursor` a GraphQL `after` (a REST page's cursor is its last item's, as is a GraphQL page's
`endCursor`). The cursors issued before keep working, padded or not: GraphQL's
`v1:<kind>:<position>:<key>` and REST's `r1:<kind>:<position>:<key>` named an item the same way
and are read as `p1`. Anything else (another version or kind, a position that is not 1-18 ASCII
digits, no key, an answer's key that is not an SMSC id, more than 200 characters, not base64 of
UTF-8) is an `InputError` on the API's field (`after`, `cursor`): "is not a cursor this API
issued".

Where the page after a cursor starts depends on what the list guarantees:
- keyed lists (contacts): contacts have no id of their own (SMSC lists `myid`, the client's
  optional id); they are keyed by their first phone, which no other contact may hold. The next
  page starts after the first item with the cursor's key, wherever it now is; when no item has
  it, at the cursor's position (at most the end): the item's successor has moved into it, so
  nothing is skipped unless items before it went too (then as many as went);
- lists ordered by id (answers): SMSC assigns answer ids in ascending order; items are in
  ascending numeric id and the next page starts at the first item whose id is greater than the
  cursor's, so new messages and messages leaving the `sinceHours` window never shift a page.
Either way a page costs the same at any depth: `MEMO` indexes each cached list once (positions by
key, or the order by id), and every later page looks up or bisects and slices. Cached lists are
never changed in place (a write-through stores a new list), so an index built for a list object
holds for as long as that object lives.
"""

import base64
import binascii
import bisect
import collections
import dataclasses
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Final, Generic, NamedTuple, TypeVar, cast

from facade.domain.answers import Answer
from facade.domain.bounds import MAX_CURSOR_LENGTH
from facade.domain.contacts import Contact, page_key
from facade.domain.rules import is_id
from facade.errors import InputError

T = TypeVar("T")
V = TypeVar("V")

DEFAULT_PAGE_SIZE: Final = 20
MAX_PAGE_SIZE: Final = 100
VERSION: Final = "p1"
# GraphQL's cursors before `p1`, and REST's: the same fields, meaning the same.
READ_VERSIONS: Final = frozenset({VERSION, "v1", "r1"})
NOT_A_CURSOR: Final = "is not a cursor this API issued"


# the codec


class Cursor(NamedTuple):
    """A decoded cursor: an item's position when the cursor was issued, and its key."""

    position: int
    key: str


def encode_cursor(kind: str, position: int, key: str) -> str:
    """The cursor of the item `key` at `position` of a `kind` list (`VERSION`, unpadded)."""
    raw = f"{VERSION}:{kind}:{position}:{key}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, kind: str, field: str) -> Cursor:
    """A cursor either API issued for a `kind` list, now or before (`READ_VERSIONS`), padded or
    not; anything else is an `InputError` on `field`."""
    if len(cursor) > MAX_CURSOR_LENGTH:
        raise InputError(field, NOT_A_CURSOR)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (UnicodeError, binascii.Error) as exc:
        raise InputError(field, NOT_A_CURSOR) from exc
    parts = text.split(":", 3)
    # A position is held to an id's digits: never too long to read as an int.
    if (
        len(parts) == 4
        and parts[0] in READ_VERSIONS
        and parts[1] == kind
        and is_id(parts[2])
        and parts[3]
    ):
        return Cursor(int(parts[2]), parts[3])
    raise InputError(field, NOT_A_CURSOR)


# what is paged


@dataclasses.dataclass(frozen=True, slots=True)
class Kind(Generic[T]):
    """A kind of list: its name in cursors, what names an item in them, and how a page resumes:
    after the cursor's key (or at its position), or, `by_id`, after the cursor's id (the key
    must then be an SMSC id)."""

    name: str
    key: Callable[[T], str]
    by_id: bool = False


def _answer_id(answer: Answer) -> str:
    return answer.id


CONTACTS: Final[Kind[Contact]] = Kind("contact", page_key)
ANSWERS: Final[Kind[Answer]] = Kind("answer", _answer_id, by_id=True)


@dataclasses.dataclass(frozen=True, slots=True)
class PageRequest:
    """A page's size and the cursor it resumes after, checked before anything is read."""

    size: int
    after: Cursor | None


def page_request(
    kind: Kind[Any], size: int | None, cursor: str | None, *, size_field: str, cursor_field: str
) -> PageRequest:
    """`size` items (None: `DEFAULT_PAGE_SIZE`) after `cursor` (None: the first page), named
    `size_field` and `cursor_field` in the `InputError` that refuses either."""
    size = DEFAULT_PAGE_SIZE if size is None else size
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise InputError(size_field, f"must be between 1 and {MAX_PAGE_SIZE}")
    if cursor is None:
        return PageRequest(size, None)
    after = decode_cursor(cursor, kind.name, cursor_field)
    if kind.by_id and not is_id(after.key):
        raise InputError(cursor_field, NOT_A_CURSOR)
    return PageRequest(size, after)


# the indexes


DEFAULT_MEMO_LISTS: Final = 32
# Beyond the list used last, the memo keeps no more items than this in all: it holds each list
# it indexes, and a list the cache has let go of should not stay alive for long.
DEFAULT_MEMO_ITEMS: Final = 200_000


class ListMemo:
    """`build(items)` once per list object and `build`, for the lists used last.

    Keyed by identity, and each entry holds its list, so no other list can take the id of one
    memoized: the lists must not be changed while they are used (cached values are not). At most
    `max_lists` lists, and beyond the one used last no more than `max_items` items in all, least
    recently used leave first. `builds` counts the indexes built. One event loop uses it at a
    time (not thread-safe).
    """

    def __init__(
        self, *, max_lists: int = DEFAULT_MEMO_LISTS, max_items: int = DEFAULT_MEMO_ITEMS
    ) -> None:
        if max_lists < 1:
            raise ValueError("max_lists must be at least 1")
        self.max_lists = max_lists
        self.max_items = max_items
        self.builds = 0
        self._items = 0
        self._entries: collections.OrderedDict[
            tuple[int, Hashable], tuple[Sequence[Any], object]
        ] = collections.OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def index(self, items: Sequence[T], build: Callable[[Sequence[T]], V]) -> V:
        """`build(items)`, built the first time this list object meets this `build` (which
        must be hashable: a function, or a frozen dataclass with `__call__`)."""
        key = (id(items), build)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return cast("V", entry[1])
        value = build(items)
        self.builds += 1
        self._entries[key] = (items, value)
        self._items += len(items)
        while len(self._entries) > 1 and (
            len(self._entries) > self.max_lists or self._items > self.max_items
        ):
            _, (evicted, _) = self._entries.popitem(last=False)
            self._items -= len(evicted)
        return value

    def clear(self) -> None:
        self._entries.clear()
        self._items = 0


MEMO: Final = ListMemo()


@dataclasses.dataclass(frozen=True, slots=True)
class _Positions(Generic[T]):
    """Builds an index: the first position of each key (hashable, so the memo can key on it)."""

    key: Callable[[T], str]

    def __call__(self, items: Sequence[T]) -> Mapping[str, int]:
        positions: dict[str, int] = {}
        for position, key in enumerate(map(self.key, items)):
            positions.setdefault(key, position)
        return positions


def start_after_key(
    items: Sequence[T], key: Callable[[T], str], position: int, after: str, memo: ListMemo = MEMO
) -> int:
    """Where the page after the cursor (`position`, `after`) starts in a list keyed by `key`."""
    found = memo.index(items, _Positions(key)).get(after)
    return min(position, len(items)) if found is None else found + 1


@dataclasses.dataclass(frozen=True, slots=True)
class IdOrder(Generic[T]):
    """Items in ascending numeric id (ties keep the listing's order), and those ids."""

    items: Sequence[T]
    ids: Sequence[int]

    def start_after(self, after_id: int | None) -> int:
        """Where the page after the item `after_id` starts (None: the first page)."""
        return 0 if after_id is None else bisect.bisect_right(self.ids, after_id)


@dataclasses.dataclass(frozen=True, slots=True)
class _IdOrdered(Generic[T]):
    """Builds an `IdOrder` of items whose `key` is an SMSC id (hashable, as `_Positions`)."""

    key: Callable[[T], str]

    def __call__(self, items: Sequence[T]) -> IdOrder[T]:
        ordered = sorted(items, key=lambda item: int(self.key(item)))
        return IdOrder(ordered, [int(self.key(item)) for item in ordered])


def in_id_order(items: Sequence[T], key: Callable[[T], str], memo: ListMemo = MEMO) -> IdOrder[T]:
    """`items` (whose `key` is an SMSC id) in ascending id, ordered once per list object."""
    return memo.index(items, _IdOrdered(key))


# the slicer


@dataclasses.dataclass(frozen=True, slots=True)
class Slice(Generic[T]):
    """A page: `items`, from position `start` on, of a list of `total` items of `kind`."""

    items: list[T]
    start: int
    total: int
    kind: Kind[T]

    @property
    def has_next(self) -> bool:
        return self.start + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.start > 0

    def cursor(self, index: int) -> str:
        """The cursor of `items[index]`: the page after it starts after it."""
        index = range(len(self.items))[index]  # a negative index counts from the end
        return encode_cursor(self.kind.name, self.start + index, self.kind.key(self.items[index]))

    def edges(self) -> list[tuple[str, T]]:
        """Each item with its cursor."""
        return [(self.cursor(index), item) for index, item in enumerate(self.items)]

    @property
    def start_cursor(self) -> str | None:
        return self.cursor(0) if self.items else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursor(-1) if self.items else None

    @property
    def next_cursor(self) -> str | None:
        """The cursor the next page resumes after (the last item's); None on the last page."""
        return self.end_cursor if self.has_next else None


def paginate(
    items: Sequence[T], kind: Kind[T], request: PageRequest, memo: ListMemo = MEMO
) -> Slice[T]:
    """The page `request` asks for of a whole list, through `memo`'s index of that list."""
    after = request.after
    if kind.by_id:
        order = in_id_order(items, kind.key, memo)
        items, start = order.items, order.start_after(None if after is None else int(after.key))
    else:
        start = 0 if after is None else start_after_key(items, kind.key, *after, memo)
    return Slice(list(items[start : start + request.size]), start, len(items), kind)


__all__ = [
    "ANSWERS",
    "CONTACTS",
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "MEMO",
    "NOT_A_CURSOR",
    "Cursor",
    "IdOrder",
    "Kind",
    "ListMemo",
    "PageRequest",
    "Slice",
    "decode_cursor",
    "encode_cursor",
    "in_id_order",
    "page_request",
    "paginate",
    "start_after_key",
]
