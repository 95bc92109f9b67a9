"""One account's state shared by the replicas through Redis, and what each does without it.

With Redis, the replicas share SMSC's limits (`RedisBudget`, `RedisSemaphore`), the read cache and
its single flight (`SharedCache`). When Redis fails mid-flight, each replica carries on alone
(`degraded`) with the limits divided so that all of them together still stay under SMSC's:
- the per-login cap: `concurrency // replicas` each;
- the identical-request budget: `limit // replicas` uses a window each when that is at least one
  (reads: 2 a minute, two replicas: 1 each); otherwise (jobs.php allows 1 a minute) the replicas
  take turns by the slot Redis gave each while it answered: replica `s` of `n` may spend only in
  the first window of every `2 * n` windows starting at `2 * s` (wall clock), so uses of two
  replicas are always a full window apart.
Redis is asked again `retry` seconds after it failed; the first success ends the degradation.
Degradation and recovery are logged once each and counted (`failures`, `degraded`).
"""

import asyncio
import contextlib
import logging
import math
import time
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any, Final, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from facade.upstream.cache import Change
from facade.upstream.config import UpstreamConfig
from facade.upstream.limits import ConcurrencyCap
from facade.upstream.redis_cache import SharedCache, SharedEntry
from facade.upstream.redis_setup import announce_data_dir, check_data_dir, check_server
from facade.upstream.redis_state import PREFIX, RedisBudget, RedisSemaphore, digest
from facade.upstream.timing import DEFAULT_CLOCK, Clock

logger = logging.getLogger("facade.upstream.cluster")

T = TypeVar("T")
# What a dead or unreachable Redis raises (redis' own errors, and the socket's).
REDIS_ERRORS: Final = (RedisError, OSError)
RETRY_AFTER_FAILURE: Final = 5.0


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


class DegradedBudget:
    """The identical-request budget of one replica while Redis is away (module docstring)."""

    def __init__(
        self,
        *,
        window: float,
        replicas: int,
        slot: Callable[[], int | None],
        clock: Clock = DEFAULT_CLOCK,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._window = window
        self._replicas = replicas
        self._slot = slot
        self._clock = clock
        self._wall = wall
        self._uses: dict[str, deque[float]] = {}

    def try_spend(self, key: str, limit: int) -> float | None:
        share = limit // self._replicas
        if share >= 1:
            return self._spend(key, share, self._window)
        slot = self._slot()
        if slot is None:
            return self._window  # no slot known: no turn to take
        cycle = 2 * self._replicas * self._window
        start = 2 * slot * self._window
        into = (self._wall() - start) % cycle
        if into >= self._window:
            return cycle - into
        # Inside the turn: at most `limit` uses, as with Redis.
        return self._spend(key, limit, self._window)

    def _spend(self, key: str, limit: int, window: float) -> float | None:
        now = self._clock()
        uses = self._uses.setdefault(key, deque())
        while uses and uses[0] <= now - window:
            uses.popleft()
        if len(uses) >= limit:
            return uses[0] + window - now
        uses.append(now)
        if len(self._uses) > 10_000:  # forget keys with no use left in their window
            self._uses = {k: v for k, v in self._uses.items() if v and v[-1] > now - window}
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
        clock: Clock = DEFAULT_CLOCK,
        wall: Callable[[], float] = time.time,
        retry: float = RETRY_AFTER_FAILURE,
    ) -> None:
        lease = 2 * config.deadline
        self.cache = SharedCache(
            redis, account=account, lease=lease, wait=config.deadline, clock=wall
        )
        self._budget = RedisBudget(redis, account=account, window=config.budget_window)
        self._semaphore = RedisSemaphore(
            redis,
            login=digest(login),
            limit=config.concurrency,
            wait=config.concurrency_wait,
            lease=lease,
        )
        self._local_budget = DegradedBudget(
            window=config.budget_window,
            replicas=replicas,
            slot=lambda: slots.slot,
            clock=clock,
            wall=wall,
        )
        self._local_cap = ConcurrencyCap(
            limit=max(1, config.concurrency // replicas), wait=config.concurrency_wait
        )
        self._clock = clock
        self._wall = wall
        self._retry = retry
        self._down_until = -math.inf
        self.failures = 0

    @property
    def degraded(self) -> bool:
        return self._clock() < self._down_until

    def _failed(self, exc: BaseException) -> None:
        if not self.degraded:
            logger.warning(
                "Redis is unreachable (%s): this replica carries on alone with SMSC's limits "
                "divided between the replicas",
                type(exc).__name__,
            )
        self.failures += 1
        self._down_until = self._clock() + self._retry

    def _answered(self) -> None:
        if self._down_until != -math.inf:
            logger.warning("Redis answers again: the replicas share their state again")
            self._down_until = -math.inf

    async def spend(self, key: str, limit: int) -> float | None:
        if not self.degraded:
            try:
                waited = await self._budget.try_spend(key, limit)
            except REDIS_ERRORS as exc:
                self._failed(exc)
            else:
                self._answered()
                return waited
        return self._local_budget.try_spend(key, limit)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if not self.degraded:
            held = self._semaphore.slot()
            try:
                await held.__aenter__()
            except REDIS_ERRORS as exc:
                self._failed(exc)
            else:
                self._answered()
                try:
                    yield
                finally:
                    with contextlib.suppress(*REDIS_ERRORS):
                        await held.__aexit__(None, None, None)
                return
        async with self._local_cap.slot():
            yield

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


class Scaleout:
    """Redis for every account of this replica: the client, the replica's slot, one `Cluster` per
    account, and the listeners that keep this process's caches in step with the others' writes.

    `state` is what health reports: `shared`, `degraded` (Redis answered once, not now: the replica
    carries on alone) or `unreachable` (it never answered since the start: a configuration to fix).
    `data_dir` is the id of this replica's idempotency store, which the replicas of one Redis must
    share (`redis_setup.py`, checked when `start` finds Redis, and kept announced).
    """

    RENEW_EVERY: Final = 10.0

    def __init__(
        self,
        redis: Redis,
        *,
        replicas: int,
        config: UpstreamConfig,
        data_dir: str | None = None,
        clock: Clock = DEFAULT_CLOCK,
    ) -> None:
        self.redis = redis
        self._data_dir = data_dir
        self._data_dir_shared = True
        self.slots = ReplicaSlots(redis, replicas=replicas, lease=3 * self.RENEW_EVERY)
        self._replicas = replicas
        self._config = config
        self._clock = clock
        self.clusters: dict[str, Cluster] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._answered_once = False
        self._reachable = False

    def cluster(self, account: str) -> Cluster:
        found = self.clusters.get(account)
        if found is None:
            found = Cluster(
                self.redis,
                account=account,
                login=account,
                config=self._config,
                replicas=self._replicas,
                slots=self.slots,
                clock=self._clock,
            )
            self.clusters[account] = found
        return found

    @property
    def state(self) -> str:
        if not self._answered_once:
            return "unreachable"
        degraded = not self._reachable or any(c.degraded for c in self.clusters.values())
        return "degraded" if degraded else "shared"

    async def start(self, listeners: Mapping[str, Callable[[str], object]]) -> None:
        """Check Redis and the shared data directory (ConfigError: the replica must not run), take a
        slot, then keep it and listen, per account, for the tags others changed."""
        try:
            await check_server(self.redis)
            if self._data_dir is not None:
                await check_data_dir(self.redis, self._data_dir)
        except REDIS_ERRORS as exc:
            logger.warning(
                "Redis is out of reach at start-up (%s): not checked", type(exc).__name__
            )
        await self._renew()
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._renew_forever(), name="replica slot"))
        for account, on_change in listeners.items():
            task = loop.create_task(self._listen(account, on_change), name=f"changes {account}")
            self._tasks.append(task)

    async def _renew(self) -> None:
        # Twice: after a Redis restart the first command meets a dead pooled connection, which
        # the pool then drops; the second opens a new one.
        for _ in range(2):
            try:
                await self.slots.renew()
                if self._data_dir is not None:
                    self._announced(await announce_data_dir(self.redis, self._data_dir))
            except REDIS_ERRORS:
                self._reachable = False
            else:
                self._reachable = self._answered_once = True
                return

    def _announced(self, shared: bool) -> None:
        if not shared and self._data_dir_shared:
            logger.error(
                "another replica of this Redis uses another data directory (FACADE_DATA_DIR)"
            )
        self._data_dir_shared = shared

    async def probe(self) -> None:
        """Ask Redis now (health checks): PING, and the slot renewal when it answers."""
        try:
            await self.redis.ping()
        except REDIS_ERRORS:
            self._reachable = False
            await self._renew()  # its second attempt gets a fresh connection, if Redis is back
        else:
            if not self._reachable:
                await self._renew()

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.RENEW_EVERY)
            await self._renew()

    async def _listen(self, account: str, on_change: Callable[[str], object]) -> None:
        cache = self.cluster(account).cache
        while True:
            try:
                async for tag in cache.changes():
                    on_change(tag)
            except REDIS_ERRORS:
                # Changes announced while away are missed: entries age out by their TTL.
                await asyncio.sleep(1.0)

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(*REDIS_ERRORS):
            await self.redis.aclose()
