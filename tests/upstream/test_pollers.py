"""Pollers against the emulator, on fake time: the counts come from the emulator's call log."""

import contextlib
import itertools
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from facade.domain.answers import Answer, AnswerQuery
from facade.domain.jobs import Job, JobQuery, JobStatus
from facade.errors import SmscNotFound, SmscRateLimited
from facade.settings import CACHE_TTLS, Settings
from facade.upstream.config import UpstreamConfig
from facade.upstream.pollers import FellBehindError, Kind, Pollers, Subscription, poll_interval
from tests.fakes import FakeClock
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

ANSWERS = 30.0
JOBS = 60.0
NEWEST_SEEDED_ANSWER = 6006
WAITING_JOB = "2012"
OTHER_WAITING_JOB = "2013"


class Ticker:
    """Fake time for pollers: a `sleep` ends once `advance` has moved the clock past its end.

    `settle` lets the woken tasks run until `asleep` sleepers wait for a later time, so a test
    sees each poll done before it looks.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._sleepers: list[tuple[float, anyio.Event]] = []

    async def sleep(self, seconds: float) -> None:
        entry = (self.clock() + seconds, anyio.Event())
        self._sleepers.append(entry)
        try:
            await entry[1].wait()
        finally:
            self._sleepers.remove(entry)

    async def advance(self, seconds: float, *, asleep: int = 1) -> None:
        self.clock.advance(seconds)
        for deadline, event in self._sleepers:
            if deadline <= self.clock():
                event.set()
        await self.settle(asleep)

    async def settle(self, asleep: int = 1) -> None:
        def settled() -> bool:
            now = self.clock()
            return len(self._sleepers) == asleep and all(d > now for d, _ in self._sleepers)

        await eventually(settled)


async def eventually(condition: Callable[[], bool]) -> None:
    for _ in range(20_000):
        if condition():
            return
        await anyio.lowlevel.checkpoint()
    raise AssertionError("condition never held")


def polls(h: Harness, command: str) -> int:
    return len(h.calls(command))


def errors_9(h: Harness) -> list[object]:
    return [call for call in h.emulator.calls if call.error == 9]


def take(subscription: Subscription[Answer]) -> list[str]:
    """The ids of what waits in `subscription`, without waiting."""
    ids = []
    while subscription.pending:
        item = subscription._items.popleft()
        ids.append(item.id)
    return ids


@contextlib.asynccontextmanager
async def answer_subscribers(
    pollers: Pollers, count: int, **filters: str | None
) -> AsyncIterator[list[Subscription[Answer]]]:
    async with contextlib.AsyncExitStack() as stack:
        yield [await stack.enter_async_context(pollers.answers(**filters)) for _ in range(count)]


def setup(**config: Any) -> tuple[Harness, Ticker, Pollers]:
    h = harness(**config)
    ticker = Ticker(h.clock)
    return h, ticker, Pollers(h.client, clock=h.clock, sleep=ticker.sleep)


async def test_100_subscribers_cost_one_upstream_poll_per_interval() -> None:
    h, ticker, pollers = setup()
    async with answer_subscribers(pollers, 100):
        await ticker.settle()
        assert polls(h, "get_answers") == 1, "the baseline"
        for interval in range(1, 5):
            await ticker.advance(ANSWERS)
            assert polls(h, "get_answers") == 1 + interval
        assert pollers.answer_poller.polls == 5
    assert not errors_9(h)


async def test_a_new_answer_reaches_all_100_subscribers_within_one_interval() -> None:
    h, ticker, pollers = setup()
    async with answer_subscribers(pollers, 100) as subscribers:
        await ticker.settle()
        assert all(s.pending == 0 for s in subscribers), "only answers after subscribing"
        await ticker.advance(1.0)
        injected = h.emulator.inject_answer(phone="79990001122", message="hi", to_phone="7937")
        await ticker.advance(ANSWERS - 1.0)

        assert all(take(s) == [str(injected)] for s in subscribers)
        assert polls(h, "get_answers") == 2


async def test_subscribers_read_answers_as_an_async_iterator() -> None:
    h, ticker, pollers = setup()
    async with pollers.answers() as subscription:
        await ticker.settle()
        first = h.emulator.inject_answer(phone="79990001122", message="one")
        second = h.emulator.inject_answer(phone="79990001122", message="two")
        await ticker.advance(ANSWERS)
        got = [await anext(subscription), await anext(subscription)]

    assert [answer.id for answer in got] == [str(first), str(second)]
    assert [answer.message for answer in got] == ["one", "two"]


async def test_to_phone_filters_in_process_with_one_upstream_poll() -> None:
    h, ticker, pollers = setup()
    async with (
        answer_subscribers(pollers, 3, to_phone="79370000001") as first,
        answer_subscribers(pollers, 3, to_phone="+79370000002") as second,
        answer_subscribers(pollers, 3) as everyone,
    ):
        await ticker.settle()
        to_first = h.emulator.inject_answer(
            phone="79990001122", message="a", to_phone="79370000001"
        )
        to_second = h.emulator.inject_answer(
            phone="79990001122", message="b", to_phone="+79370000002"
        )
        to_nobody = h.emulator.inject_answer(phone="79990001122", message="c", to_phone="7999")
        await ticker.advance(ANSWERS)

        assert all(take(s) == [str(to_first)] for s in first)
        assert all(take(s) == [str(to_second)] for s in second)
        assert all(take(s) == [str(to_first), str(to_second), str(to_nobody)] for s in everyone)
    assert polls(h, "get_answers") == 2


async def test_polls_ask_after_the_newest_answer_seen() -> None:
    h, ticker, pollers = setup()
    async with pollers.answers():
        await ticker.settle()
        assert pollers.answer_poller.newest == NEWEST_SEEDED_ANSWER
        injected = h.emulator.inject_answer(phone="79990001122", message="a")
        await ticker.advance(ANSWERS)
        assert pollers.answer_poller.newest == injected
        await ticker.advance(ANSWERS)
    keys = [key for key in h.budget._uses if "get_answers" in key]
    assert any(f"after_id={NEWEST_SEEDED_ANSWER}" in key for key in keys)
    assert any(f"after_id={injected}" in key for key in keys)


async def test_a_repeated_poll_reads_smsc_not_the_cache() -> None:
    """Nothing new: the same request every interval; each must reach SMSC, not the cache."""
    h, ticker, pollers = setup()
    async with pollers.answers():
        await ticker.settle()
        for _ in range(4):
            await ticker.advance(ANSWERS)
    assert polls(h, "get_answers") == 5
    assert h.client.stats.cache["hit"] == 0


async def test_ten_simulated_minutes_give_no_error_9() -> None:
    h, ticker, pollers = setup()
    async with (
        answer_subscribers(pollers, 100),
        pollers.job(WAITING_JOB),
        pollers.job(OTHER_WAITING_JOB),
    ):
        await ticker.settle(asleep=2)
        for second in range(0, 600, 5):
            if second % 45 == 0:
                h.emulator.inject_answer(phone="79990001122", message=f"at {second}")
            await ticker.advance(5.0, asleep=2)

    assert not errors_9(h)
    assert polls(h, "get_answers") == 1 + 600 / ANSWERS
    assert polls(h, "get_all") == 1 + 600 / JOBS
    assert not h.client.stats.guard_rejections, "every poll was within the budget"


async def test_the_poller_stops_when_the_last_subscriber_leaves() -> None:
    h, ticker, pollers = setup()
    async with pollers.answers():
        async with pollers.answers():
            await ticker.settle()
        await ticker.advance(ANSWERS)
        assert pollers.answer_poller.subscribers
    assert not pollers.answer_poller.running
    await eventually(lambda: not ticker._sleepers)
    before = polls(h, "get_answers")

    for _ in range(5):
        await ticker.advance(ANSWERS, asleep=0)

    assert polls(h, "get_answers") == before == 2


async def test_a_restarted_poller_takes_a_new_baseline() -> None:
    h, ticker, pollers = setup()
    async with pollers.answers():
        await ticker.settle()
    unheard = h.emulator.inject_answer(phone="79990001122", message="while nobody listened")
    await ticker.advance(ANSWERS, asleep=0)
    async with pollers.answers() as subscription:
        await ticker.settle()
        assert pollers.answer_poller.newest == unheard
        await ticker.advance(ANSWERS)
        assert subscription.pending == 0


async def test_job_changed_starts_with_the_current_status_then_each_change() -> None:
    h, ticker, pollers = setup()
    async with pollers.job(WAITING_JOB) as updates, pollers.job(OTHER_WAITING_JOB) as other:
        await ticker.settle()
        first = await anext(updates)
        assert (first.id, first.status) == (WAITING_JOB, JobStatus.WAITING)
        await anext(other)

        await ticker.advance(JOBS)
        assert updates.pending == 0, "no change, no update"

        h.emulator.set_job_status(int(WAITING_JOB), 1)
        await ticker.advance(JOBS)
        changed = await anext(updates)
        assert (changed.id, changed.status) == (WAITING_JOB, JobStatus.RUNNING)
        assert other.pending == 0

        h.emulator.set_job_status(int(WAITING_JOB), 2)
        h.emulator.set_job_status(int(WAITING_JOB), 7)
        await ticker.advance(JOBS)
        unknown = await anext(updates)
        assert (unknown.status, unknown.status_raw) == (JobStatus.UNKNOWN, 7)
    assert polls(h, "get_all") == 4
    assert not errors_9(h)


async def test_one_job_poll_serves_every_job_subscriber() -> None:
    h, ticker, pollers = setup()
    async with contextlib.AsyncExitStack() as stack:
        for id in ["2001", "2005", "2011", WAITING_JOB, OTHER_WAITING_JOB] * 20:
            await stack.enter_async_context(pollers.job(id))
        await ticker.settle()
        for _ in range(3):
            await ticker.advance(JOBS)
    assert polls(h, "get_all") == 4
    # At most one read per job id: once a poll has listed a job, subscribers take it from there.
    assert polls(h, "get") <= 5


async def test_the_job_list_starts_at_the_oldest_watched_job() -> None:
    """Without `start` SMSC lists the 10 newest jobs only; 2001 is the oldest of 13."""
    h, ticker, pollers = setup()
    async with pollers.job("2001") as updates:
        await anext(updates)
        await ticker.settle()
        h.emulator.set_job_status(2001, 3)
        await ticker.advance(JOBS)
        changed = await anext(updates)
    assert changed.status is JobStatus.CANCELLED


async def test_an_unknown_job_raises_not_found_and_leaves_no_subscriber() -> None:
    _, _, pollers = setup()
    with pytest.raises(SmscNotFound):
        async with pollers.job("999999"):
            pass
    assert not pollers.job_poller.running


async def test_a_slow_subscriber_is_dropped_and_never_blocks_the_others() -> None:
    h = harness()
    ticker = Ticker(h.clock)
    pollers = Pollers(h.client, clock=h.clock, sleep=ticker.sleep, queue_size=3)
    async with pollers.answers() as slow, pollers.answers() as reader:
        await ticker.settle()
        ids = []
        for round_ in range(3):
            for n in range(2):
                ids.append(str(h.emulator.inject_answer(phone="79990001122", message=f"{n}")))
            await ticker.advance(ANSWERS)
            assert take(reader) == ids[-2:], round_

        assert slow.ended
        got: list[str] = []
        with pytest.raises(FellBehindError, match="fell 3 updates behind"):
            await _read_all(slow, got)
        assert got == ids[:3]
        assert len(pollers.answer_poller.subscribers) == 1
    assert polls(h, "get_answers") == 4


async def _read_all(subscription: Subscription[Answer], into: list[str]) -> None:
    async for answer in subscription:
        into.append(answer.id)


async def test_job_subscribers_keep_only_the_latest_status() -> None:
    h, ticker, pollers = setup()
    async with pollers.job(WAITING_JOB) as updates:
        await ticker.settle()
        for status in (1, 2):
            h.emulator.set_job_status(int(WAITING_JOB), status)
            await ticker.advance(JOBS)
        assert updates.pending == 1
        latest: Job = await anext(updates)
    assert latest.status is JobStatus.DONE


async def test_a_failing_poll_is_logged_once_and_the_poller_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h, ticker, pollers = setup()
    async with pollers.answers() as subscription:
        await ticker.settle()
        h.emulator.add_fault("status", status=503)
        injected = h.emulator.inject_answer(phone="79990001122", message="late")
        with caplog.at_level(logging.INFO, logger="facade.upstream.pollers"):
            for _ in range(4):
                await ticker.advance(ANSWERS)
            h.emulator.clear_faults()
            await ticker.advance(ANSWERS)

        assert take(subscription) == [str(injected)]
    messages = [r.getMessage() for r in caplog.records if r.name == "facade.upstream.pollers"]
    assert len([m for m in messages if "failed" in m]) == 1, messages
    assert len([m for m in messages if "recovered" in m]) == 1, messages
    assert not errors_9(h)


async def test_a_spent_budget_backs_off_to_the_next_interval() -> None:
    """Someone else spent the budget of the poll's request: the guard refuses, SMSC sees nothing."""
    h, ticker, pollers = setup()
    async with pollers.answers() as subscription:
        await ticker.settle()
        key = f"/sys/get.php?after_id={NEWEST_SEEDED_ANSWER}&get_answers=1"
        assert h.budget.try_spend(key, 2) is None
        assert h.budget.try_spend(key, 2) is None
        injected = h.emulator.inject_answer(phone="79990001122", message="a")
        await ticker.advance(ANSWERS)
        assert subscription.pending == 0
        assert polls(h, "get_answers") == 1
        await ticker.advance(ANSWERS)
        assert take(subscription) == [str(injected)]
    assert not errors_9(h)


async def test_closing_ends_every_subscription_cleanly() -> None:
    _, ticker, pollers = setup()
    async with pollers.answers() as subscription, pollers.job(WAITING_JOB) as job:
        await ticker.settle(asleep=2)
        await pollers.aclose()
        assert [answer async for answer in subscription] == []
        assert [j.id async for j in job] == [WAITING_JOB]
    assert not pollers.answer_poller.running
    assert not pollers.job_poller.running


@pytest.mark.parametrize(
    ("config", "kind", "expected"),
    [
        pytest.param({}, Kind.ANSWERS, 30.0, id="answers-default"),
        pytest.param({}, Kind.JOBS, 60.0, id="jobs-default"),
        pytest.param({"poll_answers": 5.0}, Kind.ANSWERS, 30.0, id="answers-floor-budget"),
        pytest.param({"poll_jobs": 5.0}, Kind.JOBS, 60.0, id="jobs-floor-budget"),
        pytest.param({"poll_answers": 45.0}, Kind.ANSWERS, 45.0, id="answers-longer"),
        pytest.param({"read_budget": 1}, Kind.ANSWERS, 60.0, id="answers-smaller-budget"),
        pytest.param({"ttls": {"get.get_answers": 50.0}}, Kind.ANSWERS, 50.0, id="answers-ttl"),
        pytest.param({"ttls": {"jobs.get_all": 90.0}}, Kind.JOBS, 90.0, id="jobs-ttl"),
        pytest.param({"ttls": {}}, Kind.ANSWERS, 60.0, id="answers-default-ttl"),
    ],
)
def test_the_interval_is_never_shorter_than_budget_and_ttl_allow(
    config: dict[str, object], kind: Kind, expected: float
) -> None:
    with_ttls: dict[str, object] = {"ttls": CACHE_TTLS, **config}
    assert poll_interval(UpstreamConfig(**with_ttls), kind) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("environ", "answers", "jobs"),
    [
        pytest.param({}, 30.0, 60.0, id="defaults"),
        pytest.param(
            {"FACADE_POLL_ANSWERS_SECONDS": "45", "FACADE_POLL_JOBS_SECONDS": "120.5"},
            45.0,
            120.5,
            id="longer",
        ),
    ],
)
def test_settings_read_the_poll_intervals(
    environ: dict[str, str], answers: float, jobs: float
) -> None:
    settings = Settings.from_env(environ)
    assert (settings.poll_answers_seconds, settings.poll_jobs_seconds) == (answers, jobs)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FACADE_POLL_ANSWERS_SECONDS", "29"),
        ("FACADE_POLL_JOBS_SECONDS", "59.9"),
        ("FACADE_POLL_ANSWERS_SECONDS", "soon"),
        ("FACADE_POLL_JOBS_SECONDS", "nan"),
    ],
)
def test_settings_refuse_intervals_below_the_budget(name: str, value: str) -> None:
    from facade.errors import ConfigError

    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})


async def test_a_subscriber_resuming_after_an_id_gets_what_followed_it_and_nobody_twice() -> None:
    h, ticker, pollers = setup()
    async with pollers.answers() as live:
        await ticker.settle()
        missed = h.emulator.inject_answer(phone="79990001122", message="missed")
        await ticker.advance(ANSWERS)
        assert take(live) == [str(missed)]

        async with pollers.answers(after="6005") as resumed:
            later = h.emulator.inject_answer(phone="79990001122", message="later")
            await ticker.advance(ANSWERS)

            assert take(resumed) == ["6006", str(missed), str(later)]
            assert take(live) == [str(later)]
            await ticker.advance(ANSWERS)
            assert resumed.pending == live.pending == 0
    assert polls(h, "get_answers") == 4


async def test_a_first_subscriber_resuming_after_an_id_misses_nothing() -> None:
    _, ticker, pollers = setup()
    async with pollers.answers(after="6004") as resumed, pollers.answers() as fresh:
        await ticker.settle()
        await ticker.advance(ANSWERS)
        assert take(resumed) == ["6005", "6006"]
        assert fresh.pending == 0


async def test_the_interval_runs_from_the_end_of_a_slow_poll() -> None:
    """Each request takes 7 s. A poll due 30 s after the previous one *began* would reach SMSC
    23 s after its answer and get that answer's cached copy; from the end, none is cached."""
    arrivals: list[float] = []
    holder: list[FakeClock] = []

    async def slow(seconds: float) -> None:
        arrivals.append(holder[0]())
        holder[0].advance(seconds)

    h = harness(emulator_sleep=slow)
    holder.append(h.clock)
    ticker = Ticker(h.clock)
    pollers = Pollers(h.client, clock=h.clock, sleep=ticker.sleep)
    h.emulator.add_fault("latency", seconds=7.0)
    injected: dict[str, float] = {}
    delays = []
    async with pollers.answers() as subscription:
        await ticker.settle()
        for second in range(600):
            if second % 50 == 0:
                injected[str(h.emulator.inject_answer(phone="79990001122", message="x"))] = (
                    h.clock()
                )
            await ticker.advance(1.0)
            delays += [h.clock() - injected[id] for id in take(subscription)]

    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert min(gaps) >= ANSWERS + 7.0
    assert len(delays) == len(injected)
    assert max(delays) <= ANSWERS + 7.0 + 1.0
    assert h.client.stats.cache["hit"] == 0
    assert not h.client.stats.guard_rejections
    assert not errors_9(h)


async def test_a_stale_answer_from_the_cache_counts_as_a_failed_poll(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The budget of the poll's request is spent and only a stale copy is cached: nothing is
    delivered from it, the failure is logged, and the next interval polls SMSC again."""
    h, ticker, pollers = setup()
    async with pollers.answers() as subscription:
        await ticker.settle()
        await ticker.advance(ANSWERS)  # caches the answer to `after_id=6006`
        key = f"/sys/get.php?after_id={NEWEST_SEEDED_ANSWER}&get_answers=1"
        assert h.budget.try_spend(key, 2) is None
        injected = h.emulator.inject_answer(phone="79990001122", message="a")
        with caplog.at_level(logging.WARNING, logger="facade.upstream.pollers"):
            await ticker.advance(ANSWERS)
        assert subscription.pending == 0
        assert h.client.stats.cache["stale"] == 1
        await ticker.advance(ANSWERS)
        assert take(subscription) == [str(injected)]
    assert "stale" in caplog.text


async def test_smsc_error_9_waits_a_whole_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    h, ticker, pollers = setup()
    async with pollers.answers():
        await ticker.settle()
        original = h.client.answers

        async def refused(query: AnswerQuery) -> Any:
            monkeypatch.setattr(h.client, "answers", original)
            raise SmscRateLimited(9, "duplicate request, wait a minute", endpoint="get.php")

        monkeypatch.setattr(h.client, "answers", refused)
        await ticker.advance(ANSWERS)  # refused: SMSC names no wait, so a minute
        await ticker.advance(SmscRateLimited.RETRY_AFTER - 1.0)
        assert polls(h, "get_answers") == 1
        await ticker.advance(1.0)
        assert polls(h, "get_answers") == 2


async def test_an_unexpected_error_is_logged_once_with_its_traceback(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    h, ticker, pollers = setup()

    async def broken(query: AnswerQuery) -> Any:
        raise RuntimeError("a bug")

    async with pollers.answers():
        await ticker.settle()
        monkeypatch.setattr(h.client, "answers", broken)
        with caplog.at_level(logging.INFO, logger="facade.upstream.pollers"):
            for _ in range(3):
                await ticker.advance(ANSWERS)
        assert pollers.answer_poller.running
    (record,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None


async def test_an_older_job_list_from_the_cache_never_undoes_a_newer_status() -> None:
    h, ticker, pollers = setup()
    listed = {job.id: job for job in (await h.client.jobs()).value}
    created = listed[WAITING_JOB].created_at
    assert created is not None
    await h.client.jobs(JobQuery(since=created.date()))  # the poll's request, cached: waiting
    h.clock.advance(10.0)
    h.emulator.set_job_status(int(WAITING_JOB), 1)
    async with pollers.job(WAITING_JOB) as updates:
        first = await anext(updates)
        await ticker.settle()
        assert h.client.stats.cache["hit"] == 1, "the first poll got the cached, older list"
        assert updates.pending == 0
        await ticker.advance(JOBS)
        assert len(h.calls("get_all")) == 3
        assert updates.pending == 0
    assert first.status is JobStatus.RUNNING
