"""What every poller is (`_Poller`): one per account and kind, polling while it has subscribers,
on an interval SMSC's budget and the cache allow (`poll_interval`), where its `Polling` says
(`LOCAL`, or across replicas: `pollers_redis.SharedPolling`). `pollers.py` says how they behave.
"""

import asyncio
import contextlib
import enum
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final, Generic, Protocol, TypeVar

from facade.errors import FacadeError, RateLimitedError, SmscRateLimited, UpstreamUnavailable
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.exchange import Fetched, Freshness
from facade.upstream.subscriptions import Subscription
from facade.upstream.timing import Clock, Sleep

__all__ = ["LOCAL", "Alone", "Kind", "Polling", "Schedule", "poll_interval"]

logger = logging.getLogger("facade.upstream.pollers")

T = TypeVar("T")
S = TypeVar("S")


class Kind(enum.Enum):
    ANSWERS = "answers"
    JOBS = "jobs"
    MESSAGES = "messages"


# The client's TTL key of the read each kind repeats.
_TTL_KEYS: Final = {
    Kind.ANSWERS: "get.get_answers",
    Kind.JOBS: "jobs.get_all",
    Kind.MESSAGES: "status.get",
}


def poll_interval(config: UpstreamConfig, kind: Kind) -> float:
    """The configured interval, raised to what the identical-request budget and the TTL allow."""
    if kind is Kind.ANSWERS:
        requested, budget = config.poll_answers, config.read_budget
    elif kind is Kind.MESSAGES:
        requested, budget = config.poll_messages, config.read_budget
    else:
        requested, budget = config.poll_jobs, config.job_budget
    return max(requested, config.budget_window / budget, config.ttl(_TTL_KEYS[kind]))


class Schedule(Protocol):
    """How one poller's polls are made while it has subscribers."""

    def admit(self, state: Any) -> None:
        """Fit a new subscriber's state to what the polls saw so far."""
        ...

    async def run(self) -> None:
        """Make the poller's polls until cancelled."""
        ...


class Polling(Protocol):
    """Where pollers poll: builds the `Schedule` of each poller."""

    def schedule(self, poller: "_Poller[Any]") -> Schedule: ...


class Alone:
    """A poller's polls in this process: one every interval, from the end of the previous."""

    def __init__(self, poller: "_Poller[Any]") -> None:
        self.poller = poller

    def admit(self, state: Any) -> None:
        self.poller.admit(state)

    async def run(self) -> None:
        poller = self.poller
        while True:
            await poller.wait(await poller.attempt(poller.poll))


class _Local:
    def schedule(self, poller: "_Poller[Any]") -> Schedule:
        return Alone(poller)


LOCAL: Final[Polling] = _Local()


class _Poller(Generic[S]):
    """Runs `poll` every `interval` seconds while it has subscribers, each with its state `S`."""

    kind: Kind

    def __init__(self, client: SmscClient, *, clock: Clock, sleep: Sleep, polling: Polling) -> None:
        self.client = client
        self.interval = poll_interval(client.config, self.kind)
        self.clock = clock  # the client's (the cache and the budget run on it)
        self._sleep = sleep
        self.subscribers: dict[Subscription[Any], S] = {}
        self.polls = 0
        self.polled_at: float | None = None  # when a poll (here or, shared, anywhere) last ended
        self._task: asyncio.Task[None] | None = None
        # Runs stopped by their last subscriber, until they have ended (`aclose` waits for them).
        self._stopping: set[asyncio.Task[None]] = set()
        self._failing = False
        self.reset()
        self.schedule = polling.schedule(self)

    @property
    def where(self) -> str:
        return f"{self.kind.value} poller of {self.client.account}"

    @property
    def running(self) -> bool:
        return self._task is not None

    def add(self, subscription: Subscription[Any], state: S) -> None:
        if self._task is None:
            self.reset()
        self.schedule.admit(state)
        self.subscribers[subscription] = state
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self.schedule.run(), name=self.where
            )

    def remove(self, subscription: Subscription[Any]) -> None:
        self.subscribers.pop(subscription, None)
        if not self.subscribers and self._task is not None:
            task, self._task = self._task, None
            task.cancel()
            self._stopping.add(task)
            task.add_done_callback(self._stopping.discard)

    async def aclose(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for subscription in self.subscribers:
            subscription.end()
        self.subscribers.clear()
        if self._stopping:
            await asyncio.wait(list(self._stopping))

    def reset(self) -> None:
        """Forget what earlier runs saw: a poller that starts again starts from now."""

    def admit(self, state: S) -> None:
        """Fit a new subscriber's state to what the poller has seen so far."""

    async def poll(self) -> None:
        raise NotImplementedError

    async def attempt(self, poll: Callable[[], Awaitable[None]]) -> float:
        """Run `poll` once, logging a failure; returns the seconds to wait before the next."""
        wait = self.interval
        try:
            self.polls += 1
            await poll()
        except Exception as exc:  # noqa: BLE001 - the poller's edge: live updates go on
            wait = max(wait, _retry_after(exc))
            self._fail(exc)
        else:
            if self._failing:
                self._failing = False
                logger.info("%s recovered", self.where)
        self.polled_at = self.clock()
        return wait

    async def wait(self, seconds: float) -> None:
        # On the client's clock, whose time the cache and the budget use; a sleep may end early.
        deadline = self.clock() + seconds
        while (left := deadline - self.clock()) > 0:
            await self._sleep(left)

    def _fail(self, exc: Exception) -> None:
        where = self.where
        if self._failing:
            logger.debug("%s still failing: %s", where, exc)
            return
        self._failing = True
        if isinstance(exc, FacadeError):
            logger.warning(
                "%s failed, retrying every %g s: %s", where, self.interval, exc.diagnostic
            )
        else:
            logger.error("%s failed, retrying every %g s", where, self.interval, exc_info=exc)

    def fresh(self, fetched: Fetched[T]) -> T:
        """The value of a read SMSC answered; a stale one from the cache counts as a failure."""
        if fetched.freshness is Freshness.STALE:
            raise UpstreamUnavailable("SMSC could not be asked; the cache had a stale answer only")
        return fetched.value


def _retry_after(exc: Exception) -> float:
    if isinstance(exc, RateLimitedError):
        return exc.retry_after
    if isinstance(exc, SmscRateLimited):
        return SmscRateLimited.RETRY_AFTER
    return 0.0
