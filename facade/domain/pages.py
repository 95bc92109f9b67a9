"""Where a page of a whole list starts: an index built once per list object, then looked up.

SMSC answers a listing whole and `SmscClient` caches the parsed list for its TTL; every page of
it, GraphQL's or REST's, slices that one list. Cached lists are never changed in place (a
write-through stores a new list), so an index built for a list object holds for as long as that
object lives. `ListMemo` keeps the indexes of the lists used last: a page at any depth is then a
look-up or a bisection and a slice, not a pass over the list, a re-parse or a re-sort.

The resume rules themselves (facade/graphql/connections.py states them for clients):
- by key (contacts): the page after a cursor starts after the first item with the cursor's
  key, wherever it now is; when no item has it, at the cursor's position (at most the end);
- by id (answers): items in ascending numeric id; the page after a cursor starts at the first
  item whose id is greater than the cursor's.
"""

import bisect
import collections
import dataclasses
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Final, Generic, TypeVar, cast

from facade.domain.answers import Answer

T = TypeVar("T")
V = TypeVar("V")

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
class AnswerOrder:
    """Answers in ascending numeric id (ties keep the listing's order), and those ids."""

    answers: Sequence[Answer]
    ids: Sequence[int]

    def start_after(self, after_id: int | None) -> int:
        """Where the page after the answer `after_id` starts (None: the first page)."""
        return 0 if after_id is None else bisect.bisect_right(self.ids, after_id)


def _order(answers: Sequence[Answer]) -> AnswerOrder:
    ordered = sorted(answers, key=lambda answer: int(answer.id))
    return AnswerOrder(ordered, [int(answer.id) for answer in ordered])


def answers_by_id(answers: Sequence[Answer], memo: ListMemo = MEMO) -> AnswerOrder:
    return memo.index(answers, _order)
