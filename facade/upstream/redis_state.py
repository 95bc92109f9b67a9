"""SMSC's limits kept cluster-wide in Redis: the identical-request budget and the per-login cap.

Every replica of the facade spends from the same budget and takes slots from the same
semaphore, so N replicas together still send SMSC at most `limit` identical requests a window
and hold at most `limit` connections per login. Both are one Lua script each (atomic in Redis),
timed by Redis' own clock (`TIME`), so replicas with drifting clocks still agree.

Keys hold no request text: identical-request keys are SHA-256 digests (a key may name phones),
and nothing here ever sees a credential.

Redis may lose what it holds (a restart without persistence, a flush, a failover). `Epoch` names
the life of its data: a random value that the first replica to find none sets. Both scripts take
the epoch their caller knows and answer -1 (`EpochChanged`) when Redis holds another or none, so
that a replica writes back what it knows (`RedisBudget.seed`, `RedisSemaphore.register`) before
it trusts the shared counts again (`facade.upstream.cluster`).
"""

import contextlib
import hashlib
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import Final

import anyio
from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from facade.errors import UpstreamUnavailable

PREFIX: Final = "facade"
EPOCH_KEY: Final = f"{PREFIX}:epoch"

# KEYS[1] the budget's sorted set, KEYS[2] the epoch; ARGV limit, window (ms), a member, the
# epoch known. Returns 0 when spent, -1 when the epoch is not the one known, else the
# milliseconds until the oldest use leaves the window.
_SPEND: Final = """
if redis.call('GET', KEYS[2]) ~= ARGV[4] then return -1 end
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], ms, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - ms)
"""

# KEYS[1] the semaphore's sorted set (member: holder, score: lease end), KEYS[2] the epoch; ARGV
# limit, lease (ms), holder, the epoch known. Returns 1 when the slot is taken, -1 when the epoch is
# not the one known. Expired leases (a replica that died holding one) go.
_ACQUIRE: Final = """
if redis.call('GET', KEYS[2]) ~= ARGV[4] then return -1 end
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ms)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
"""
# KEYS[1] the semaphore's sorted set; ARGV lease (ms), then holders: each held for a lease from now.
_REGISTER: Final = """
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], ms + tonumber(ARGV[1]), ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
return #ARGV - 1
"""


class EpochChanged(Exception):  # noqa: N818 - says what happened, as SmscRejected does
    """Redis holds another epoch than the one known, or none: what it counted may be lost."""


class Epoch:
    """The life of Redis' data this replica's shared counts belong to (module docstring)."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self.value: str | None = None
        # Bumped whenever the epoch adopted is new: Redis' data began a new life since.
        self.generation = 0

    async def adopt(self) -> None:
        """Take Redis' epoch, setting a new one if it has none (a new `generation` then, as when
        it is not the one known)."""
        created = await self._redis.set(EPOCH_KEY, uuid.uuid4().hex, nx=True)
        found = await self._redis.get(EPOCH_KEY)
        value = None if found is None else _text(found)
        if created or (self.value is not None and value != self.value):
            self.generation += 1
        self.value = value

    async def holds(self) -> bool:
        """Redis still holds the epoch known."""
        found = await self._redis.get(EPOCH_KEY)
        return found is not None and _text(found) == self.value

    def known(self) -> str:
        if self.value is None:
            raise EpochChanged("no epoch adopted yet")
        return self.value


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


# Connections per process: requests beyond it wait for one (a burst of reads must queue, not fail).
MAX_CONNECTIONS: Final = 64


def connect(url: str, *, timeout: float = 2.0) -> Redis:
    """A client whose pool waits (up to `timeout`) for a free connection instead of failing, and
    whose every command gives up after `timeout`, so a dead Redis is noticed quickly. A command
    that meets a broken connection is sent once more on a new one: after Redis restarts, every
    pooled connection is broken, and Redis is back all the same."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=timeout,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry_on_error=[RedisConnectionError],
    )
    return Redis.from_pool(pool)  # the client owns the pool: aclose() closes its connections


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class RedisBudget:
    """`RequestBudget`'s contract, cluster-wide: at most `limit` uses of a key per `window`."""

    def __init__(self, redis: Redis, *, account: str, window: float, epoch: Epoch) -> None:
        if window <= 0:
            raise ValueError("window must be positive")
        self._redis = redis
        self._prefix = f"{PREFIX}:budget:{digest(account)}:"
        self._window_ms = round(window * 1000)
        self._epoch = epoch
        self._spend = redis.register_script(_SPEND)

    async def try_spend(self, key: str, limit: int) -> float | None:
        """Spend one use and return None, or return the seconds until one frees up;
        `EpochChanged` when Redis may have lost what was spent."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        waited = int(
            await self._spend(
                keys=[self._prefix + digest(key), EPOCH_KEY],
                args=[limit, self._window_ms, uuid.uuid4().hex, self._epoch.known()],
            )
        )
        if waited < 0:
            raise EpochChanged("the budget's epoch changed")
        return None if waited == 0 else waited / 1000

    async def seed(self, uses: Mapping[str, Sequence[float]]) -> None:
        """Write back uses spent while Redis could not count them (unix times, in seconds)."""
        if not uses:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for key, times in uses.items():
                name = self._prefix + digest(key)
                pipe.zadd(name, {uuid.uuid4().hex: round(t * 1000) for t in times})
                pipe.pexpire(name, self._window_ms)
            await pipe.execute()


class RedisSemaphore:
    """`ConcurrencyCap`'s contract, cluster-wide: at most `limit` holders per login.

    A holder's lease outlives any exchange with SMSC (the transport's deadline), so a replica that
    dies holding a slot frees it when the lease ends. In each process at most `limit` callers ask
    Redis at a time (a local semaphore in front): the rest wait in process, at no cost to Redis or
    the CPU. Those asking poll with a backoff from `POLL` to `POLL_MAX` (at most `limit` pollers a process, so cheap): a slot is held for one
    HTTP exchange, so a slot freed elsewhere is taken within a few tens of milliseconds.
    """

    POLL: Final = 0.005
    POLL_MAX: Final = 0.01

    def __init__(
        self, redis: Redis, *, login: str, limit: int, wait: float, lease: float, epoch: Epoch
    ) -> None:
        self._redis = redis
        self._key = f"{PREFIX}:slots:{digest(login)}"
        self._limit = limit
        self._wait = wait
        self._lease_ms = round(lease * 1000)
        self._epoch = epoch
        self._acquire = redis.register_script(_ACQUIRE)
        self._register = redis.register_script(_REGISTER)
        self._local = anyio.Semaphore(limit)

    async def register(self, holders: Iterable[str]) -> None:
        """Hold the slots of calls in flight that Redis may not count (a lease each from now)."""
        found = list(holders)
        if found:
            await self._register(keys=[self._key], args=[self._lease_ms, *found])

    def _busy(self) -> UpstreamUnavailable:
        return UpstreamUnavailable(
            f"all {self._limit} connections to SMSC for this login are busy across the replicas"
        )

    @contextlib.asynccontextmanager
    async def slot(self, holder: str | None = None) -> AsyncIterator[None]:
        """Hold one slot as `holder` (a new id by default); `EpochChanged` when Redis may have
        lost the slots held."""
        holder = holder or uuid.uuid4().hex
        deadline = anyio.current_time() + self._wait
        try:
            self._local.acquire_nowait()
        except anyio.WouldBlock:
            with anyio.move_on_after(max(0.0, self._wait)) as waited:
                await self._local.acquire()
            if waited.cancelled_caught:
                raise self._busy() from None
        try:
            poll = self.POLL
            args: list[str | int] = [self._limit, self._lease_ms, holder, self._epoch.known()]
            while not (taken := int(await self._acquire(keys=[self._key, EPOCH_KEY], args=args))):
                if anyio.current_time() >= deadline:
                    raise self._busy()
                await anyio.sleep(poll)
                poll = min(self.POLL_MAX, poll * 2)
            if taken < 0:
                raise EpochChanged("the slots' epoch changed")
            try:
                yield
            finally:
                with anyio.CancelScope(shield=True):
                    await self._redis.zrem(self._key, holder)
        finally:
            self._local.release()
