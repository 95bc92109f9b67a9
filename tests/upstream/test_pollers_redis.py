"""Shared pollers: several "replicas" (each its own `SmscClient` and Redis client) against one
emulator and one real Redis.

Leases need real time, so SMSC's minute is shrunk instead: the clients' limits, TTLs and poll
intervals are divided by `SPEED`, and the emulator's clock runs `SPEED` times faster, so its
identical-request window (60 s) is as short as the clients' budget window. Counts and times come
from the emulator's call log, stamped on arrival.
"""

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from facade.domain.answers import Answer, AnswerQuery
from facade.domain.jobs import Job, JobStatus
from facade.emulator.app import create_emulator
from facade.emulator.state import Call, EmulatorState
from facade.settings import CACHE_TTLS
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.exchange import Fetched
from facade.upstream.pollers import Pollers, Subscription
from facade.upstream.pollers_redis import SharedPolling, SharedSchedule
from facade.upstream.redis_state import connect, digest
from facade.upstream.transport import SmscTransport
from tests.redis_server import RedisProcess, redis_server
from tests.upstream.harness import BASE_URL, DEMO

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]

SPEED = 100.0
ANSWERS = 30.0 / SPEED
JOBS = 60.0 / SPEED
LEASE = 0.3
BEAT = LEASE / 3
# Redis times its keys in whole milliseconds; the emulator stamps calls a little after they left.
SLACK = 0.005
NEWEST_SEEDED_ANSWER = 6006
WAITING_JOB = "2012"
OTHER_WAITING_JOB = "2013"
KEYS = f"facade:poll:{digest('default')}"


class StampedCalls(deque[Call]):
    """The emulator's call log, each call with the real time it was logged."""

    def __init__(self) -> None:
        super().__init__()
        self.stamped: list[tuple[float, Call]] = []

    def append(self, call: Call) -> None:
        self.stamped.append((time.monotonic(), call))
        super().append(call)


@dataclasses.dataclass
class Cluster:
    emulator: EmulatorState
    log: StampedCalls
    replicas: list[Pollers]

    def times(self, command: str, *, since: float = 0.0) -> list[float]:
        return [at for at, call in self.log.stamped if call.command == command and at >= since]

    def errors_9(self) -> list[Call]:
        return [call for _, call in self.log.stamped if call.error == 9]

    def leaders(self, kind: str = "answers") -> list[int]:
        return [i for i, replica in enumerate(self.replicas) if schedule_of(replica, kind).leading]

    def inject(self, message: str = "hi", to_phone: str = "") -> str:
        return str(
            self.emulator.inject_answer(phone="79990001122", message=message, to_phone=to_phone)
        )


def schedule_of(replica: Pollers, kind: str = "answers") -> SharedSchedule:
    """The schedule of the replica's poller of `kind`: polled across the replicas."""
    poller = replica.answer_poller if kind == "answers" else replica.job_poller
    assert isinstance(poller.schedule, SharedSchedule)
    return poller.schedule


@contextlib.asynccontextmanager
async def cluster(url: str, size: int) -> AsyncIterator[Cluster]:
    start = time.monotonic()
    app = create_emulator(seed="demo", clock=lambda: 1000.0 + (time.monotonic() - start) * SPEED)
    emulator: EmulatorState = app.state.emulator
    log = StampedCalls()
    emulator.calls = log
    config = UpstreamConfig(
        ttls={command: ttl / SPEED for command, ttl in CACHE_TTLS.items()},
        budget_window=60.0 / SPEED,
        poll_answers=ANSWERS,
        poll_jobs=JOBS,
    )
    async with contextlib.AsyncExitStack() as stack:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
        stack.push_async_callback(http.aclose)
        replicas = []
        for _ in range(size):
            transport = SmscTransport(http, base_urls=[BASE_URL], config=config)
            client = SmscClient(
                account="default", credentials=DEMO, transport=transport, config=config
            )
            redis = connect(url, timeout=0.5)
            replica = Pollers(client, polling=SharedPolling(redis, replicas=size, lease=LEASE))
            stack.push_async_callback(redis.aclose)
            stack.push_async_callback(client.aclose)
            stack.push_async_callback(replica.aclose)
            replicas.append(replica)
        yield Cluster(emulator, log, replicas)


async def eventually(condition: Callable[[], bool], *, within: float) -> float:
    """Wait (real time) until `condition` holds; returns how long that took."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > within:
            raise AssertionError(f"not within {within} s")
        await asyncio.sleep(0.005)
    return time.monotonic() - start


def take(subscription: Subscription[Any]) -> list[str]:
    ids = []
    while subscription.pending:
        ids.append(subscription._items.popleft().id)
    return ids


@dataclasses.dataclass(frozen=True)
class Poll:
    start: float
    end: float
    after_id: str | None


def record_polls(replicas: list[Pollers], monkeypatch: pytest.MonkeyPatch) -> list[list[Poll]]:
    """Each replica's `get_answers` reads, as its client makes them."""
    polls: list[list[Poll]] = [[] for _ in replicas]
    for replica, into in zip(replicas, polls, strict=True):

        async def timed(
            query: AnswerQuery = AnswerQuery(),  # noqa: B008 - frozen
            *,
            answers: Callable[[AnswerQuery], Awaitable[Fetched[list[Answer]]]] = (
                replica.client.answers
            ),
            into: list[Poll] = into,
        ) -> Fetched[list[Answer]]:
            start = time.monotonic()
            try:
                return await answers(query)
            finally:
                into.append(Poll(start, time.monotonic(), query.after_id))

        monkeypatch.setattr(replica.client, "answers", timed)
    return polls


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


@contextlib.asynccontextmanager
async def answer_subscribers(
    replicas: list[Pollers], count: int, **filters: str | None
) -> AsyncIterator[list[Subscription[Answer]]]:
    """`count` subscribers, spread round-robin over `replicas`."""
    async with contextlib.AsyncExitStack() as stack:
        yield [
            await stack.enter_async_context(replicas[i % len(replicas)].answers(**filters))
            for i in range(count)
        ]


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
async def url(redis_url: str) -> str:
    client = connect(redis_url)
    await client.flushdb()
    await client.aclose()
    return redis_url


async def test_100_subscribers_on_3_replicas_cost_one_poll_per_interval(url: str) -> None:
    async with cluster(url, 3) as c, answer_subscribers(c.replicas, 100) as subscribers:
        await eventually(lambda: len(c.times("get_answers")) == 2, within=ANSWERS + 0.5)
        steady = time.monotonic()
        await asyncio.sleep(6 * ANSWERS)
        times = c.times("get_answers")
        assert len(c.times("get_answers", since=steady)) in range(5, 8)
        assert min(gaps(times)) >= ANSWERS - SLACK, "never two polls within an interval"
        assert max(gaps(times)) < 1.5 * ANSWERS, "a poll every interval"
        polls = [replica.answer_poller.polls for replica in c.replicas]
        assert sorted(polls)[:2] == [0, 0], "one replica polls for all"
        assert sum(polls) == len(times)

        injected = c.inject()
        took = await eventually(lambda: all(s.pending for s in subscribers), within=ANSWERS + 0.1)
        assert took <= ANSWERS + 0.1
        await asyncio.sleep(0.02)
        assert all(take(s) == [injected] for s in subscribers)
    assert not c.errors_9()


async def test_to_phone_filters_on_every_replica(url: str) -> None:
    async with (
        cluster(url, 2) as c,
        answer_subscribers(c.replicas, 4, to_phone="79370000001") as first,
        answer_subscribers(c.replicas, 4) as everyone,
    ):
        await eventually(lambda: len(c.times("get_answers")) == 2, within=ANSWERS + 0.5)
        to_first = c.inject("a", to_phone="+79370000001")
        to_other = c.inject("b", to_phone="79370000002")
        await eventually(lambda: all(s.pending == 2 for s in everyone), within=ANSWERS + 0.1)
        assert all(take(s) == [to_first] for s in first)
        assert all(take(s) == [to_first, to_other] for s in everyone)


async def test_a_subscriber_resuming_on_a_follower_gets_what_followed_its_id(url: str) -> None:
    async with cluster(url, 2) as c, answer_subscribers(c.replicas, 2) as live:
        await eventually(lambda: len(c.leaders()) == 1, within=LEASE)
        await eventually(lambda: len(c.times("get_answers")) == 2, within=ANSWERS + 0.5)
        follower = c.replicas[1 - c.leaders()[0]]
        async with follower.answers(after="6004") as resumed:
            later = c.inject("later")
            await eventually(lambda: resumed.pending == 3, within=3 * ANSWERS)
            await eventually(lambda: all(s.pending for s in live), within=ANSWERS + 0.1)
            await asyncio.sleep(2 * ANSWERS)
            assert take(resumed) == ["6005", str(NEWEST_SEEDED_ANSWER), later]
            assert all(take(s) == [later] for s in live), "nobody gets an answer twice"


async def test_an_unreadable_update_is_dropped_with_a_warning(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with cluster(url, 1) as c, c.replicas[0].answers() as subscription:
        await eventually(lambda: len(c.times("get_answers")) == 1, within=0.5)
        forger = connect(url)
        try:
            await forger.publish(f"{KEYS}:answers:updates", b'{"after": 1}\n{"$t": "os:system"}')
        finally:
            await forger.aclose()
        injected = c.inject()
        await eventually(lambda: subscription.pending == 1, within=ANSWERS + 0.1)
        assert take(subscription) == [injected]
    assert "dropped an unreadable update" in caplog.text


async def test_the_leader_leaving_hands_over_without_losing_an_answer(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with cluster(url, 3) as c, contextlib.AsyncExitStack() as stack:
        polls = record_polls(c.replicas, monkeypatch)
        subscribers = [
            (i, await stack.enter_async_context(c.replicas[i % 3].answers())) for i in range(9)
        ]
        await eventually(lambda: len(c.leaders()) == 1, within=LEASE)
        await eventually(lambda: len(c.times("get_answers")) == 2, within=ANSWERS + 0.5)
        (leader,) = c.leaders()
        injected = []
        for _ in range(4):
            injected.append(c.inject())
            await asyncio.sleep(ANSWERS / 2)
        polled = len(c.times("get_answers"))
        await eventually(lambda: len(c.times("get_answers")) > polled, within=ANSWERS + 0.1)
        left = time.monotonic()  # just after a poll: the next leader must wait out its interval
        await c.replicas[leader].aclose()
        took = await eventually(lambda: len(c.leaders()) == 1, within=LEASE)
        assert took <= BEAT + 0.05, "a released lease is taken at the next beat"
        for _ in range(4):
            injected.append(c.inject())
            await asyncio.sleep(ANSWERS / 2)
        await asyncio.sleep(ANSWERS + 0.05)

        staying = [s for i, s in subscribers if i % 3 != leader]
        assert all(take(s) == injected for s in staying)
        (successor,) = c.leaders()
        taken_over = [poll for poll in polls[successor] if poll.start > left]
        assert taken_over
        assert all(poll.after_id for poll in taken_over), "it went on from the newest id"
        times = c.times("get_answers")
        assert min(gaps(times)) >= ANSWERS - SLACK
        before, after = max(t for t in times if t < left), min(t for t in times if t > left)
        assert after - before <= ANSWERS + BEAT + 0.05
    assert not c.errors_9()


async def test_a_leader_that_dies_holding_the_lease_is_replaced_within_a_lease(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with cluster(url, 2) as c, contextlib.AsyncExitStack() as stack:
        polls = record_polls(c.replicas, monkeypatch)
        subscribers = [
            (i, await stack.enter_async_context(c.replicas[i % 2].answers())) for i in range(4)
        ]
        await eventually(lambda: len(c.leaders()) == 1, within=LEASE)
        await eventually(lambda: len(c.times("get_answers")) == 2, within=ANSWERS + 0.5)
        (leader,) = c.leaders()
        dead = schedule_of(c.replicas[leader])

        async def vanish(token: str) -> None:
            """A crashed process says goodbye to nobody."""

        monkeypatch.setattr(dead.coordination, "leave", vanish)
        injected = [c.inject()]
        died = time.monotonic()
        await c.replicas[leader].aclose()
        took = await eventually(lambda: len(c.leaders()) == 1, within=LEASE + BEAT + 0.1)
        assert took >= LEASE - BEAT - SLACK, "the lease held until it ran out"
        injected.append(c.inject())
        await asyncio.sleep(2 * ANSWERS + 0.05)

        staying = [s for i, s in subscribers if i % 2 != leader]
        assert all(take(s) == injected for s in staying)
        taken_over = [poll for poll in polls[1 - leader] if poll.start > died]
        assert taken_over
        assert all(poll.after_id for poll in taken_over), "it went on from the newest id"
        times = c.times("get_answers")
        assert min(gaps(times)) >= ANSWERS - SLACK
        before, after = max(t for t in times if t < died), min(t for t in times if t > died)
        assert after - before <= ANSWERS + LEASE + BEAT + 0.05
    assert not c.errors_9()


async def test_polling_stops_when_the_last_subscriber_anywhere_leaves(url: str) -> None:
    async with cluster(url, 2) as c:
        first, second = c.replicas
        async with contextlib.AsyncExitStack() as staying:
            async with contextlib.AsyncExitStack() as leaving:
                await leaving.enter_async_context(first.answers())
                await eventually(lambda: c.leaders() == [0], within=LEASE)
                await staying.enter_async_context(second.answers())
                await eventually(lambda: len(c.times("get_answers")) == 2, within=ANSWERS + 0.5)
            assert not first.answer_poller.running, "the leader's last subscriber left"
            await eventually(lambda: c.leaders() == [1], within=LEASE)
            polled = len(c.times("get_answers"))
            await eventually(lambda: len(c.times("get_answers")) > polled, within=2 * ANSWERS)
        count = len(c.times("get_answers"))
        inspector = connect(url)
        try:
            # The lease, the demand and the newest id go at once (the newest id would outlive
            # the lease by an interval), so the next start takes a fresh baseline.
            for _ in range(40):
                left = await inspector.keys(f"{KEYS}:answers") + await inspector.keys(
                    f"{KEYS}:answers:[wn]*"
                )
                if not left:
                    break
                await asyncio.sleep(0.005)
            assert left == []
        finally:
            await inspector.aclose()
        unheard = c.inject("while nobody listened")
        await asyncio.sleep(4 * ANSWERS)
        assert len(c.times("get_answers")) == count
        assert not any(replica.answer_poller.running for replica in c.replicas)

        async with c.replicas[1].answers() as subscription:
            await eventually(lambda: len(c.times("get_answers")) == count + 2, within=1.0)
            await asyncio.sleep(0.02)
            assert subscription.pending == 0, "a new start takes a fresh baseline"
            assert c.replicas[1].answer_poller.newest == int(unheard)


async def test_job_changes_reach_each_replicas_subscribers_from_one_poll(url: str) -> None:
    async with cluster(url, 2) as c:
        first, other = c.replicas
        async with first.job(WAITING_JOB) as updates, other.job(OTHER_WAITING_JOB) as others:
            assert (await anext(updates)).status is JobStatus.WAITING
            assert (await anext(others)).status is JobStatus.WAITING
            await eventually(lambda: len(c.times("get_all")) == 2, within=JOBS + 0.5)
            c.emulator.set_job_status(int(WAITING_JOB), 1)
            c.emulator.set_job_status(int(OTHER_WAITING_JOB), 3)
            took = await eventually(
                lambda: bool(updates.pending and others.pending), within=JOBS + 0.1
            )
            assert took <= JOBS + 0.1
            changed: Job = await anext(updates)
            assert (changed.id, changed.status) == (WAITING_JOB, JobStatus.RUNNING)
            assert (await anext(others)).status is JobStatus.CANCELLED

            async with other.job(WAITING_JOB) as late:
                current = await anext(late)
            assert current.status is JobStatus.RUNNING, "taken from the last update"
            await asyncio.sleep(JOBS)
        times = c.times("get_all")
        assert min(gaps(times)) >= JOBS - SLACK
        assert sorted(r.job_poller.polls for r in c.replicas)[0] == 0
        assert len(c.times("get")) == 2, "one read per subscription before any update"
    assert not c.errors_9()


@pytest.fixture
def own_redis() -> Iterator[RedisProcess]:
    with RedisProcess() as server:
        yield server


async def test_without_redis_each_replica_polls_alone_and_shares_again_when_it_returns(
    own_redis: RedisProcess, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="facade.upstream.pollers")
    async with cluster(own_redis.url, 2) as c, contextlib.AsyncExitStack() as stack:
        polls = record_polls(c.replicas, monkeypatch)
        subscribers = [
            (i % 2, await stack.enter_async_context(c.replicas[i % 2].answers())) for i in range(6)
        ]
        await eventually(lambda: len(c.times("get_answers")) == 2, within=ANSWERS + 0.5)

        own_redis.kill()
        down = time.monotonic()
        await eventually(lambda: all(schedule_of(r).alone for r in c.replicas), within=0.5)
        injected = c.inject("while Redis is away")
        await eventually(lambda: all(s.pending for _, s in subscribers), within=2 * ANSWERS + 0.1)
        await asyncio.sleep(5 * ANSWERS)
        assert all(take(s) == [injected] for _, s in subscribers)
        for calls in polls:
            alone = [poll for poll in calls if poll.start > down]
            assert len(alone) >= 3, "each replica polls for itself"
            spacing = [later.start - earlier.end for earlier, later in itertools.pairwise(alone)]
            assert min(spacing) >= 2 * ANSWERS - SLACK, "every interval x replicas"
            assert max(spacing) < 2 * ANSWERS + 0.1

        own_redis.start()
        back = time.monotonic()
        await eventually(
            lambda: not any(schedule_of(r).alone for r in c.replicas), within=BEAT + 0.2
        )
        await eventually(lambda: len(c.leaders()) == 1, within=LEASE)
        settled = time.monotonic()
        await asyncio.sleep(4 * ANSWERS)
        shared = [sum(1 for poll in calls if poll.start > settled) for calls in polls]
        assert sorted(shared) == [0, len(c.times("get_answers", since=settled))]
        assert min(gaps(c.times("get_answers", since=back))) >= ANSWERS - SLACK
        again = c.inject("shared again")
        await eventually(lambda: all(s.pending for _, s in subscribers), within=ANSWERS + 0.1)
        assert all(take(s) == [again] for _, s in subscribers)
    assert not c.errors_9()
    messages = [r.getMessage() for r in caplog.records if r.name == "facade.upstream.pollers"]
    assert len([m for m in messages if "Redis unreachable" in m]) == 2, messages
    assert len([m for m in messages if "Redis answers again" in m]) == 2, messages
