"""One replica's reads across the replicas, as `Scaleout` builds them: the cache (`RedisCache`)
filled under the single flight (`ReplicaFlights`), on a real Redis."""

import dataclasses
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from redis.asyncio import Redis

from facade.upstream.cache import ResponseCache
from facade.upstream.cluster import Cluster, ReplicaSlots
from facade.upstream.config import UpstreamConfig
from facade.upstream.redis_cache import RedisCache, SharedCache, WallClock
from facade.upstream.redis_flight import ReplicaFlights
from tests.fakes import FakeClock

T = TypeVar("T")


@dataclasses.dataclass
class ReplicaReads:
    shared: SharedCache
    cache: RedisCache
    flights: ReplicaFlights

    async def read(
        self,
        key: str,
        fetch: Callable[[], Awaitable[T]],
        *,
        ttl: float,
        max_stale: float,
        tags: Iterable[str],
    ) -> tuple[T, bool]:
        """What a client's read that misses this process's cache does: the value, and whether
        another replica asked for it (or another caller of this replica: it joined its flight)."""

        def fill() -> Awaitable[tuple[T, float, bool]]:
            return self.cache.fill(key, fetch, ttl=ttl, max_stale=max_stale, tags=tags)

        (value, _, elsewhere), joined = await self.flights.run(key, fill)
        return value, elsewhere or joined


def replica_reads(redis: Redis, *, clock: WallClock | None = None, **flight: Any) -> ReplicaReads:
    """`flight`: `ReplicaFlights`' wait, lease and poll."""
    cluster = Cluster(
        redis,
        account="default",
        login="default",
        config=UpstreamConfig(),
        replicas=1,
        slots=ReplicaSlots(redis, replicas=1),
    )
    shared = SharedCache(redis, account="default", **({} if clock is None else {"clock": clock}))
    cache = RedisCache(ResponseCache(maxsize=100, clock=FakeClock()), shared, link=cluster)
    return ReplicaReads(shared, cache, ReplicaFlights(redis, shared, link=cluster, **flight))
