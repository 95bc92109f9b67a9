"""Values derived from cached reads (rendered responses), kept exactly as long as those reads.

A GraphQL response or a REST body is a pure function of the request and of the SMSC reads it was
built from. `recording()` notes every read made while it is open (`SmscClient` calls `note` and
`untracked`); a `Derived` value built under it stays valid while each read is still the very
entry the account's cache holds under its key, and still fresh. Every change to an entry (a
write-through update, an invalidation, a refresh, an eviction, another replica's announced
write) replaces or drops that entry object, so a derived value lives exactly as long as the data
it was built from and is never served past it. Entries are held by weak reference: a derived
value never keeps an old list alive.

A read that could not be tracked (it failed, it was stale, it is not cached at all, it was a
write) makes the recording incomplete, and nothing derived from it is kept.
"""

import asyncio
import contextlib
import contextvars
import dataclasses
import weakref
from collections.abc import Callable, Hashable, Iterator
from typing import Any, Generic, TypeVar

import cachetools

from facade.upstream.cache import Entry, ResponseCache
from facade.upstream.stats import UpstreamStats

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclasses.dataclass(frozen=True, slots=True)
class Read:
    """One cached read: the entry the account's cache held under `key` when it was made."""

    cache: ResponseCache
    key: str
    entry: weakref.ref[Entry[Any]]
    stats: UpstreamStats | None = None

    @classmethod
    def of(
        cls, cache: ResponseCache, key: str, entry: Entry[Any], stats: UpstreamStats | None = None
    ) -> "Read":
        return cls(cache, key, weakref.ref(entry), stats)

    def served(self) -> None:
        """A derived value built on this read was served: a cache hit, as the read would be."""
        if self.stats is not None:
            self.stats.cache_result("hit")

    def valid(self) -> bool:
        """The cache still holds this very entry under the key, and it is fresh."""
        entry = self.entry()
        return entry is not None and self.cache.holds(self.key, entry)

    def age(self) -> float:
        """Seconds since SMSC sent the value (0 once the entry has gone)."""
        entry = self.entry()
        return 0.0 if entry is None else max(0.0, self.cache.now() - entry.fetched_at)


class ReadLog:
    """The reads made while a recording was open, and whether every one could be tracked."""

    __slots__ = ("complete", "reads")

    def __init__(self) -> None:
        self.reads: list[Read] = []
        self.complete = True


_LOG: contextvars.ContextVar[ReadLog | None] = contextvars.ContextVar("facade_reads", default=None)


@contextlib.contextmanager
def recording() -> Iterator[ReadLog]:
    """Note the reads of this task and of the tasks it starts (resolvers run in their own)."""
    log = ReadLog()
    token = _LOG.set(log)
    try:
        yield log
    finally:
        _LOG.reset(token)


def note(read: Read) -> None:
    log = _LOG.get()
    if log is not None:
        log.reads.append(read)


def untracked() -> None:
    """A read (or write) whose result no derived value may outlive: nothing is kept."""
    log = _LOG.get()
    if log is not None:
        log.complete = False


@dataclasses.dataclass(frozen=True, slots=True)
class Derived(Generic[V]):
    value: V
    reads: tuple[Read, ...]

    def valid(self) -> bool:
        return all(read.valid() for read in self.reads)


def _size(derived: Derived[Any]) -> int:
    size: Callable[[], int] | None = getattr(derived.value, "size", None)
    return 1 if size is None else max(1, size())


class DerivedCache(Generic[K, V]):
    """Derived values by key, bounded by total size (a value's `size()`, else 1 each), LRU.

    `get` answers only a value whose reads are all still valid, and forgets one that is not; each
    read of a value served counts as a cache hit in its client's stats (`/metrics`).
    Concurrent builders of one key may share a build: `building(key)` marks one as running, and
    `settled(key)` lets the others wait for it before they look again. Not thread-safe; it lives
    on one event loop.
    """

    def __init__(self, *, maxsize: int, max_item: int | None = None) -> None:
        self._items: cachetools.LRUCache[K, Derived[V]] = cachetools.LRUCache(
            maxsize, getsizeof=_size
        )
        self._max_item = maxsize if max_item is None else min(max_item, maxsize)
        self._building: dict[K, asyncio.Future[None]] = {}

    def get(self, key: K) -> Derived[V] | None:
        found = self._items.get(key)
        if found is None:
            return None
        if not found.valid():
            self._items.pop(key, None)
            return None
        for read in found.reads:
            read.served()
        return found

    def put(self, key: K, log: ReadLog, value: V) -> bool:
        """Keep `value`, built from the reads in `log`, if every read is tracked and still
        valid (a write may have landed while it was built). Whether it was kept."""
        derived = Derived(value, tuple(log.reads))
        if not log.complete or _size(derived) > self._max_item or not derived.valid():
            return False
        self._items[key] = derived
        return True

    def clear(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    async def settled(self, key: K) -> None:
        """Wait until a build of `key` under way, if any, has ended (whatever its outcome)."""
        running = self._building.get(key)
        if running is not None:
            await asyncio.shield(running)

    @contextlib.contextmanager
    def building(self, key: K) -> Iterator[None]:
        """Mark a build of `key` as running until the block ends, unless one already is."""
        if key in self._building:
            yield
            return
        done = asyncio.get_running_loop().create_future()
        self._building[key] = done
        try:
            yield
        finally:
            del self._building[key]
            done.set_result(None)
