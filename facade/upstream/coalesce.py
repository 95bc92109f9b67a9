"""Single flight: concurrent identical reads share one request to SMSC.

SMSC counts identical requests (DESIGN.md, "Caching under SMSC's rules"), so N callers asking the
same thing at once must cost one request, not N.
"""

import asyncio
import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def _call(work: Callable[[], Awaitable[T]]) -> T:
    return await work()


class SingleFlight:
    """At most one running execution of `work` per key; callers with that key share its outcome.

    The work runs in a task of its own, and each caller awaits it through `asyncio.shield`, so a
    cancelled caller (the one that started it included) leaves the others waiting and the work
    running; it still finishes, and is still paid for, when every caller has left. The flight ends
    when the work does: its result or exception goes to the callers of that flight only, and the
    next call runs the work again.
    """

    def __init__(self) -> None:
        # Strong references: the loop keeps only weak ones, and a flight every caller left must
        # still run to its end.
        self._flights: dict[str, asyncio.Task[Any]] = {}
        self._waiters = 0

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """The outcome of `work` for `key`, and whether this caller joined a running flight."""
        running: asyncio.Task[T] | None = self._flights.get(key)
        # A finished flight is over even before its done-callback has removed it.
        if running is not None and not running.done():
            self._waiters += 1
            return await asyncio.shield(running), True
        task = asyncio.get_running_loop().create_task(_call(work), name=f"single-flight {key}")
        self._flights[key] = task
        task.add_done_callback(functools.partial(self._land, key))
        return await asyncio.shield(task), False

    def is_running(self, key: str) -> bool:
        task = self._flights.get(key)
        return task is not None and not task.done()

    @property
    def in_flight(self) -> int:
        """How many keys have work running."""
        return sum(1 for task in self._flights.values() if not task.done())

    @property
    def waiters(self) -> int:
        """How many callers so far joined a flight another caller started."""
        return self._waiters

    def _land(self, key: str, task: asyncio.Task[Any]) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]
        if not task.cancelled():
            # Retrieve it so a flight whose callers were all cancelled logs no "Task exception
            # was never retrieved"; the callers, if any, get it through their shields.
            task.exception()
