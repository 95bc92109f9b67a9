"""The cluster-wide budget and semaphore against a real Redis, two "replicas" sharing it."""

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from facade.errors import UpstreamUnavailable
from facade.upstream.redis_state import (
    Epoch,
    EpochChanged,
    RedisBudget,
    RedisSemaphore,
    connect,
    digest,
)
from tests.redis_server import redis_server

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
async def replicas(redis_url: str) -> AsyncIterator[tuple[Redis, Redis]]:
    first, second = connect(redis_url), connect(redis_url)
    await first.flushdb()
    yield first, second
    await first.aclose()
    await second.aclose()


async def adopted(redis: Redis) -> Epoch:
    epoch = Epoch(redis)
    await epoch.adopt()
    return epoch


async def test_the_budget_is_shared_by_every_replica(replicas: tuple[Redis, Redis]) -> None:
    budgets = [
        RedisBudget(r, account="default", window=0.5, epoch=await adopted(r)) for r in replicas
    ]
    spent = [await budgets[i % 2].try_spend("templates.get", 2) for i in range(6)]
    assert spent[:2] == [None, None]
    assert all(wait is not None and 0 < wait <= 0.5 for wait in spent[2:])
    assert await budgets[0].try_spend("groups.get", 2) is None, "another key has its own budget"
    other = RedisBudget(
        replicas[0], account="marketing", window=0.5, epoch=await adopted(replicas[0])
    )
    assert await other.try_spend("templates.get", 2) is None, "another account too"
    await asyncio.sleep(0.55)
    assert await budgets[1].try_spend("templates.get", 2) is None, "the window slid on"


async def test_concurrent_spenders_never_exceed_the_limit(replicas: tuple[Redis, Redis]) -> None:
    budgets = [
        RedisBudget(r, account="default", window=30, epoch=await adopted(r)) for r in replicas
    ]
    results = await asyncio.gather(
        *(budgets[i % 2].try_spend("jobs.get_all", 1) for i in range(50))
    )
    assert results.count(None) == 1


async def test_budget_keys_hold_no_request_text(replicas: tuple[Redis, Redis]) -> None:
    budget = RedisBudget(
        replicas[0], account="default", window=30, epoch=await adopted(replicas[0])
    )
    await budget.try_spend("jobs.add phones=79161234567", 1)
    keys = [key if isinstance(key, str) else key.decode() for key in await replicas[0].keys("*")]
    assert keys
    assert not any("7916" in key or "default" in key for key in keys)


async def test_the_semaphore_caps_holders_across_replicas(replicas: tuple[Redis, Redis]) -> None:
    caps = [
        RedisSemaphore(r, login="demo", limit=3, wait=5.0, lease=30.0, epoch=await adopted(r))
        for r in replicas
    ]
    holding = peak = 0

    async def hold(i: int) -> None:
        nonlocal holding, peak
        async with caps[i % 2].slot():
            holding += 1
            peak = max(peak, holding)
            await asyncio.sleep(0.03)
            holding -= 1

    await asyncio.gather(*(hold(i) for i in range(20)))
    assert peak == 3
    assert await replicas[0].zcard("facade:slots:" + digest("demo")) == 0, "all released"


async def test_a_waiter_gives_up_and_a_dead_holders_lease_ends(
    replicas: tuple[Redis, Redis],
) -> None:
    dead = RedisSemaphore(
        replicas[0], login="demo", limit=1, wait=0.0, lease=0.3, epoch=await adopted(replicas[0])
    )
    alive = RedisSemaphore(
        replicas[1], login="demo", limit=1, wait=0.05, lease=30.0, epoch=await adopted(replicas[1])
    )
    holder = dead.slot()
    await holder.__aenter__()  # a replica that dies holding its slot never leaves it
    with pytest.raises(UpstreamUnavailable, match="busy across the replicas"):
        async with alive.slot():
            pass
    await asyncio.sleep(0.35)
    async with alive.slot():
        pass


async def test_a_script_run_on_another_epoch_says_so(replicas: tuple[Redis, Redis]) -> None:
    epoch = await adopted(replicas[0])
    budget = RedisBudget(replicas[0], account="default", window=30, epoch=epoch)
    cap = RedisSemaphore(replicas[0], login="demo", limit=1, wait=0.05, lease=30.0, epoch=epoch)
    assert await budget.try_spend("templates.get", 2) is None
    first = epoch.generation

    await replicas[1].flushall()  # a restart without persistence, a failover, a flush

    with pytest.raises(EpochChanged):
        await budget.try_spend("templates.get", 2)
    with pytest.raises(EpochChanged):
        async with cap.slot():
            pass
    await epoch.adopt()
    assert epoch.generation == first + 1, "it made the new epoch"
    assert await epoch.holds()
    other = await adopted(replicas[1])
    assert (other.value, other.generation) == (epoch.value, 0), "the epoch it found"


async def test_uses_and_holders_written_back_count_again(replicas: tuple[Redis, Redis]) -> None:
    epoch = await adopted(replicas[0])
    budget = RedisBudget(replicas[0], account="default", window=30, epoch=epoch)
    cap = RedisSemaphore(replicas[0], login="demo", limit=2, wait=0.05, lease=30.0, epoch=epoch)
    now = time.time()

    await budget.seed({"templates.get": [now - 1, now]})
    await cap.register(["held-a", "held-b"])

    assert await budget.try_spend("templates.get", 2) is not None
    assert await budget.try_spend("groups.get", 2) is None
    with pytest.raises(UpstreamUnavailable, match="busy"):
        async with cap.slot():
            pass
