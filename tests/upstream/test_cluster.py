"""What a replica does when Redis is out of reach: SMSC's limits divided, nothing failing."""

import pytest

from facade.errors import UpstreamUnavailable
from facade.upstream.cluster import Cluster, ReplicaSlots
from facade.upstream.config import UpstreamConfig
from facade.upstream.degraded import DegradedBudget
from facade.upstream.redis_state import connect
from tests.fakes import FakeClock
from tests.loopback import free_port

pytestmark = pytest.mark.anyio


def degraded(cluster: Cluster) -> bool:
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
    cluster = Cluster(
        redis,
        account="default",
        login="default",
        config=UpstreamConfig(concurrency=8),
        replicas=2,
        slots=ReplicaSlots(redis, replicas=2),
        clock=clock,
    )
    try:
        # Others may have spent the whole shared budget just before: a window before any use.
        assert await cluster.spend("templates.get", 2) == 60
        assert degraded(cluster)
        assert cluster.failures == 1
        # Nor may it start a call while calls started under Redis may still run elsewhere.
        with pytest.raises(UpstreamUnavailable, match="busy"):
            async with cluster.slot():
                pass
        clock.advance(60)
        assert await cluster.spend("templates.get", 2) is None, "then its share"
        assert await cluster.spend("templates.get", 2) is not None, "1 each of the 2"
        async with cluster.slot():
            assert cluster.in_flight == 1
        assert cluster.in_flight == 0
        calls = 0

        async def fetch() -> str:
            nonlocal calls
            calls += 1
            return "value"

        assert await cluster.flight("k", fetch, ttl=60, max_stale=600, tags=["t"]) is None
        assert calls == 0, "the caller fetches alone"
        assert await cluster.stale("k") is None
        await cluster.invalidate("t")
        clock.advance(1)
        assert not degraded(cluster), "asked again after the retry period"
        found = await cluster.flight("k", fetch, ttl=60, max_stale=600, tags=["t"])
        assert found is None
        # Asked at the loss, after the window's wait, and after the retry period.
        assert cluster.failures == 3
    finally:
        await redis.aclose()


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
async def test_a_value_fetched_before_redis_failed_is_kept() -> None:
    port = free_port()
    redis = connect(f"redis://127.0.0.1:{port}/0", timeout=0.2)
    cluster = Cluster(
        redis,
        account="default",
        login="default",
        config=UpstreamConfig(),
        replicas=2,
        slots=ReplicaSlots(redis, replicas=2),
        clock=FakeClock(),
    )

    class Broken:
        async def flight(self, key: str, fetch: object, **_: object) -> None:
            await fetch()  # type: ignore[operator]
            raise ConnectionError("Redis went away after SMSC answered")

    cluster.cache = Broken()  # type: ignore[assignment]
    try:

        async def fetch() -> str:
            return "answer"

        found = await cluster.flight("k", fetch, ttl=60, max_stale=600, tags=["t"])
        assert found is not None
        entry, shared = found
        assert (entry.value, shared) == ("answer", False)
        assert cluster.degraded
    finally:
        await redis.aclose()
