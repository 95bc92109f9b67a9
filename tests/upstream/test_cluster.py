"""What a replica does when Redis is out of reach: SMSC's limits divided, nothing failing."""

from collections.abc import Awaitable
from typing import cast

import pytest

from facade.errors import UpstreamUnavailable
from facade.upstream.cache import ResponseCache
from facade.upstream.cluster import Cluster, ReplicaSlots
from facade.upstream.config import UpstreamConfig
from facade.upstream.degraded import DegradedBudget
from facade.upstream.redis_cache import RedisCache, SharedCache
from facade.upstream.redis_state import connect
from facade.upstream.scaleout import Scaleout
from facade.upstream.shared import ReplicaHealth
from tests.fakes import FakeClock
from tests.loopback import free_port

pytestmark = pytest.mark.anyio


def degraded(cluster: ReplicaHealth) -> bool:
    return cluster.degraded


class Wall:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_splittable_budget_is_divided_between_the_replicas() -> None:
    clock = FakeClock()
    budget = DegradedBudget(window=60, replicas=2, slot=lambda: None, clock=clock)
    assert budget.try_spend("templates.get", 2) is None
    assert budget.try_spend("templates.get", 2) == 60, "1 of the 2 a minute is this replica's"
    assert budget.try_spend("groups.get", 2) is None, "per key"
    clock.advance(60)
    assert budget.try_spend("templates.get", 2) is None


@pytest.mark.parametrize(("slot", "turn_starts"), [(0, 0.0), (1, 120.0)])
def test_an_unsplittable_budget_is_taken_in_turns(slot: int, turn_starts: float) -> None:
    wall = Wall(1_800_000_000.0 - 1_800_000_000.0 % 240)  # the start of a 4-minute cycle
    clock = FakeClock()
    budget = DegradedBudget(window=60, replicas=2, slot=lambda: slot, clock=clock, wall=wall)
    wall.now += turn_starts + 10
    assert budget.try_spend("jobs.get_all", 1) is None, "inside its turn"
    assert budget.try_spend("jobs.get_all", 1) is not None, "one use a window, as with Redis"
    wall.now += 60  # past the turn: 50 s after it ended
    assert budget.try_spend("jobs.get_all", 1) == pytest.approx(240 - 70)


def test_a_replica_without_a_slot_takes_no_turn() -> None:
    budget = DegradedBudget(window=60, replicas=3, slot=lambda: None, clock=FakeClock())
    assert budget.try_spend("jobs.get_all", 1) == 60


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
async def test_without_redis_every_operation_falls_back_and_counts_the_failure() -> None:
    redis = connect(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    clock = FakeClock()
    state = Scaleout(redis, replicas=2).account(
        "default", config=UpstreamConfig(concurrency=8), clock=clock
    )
    cluster = state.cluster
    assert cluster is not None
    try:
        # Others may have spent the whole shared budget just before: a window before any use.
        assert await state.budget.spend("templates.get", 2) == 60
        assert degraded(cluster)
        assert cluster.failures == 1
        # Nor may it start a call while calls started under Redis may still run elsewhere.
        with pytest.raises(UpstreamUnavailable, match="busy"):
            async with state.cap.slot():
                pass
        clock.advance(60)
        assert await state.budget.spend("templates.get", 2) is None, "then its share"
        assert await state.budget.spend("templates.get", 2) is not None, "1 each of the 2"
        async with state.cap.slot():
            assert cluster.in_flight == 1
        assert cluster.in_flight == 0
        calls = 0

        async def fetch() -> str:
            nonlocal calls
            calls += 1
            return "value"

        def fill() -> Awaitable[tuple[str, float, bool]]:
            return state.cache.fill("k", fetch, ttl=60, max_stale=600, tags=["t"])

        assert await state.cache.stale("k") is None, "Redis not asked"
        assert await state.flights.run("k", fill) == (("value", 0.0, False), False)
        assert calls == 1, "the caller fetches alone"
        await state.cache.invalidate("t")
        assert cluster.failures == 2, "nothing but the budget asked Redis meanwhile"
        clock.advance(1)
        assert not degraded(cluster), "asked again after the retry period"
        assert await state.flights.run("k", fill) == (("value", 0.0, False), False)
        assert calls == 2, "Redis failed again: alone again"
        # Asked at the loss, after the window's wait, and after the retry period.
        assert cluster.failures == 3
    finally:
        await redis.aclose()


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
async def test_a_value_fetched_before_redis_failed_is_kept() -> None:
    port = free_port()
    redis = connect(f"redis://127.0.0.1:{port}/0", timeout=0.2)
    clock = FakeClock()
    cluster = Cluster(
        redis,
        account="default",
        login="default",
        config=UpstreamConfig(),
        replicas=2,
        slots=ReplicaSlots(redis, replicas=2),
        clock=clock,
    )

    class Broken:
        def now(self) -> float:
            return 1_800_000_000.0

        async def get(self, key: str) -> None:
            return None

        async def put(self, key: str, value: object, **_: object) -> None:
            raise ConnectionError("Redis went away after SMSC answered")

    entries = ResponseCache(maxsize=10, clock=clock)
    cache = RedisCache(entries, cast("SharedCache", Broken()), link=cluster)
    try:

        async def fetch() -> str:
            return "answer"

        found = await cache.fill("k", fetch, ttl=60, max_stale=600, tags=["t"])
        assert found == ("answer", 0.0, False), "not shared, but not thrown away"
        kept = entries.get("k")
        assert kept is not None
        assert kept.value == "answer"
        assert cluster.degraded
    finally:
        await redis.aclose()
