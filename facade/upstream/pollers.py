"""Live updates without hammering SMSC: per account one poller per kind, shared by all subscribers.

- Answers: the first poll notes the newest answer SMSC lists (the baseline); every later poll asks
  `get_answers` with `after_id` = the newest id seen (lower while a subscriber that resumes from
  an older id still wants earlier ones) and hands each subscriber what is new to it and matches
  its `to_phone`, so one request serves every subscriber whatever its filter.
- Jobs: one `get_all` per interval, from the creation day of the oldest job watched (without a
  start SMSC lists only the 10 newest), diffed against the status each subscriber last got. A
  subscriber's first update is the job's status when it subscribed.

A poller starts with its first subscriber and is cancelled when the last one leaves. It polls,
then waits `interval` seconds on the client's clock from the end of that poll, and the interval is
never shorter than the identical-request budget allows (60 s / 2 on get.php, 60 s / 1 on jobs.php)
nor than the read's cache TTL (`poll_interval`; DESIGN.md, "Caching under SMSC's rules"). Hence:
- a poll that repeats the previous request (nothing new arrived) finds the previous answer expired
  in the client's cache and asks SMSC: exactly one upstream request per interval, and never the
  poller's own cached copy served for a further interval;
- a poll reaches SMSC at least `interval` after SMSC answered the previous one, so SMSC never sees
  more identical requests in its window than the budget allows, however long requests take.
A failed poll (the guard's `RateLimitedError`, SMSC's error 9, SMSC unreachable, a stale answer
from the cache) is logged once, and the poller tries again after its interval (or the error's
retry-after, if longer). A subscriber never slows the poller: updates wait in a bounded queue per
subscriber, and one that lets `queue_size` answers pile up is dropped with `FellBehindError`
after the ones it has; job subscribers keep only the latest status.

Where the polls are made is the pollers' `Polling`, chosen once at start-up (`backend.py`):
`LOCAL`, every interval in this process (`Alone`), or once across the replicas
(`pollers_redis.SharedPolling`), each a `Schedule` per poller built around it.
"""

import contextlib
import dataclasses
import datetime as dt
from collections.abc import AsyncIterator

from facade.domain.answers import Answer, AnswerQuery
from facade.domain.jobs import Job, JobQuery
from facade.domain.messages import MessageRef, MessageState
from facade.upstream.client import SmscClient
from facade.upstream.message_poller import MessageWatch, _MessagePoller
from facade.upstream.poller_base import LOCAL, Kind, Polling, Schedule, _Poller, poll_interval
from facade.upstream.subscriptions import DEFAULT_QUEUE_SIZE, FellBehindError, Subscription
from facade.upstream.timing import DEFAULT_CLOCK, Clock, Sleep, default_sleep

__all__ = [
    "DEFAULT_QUEUE_SIZE",
    "LOCAL",
    "FellBehindError",
    "Kind",
    "Pollers",
    "Polling",
    "Schedule",
    "Subscription",
    "poll_interval",
]


@dataclasses.dataclass(slots=True)
class _AnswerWatch:
    """One answer subscriber: its filter, and the id above which it still wants answers (None
    until the poller's baseline gives one)."""

    to_phone: str | None
    after: int | None
    # Ids above `after` an SMSC callback handed over already (`Pollers.deliver_answer`).
    pushed: set[int] = dataclasses.field(default_factory=set)

    def wants(self, answer: Answer) -> bool:
        id = int(answer.id)
        if (self.after is not None and id <= self.after) or id in self.pushed:
            return False
        if self.to_phone is None:
            return True
        return (answer.to_phone or "").removeprefix("+") == self.to_phone.removeprefix("+")


class _AnswerPoller(_Poller[_AnswerWatch]):
    """Polls after `newest`, the lowest id above which some subscriber still wants answers."""

    kind = Kind.ANSWERS

    def reset(self) -> None:
        self.newest: int | None = None  # None: no baseline yet

    def admit(self, state: _AnswerWatch) -> None:
        if self.newest is not None:
            if state.after is None:
                state.after = self.newest
            self.newest = min(self.newest, state.after)

    async def poll(self) -> None:
        if self.newest is None:
            afters = [w.after for w in self.subscribers.values() if w.after is not None]
            if len(afters) == len(self.subscribers):
                self.newest = min(afters)  # every subscriber said where it stands: no baseline
                return
            listed = self.fresh(await self.client.answers(AnswerQuery()))
            latest = max((int(answer.id) for answer in listed), default=0)
            for watch in self.subscribers.values():
                if watch.after is None:
                    watch.after = latest
            self.newest = min([latest, *afters])
            return
        after = str(self.newest) if self.newest else None
        listed = self.fresh(await self.client.answers(AnswerQuery(after_id=after)))
        newest = self.newest
        new = sorted(
            (answer for answer in listed if int(answer.id) > newest),
            key=lambda answer: int(answer.id),
        )
        if not new:
            return
        self.newest = int(new[-1].id)
        for subscription, watch in list(self.subscribers.items()):
            wanted = [answer for answer in new if watch.wants(answer)]
            watch.after = max(watch.after or 0, self.newest)
            watch.pushed = {id for id in watch.pushed if id > watch.after}
            if not all(subscription.offer(answer) for answer in wanted):
                self.remove(subscription)


@dataclasses.dataclass(slots=True)
class _Watch:
    """What one job subscriber last got: the status code, and the clock time of that data."""

    id: str
    status: int
    created: dt.date | None
    as_of: float


class _JobPoller(_Poller[_Watch]):
    kind = Kind.JOBS

    def reset(self) -> None:
        self.snapshot: dict[str, Job] = {}
        self.snapshot_at: float | None = None

    async def current(self, id: str) -> tuple[Job, float]:
        """The job as the last poll saw it, else as SMSC (or the cache) has it; and as of when."""
        if self.running and self.snapshot_at is not None and id in self.snapshot:
            return self.snapshot[id], self.snapshot_at
        fetched = await self.client.job(id)
        return fetched.value, self.clock() - fetched.age

    async def poll(self) -> None:
        # SMSC's `start` is a day in Moscow time, as `created_at` (parsed with Moscow's offset) is.
        days = [watch.created for watch in self.subscribers.values() if watch.created is not None]
        fetched = await self.client.jobs(JobQuery(since=min(days, default=None)))
        self.deliver(self.fresh(fetched), self.clock() - fetched.age)

    def deliver(self, jobs: list[Job], as_of: float) -> None:
        """Hand each subscriber its job's status in `jobs` (SMSC's list as of `as_of`), if new."""
        self.snapshot = {job.id: job for job in jobs}
        self.snapshot_at = as_of
        for subscription, watch in list(self.subscribers.items()):
            job = self.snapshot.get(watch.id)
            # An older answer (a cache hit) must not undo a status the subscriber already has.
            if job is None or as_of < watch.as_of:
                continue
            watch.as_of = as_of
            if job.status_raw != watch.status:
                watch.status = job.status_raw
                subscription.offer(job)


class Pollers:
    """One account's pollers, answers, jobs and messages, each started by its first subscriber.

    `clock` must be the client's (the cache and the budget run on it); `sleep` waits on it.
    `polling` says where the polls are made (module docstring).
    """

    def __init__(
        self,
        client: SmscClient,
        *,
        clock: Clock = DEFAULT_CLOCK,
        sleep: Sleep = default_sleep,
        queue_size: int = DEFAULT_QUEUE_SIZE,
        polling: Polling = LOCAL,
    ) -> None:
        self.client = client
        self.queue_size = queue_size
        self.answer_poller = _AnswerPoller(client, clock=clock, sleep=sleep, polling=polling)
        self.job_poller = _JobPoller(client, clock=clock, sleep=sleep, polling=polling)
        self.message_poller = _MessagePoller(client, clock=clock, sleep=sleep, polling=polling)

    def __repr__(self) -> str:
        return f"Pollers(account={self.client.account!r})"

    @contextlib.asynccontextmanager
    async def answers(
        self, *, to_phone: str | None = None, after: str | None = None
    ) -> AsyncIterator[Subscription[Answer]]:
        """Incoming messages, optionally only those sent to `to_phone`: those with an id above
        `after`, or by default those the poller finds from now on. Oldest first."""
        subscription: Subscription[Answer] = Subscription(limit=self.queue_size)
        watch = _AnswerWatch(to_phone, None if after is None else int(after))
        self.answer_poller.add(subscription, watch)
        try:
            yield subscription
        finally:
            self.answer_poller.remove(subscription)

    @contextlib.asynccontextmanager
    async def job(self, id: str) -> AsyncIterator[Subscription[Job]]:
        """The job now (raises what reading it raises, `SmscNotFound` included), then each
        change of its status."""
        job, as_of = await self.job_poller.current(id)
        subscription: Subscription[Job] = Subscription(latest_only=True)
        subscription.offer(job)
        created = job.created_at.date() if job.created_at is not None else None
        watch = _Watch(id=job.id, status=job.status_raw, created=created, as_of=as_of)
        self.job_poller.add(subscription, watch)
        try:
            yield subscription
        finally:
            self.job_poller.remove(subscription)

    @contextlib.asynccontextmanager
    async def message(self, ref: MessageRef) -> AsyncIterator[Subscription[MessageState]]:
        """The message's status now (raises what reading it raises), then each change until a
        final status, after which the subscription ends."""
        poller = self.message_poller
        fetched = await self.client.message_states([ref])
        (state,) = fetched.value
        subscription: Subscription[MessageState] = Subscription(limit=self.queue_size)
        subscription.offer(state)
        watch = MessageWatch(
            ref, (state.status_code, state.error_code), poller.clock() - fetched.age
        )
        if state.final:
            subscription.end()
        else:
            poller.add(subscription, watch)
        try:
            yield subscription
        finally:
            poller.remove(subscription)

    def deliver_message(self, state: MessageState) -> None:
        """A status SMSC called back with: to the message's subscribers at once."""
        poller = self.message_poller
        poller.deliver([state], poller.clock())

    def deliver_answer(self, answer: Answer) -> None:
        """An incoming message SMSC called back with: to each subscriber that wants it, at once;
        a later poll that lists it does not hand it over again."""
        for subscription, watch in list(self.answer_poller.subscribers.items()):
            if watch.wants(answer):
                watch.pushed.add(int(answer.id))
                if not subscription.offer(answer):
                    self.answer_poller.remove(subscription)

    async def aclose(self) -> None:
        """Stop the pollers; their subscriptions end after the updates they have."""
        await self.answer_poller.aclose()
        await self.job_poller.aclose()
        await self.message_poller.aclose()
