"""Two replicas on a real Redis that loses what it counted: SMSC's limits still hold (issue 15)."""

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from facade.errors import UpstreamUnavailable
from facade.upstream.config import UpstreamConfig
from facade.upstream.redis_state import connect
from facade.upstream.scaleout import Scaleout
from facade.upstream.shared import ReplicaHealth, SharedState
from facade.upstream.timing import DEFAULT_CLOCK
from tests.redis_server import RedisProcess, redis_server
from tests.upstream.replica_reads import replica_reads

pytestmark = [pytest.mark.anyio, pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

CONFIG = UpstreamConfig(concurrency=2, concurrency_wait=0.3)
KEY = "/sys/phones.php?get=1"  # the budget's key (the account's is put in front of it)


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
def fast_watch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Scaleout, "WATCH_EVERY", 0.05)


async def replicas(url: str) -> tuple[tuple[Scaleout, Scaleout], tuple[SharedState, SharedState]]:
    found = (Scaleout(connect(url), replicas=2), Scaleout(connect(url), replicas=2))
    states = tuple(s.account("default", config=CONFIG, clock=DEFAULT_CLOCK) for s in found)
    for scaleout in found:
        await scaleout.start()
    return found, (states[0], states[1])


def health(state: SharedState) -> ReplicaHealth:
    assert state.cluster is not None
    return state.cluster


@pytest.fixture
async def pair(
    redis_url: str, fast_watch: None
) -> AsyncIterator[tuple[SharedState, SharedState, Redis]]:
    admin = connect(redis_url)
    await admin.flushall()
    (a, b), (first, second) = await replicas(redis_url)
    yield first, second, admin
    for scaleout in (a, b):
        await scaleout.aclose()
    await admin.aclose()


async def test_what_was_spent_before_redis_restarted_empty_still_counts(
    pair: tuple[SharedState, SharedState, Redis],
) -> None:
    a, b, admin = pair
    assert await a.budget.spend(KEY, 2, ceiling=3) is None
    assert await a.budget.spend(KEY, 2, ceiling=3) is None
    assert await b.budget.spend(KEY, 2, ceiling=3) is not None, "shared: 2 a minute in all"

    await admin.flushall()  # what a restart without persistence leaves
    started = asyncio.get_running_loop().time()
    again = await b.budget.spend(KEY, 2, ceiling=3)

    assert again is not None, "the other replica wrote its uses back before this one trusted Redis"
    assert asyncio.get_running_loop().time() - started < 3.0, "a pause of seconds, not a window"
    assert await admin.zcard(next(iter(await admin.keys("facade:budget:*")))) == 2


async def test_calls_in_flight_when_redis_restarted_empty_still_hold_their_slots(
    pair: tuple[SharedState, SharedState, Redis],
) -> None:
    a, b, admin = pair
    release = asyncio.Event()
    holding = [asyncio.Event(), asyncio.Event()]

    async def hold(state: SharedState, held: asyncio.Event) -> None:
        async with state.cap.slot():
            held.set()
            await release.wait()

    held = [asyncio.create_task(hold(a, event)) for event in holding]
    for event in holding:
        await event.wait()
    await admin.flushall()

    with pytest.raises(UpstreamUnavailable, match="busy"):
        async with b.cap.slot():
            pass
    release.set()
    await asyncio.gather(*held)
    async with b.cap.slot():
        pass


async def test_uses_spent_without_redis_count_when_it_returns(fast_watch: None) -> None:
    with RedisProcess() as server:
        (a, b), (first, second) = await replicas(server.url)
        try:
            assert await first.budget.spend(KEY, 2, ceiling=3) is None
            server.kill()
            await asyncio.sleep(0.2)  # both watches notice
            assert health(first).degraded
            assert health(second).degraded
            server.start()  # empty
            await asyncio.sleep(1.5)  # a retry period, then both write back
            in_redis = await second.budget.spend(KEY, 2, ceiling=3)
        finally:
            for scaleout in (a, b):
                await scaleout.aclose()
    assert in_redis is None, "one of 2 was spent before the loss: one is left"


async def test_a_dead_holders_flight_frees_within_its_lease(redis_url: str) -> None:
    redis = connect(redis_url)
    await redis.flushall()
    waiter = replica_reads(redis, wait=2.0, lease=0.3)
    await redis.set(waiter.shared.lock_key("k"), "a dead replica", px=300)
    started = asyncio.get_running_loop().time()

    async def fetch() -> str:
        return "fetched"

    try:
        found = await waiter.read("k", fetch, ttl=60, max_stale=600, tags=["t"])
    finally:
        await redis.aclose()
    assert found == ("fetched", False)
    assert asyncio.get_running_loop().time() - started < 1.0


async def test_a_live_holder_keeps_its_flight_past_the_lease(redis_url: str) -> None:
    redis = connect(redis_url)
    await redis.flushall()
    holder = replica_reads(redis, wait=2.0, lease=0.2)
    waiter = replica_reads(redis, wait=2.0, lease=0.2)
    calls = 0

    async def slow() -> str:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.6)  # three leases: renewed meanwhile
        return "fetched"

    try:
        first = asyncio.create_task(holder.read("k", slow, ttl=60, max_stale=600, tags=["t"]))
        await asyncio.sleep(0.05)
        value, shared = await waiter.read("k", slow, ttl=60, max_stale=600, tags=["t"])
        await first
    finally:
        await redis.aclose()
    assert (value, shared, calls) == ("fetched", True, 1)
