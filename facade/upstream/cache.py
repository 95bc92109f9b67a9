"""The response cache: SMSC reads kept fresh, then stale, then gone; bounded in size and age.

Writes keep it correct without going upstream (DESIGN.md, "Caching under SMSC's rules"): a write
whose effect is known changes the cached reads in place (`update`), any other write expires them
(`invalidate`) so the next read asks SMSC if the identical-request budget allows and otherwise
still has the stale value to answer with.
"""

import contextlib
import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any, Generic, TypeVar

import cachetools

from facade.upstream.timing import Clock

T = TypeVar("T")

Change = Callable[[str, Any], Any]

# The tag index learns of evictions and expiries lazily; it is swept once it names this many times
# as many keys as the cache can hold, which bounds it and keeps sweeping amortized O(1) per put.
_INDEX_SLACK = 2


class CannotUpdate(Exception):  # noqa: N818 - a signal from a write-through change, not an error
    """Raised by a write-through `change` that cannot apply to a value; the entry is expired."""


@dataclasses.dataclass(frozen=True, slots=True, weakref_slot=True)
class Entry(Generic[T]):
    """A cached value and its clock times.

    `expires_at` ends freshness (`fetched_at + ttl`, or earlier when invalidated); `stale_until`
    ends the entry. `local` marks a value changed in place by a write since SMSC last sent it.
    """

    value: T
    fetched_at: float
    expires_at: float
    stale_until: float
    local: bool = False

    def age(self, now: float) -> float:
        return now - self.fetched_at

    def is_fresh(self, now: float) -> bool:
        return now < self.expires_at


def _stale_until(_key: str, entry: Entry[Any], _now: float) -> float:
    return entry.stale_until


class ResponseCache:
    """Entries by opaque key (account + credential-free command key), each with tags.

    Storage is a `cachetools.TLRUCache` whose per-entry time to use is `stale_until`, so size is
    bounded by LRU eviction and dead entries leave by themselves. Values must be immutable (tuples,
    lists nobody mutates, frozen dataclasses): `get` hands out the stored object and a write-through
    `change` must return a new value rather than modify the old one. Not thread-safe; it lives on
    one event loop. Tag operations count as a use of the entries they touch.
    """

    def __init__(self, *, maxsize: int, clock: Clock) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self._maxsize = maxsize
        self._clock = clock
        self._storage: cachetools.TLRUCache[str, Entry[Any], float] = cachetools.TLRUCache(
            maxsize, ttu=_stale_until, timer=clock
        )
        # key in _keys_of[tag] exactly when tag in _tags_of[key]; keys the storage has since
        # dropped are forgotten lazily (_live_tagged, _sweep).
        self._tags_of: dict[str, frozenset[str]] = {}
        self._keys_of: dict[str, set[str]] = {}

    def get(self, key: str) -> Entry[Any] | None:
        """The entry, fresh or stale; None when absent or past `stale_until`."""
        try:
            return self._storage[key]
        except KeyError:
            return None

    def holds(self, key: str, entry: Entry[Any]) -> bool:
        """This very entry is the one stored under `key`, and it is fresh."""
        return self._storage.get(key) is entry and self._clock() < entry.expires_at

    def now(self) -> float:
        return self._clock()

    def put(
        self,
        key: str,
        value: T,
        *,
        ttl: float,
        max_stale: float,
        tags: Iterable[str],
        age: float = 0.0,
        local: bool = False,
    ) -> Entry[T]:
        """Store a value SMSC sent `age` seconds ago (0: just now; more: another replica's).

        `ttl <= 0` means never fresh. The entry stays usable as stale until `max_stale` after the
        fetch, and never leaves while still fresh (a `ttl` above `max_stale` wins).
        """
        now = self._clock()
        fetched = now - max(age, 0.0)
        entry = Entry(
            value,
            fetched_at=fetched,
            expires_at=fetched + max(ttl, 0.0),
            stale_until=fetched + max(ttl, max_stale),
            local=local,
        )
        if not now < entry.stale_until:
            self.drop(key)
            return entry
        self._storage[key] = entry
        self._index(key, frozenset(tags))
        return entry

    def invalidate(self, tag: str) -> int:
        """Expire every fresh entry carrying `tag`; each stays usable as stale. How many expired."""
        now = self._clock()
        expired = 0
        for key, entry in self._live_tagged(tag):
            if entry.is_fresh(now):
                self._storage[key] = dataclasses.replace(entry, expires_at=now)
                expired += 1
        return expired

    def update(self, tag: str, change: Change) -> int:
        """Write-through: set the value of each live entry carrying `tag` to `change(key, value)`.

        Freshness is kept (`fetched_at`, `expires_at`) and the entry is marked `local`. An entry
        whose `change` raises `CannotUpdate` is expired instead. `change` must return a new value
        and must not use the cache; any other exception propagates, with the entries already
        changed left changed. Returns how many entries were updated.
        """
        updated = 0
        for key, entry in self._live_tagged(tag):
            try:
                value = change(key, entry.value)
            except CannotUpdate:
                now = self._clock()
                self._storage[key] = dataclasses.replace(
                    entry, expires_at=min(entry.expires_at, now)
                )
                continue
            self._storage[key] = dataclasses.replace(entry, value=value, local=True)
            updated += 1
        return updated

    def drop(self, key: str) -> None:
        with contextlib.suppress(KeyError):
            del self._storage[key]
        self._forget(key)

    def clear(self) -> None:
        self._storage.clear()
        self._tags_of.clear()
        self._keys_of.clear()

    def __len__(self) -> int:
        """How many entries are live (fresh or stale)."""
        self._storage.expire()
        return len(self._storage)

    def _live_tagged(self, tag: str) -> Iterator[tuple[str, Entry[Any]]]:
        for key in list(self._keys_of.get(tag, ())):
            entry = self.get(key)
            if entry is None:
                self._forget(key)
            else:
                yield key, entry

    def _index(self, key: str, tags: frozenset[str]) -> None:
        old = self._tags_of.get(key, frozenset())
        for tag in old - tags:
            self._unlink(tag, key)
        for tag in tags - old:
            self._keys_of.setdefault(tag, set()).add(key)
        self._tags_of[key] = tags
        if len(self._tags_of) > _INDEX_SLACK * self._maxsize:
            self._sweep()

    def _sweep(self) -> None:
        for key in [key for key in self._tags_of if key not in self._storage]:
            self._forget(key)

    def _forget(self, key: str) -> None:
        for tag in self._tags_of.pop(key, frozenset()):
            self._unlink(tag, key)

    def _unlink(self, tag: str, key: str) -> None:
        keys = self._keys_of[tag]
        keys.discard(key)
        if not keys:
            del self._keys_of[tag]


class LocalCache:
    """The `Cache` interface (`shared.py`) in this process alone: its `entries` are all there is."""

    def __init__(self, entries: ResponseCache) -> None:
        self._entries = entries

    @property
    def entries(self) -> ResponseCache:
        return self._entries

    async def fill(
        self,
        key: str,
        fetch: Callable[[], Awaitable[T]],
        *,
        ttl: float,
        max_stale: float,
        tags: Iterable[str],
    ) -> tuple[T, float, bool]:
        value = await fetch()
        self._entries.put(key, value, ttl=ttl, max_stale=max_stale, tags=tags)
        return value, 0.0, False

    async def stale(self, key: str) -> tuple[Any, float] | None:
        entry = self._entries.get(key)
        return None if entry is None else (entry.value, entry.age(self._entries.now()))

    async def invalidate(self, tag: str) -> None:
        self._entries.invalidate(tag)

    async def update(self, tag: str, change: Change) -> None:
        self._entries.update(tag, change)
