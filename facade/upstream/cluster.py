"""One account's state shared by the replicas through Redis, and what each does without it.

With Redis, the replicas share SMSC's limits (`RedisBudget`, `RedisSemaphore`), the read cache and
its single flight (`SharedCache`). When Redis fails, each replica carries on alone (`degraded`)
with its share of the limits, assuming the worst of what it cannot know (`degraded.py`). Redis
is asked again `retry` seconds after it failed. Whenever Redis' counts may lack something (after
a failure, or when it holds another epoch: a restart, a flush, a failover), the replica writes
back its own uses and calls in flight, then waits `resync` seconds, in which every other replica
does the same, before it trusts them (`_ready`). A read waits for another replica that asks SMSC
for it at most `FLIGHT_WAIT`, and that replica's lock lives only while it renews it.
Degradation and recovery are logged once each and counted (`failures`, `degraded`).
"""

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, Final, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from facade.upstream.cache import Change
from facade.upstream.config import UpstreamConfig
from facade.upstream.degraded import DegradedBudget, DegradedCap, SpendLog
from facade.upstream.redis_cache import SharedCache, SharedEntry
from facade.upstream.redis_state import (
    PREFIX,
    Epoch,
    EpochChanged,
    RedisBudget,
    RedisSemaphore,
    digest,
)
from facade.upstream.timing import DEFAULT_CLOCK, Clock

logger = logging.getLogger("facade.upstream.cluster")

T = TypeVar("T")
# What a dead or unreachable Redis raises (redis' own errors, and the socket's).
REDIS_ERRORS: Final = (RedisError, OSError)
# How soon a replica without Redis asks again; how long after writing back to a Redis that lost
# (or may lack) counts a replica waits before trusting them, so that every replica, which checks
# the epoch every `Scaleout.WATCH_EVERY`, has written back too; how long a read waits for another
# replica that asks SMSC for it before it answers from what it has.
RETRY_AFTER_FAILURE: Final = 1.0
RESYNC: Final = 2.0
FLIGHT_WAIT: Final = 4.0


class ReplicaSlots:
    """Gives each replica a distinct slot `0..replicas-1` while Redis answers, kept by a lease it
    renews; the slot is remembered when Redis stops answering (that is when it is needed)."""

    def __init__(self, redis: Redis, *, replicas: int, lease: float = 30.0) -> None:
        self._redis = redis
        self._replicas = replicas
        self._lease_ms = round(lease * 1000)
        self._token = uuid.uuid4().hex
        self.slot: int | None = None

    async def renew(self) -> int | None:
        """Keep this replica's slot, or take a free one; None when every slot is taken."""
        if self.slot is not None:
            key = f"{PREFIX}:replica-slot:{self.slot}"
            if await self._redis.get(key) in (self._token, self._token.encode()):
                await self._redis.pexpire(key, self._lease_ms)
                return self.slot
        for slot in range(self._replicas):
            key = f"{PREFIX}:replica-slot:{slot}"
            if await self._redis.set(key, self._token, nx=True, px=self._lease_ms):
                self.slot = slot
                return slot
        if self.slot is not None:
            logger.error("every one of the %d replica slots is taken", self._replicas)
        self.slot = None
        return None


class Cluster:
    """The shared state of one account (module docstring); every method falls back by itself."""

    def __init__(
        self,
        redis: Redis,
        *,
        account: str,
        login: str,
        config: UpstreamConfig,
        replicas: int,
        slots: ReplicaSlots,
        epoch: Epoch | None = None,
        clock: Clock = DEFAULT_CLOCK,
        wall: Callable[[], float] = time.time,
        retry: float = RETRY_AFTER_FAILURE,
        resync: float = RESYNC,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        lease = 2 * config.deadline
        self.cache = SharedCache(redis, account=account, wait=FLIGHT_WAIT, clock=wall)
        self._epoch = epoch or Epoch(redis)
        self._budget = RedisBudget(
            redis, account=account, window=config.budget_window, epoch=self._epoch
        )
        self._semaphore = RedisSemaphore(
            redis,
            login=digest(login),
            limit=config.concurrency,
            wait=config.concurrency_wait,
            lease=lease,
            epoch=self._epoch,
        )
        self._local_budget = DegradedBudget(
            window=config.budget_window,
            replicas=replicas,
            slot=lambda: slots.slot,
            clock=clock,
            wall=wall,
        )
        # Every call of this replica in flight, by holder: what Redis must count when it returns.
        self._holders: dict[str, None] = {}
        self._local_cap = DegradedCap(
            share=config.concurrency // replicas,
            wait=config.concurrency_wait,
            grace=config.deadline,
            in_flight=lambda: len(self._holders),
            clock=clock,
        )
        self._spent = SpendLog(window=config.budget_window, wall=wall)
        self._clock = clock
        self._wall = wall
        self._retry = retry
        self._resync_pause = resync
        self._sleep = sleep
        self._down_until = -math.inf
        self._lost_at: float | None = None
        # Redis' counts are trusted only once this replica wrote back what it knows (`_resync`).
        self._in_sync = False
        self._failed_since_sync = False
        self._synced_generation = 0
        self._resync_lock = asyncio.Lock()
        self._resynced_at = -math.inf
        self.failures = 0

    @property
    def degraded(self) -> bool:
        return self._clock() < self._down_until

    @property
    def in_flight(self) -> int:
        """This replica's calls holding a slot of the cap, shared or degraded."""
        return len(self._holders)

    def _failed(self, exc: BaseException) -> None:
        if not self._failed_since_sync:
            logger.warning(
                "Redis is unreachable (%s): this replica carries on alone with SMSC's limits "
                "divided between the replicas",
                type(exc).__name__,
            )
        if not self._failed_since_sync:  # a loss, not Redis still away
            self._lost_at = self._clock()
            self._local_cap.lost()
        self._failed_since_sync = True
        self._in_sync = False
        self.failures += 1
        self._down_until = self._clock() + self._retry

    def _answered(self) -> None:
        self._down_until = -math.inf

    def lost(self, exc: BaseException) -> None:
        """Redis failed to answer someone else (`Scaleout.watch`): carry on alone."""
        if not self.degraded:
            self._failed(exc)

    def out_of_sync(self) -> None:
        """Redis holds another epoch (`Scaleout` watches it): write back before trusting it."""
        self._in_sync = False

    async def sync(self) -> None:
        """Write back to Redis if it may lack what this replica knows (may raise Redis' errors)."""
        if not self._in_sync:
            async with self._resync_lock:
                if not self._in_sync:
                    await self._resync()

    async def _ready(self) -> None:
        """Redis' counts can be trusted: written back to if need be, then past the pause that
        lets every replica write back too."""
        await self.sync()
        pause = self._resynced_at + self._resync_pause - self._clock()
        if pause > 0:
            await self._sleep(pause)

    async def _resync(self) -> None:
        """Adopt Redis' epoch and write back this replica's recent uses and calls in flight."""
        await self._epoch.adopt()
        await self._budget.seed(self._spent.recent())
        await self._semaphore.register(self._holders)
        # Others may have counts that Redis lost (a new epoch) or that they have not written
        # back yet (after a loss): wait for them before trusting Redis' counts.
        if self._failed_since_sync or self._epoch.generation != self._synced_generation:
            self._resynced_at = self._clock()
        if self._failed_since_sync:
            logger.warning("Redis answers again: the replicas share their state again")
        self._synced_generation = self._epoch.generation
        self._failed_since_sync = False
        self._in_sync = True

    async def spend(self, key: str, limit: int, *, ceiling: int | None = None) -> float | None:
        """Spend one use of `key` (at most `limit` a window; SMSC's own limit is `ceiling`), or
        the seconds until one may be spent."""
        for _ in range(2):  # once more after the epoch changed under the first try
            if self.degraded:
                break
            try:
                await self._ready()
                waited = await self._budget.try_spend(key, limit)
            except EpochChanged:
                self.out_of_sync()
                continue
            except REDIS_ERRORS as exc:
                self._failed(exc)
                break
            self._answered()
            if waited is None:
                self._spent.note(key)
            return waited
        waited = self._local_budget.try_spend(key, limit, ceiling=ceiling, lost_at=self._lost_at)
        if waited is None:
            self._spent.note(key)
        return waited

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        holder = uuid.uuid4().hex
        shared = await self._shared_slot(holder)
        if shared is not None:
            self._holders[holder] = None
            try:
                yield
            finally:
                del self._holders[holder]
                with contextlib.suppress(*REDIS_ERRORS):
                    await shared.__aexit__(None, None, None)
            return
        async with self._local_cap.slot():
            self._holders[holder] = None
            try:
                yield
            finally:
                del self._holders[holder]

    async def _shared_slot(
        self, holder: str
    ) -> contextlib.AbstractAsyncContextManager[None] | None:
        """A slot of the shared cap, held as `holder`; None when Redis cannot be asked."""
        for _ in range(2):
            if self.degraded:
                return None
            held = self._semaphore.slot(holder)
            try:
                await self._ready()
                await held.__aenter__()
            except EpochChanged:
                self.out_of_sync()
                continue
            except REDIS_ERRORS as exc:
                self._failed(exc)
                return None
            self._answered()
            return held
        return None

    async def flight(
        self,
        key: str,
        fetch: Callable[[], Awaitable[Any]],
        *,
        ttl: float,
        max_stale: float,
        tags: Iterable[str],
    ) -> tuple[SharedEntry, bool] | None:
        """The shared entry (and whether another replica fetched it), or None when Redis is out
        of reach before anything was fetched: the caller then fetches alone."""
        if self.degraded:
            return None
        fetched: list[Any] = []

        async def fetch_once() -> Any:
            value = await fetch()
            fetched.append(value)
            return value

        try:
            found = await self.cache.flight(
                key, fetch_once, ttl=ttl, max_stale=max_stale, tags=tags
            )
        except REDIS_ERRORS as exc:
            self._failed(exc)
            if not fetched:
                return None
            # SMSC answered and Redis failed after: the answer is not thrown away (nor asked
            # for again), it is just not shared.
            now = self._wall()
            return SharedEntry(
                fetched[0], now, now + max(ttl, 0.0), now + max(ttl, max_stale)
            ), False
        self._answered()
        return found

    async def stale(self, key: str) -> SharedEntry | None:
        if self.degraded:
            return None
        try:
            return await self.cache.get(key)
        except REDIS_ERRORS as exc:
            self._failed(exc)
            return None

    async def invalidate(self, tag: str) -> None:
        await self._best_effort(self.cache.invalidate(tag))

    async def update(self, tag: str, change: Change) -> None:
        await self._best_effort(self.cache.update(tag, change))

    async def _best_effort(self, change: Awaitable[int]) -> None:
        """Changes after a write: without Redis, the shared entries simply age out (their TTL)."""
        if self.degraded:
            if hasattr(change, "close"):
                change.close()
            return
        try:
            await change
        except REDIS_ERRORS as exc:
            self._failed(exc)
