import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from facade.upstream.coalesce import SingleFlight

pytestmark = pytest.mark.anyio


class Work:
    """Work held open by an event; counts its executions."""

    def __init__(self, result: object = "value", error: BaseException | None = None) -> None:
        self.result = result
        self.error = error
        self.release = asyncio.Event()
        self.calls = 0
        self.finished = 0

    async def __call__(self) -> object:
        self.calls += 1
        await self.release.wait()
        self.finished += 1
        if self.error is not None:
            raise self.error
        return self.result


async def settle() -> None:
    """Let every ready callback and task step run (done-callbacks run one loop turn later)."""
    for _ in range(5):
        await asyncio.sleep(0)


def start(
    flights: SingleFlight, key: str, work: Callable[[], Awaitable[Any]]
) -> asyncio.Task[tuple[Any, bool]]:
    return asyncio.get_running_loop().create_task(flights.run(key, work), name="caller")


@pytest.fixture
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """What the loop would log as unhandled (e.g. "Task exception was never retrieved")."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, Any]] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    yield errors
    gc.collect()
    loop.set_exception_handler(previous)


@pytest.fixture
async def no_leaked_tasks() -> AsyncIterator[None]:
    yield
    await settle()
    ours = [
        task
        for task in asyncio.all_tasks()
        if task.get_name().startswith(("single-flight", "caller"))
    ]
    assert ours == []


@pytest.mark.usefixtures("no_leaked_tasks")
async def test_concurrent_identical_calls_share_one_execution() -> None:
    flights = SingleFlight()
    work = Work(result=("shared",))
    callers = [start(flights, "k", work) for _ in range(200)]
    await settle()
    assert flights.in_flight == 1
    assert flights.is_running("k")
    work.release.set()
    outcomes = await asyncio.gather(*callers)
    assert work.calls == 1
    assert all(value is work.result for value, _ in outcomes)
    assert [joined for _, joined in outcomes].count(False) == 1
    assert flights.waiters == 199
    await settle()
    assert flights.in_flight == 0
    assert not flights.is_running("k")


@pytest.mark.usefixtures("no_leaked_tasks")
async def test_cancelling_the_starter_leaves_the_flight_running() -> None:
    flights = SingleFlight()
    work = Work()
    starter = start(flights, "k", work)
    await settle()
    others = [start(flights, "k", work) for _ in range(3)]
    await settle()
    starter.cancel()
    await settle()
    assert starter.cancelled()
    assert flights.is_running("k")
    work.release.set()
    assert await asyncio.gather(*others) == [("value", True)] * 3
    assert work.calls == 1


@pytest.mark.usefixtures("no_leaked_tasks")
async def test_cancelling_a_waiter_leaves_the_others() -> None:
    flights = SingleFlight()
    work = Work()
    starter = start(flights, "k", work)
    await settle()
    waiter, other = start(flights, "k", work), start(flights, "k", work)
    await settle()
    waiter.cancel()
    work.release.set()
    assert await starter == ("value", False)
    assert await other == ("value", True)
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert work.calls == 1


@pytest.mark.usefixtures("no_leaked_tasks")
async def test_error_reaches_every_caller_and_is_not_remembered() -> None:
    flights = SingleFlight()
    error = LookupError("upstream said no")
    failing = Work(error=error)
    callers = [start(flights, "k", failing) for _ in range(3)]
    await settle()
    failing.release.set()
    outcomes = await asyncio.gather(*callers, return_exceptions=True)
    assert outcomes == [error] * 3
    assert failing.calls == 1
    await settle()
    assert flights.in_flight == 0
    succeeding = Work()
    succeeding.release.set()
    assert await flights.run("k", succeeding) == ("value", False)


@pytest.mark.usefixtures("no_leaked_tasks")
async def test_a_later_call_runs_the_work_again() -> None:
    flights = SingleFlight()
    work = Work()
    work.release.set()
    assert await flights.run("k", work) == ("value", False)
    assert await flights.run("k", work) == ("value", False)
    assert work.calls == 2
    assert flights.waiters == 0


@pytest.mark.usefixtures("no_leaked_tasks")
async def test_a_call_right_after_the_work_ends_does_not_join_it() -> None:
    flights = SingleFlight()
    first = Work(result=1)
    caller = start(flights, "k", first)
    await settle()
    first.release.set()
    # One turn: the work finishes, but its done-callback has not yet removed the flight.
    await asyncio.sleep(0)
    assert first.finished == 1
    assert not flights.is_running("k")
    second = Work(result=2)
    second.release.set()
    assert await flights.run("k", second) == (2, False)
    assert await caller == (1, False)
    await settle()
    assert flights.in_flight == 0


@pytest.mark.usefixtures("no_leaked_tasks")
async def test_different_keys_run_independently() -> None:
    flights = SingleFlight()
    a, b = Work(result="a"), Work(result="b")
    caller_a, caller_b = start(flights, "a", a), start(flights, "b", b)
    await settle()
    assert flights.in_flight == 2
    b.release.set()
    assert await caller_b == ("b", False)
    assert not caller_a.done()
    a.release.set()
    assert await caller_a == ("a", False)
    assert (a.calls, b.calls, flights.waiters) == (1, 1, 0)


@pytest.mark.usefixtures("no_leaked_tasks")
@pytest.mark.parametrize("error", [None, LookupError("nobody is listening")], ids=["ok", "error"])
async def test_work_finishes_when_every_caller_is_cancelled(
    loop_errors: list[dict[str, Any]], error: BaseException | None
) -> None:
    flights = SingleFlight()
    work = Work(error=error)
    callers = [start(flights, "k", work) for _ in range(3)]
    await settle()
    for caller in callers:
        caller.cancel()
    await settle()
    assert all(caller.cancelled() for caller in callers)
    assert flights.is_running("k")
    work.release.set()
    await settle()
    assert work.finished == 1
    assert flights.in_flight == 0
    del callers
    gc.collect()
    assert loop_errors == []


@pytest.mark.usefixtures("no_leaked_tasks")
async def test_a_cancelled_flight_cancels_its_callers_and_ends() -> None:
    flights = SingleFlight()
    work = Work()
    callers = [start(flights, "k", work) for _ in range(2)]
    await settle()
    (flight,) = [task for task in asyncio.all_tasks() if task.get_name() == "single-flight k"]
    flight.cancel()  # as at loop shutdown
    outcomes = await asyncio.gather(*callers, return_exceptions=True)
    assert all(isinstance(outcome, asyncio.CancelledError) for outcome in outcomes)
    await settle()
    assert flights.in_flight == 0
    assert work.finished == 0


async def test_work_may_return_any_awaitable() -> None:
    flights = SingleFlight()
    future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    future.set_result("from a future")
    assert await flights.run("k", lambda: future) == ("from a future", False)
