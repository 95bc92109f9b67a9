"""One replica's share of SMSC's limits while Redis is away: the worst assumed at the loss."""

import pytest

from facade.errors import UpstreamUnavailable
from facade.upstream.degraded import DegradedBudget, DegradedCap, SpendLog
from facade.upstream.redis_state import digest
from tests.fakes import FakeClock

pytestmark = pytest.mark.anyio


def owned_by(slot: int, replicas: int = 2) -> str:
    """A key whose owner, among `replicas`, is `slot`."""
    return next(
        key
        for key in (f"phones.get?{i}" for i in range(100))
        if int(digest(key), 16) % replicas == slot
    )


def test_for_a_window_after_the_loss_only_a_keys_owner_spends_and_only_smsc_s_margin() -> None:
    clock = FakeClock()
    budget = DegradedBudget(window=60, replicas=2, slot=lambda: 0, clock=clock)
    lost_at = clock()
    mine, theirs = owned_by(0), owned_by(1)

    # Reads: SMSC allows 3 a minute, the replicas shared 2: one more, by the key's owner.
    assert budget.try_spend(mine, 2, ceiling=3, lost_at=lost_at) is None
    assert budget.try_spend(mine, 2, ceiling=3, lost_at=lost_at) == 60
    assert budget.try_spend(theirs, 2, ceiling=3, lost_at=lost_at) == 60
    # jobs.php: SMSC allows 1, the replicas shared 1: none.
    assert budget.try_spend(mine, 1, ceiling=1, lost_at=lost_at) == 60
    # Without SMSC's ceiling, no margin is assumed.
    assert budget.try_spend(owned_by(0, 2) + "x", 2, lost_at=lost_at) is not None

    clock.advance(30)
    assert budget.try_spend(theirs, 2, ceiling=3, lost_at=lost_at) == 30
    clock.advance(30)
    assert budget.try_spend(theirs, 2, ceiling=3, lost_at=lost_at) is None, "then its share"
    assert budget.try_spend(theirs, 2, ceiling=3, lost_at=lost_at) is not None


def test_a_replica_without_a_slot_owns_no_key() -> None:
    clock = FakeClock()
    budget = DegradedBudget(window=60, replicas=2, slot=lambda: None, clock=clock)

    assert budget.try_spend(owned_by(0), 2, ceiling=3, lost_at=clock()) == 60
    assert budget.try_spend(owned_by(1), 2, ceiling=3, lost_at=clock()) == 60


def test_the_spend_log_keeps_the_last_window() -> None:
    wall = FakeClock()
    log = SpendLog(window=60, wall=wall)
    log.note("a")
    wall.advance(30)
    log.note("a")
    log.note("b")

    assert log.recent() == {"a": [wall() - 30, wall()], "b": [wall()]}
    wall.advance(31)
    assert log.recent() == {"a": [wall() - 31], "b": [wall() - 31]}
    wall.advance(30)
    assert log.recent() == {}


class Flights:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> int:
        return self.count


async def test_after_the_loss_a_replica_starts_no_more_calls_than_it_had_in_flight() -> None:
    clock, flights = FakeClock(), Flights()
    cap = DegradedCap(share=4, wait=0.05, grace=30, in_flight=flights, clock=clock)
    flights.count = 2  # started under Redis, still running
    cap.lost()

    assert cap.limit() == 2
    with pytest.raises(UpstreamUnavailable, match="busy"):
        async with cap.slot():
            pass
    flights.count = 1  # one ended: its place may be taken
    async with cap.slot():
        pass
    clock.advance(30)
    flights.count = 3
    assert cap.limit() == 4, "the calls started under Redis have ended everywhere: its share"
    async with cap.slot():
        pass


async def test_a_replica_with_nothing_in_flight_at_the_loss_is_refused_at_once() -> None:
    clock, flights = FakeClock(), Flights()
    cap = DegradedCap(share=4, wait=5.0, grace=30, in_flight=flights, clock=clock)
    cap.lost()

    with pytest.raises(UpstreamUnavailable):
        async with cap.slot():
            pass
    assert cap.limit() == 0
    clock.advance(30)
    async with cap.slot():
        pass
