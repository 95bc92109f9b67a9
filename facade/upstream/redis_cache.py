"""The second-level cache replicas share in Redis, and the account's `Cache` across replicas.

A read one replica fetched from SMSC is stored here, encoded (`facade.upstream.codec`), with its
wall-clock times; the other replicas take it instead of asking SMSC again, and wait for it while
one replica asks (`redis_flight.ReplicaFlights`). Invalidations and write-through updates apply
here too and are announced on a channel, so each replica drops what it holds in process.

Keys are digests of the account and the credential-free command key: no request text in Redis.
"""

import asyncio
import contextlib
import dataclasses
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Final, TypeVar

from redis.asyncio import Redis
from redis.exceptions import WatchError

from facade.upstream import codec
from facade.upstream.cache import CannotUpdate, Change, ResponseCache
from facade.upstream.cluster import REDIS_ERRORS, Cluster
from facade.upstream.redis_state import PREFIX, digest

# How long closing a subscription may take before a shutdown goes on without it.
CLOSE_WAIT: Final = 1.0

T = TypeVar("T")
R = TypeVar("R")
WallClock = Callable[[], float]


@dataclasses.dataclass(frozen=True, slots=True)
class SharedEntry:
    """A cached value and its wall-clock times (seconds since the epoch)."""

    value: Any
    fetched_at: float
    expires_at: float
    stale_until: float
    local: bool = False

    def is_fresh(self, now: float) -> bool:
        return now < self.expires_at


class SharedCache:
    """One account's entries in Redis. Every method may raise redis' errors: the caller decides
    what to do without Redis (the client falls back to its own process)."""

    def __init__(self, redis: Redis, *, account: str, clock: WallClock = time.time) -> None:
        self._redis = redis
        self._space = f"{PREFIX}:cache:{digest(account)}"
        self.channel = f"{self._space}:changes"
        self.origin = uuid.uuid4().hex  # this replica, so it can ignore its own announcements
        self._clock = clock

    def now(self) -> float:
        """The wall clock entries are timed by."""
        return self._clock()

    def _entry_key(self, key: str) -> str:
        return f"{self._space}:entry:{digest(key)}"

    def lock_key(self, key: str) -> str:
        """Where the replica asking SMSC for `key` holds its lock (`redis_flight.py`)."""
        return f"{self._entry_key(key)}:lock"

    def _tag_key(self, tag: str) -> str:
        return f"{self._space}:tag:{tag}"

    async def get(self, key: str) -> SharedEntry | None:
        raw = await self._redis.get(self._entry_key(key))
        return None if raw is None else _load(raw)

    async def put(
        self, key: str, value: Any, *, ttl: float, max_stale: float, tags: Iterable[str]
    ) -> SharedEntry:
        now = self._clock()
        entry = SharedEntry(
            value,
            fetched_at=now,
            expires_at=now + max(ttl, 0.0),
            stale_until=now + max(ttl, max_stale),
        )
        await self._store(key, entry, tags)
        return entry

    async def _store(self, key: str, entry: SharedEntry, tags: Iterable[str]) -> None:
        life_ms = max(1, round((entry.stale_until - self._clock()) * 1000))
        entry_key = self._entry_key(key)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(entry_key, _dump(entry), px=life_ms)
            for tag in tags:
                pipe.sadd(self._tag_key(tag), entry_key)
                pipe.pexpire(self._tag_key(tag), life_ms, gt=True)
                pipe.pexpire(self._tag_key(tag), life_ms, nx=True)
            await pipe.execute()

    async def invalidate(self, tag: str) -> int:
        """Expire every fresh entry carrying `tag` (each stays usable as stale); announce it."""
        now = self._clock()

        def expire(entry: SharedEntry) -> SharedEntry | None:
            if not entry.is_fresh(now):
                return None
            return dataclasses.replace(entry, expires_at=now)

        changed = await self._rewrite(tag, expire)
        await self._announce(tag)
        return changed

    async def update(self, tag: str, change: Change) -> int:
        """Write-through: `change(key digest, value)` for each entry carrying `tag`; announce it.

        An entry whose change raises `CannotUpdate` is expired instead, as in process.
        """
        now = self._clock()

        def apply(entry: SharedEntry, entry_key: str) -> SharedEntry:
            try:
                return dataclasses.replace(entry, value=change(entry_key, entry.value), local=True)
            except CannotUpdate:
                return dataclasses.replace(entry, expires_at=min(entry.expires_at, now))

        changed = await self._rewrite(tag, apply, with_key=True)
        await self._announce(tag)
        return changed

    async def _rewrite(
        self, tag: str, rewrite: Callable[..., Any], *, with_key: bool = False
    ) -> int:
        changed = 0
        for member in await self._redis.smembers(self._tag_key(tag)):
            entry_key = member if isinstance(member, str) else member.decode()
            # Optimistic: another replica may rewrite the same entry; then read it again.
            while True:
                async with self._redis.pipeline(transaction=True) as pipe:
                    try:
                        await pipe.watch(entry_key)
                        raw = await pipe.get(entry_key)
                        ttl_ms = await pipe.pttl(entry_key)
                        if raw is None or ttl_ms <= 0:
                            break
                        entry = _load(raw)
                        new = rewrite(entry, entry_key) if with_key else rewrite(entry)
                        if new is None:
                            break
                        pipe.multi()  # type: ignore[no-untyped-call]
                        pipe.set(entry_key, _dump(new), px=ttl_ms)
                        await pipe.execute()
                        changed += 1
                        break
                    except WatchError:
                        continue
        return changed

    async def _announce(self, tag: str) -> None:
        await self._redis.publish(self.channel, json.dumps({"origin": self.origin, "tag": tag}))

    async def changes(self) -> AsyncIterator[str]:
        """Tags other replicas invalidated or updated, as they announce them."""
        pubsub = self._redis.pubsub()
        await pubsub.subscribe(self.channel)
        try:
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                announced = json.loads(message["data"])
                if announced.get("origin") != self.origin:
                    yield str(announced["tag"])
        finally:
            # Bounded: with Redis gone (a restart, a failover), closing the subscription can wait
            # on a connection that never answers, and a replica's shutdown must not wait with it.
            with contextlib.suppress(TimeoutError, *REDIS_ERRORS):
                async with asyncio.timeout(CLOSE_WAIT):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]


def _dump(entry: SharedEntry) -> bytes:
    head = json.dumps([entry.fetched_at, entry.expires_at, entry.stale_until, entry.local]).encode()
    return head + b"\n" + codec.encode(entry.value)


def _load(raw: bytes | str) -> SharedEntry:
    data = raw.encode() if isinstance(raw, str) else raw
    head, _, body = data.partition(b"\n")
    fetched_at, expires_at, stale_until, local = json.loads(head)
    return SharedEntry(codec.decode(body), fetched_at, expires_at, stale_until, local)


class RedisCache:
    """The `Cache` of one account across the replicas (`shared.py`): this process's `entries`
    first, then the entries the replicas share in Redis. Without Redis (`Cluster.degraded`, or
    a Redis error, which the cluster counts) it is this process's alone, and the shared entries
    simply age out by their TTL."""

    def __init__(self, entries: ResponseCache, shared: SharedCache, *, link: Cluster) -> None:
        self._entries = entries
        self.shared = shared
        self._link = link

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
        tags = tuple(tags)
        found = await self._ask(lambda: self.shared.get(key))
        now = self.shared.now()
        if found is not None and found.is_fresh(now):
            age = max(0.0, now - found.fetched_at)
            self._entries.put(
                key,
                found.value,
                ttl=found.expires_at - found.fetched_at,
                max_stale=found.stale_until - found.fetched_at,
                tags=tags,
                age=age,
                local=found.local,
            )
            return found.value, age, True
        value = await fetch()
        # SMSC answered: if Redis then fails, the answer is not thrown away, just not shared.
        await self._ask(
            lambda: self.shared.put(key, value, ttl=ttl, max_stale=max_stale, tags=tags)
        )
        self._entries.put(key, value, ttl=ttl, max_stale=max_stale, tags=tags)
        return value, 0.0, False

    async def stale(self, key: str) -> tuple[Any, float] | None:
        """This process's value, else the replicas' shared one."""
        entry = self._entries.get(key)
        if entry is not None:
            return entry.value, entry.age(self._entries.now())
        shared = await self._ask(lambda: self.shared.get(key))
        if shared is None:
            return None
        return shared.value, max(0.0, self.shared.now() - shared.fetched_at)

    async def invalidate(self, tag: str) -> None:
        self._entries.invalidate(tag)
        await self._ask(lambda: self.shared.invalidate(tag))

    async def update(self, tag: str, change: Change) -> None:
        self._entries.update(tag, change)
        await self._ask(lambda: self.shared.update(tag, change))

    async def _ask(self, call: Callable[[], Awaitable[R]]) -> R | None:
        """What Redis answers, or None when it is out of reach (counted by the cluster)."""
        if self._link.degraded:
            return None
        try:
            answer = await call()
        except REDIS_ERRORS as exc:
            self._link.failed(exc)
            return None
        self._link.answered()
        return answer
