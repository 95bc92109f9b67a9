"""The shared cache and cross-replica single flight against a real Redis."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Iterator

import pytest
from redis.asyncio import Redis

from facade.domain.groups import Group
from facade.errors import UpstreamUnavailable
from facade.upstream.cache import CannotUpdate
from facade.upstream.redis_cache import SharedCache
from facade.upstream.redis_state import connect
from tests.redis_server import redis_server
from tests.upstream.replica_reads import ReplicaReads, replica_reads

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]

VIP = Group(id="41", name="VIP", number=None, contact_count=None)
KEY = "default|phones.get_group"


class WallClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = connect(redis_url)
    await client.flushdb()
    yield client
    await client.aclose()


def replica(redis: Redis, clock: WallClock | None = None) -> SharedCache:
    return SharedCache(redis, account="default", clock=clock or WallClock())


def reader(redis: Redis, **kw: float) -> ReplicaReads:
    return replica_reads(redis, clock=WallClock(), **{"lease": 5.0, "wait": 2.0, **kw})


async def test_what_one_replica_stores_another_reads_fresh_then_stale(redis: Redis) -> None:
    clock = WallClock()
    one, two = replica(redis, clock), replica(redis, clock)
    await one.put(KEY, [VIP], ttl=120, max_stale=3600, tags=["groups"])
    found = await two.get(KEY)
    assert found is not None
    assert found.value == [VIP]
    assert found.is_fresh(clock.now)
    clock.now += 121
    later = await two.get(KEY)
    assert later is not None
    assert not later.is_fresh(clock.now), "stale, still there for stale-if-error"
    keys = [k if isinstance(k, str) else k.decode() for k in await redis.keys("*")]
    assert not any("phones" in k or "default" in k for k in keys), "digests only"


async def test_invalidate_and_update_reach_every_replica(redis: Redis) -> None:
    clock = WallClock()
    one, two = replica(redis, clock), replica(redis, clock)
    await one.put(KEY, [VIP], ttl=120, max_stale=3600, tags=["groups"])
    heard: list[str] = []

    async def listen() -> None:
        async for tag in one.changes():
            heard.append(tag)

    listener = asyncio.create_task(listen())
    await asyncio.sleep(0.05)
    renamed = Group(id="41", name="VIP clients", number=None, contact_count=None)
    assert await two.update("groups", lambda _key, value: [renamed]) == 1
    entry = await one.get(KEY)
    assert entry is not None
    assert (entry.value, entry.local, entry.is_fresh(clock.now)) == ([renamed], True, True)
    assert await two.invalidate("groups") == 1
    entry = await one.get(KEY)
    assert entry is not None
    assert not entry.is_fresh(clock.now)
    assert entry.value == [renamed], "expired, not deleted: still a stale answer"

    def refuse(_key: str, _value: object) -> object:
        raise CannotUpdate

    await one.put(KEY, [VIP], ttl=120, max_stale=3600, tags=["groups"])
    assert await two.update("groups", refuse) == 1
    entry = await one.get(KEY)
    assert entry is not None
    assert not entry.is_fresh(clock.now), "a change that cannot apply expires the entry"
    await asyncio.sleep(0.05)
    listener.cancel()
    assert heard == ["groups", "groups", "groups"], "the other replica's changes, not its own"


async def test_one_replica_asks_smsc_while_the_others_wait(redis: Redis) -> None:
    replicas = [reader(redis) for _ in range(4)]
    calls = 0

    async def fetch() -> list[Group]:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.2)
        return [VIP]

    results = await asyncio.gather(
        *(
            replicas[i % 4].read(KEY, fetch, ttl=120, max_stale=3600, tags=["groups"])
            for i in range(200)
        )
    )
    assert calls == 1
    assert all(value == [VIP] for value, _ in results)
    assert sum(1 for _, shared in results if not shared) == 1


async def test_a_failed_fetch_lets_the_next_replica_try(redis: Redis) -> None:
    one, two = reader(redis), reader(redis)

    async def failing() -> list[Group]:
        raise UpstreamUnavailable("SMSC timed out")

    async def working() -> list[Group]:
        return [VIP]

    with pytest.raises(UpstreamUnavailable, match="timed out"):
        await one.read(KEY, failing, ttl=120, max_stale=3600, tags=["groups"])
    assert await two.read(KEY, working, ttl=120, max_stale=3600, tags=["groups"]) == ([VIP], False)


async def test_waiters_give_up_when_the_holder_takes_too_long(redis: Redis) -> None:
    holder, waiter = reader(redis), reader(redis, wait=0.1)
    started = asyncio.Event()

    async def slow() -> list[Group]:
        started.set()
        await asyncio.sleep(1.0)
        return [VIP]

    def fill() -> Awaitable[tuple[list[Group], float, bool]]:
        return holder.cache.fill(KEY, slow, ttl=120, max_stale=3600, tags=["g"])

    # The run itself, not a caller of the single flight in front of it (which leaves it running).
    task = asyncio.create_task(holder.flights.across(KEY, fill))
    await started.wait()
    with pytest.raises(UpstreamUnavailable, match="another replica"):
        await waiter.read(KEY, slow, ttl=120, max_stale=3600, tags=["g"])
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await redis.keys("*:lock") == [], "a cancelled holder still frees the lock"
