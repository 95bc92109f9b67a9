"""Two replicas on a real Redis that loses what it counted: SMSC's limits still hold (issue 15)."""

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from facade.errors import UpstreamUnavailable
from facade.upstream.cluster import Cluster
from facade.upstream.config import UpstreamConfig
from facade.upstream.redis_cache import SharedCache
from facade.upstream.redis_state import connect
from facade.upstream.scaleout import Scaleout
from tests.redis_server import RedisProcess, redis_server

pytestmark = [pytest.mark.anyio, pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

CONFIG = UpstreamConfig(concurrency=2, concurrency_wait=0.3)
KEY = "default|/sys/phones.php?get=1"


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def fast_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Scaleout, "WATCH_EVERY", 0.05)


async def replicas(url: str) -> tuple[Scaleout, Scaleout]:
    found = (
        Scaleout(connect(url), replicas=2, config=CONFIG),
        Scaleout(connect(url), replicas=2, config=CONFIG),
    )
    for scaleout in found:
        scaleout.cluster("default")
        await scaleout.start({})
    return found


@pytest.fixture
async def pair(redis_url: str, fast_watch: None) -> AsyncIterator[tuple[Cluster, Cluster, Redis]]:
    admin = connect(redis_url)
    await admin.flushall()
    a, b = await replicas(redis_url)
    yield a.cluster("default"), b.cluster("default"), admin
    for scaleout in (a, b):
        await scaleout.aclose()
    await admin.aclose()


async def test_what_was_spent_before_redis_restarted_empty_still_counts(
    pair: tuple[Cluster, Cluster, Redis],
) -> None:
    a, b, admin = pair
    assert await a.spend(KEY, 2, ceiling=3) is None
    assert await a.spend(KEY, 2, ceiling=3) is None
    assert await b.spend(KEY, 2, ceiling=3) is not None, "shared: 2 a minute in all"

    await admin.flushall()  # what a restart without persistence leaves
    started = asyncio.get_running_loop().time()
    again = await b.spend(KEY, 2, ceiling=3)

    assert again is not None, "the other replica wrote its uses back before this one trusted Redis"
    assert asyncio.get_running_loop().time() - started < 3.0, "a pause of seconds, not a window"
    assert await admin.zcard(next(iter(await admin.keys("facade:budget:*")))) == 2


async def test_calls_in_flight_when_redis_restarted_empty_still_hold_their_slots(
    pair: tuple[Cluster, Cluster, Redis],
) -> None:
    a, b, admin = pair
    release = asyncio.Event()
    holding = [asyncio.Event(), asyncio.Event()]

    async def hold(cluster: Cluster, held: asyncio.Event) -> None:
        async with cluster.slot():
            held.set()
            await release.wait()

    held = [asyncio.create_task(hold(a, event)) for event in holding]
    for event in holding:
        await event.wait()
    await admin.flushall()

    with pytest.raises(UpstreamUnavailable, match="busy"):
        async with b.slot():
            pass
    release.set()
    await asyncio.gather(*held)
    async with b.slot():
        pass


async def test_uses_spent_without_redis_count_when_it_returns(fast_watch: None) -> None:
    with RedisProcess() as server:
        a, b = await replicas(server.url)
        first, second = a.cluster("default"), b.cluster("default")
        try:
            assert await first.spend(KEY, 2, ceiling=3) is None
            server.kill()
            await asyncio.sleep(0.2)  # both watches notice
            assert first.degraded
            assert second.degraded
            server.start()  # empty
            await asyncio.sleep(1.5)  # a retry period, then both write back
            in_redis = await second.spend(KEY, 2, ceiling=3)
        finally:
            for scaleout in (a, b):
                await scaleout.aclose()
    assert in_redis is None, "one of 2 was spent before the loss: one is left"


async def test_a_dead_holders_flight_frees_within_its_lease(redis_url: str) -> None:
    redis = connect(redis_url)
    await redis.flushall()
    waiter = SharedCache(redis, account="default", wait=2.0, lease=0.3)
    await redis.set(f"{waiter._entry_key('k')}:lock", "a dead replica", px=300)
    started = asyncio.get_running_loop().time()

    async def fetch() -> str:
        return "fetched"

    try:
        entry, shared = await waiter.flight("k", fetch, ttl=60, max_stale=600, tags=["t"])
    finally:
        await redis.aclose()
    assert (entry.value, shared) == ("fetched", False)
    assert asyncio.get_running_loop().time() - started < 1.0


async def test_a_live_holder_keeps_its_flight_past_the_lease(redis_url: str) -> None:
    redis = connect(redis_url)
    await redis.flushall()
    holder = SharedCache(redis, account="default", wait=2.0, lease=0.2)
    waiter = SharedCache(redis, account="default", wait=2.0, lease=0.2)
    calls = 0

    async def slow() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.6)  # three leases: renewed meanwhile
        return "fetched"

    try:
        first = asyncio.create_task(holder.flight("k", slow, ttl=60, max_stale=600, tags=["t"]))
        await asyncio.sleep(0.05)
        entry, shared = await waiter.flight("k", slow, ttl=60, max_stale=600, tags=["t"])
        await first
    finally:
        await redis.aclose()
    assert (entry.value, shared, calls) == ("fetched", True, 1)
