"""Single flight across the replicas: one replica at a time asks SMSC for a read.

The callers of one process share one run (`coalesce.SingleFlight`); of the replicas, the one that
takes the key's lock in Redis (`SET NX PX`) runs it, renewing the lock while it does, so a holder
that died frees it within the lease. The others wait, polling, for the entry the holder writes to
the shared cache (`redis_cache.SharedCache`), or for the lock to go, and give up after `wait`.
"""

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

from facade.errors import UpstreamUnavailable
from facade.upstream.cluster import FLIGHT_WAIT, REDIS_ERRORS, Cluster
from facade.upstream.coalesce import SingleFlight
from facade.upstream.redis_cache import SharedCache

T = TypeVar("T")

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


class ReplicaFlights:
    """The `Flights` of one account across the replicas (`shared.py`; module docstring).

    The work is the cache's `fill`, which takes the entry another replica wrote instead of asking
    SMSC. Without Redis (`Cluster.degraded`, or a Redis error, which the cluster counts) the
    work runs in this process alone.
    """

    def __init__(
        self,
        redis: Redis,
        cache: SharedCache,
        *,
        link: Cluster,
        wait: float = FLIGHT_WAIT,
        lease: float = DEFAULT_LOCK_LEASE,
        poll: float = 0.02,
    ) -> None:
        self._redis = redis
        self._cache = cache
        self._link = link
        self._local = SingleFlight()
        self._wait = wait
        self._lease_ms = round(lease * 1000)
        self._poll = poll
        self._unlock = redis.register_script(_UNLOCK)
        self._renew = redis.register_script(_RENEW)

    def is_running(self, key: str) -> bool:
        return self._local.is_running(key)

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        return await self._local.run(key, lambda: self.across(key, work))

    async def across(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        """Run `work` while no other replica runs it for `key` (`run` puts this process's single
        flight in front); a cancelled run still frees the lock."""
        if self._link.degraded:
            return await work()
        lock = self._cache.lock_key(key)
        token = uuid.uuid4().hex
        try:
            held = await self._take(key, lock, token)
        except REDIS_ERRORS as exc:
            self._link.failed(exc)
            return await work()
        self._link.answered()
        if not held:  # another replica's entry is there: the work takes it
            return await work()
        renewing = asyncio.get_running_loop().create_task(self._keep(lock, token))
        try:
            return await work()
        finally:
            renewing.cancel()
            try:
                await asyncio.shield(self._unlock(keys=[lock], args=[token]))
            except REDIS_ERRORS as exc:  # the lease frees it
                self._link.failed(exc)

    async def _take(self, key: str, lock: str, token: str) -> bool:
        """Take the lock (True), or see the entry another replica wrote fresh (False);
        `UpstreamUnavailable` once the holder has taken longer than `wait`."""
        deadline = time.monotonic() + self._wait
        while True:
            found = await self._cache.get(key)
            if found is not None and found.is_fresh(self._cache.now()):
                return False
            if await self._redis.set(lock, token, nx=True, px=self._lease_ms):
                return True
            if time.monotonic() >= deadline:
                raise UpstreamUnavailable("another replica is still asking SMSC for this read")
            await asyncio.sleep(self._poll)

    async def _keep(self, lock: str, token: str) -> None:
        """Renew the lock while its holder asks SMSC; give up when it is not this holder's."""
        with contextlib.suppress(RedisError, OSError):
            while True:
                await asyncio.sleep(self._lease_ms / 3000)
                if not await self._renew(keys=[lock], args=[token, self._lease_ms]):
                    return
