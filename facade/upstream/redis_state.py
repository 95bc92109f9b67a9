"""SMSC's limits kept cluster-wide in Redis: the identical-request budget and the per-login cap.

Every replica of the facade spends from the same budget and takes slots from the same
semaphore, so N replicas together still send SMSC at most `limit` identical requests a window
and hold at most `limit` connections per login. Both are one Lua script each (atomic in Redis),
timed by Redis' own clock (`TIME`), so replicas with drifting clocks still agree.

Keys hold no request text: identical-request keys are SHA-256 digests (a key may name phones),
and nothing here ever sees a credential.
"""

import contextlib
import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Final

import anyio
from redis.asyncio import BlockingConnectionPool, Redis

from facade.errors import UpstreamUnavailable

PREFIX: Final = "facade"

# KEYS[1] the budget's sorted set; ARGV limit, window (ms). Returns 0 when spent, else the
# milliseconds until the oldest use leaves the window.
_SPEND: Final = """
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

# KEYS[1] the semaphore's sorted set (member: holder, score: lease end); ARGV limit, lease (ms),
# holder. Returns 1 when the slot is taken. Expired leases (a replica that died holding one) go.
_ACQUIRE: Final = """
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


# Connections per process: requests beyond it wait for one (a burst of reads must queue, not fail).
MAX_CONNECTIONS: Final = 64


def connect(url: str, *, timeout: float = 2.0) -> Redis:
    """A client whose pool waits (up to `timeout`) for a free connection instead of failing, and
    whose every command gives up after `timeout`, so a dead Redis is noticed quickly."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=timeout,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
    )
    return Redis.from_pool(pool)  # the client owns the pool: aclose() closes its connections


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class RedisBudget:
    """`RequestBudget`'s contract, cluster-wide: at most `limit` uses of a key per `window`."""

    def __init__(self, redis: Redis, *, account: str, window: float) -> None:
        if window <= 0:
            raise ValueError("window must be positive")
        self._redis = redis
        self._prefix = f"{PREFIX}:budget:{digest(account)}:"
        self._window_ms = round(window * 1000)
        self._spend = redis.register_script(_SPEND)

    async def try_spend(self, key: str, limit: int) -> float | None:
        """Spend one use and return None, or return the seconds until one frees up."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        waited = await self._spend(
            keys=[self._prefix + digest(key)], args=[limit, self._window_ms, uuid.uuid4().hex]
        )
        return None if int(waited) == 0 else int(waited) / 1000


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

    def __init__(self, redis: Redis, *, login: str, limit: int, wait: float, lease: float) -> None:
        self._redis = redis
        self._key = f"{PREFIX}:slots:{digest(login)}"
        self._limit = limit
        self._wait = wait
        self._lease_ms = round(lease * 1000)
        self._acquire = redis.register_script(_ACQUIRE)
        self._local = anyio.Semaphore(limit)

    def _busy(self) -> UpstreamUnavailable:
        return UpstreamUnavailable(
            f"all {self._limit} connections to SMSC for this login are busy across the replicas"
        )

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        holder = uuid.uuid4().hex
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
            while not await self._acquire(
                keys=[self._key], args=[self._limit, self._lease_ms, holder]
            ):
                if anyio.current_time() >= deadline:
                    raise self._busy()
                await anyio.sleep(poll)
                poll = min(self.POLL_MAX, poll * 2)
            try:
                yield
            finally:
                with anyio.CancelScope(shield=True):
                    await self._redis.zrem(self._key, holder)
        finally:
            self._local.release()
