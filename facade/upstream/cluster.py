"""One account's state shared by the replicas through Redis, and what each does without it.

With Redis, the replicas share SMSC's limits: `SharedBudget` (over `RedisBudget`) and `SharedCap`
(over `RedisSemaphore`), the account's `Budget` and `Cap` (`shared.py`); the read cache and its
single flight are `redis_cache.RedisCache` and `redis_flight.ReplicaFlights`. Each reports to the
account's `Cluster` whether Redis answered. When Redis fails, each replica carries on alone
(`degraded`) with its share of the limits, assuming the worst of what it cannot know
(`degraded.py`). Redis is asked again `retry` seconds after it failed. Whenever Redis' counts may
lack something (after a failure, or when it holds another epoch: a restart, a flush, a failover),
the replica writes back its own uses and calls in flight, then waits `resync` seconds, in which
every other replica does the same, before it trusts them (`ready`). A read waits for another
replica that asks SMSC for it at most `FLIGHT_WAIT`, and that replica's lock lives only while it
renews it. Degradation and recovery are logged once each and counted (`failures`, `degraded`).
"""

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Final

from redis.asyncio import Redis
from redis.exceptions import RedisError

from facade.upstream.config import UpstreamConfig
from facade.upstream.degraded import DegradedBudget, DegradedCap, SpendLog
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
    """One account's link to Redis (module docstring): whether Redis answers, and the write-back
    that makes its counts trustworthy again. `budget` and `cap` are the account's shared limits;
    they, the cache and the single flight report here what Redis did (`failed`, `answered`)."""

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
        self._epoch = epoch or Epoch(redis)
        self.budget = SharedBudget(
            self,
            RedisBudget(redis, account=account, window=config.budget_window, epoch=self._epoch),
            DegradedBudget(
                window=config.budget_window,
                replicas=replicas,
                slot=lambda: slots.slot,
                clock=clock,
                wall=wall,
            ),
            SpendLog(window=config.budget_window, wall=wall),
            account=account,
        )
        self.cap = SharedCap(
            self,
            RedisSemaphore(
                redis,
                login=digest(login),
                limit=config.concurrency,
                wait=config.concurrency_wait,
                lease=2 * config.deadline,
                epoch=self._epoch,
            ),
            share=config.concurrency // replicas,
            wait=config.concurrency_wait,
            grace=config.deadline,
            clock=clock,
        )
        self._clock = clock
        self._retry = retry
        self._resync_pause = resync
        self._sleep = sleep
        self._down_until = -math.inf
        self.lost_at: float | None = None  # when Redis was last lost, on `clock`
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
        return self.cap.in_flight

    def failed(self, exc: BaseException) -> None:
        """Redis failed to answer one of the parts: carry on alone for `retry` seconds."""
        if not self._failed_since_sync:
            logger.warning(
                "Redis is unreachable (%s): this replica carries on alone with SMSC's limits "
                "divided between the replicas",
                type(exc).__name__,
            )
            # A loss, not Redis still away.
            self.lost_at = self._clock()
            self.cap.lost()
        self._failed_since_sync = True
        self._in_sync = False
        self.failures += 1
        self._down_until = self._clock() + self._retry

    def answered(self) -> None:
        self._down_until = -math.inf

    def lost(self, exc: BaseException) -> None:
        """Redis failed to answer someone else (`Scaleout.watch`): carry on alone."""
        if not self.degraded:
            self.failed(exc)

    def out_of_sync(self) -> None:
        """Redis holds another epoch (`Scaleout` watches it): write back before trusting it."""
        self._in_sync = False

    async def sync(self) -> None:
        """Write back to Redis if it may lack what this replica knows (may raise Redis' errors)."""
        if not self._in_sync:
            async with self._resync_lock:
                if not self._in_sync:
                    await self._resync()

    async def ready(self) -> None:
        """Redis' counts can be trusted: written back to if need be, then past the pause that
        lets every replica write back too."""
        await self.sync()
        pause = self._resynced_at + self._resync_pause - self._clock()
        if pause > 0:
            await self._sleep(pause)

    async def _resync(self) -> None:
        """Adopt Redis' epoch and write back this replica's recent uses and calls in flight."""
        await self._epoch.adopt()
        await self.budget.write_back()
        await self.cap.write_back()
        # Others may have counts that Redis lost (a new epoch) or that they have not written
        # back yet (after a loss): wait for them before trusting Redis' counts.
        if self._failed_since_sync or self._epoch.generation != self._synced_generation:
            self._resynced_at = self._clock()
        if self._failed_since_sync:
            logger.warning("Redis answers again: the replicas share their state again")
        self._synced_generation = self._epoch.generation
        self._failed_since_sync = False
        self._in_sync = True


class SharedBudget:
    """The `Budget` of one account across the replicas: Redis' count, and without Redis this
    replica's share (`DegradedBudget`); every use is noted for the write-back (`SpendLog`)."""

    def __init__(
        self,
        link: Cluster,
        remote: RedisBudget,
        alone: DegradedBudget,
        spent: SpendLog,
        *,
        account: str,
    ) -> None:
        self._link = link
        self._remote = remote
        self._alone = alone
        self._spent = spent
        self._account = account

    async def spend(self, key: str, limit: int, *, ceiling: int | None = None) -> float | None:
        key = f"{self._account}|{key}"
        for _ in range(2):  # once more after the epoch changed under the first try
            if self._link.degraded:
                break
            try:
                await self._link.ready()
                waited = await self._remote.try_spend(key, limit)
            except EpochChanged:
                self._link.out_of_sync()
                continue
            except REDIS_ERRORS as exc:
                self._link.failed(exc)
                break
            self._link.answered()
            if waited is None:
                self._spent.note(key)
            return waited
        waited = self._alone.try_spend(key, limit, ceiling=ceiling, lost_at=self._link.lost_at)
        if waited is None:
            self._spent.note(key)
        return waited

    def retry_after(self, key: str, limit: int) -> float | None:
        """Unknown without asking Redis: None (the caller assumes what it must)."""
        return None

    async def write_back(self) -> None:
        await self._remote.seed(self._spent.recent())


class SharedCap:
    """The `Cap` of one login across the replicas: a slot of `RedisSemaphore`, and without Redis
    one of this replica's share (`DegradedCap`)."""

    def __init__(
        self,
        link: Cluster,
        remote: RedisSemaphore,
        *,
        share: int,
        wait: float,
        grace: float,
        clock: Clock,
    ) -> None:
        self._link = link
        self._remote = remote
        # Every call of this replica in flight, by holder: what Redis must count when it returns.
        self._holders: dict[str, None] = {}
        self._alone = DegradedCap(
            share=share, wait=wait, grace=grace, in_flight=lambda: len(self._holders), clock=clock
        )

    @property
    def in_flight(self) -> int:
        return len(self._holders)

    def lost(self) -> None:
        self._alone.lost()

    async def write_back(self) -> None:
        await self._remote.register(self._holders)

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
        async with self._alone.slot():
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
            if self._link.degraded:
                return None
            held = self._remote.slot(holder)
            try:
                await self._link.ready()
                await held.__aenter__()
            except EpochChanged:
                self._link.out_of_sync()
                continue
            except REDIS_ERRORS as exc:
                self._link.failed(exc)
                return None
            self._link.answered()
            return held
        return None
