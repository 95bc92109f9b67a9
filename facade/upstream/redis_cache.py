"""The second-level cache replicas share in Redis, and single flight across them.

A read one replica fetched from SMSC is stored here, encoded (`facade.upstream.codec`), with its
wall-clock times; the other replicas take it instead of asking SMSC again. While one replica asks
SMSC for a key, the others wait for its answer (`flight`): a lock with a short lease (`SET NX PX`)
that its holder renews while it asks, so a holder that died frees it within the lease, and
waiters that poll for the entry the holder will write, for a bounded time. Invalidations and write-through updates
apply here too and are announced on a channel, so each replica drops what it holds in process.

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
from redis.exceptions import RedisError, WatchError

from facade.errors import UpstreamUnavailable
from facade.upstream import codec
from facade.upstream.cache import CannotUpdate, Change
from facade.upstream.redis_state import PREFIX, digest

T = TypeVar("T")
WallClock = Callable[[], float]

_UNLOCK: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS[1] the lock; ARGV its holder's token, the lease (ms). Returns 1 when renewed.
_RENEW: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
# A flight's lock: renewed every third of it while its holder asks SMSC.
DEFAULT_LOCK_LEASE: Final = 3.0


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

    def __init__(
        self,
        redis: Redis,
        *,
        account: str,
        wait: float,
        lease: float = DEFAULT_LOCK_LEASE,
        poll: float = 0.02,
        clock: WallClock = time.time,
    ) -> None:
        self._redis = redis
        self._space = f"{PREFIX}:cache:{digest(account)}"
        self.channel = f"{self._space}:changes"
        self.origin = uuid.uuid4().hex  # this replica, so it can ignore its own announcements
        self._lease_ms = round(lease * 1000)
        self._wait = wait
        self._poll = poll
        self._clock = clock
        self._unlock = redis.register_script(_UNLOCK)
        self._renew = redis.register_script(_RENEW)

    def now(self) -> float:
        """The wall clock entries are timed by."""
        return self._clock()

    def _entry_key(self, key: str) -> str:
        return f"{self._space}:entry:{digest(key)}"

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
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def flight(
        self,
        key: str,
        fetch: Callable[[], Awaitable[Any]],
        *,
        ttl: float,
        max_stale: float,
        tags: Iterable[str],
    ) -> tuple[SharedEntry, bool]:
        """A fresh entry for `key`, asking SMSC (through `fetch`) from one replica at a time.

        Returns the entry and whether another replica fetched it. The lock's holder writes the
        entry; the others poll for it until the lock is gone, then look again, and give up with
        `UpstreamUnavailable` after `wait`. The holder renews its lock while it asks SMSC; one
        that dies frees it when its lease ends.
        """
        lock = f"{self._entry_key(key)}:lock"
        deadline = time.monotonic() + self._wait
        token = uuid.uuid4().hex
        while True:
            found = await self.get(key)
            if found is not None and found.is_fresh(self._clock()):
                return found, True
            if await self._redis.set(lock, token, nx=True, px=self._lease_ms):
                break
            if time.monotonic() >= deadline:
                raise UpstreamUnavailable("another replica is still asking SMSC for this read")
            await asyncio.sleep(self._poll)
        renewing = asyncio.get_running_loop().create_task(self._keep(lock, token))
        try:
            value = await fetch()
            return await self.put(key, value, ttl=ttl, max_stale=max_stale, tags=tags), False
        finally:
            renewing.cancel()
            await asyncio.shield(self._unlock(keys=[lock], args=[token]))

    async def _keep(self, lock: str, token: str) -> None:
        """Renew the lock while its holder asks SMSC; give up when it is not this holder's."""
        with contextlib.suppress(RedisError, OSError):
            while True:
                await asyncio.sleep(self._lease_ms / 3000)
                if not await self._renew(keys=[lock], args=[token, self._lease_ms]):
                    return


def _dump(entry: SharedEntry) -> bytes:
    head = json.dumps([entry.fetched_at, entry.expires_at, entry.stale_until, entry.local]).encode()
    return head + b"\n" + codec.encode(entry.value)


def _load(raw: bytes | str) -> SharedEntry:
    data = raw.encode() if isinstance(raw, str) else raw
    head, _, body = data.partition(b"\n")
    fetched_at, expires_at, stale_until, local = json.loads(head)
    return SharedEntry(codec.decode(body), fetched_at, expires_at, stale_until, local)
