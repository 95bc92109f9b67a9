"""Redis for every account of one replica, the backend of replicas that share their state
(`backend.py`): start-up checks, the replica's slot, the epoch watch, one `Cluster` per account
with the Redis implementation of each interface of `shared.py`, and the listeners that keep this
process's caches in step."""

import asyncio
import contextlib
import logging
from typing import Final

from redis.asyncio import Redis

from facade.upstream.auth_errors import RedisAuthErrors
from facade.upstream.cache import ResponseCache
from facade.upstream.cluster import REDIS_ERRORS, Cluster, ReplicaSlots
from facade.upstream.config import UpstreamConfig
from facade.upstream.pollers_redis import SharedPolling
from facade.upstream.redis_cache import RedisCache, SharedCache
from facade.upstream.redis_flight import ReplicaFlights
from facade.upstream.redis_setup import announce_data_dir, check_data_dir, check_server
from facade.upstream.redis_state import Epoch
from facade.upstream.shared import SharedState
from facade.upstream.timing import Clock

logger = logging.getLogger("facade.upstream.cluster")


class Scaleout:
    """Redis for every account of this replica: the client, the replica's slot, one `Cluster` per
    account (`account`), pollers polled once across the replicas (`polling`), and the listeners
    that keep this process's caches in step with the others' writes.

    `state` is what health reports: `shared`, `degraded` (Redis answered once, not now: the replica
    carries on alone) or `unreachable` (it never answered since the start: a configuration to fix).
    `data_dir` is the id of this replica's idempotency store, which the replicas of one Redis must
    share (`redis_setup.py`, checked when `start` finds Redis, and kept announced).
    """

    RENEW_EVERY: Final = 10.0
    WATCH_EVERY: Final = 1.0

    def __init__(
        self,
        redis: Redis,
        *,
        replicas: int,
        data_dir: str | None = None,
    ) -> None:
        self.redis = redis
        self.epoch = Epoch(redis)
        self._data_dir = data_dir
        self._data_dir_shared = True
        self.slots = ReplicaSlots(redis, replicas=replicas, lease=3 * self.RENEW_EVERY)
        self._replicas = replicas
        self.polling = SharedPolling(redis, replicas=replicas)
        self.clusters: dict[str, Cluster] = {}
        self._caches: dict[str, RedisCache] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._answered_once = False
        self._reachable = False

    def account(self, account: str, *, config: UpstreamConfig, clock: Clock) -> SharedState:
        """The account's state, shared with the other replicas; once per account."""
        if account in self.clusters:
            raise ValueError(f"account {account!r} has its state already")
        cluster = Cluster(
            self.redis,
            account=account,
            login=account,
            config=config,
            replicas=self._replicas,
            slots=self.slots,
            epoch=self.epoch,
            clock=clock,
        )
        shared = SharedCache(self.redis, account=account)
        cache = RedisCache(
            ResponseCache(maxsize=config.cache_size, clock=clock), shared, link=cluster
        )
        self.clusters[account] = cluster
        self._caches[account] = cache
        return SharedState(
            budget=cluster.budget,
            cap=cluster.cap,
            flights=ReplicaFlights(self.redis, shared, link=cluster),
            cache=cache,
            # SMSC's error 2 count, shared (module docstring of auth_errors).
            auth_errors=RedisAuthErrors(
                self.redis, account=account, config=config, replicas=self._replicas
            ),
            cluster=cluster,
        )

    @property
    def state(self) -> str:
        if not self._answered_once:
            return "unreachable"
        degraded = not self._reachable or any(c.degraded for c in self.clusters.values())
        return "degraded" if degraded else "shared"

    async def start(self) -> None:
        """Check Redis and the shared data directory (ConfigError: the replica must not run), take a
        slot, adopt Redis' epoch (so that any pause before trusting its counts starts now, not at
        the first request), then keep watching and listen, per account, for the tags others
        changed: they leave this process's cache too."""
        try:
            await check_server(self.redis)
            if self._data_dir is not None:
                await check_data_dir(self.redis, self._data_dir)
        except REDIS_ERRORS as exc:
            logger.warning(
                "Redis is out of reach at start-up (%s): not checked", type(exc).__name__
            )
        await self._renew()
        await self.watch()
        loop = asyncio.get_running_loop()
        self._tasks.append(loop.create_task(self._renew_forever(), name="replica slot"))
        self._tasks.append(loop.create_task(self._watch_forever(), name="redis epoch"))
        for account, cache in self._caches.items():
            task = loop.create_task(self._listen(cache), name=f"changes {account}")
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

    async def _watch_forever(self) -> None:
        """Every `WATCH_EVERY`: has Redis lost what it counted (another epoch), or gone away?
        Either way each account writes back before trusting it again, within `RESYNC`."""
        while True:
            await asyncio.sleep(self.WATCH_EVERY)
            await self.watch()

    async def watch(self) -> None:
        try:
            holds = self.epoch.value is not None and await self.epoch.holds()
        except REDIS_ERRORS as exc:
            for cluster in self.clusters.values():
                cluster.lost(exc)
            return
        for cluster in self.clusters.values():
            if not holds:
                cluster.out_of_sync()
            if cluster.degraded:
                continue
            try:
                await cluster.sync()
            except REDIS_ERRORS as exc:
                cluster.lost(exc)

    @staticmethod
    async def _listen(cache: RedisCache) -> None:
        while True:
            try:
                async for tag in cache.shared.changes():
                    cache.entries.invalidate(tag)
            except REDIS_ERRORS:
                # Changes announced while away are missed: entries age out by their TTL.
                await asyncio.sleep(1.0)

    async def aclose(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(*REDIS_ERRORS):
            await self.redis.aclose()
