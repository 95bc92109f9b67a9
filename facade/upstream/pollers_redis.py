"""Live updates with one poller per account and kind across the replicas, coordinated in Redis.

Per (account, kind) the replicas with local subscribers elect a leader with a lease
(`facade:poll:<account digest>:<kind>`, `SET NX PX`, renewed every third of the lease). Only the
leader asks SMSC, on the interval and rule of `facade.upstream.pollers` (from the end of the
previous poll); it publishes what it found, encoded (`facade.upstream.codec`), on the pair's
channel, and every replica with subscribers, the leader too, fans it out to its own subscribers
with their filters and queues. A replica leads while it has subscribers of its own and hands over
(releases the lease) when its last one leaves; another replica with subscribers takes the lease
within a third of a lease, or within a lease and a third if the leader died holding it.

- Spacing: the leader keeps a `rest` key alive until its next poll is due (PX = its wait), and a
  new leader first waits what is left of it, so SMSC sees one poll per interval across handovers.
- Demand: each replica refreshes `wanted:<token>` (TTL one lease) with what its subscribers need:
  for answers the lowest id above which one still wants answers (a subscriber resuming from an
  older id), for jobs the ids watched and their creation days. The leader polls for their union.
- Answers: a message covers every answer in (`after`, `newest`]; a subscriber standing below
  `after` skips it until a poll from its id (the leader saw its `wanted` entry) covers it, so no
  subscriber gets an answer twice or out of order. The leader stores the newest id it published,
  and a new leader goes on from it; without one it takes a fresh baseline.

This is `SharedPolling`, the `Polling` of replicas that share Redis (`pollers.py`): a
`SharedSchedule` around each poller, with what is peculiar to its kind (`_AnswerShare`,
`_JobShare`, `_MessageShare`). When Redis cannot be reached, each replica polls alone for its own subscribers, as
`Pollers` does (`pollers.Alone`), every interval x `replicas` (the replicas together then ask no
more often than one poller would), logs that once, pings Redis every third of a lease, and goes
back to shared polling when it answers. Leases and beats run on real time (Redis' own); the
client's clock must too.
"""

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import uuid
from typing import Any, Final, Protocol

import redis.exceptions
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from facade.domain.answers import Answer, AnswerQuery
from facade.domain.jobs import Job, JobQuery
from facade.domain.messages import MessageRef, MessageState
from facade.upstream.message_poller import _MessagePoller
from facade.upstream.poll_leases import (
    _UNREACHABLE,
    _cancel,
    _Coordination,
    _honour_cancellation,
    _pack,
    _Published,
    _unpack,
)
from facade.upstream.poller_base import Alone, Schedule, _Poller
from facade.upstream.pollers import _AnswerPoller, _AnswerWatch, _JobPoller

__all__ = ["DEFAULT_LEASE", "SharedPolling", "SharedSchedule"]

logger = logging.getLogger("facade.upstream.pollers")

DEFAULT_LEASE: Final = 10.0


class _Share(Protocol):
    """What a kind of poller does when one leader polls for every replica."""

    def admit(self, state: Any) -> None:
        """Fit a new subscriber's state to what the updates told so far."""
        ...

    def wanted(self) -> dict[str, Any]:
        """What this replica's subscribers need from the leader's polls (JSON)."""
        ...

    async def take_lead(self) -> None:
        """Pick up where the previous leader stood."""
        ...

    async def lead(self, wanted: list[dict[str, Any]]) -> _Published:
        """One poll for every replica's `wanted`."""
        ...

    def receive(self, head: dict[str, Any], values: list[Any]) -> None:
        """Fan a published update out to this replica's subscribers."""
        ...

    def go_alone(self) -> None:
        """Turn what shared polling left into the poller's state for polling alone."""
        ...


class SharedSchedule:
    """A poller's `Schedule` across the replicas: one leader polls for all, every replica fans
    the updates out; alone (`Alone`) while Redis is away."""

    def __init__(
        self,
        poller: _Poller[Any],
        share: _Share,
        coordination: _Coordination,
        *,
        replicas: int,
        lease: float,
    ) -> None:
        self.poller = poller
        self.share = share
        self.coordination = coordination
        self.shared_interval = poller.interval
        self.replicas = replicas
        self.beat = lease / 3
        self.keep = poller.interval + 2 * lease
        self.alone = False
        self.leading = False
        self._outage = False

    def admit(self, state: Any) -> None:
        if self.alone:
            self.poller.admit(state)
        else:
            self.share.admit(state)

    async def run(self) -> None:
        token = uuid.uuid4().hex
        try:
            while True:
                _honour_cancellation()
                try:
                    await self._shared(token)
                except Exception as exc:  # noqa: BLE001 - the poller's edge: live updates go on
                    self._lose_redis(exc)
                await self._alone()
        finally:
            with contextlib.suppress(redis.exceptions.RedisError):
                await self.coordination.leave(token)

    def _lose_redis(self, exc: Exception) -> None:
        """Log the first failure of an outage; the ones until shared polling works again quietly."""
        where = self.poller.where
        if self._outage:
            logger.debug("%s: shared polling failed again: %r", where, exc)
            return
        self._outage = True
        every = self.shared_interval * self.replicas
        if isinstance(exc, _UNREACHABLE):
            logger.warning(
                "%s: Redis unreachable (%s); polling alone every %g s until it answers",
                where,
                exc,
                every,
            )
        else:
            logger.error(
                "%s: shared polling failed; polling alone every %g s", where, every, exc_info=exc
            )

    async def _shared(self, token: str) -> None:
        """Listen, renew this replica's demand and try for the lease every beat, and lead while
        holding it. Returns only by raising (Redis failed)."""
        coordination, poller = self.coordination, self.poller
        if poller.polled_at is not None:
            await coordination.stake_rest(poller.polled_at + self.shared_interval - poller.clock())
        pubsub = coordination.redis.pubsub()
        listener: asyncio.Task[None] | None = None
        leader: asyncio.Task[None] | None = None
        loop = asyncio.get_running_loop()
        try:
            await pubsub.subscribe(coordination.channel)
            listener = loop.create_task(self._listen(pubsub))
            while True:
                _honour_cancellation()
                await coordination.register(token, self.share.wanted())
                holds = await coordination.hold(token)
                if self._outage:
                    self._outage = False
                    logger.info("%s: Redis answers again; polling shared", poller.where)
                if holds and leader is None:
                    leader = loop.create_task(self._lead(token))
                elif not holds and leader is not None:
                    await _cancel(leader)
                    leader = None
                self.leading = holds
                children = [task for task in (listener, leader) if task is not None]
                done, _ = await asyncio.wait(
                    children, timeout=self.beat, return_when=asyncio.FIRST_COMPLETED
                )
                for task in done:
                    task.result()  # the children end only by raising
        finally:
            self.leading = False
            await _cancel(leader)
            await _cancel(listener)
            with contextlib.suppress(redis.exceptions.RedisError):
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _listen(self, pubsub: PubSub) -> None:
        async for message in pubsub.listen():
            if message.get("type") != "message":
                continue
            try:
                head, values = _unpack(message["data"])
                self.poller.polled_at = self.poller.clock()
                self.share.receive(head, values)
            except (ValueError, KeyError, TypeError) as exc:
                logger.warning("%s: dropped an unreadable update: %r", self.poller.where, exc)
        raise redis.exceptions.ConnectionError("the subscription ended")

    async def _lead(self, token: str) -> None:
        coordination, poller = self.coordination, self.poller
        await self.share.take_lead()
        while True:
            _honour_cancellation()
            wait = await coordination.begin(token, self.shared_interval)
            if wait is None:  # the lease is gone; the next beat ends this
                await asyncio.sleep(self.beat)
                continue
            if wait > 0:
                await poller.wait(wait)
                continue
            wanted = await coordination.registrations()
            found: list[_Published] = []
            rest = await poller.attempt(functools.partial(self._poll_into, found, wanted))
            await coordination.finish(rest, found[0] if found else None, keep=self.keep)
            await poller.wait(rest)

    async def _poll_into(self, found: list[_Published], wanted: list[dict[str, Any]]) -> None:
        found.append(await self.share.lead(wanted))

    async def _alone(self) -> None:
        """Poll as `Pollers` does, `replicas` times less often, until Redis answers a ping."""
        poller = self.poller
        self.alone = True
        poller.interval = self.shared_interval * self.replicas
        self.share.go_alone()
        now = poller.clock()
        first = (
            0.0 if poller.polled_at is None else max(0.0, poller.polled_at + poller.interval - now)
        )
        local = asyncio.get_running_loop().create_task(self._poll_alone(first))
        try:
            while True:
                await asyncio.sleep(self.beat)
                with contextlib.suppress(redis.exceptions.RedisError):
                    await self.coordination.redis.ping()
                    _honour_cancellation()
                    # Idle connections opened before the outage are dead: without them, the
                    # first commands after it do not fail (and log the outage) once more.
                    await self.coordination.redis.connection_pool.disconnect(
                        inuse_connections=False
                    )
                    return
        finally:
            await _cancel(local)
            poller.interval = self.shared_interval
            self.alone = False

    async def _poll_alone(self, first: float) -> None:
        await self.poller.wait(first)
        await Alone(self.poller).run()


class _AnswerShare:
    """Shared, the poller's `newest` is the newest id any update told this replica of; alone, as
    locally."""

    def __init__(self, poller: _AnswerPoller, coordination: _Coordination) -> None:
        self.poller = poller
        self.coordination = coordination
        self.leader_newest: int | None = None  # read again from Redis by each new leader

    def admit(self, state: _AnswerWatch) -> None:
        if state.after is None and self.poller.newest is not None:
            state.after = self.poller.newest

    def wanted(self) -> dict[str, Any]:
        subscribers = self.poller.subscribers
        afters = [watch.after for watch in subscribers.values() if watch.after is not None]
        return {"subscribers": len(subscribers), "after": min(afters, default=None)}

    async def take_lead(self) -> None:
        self.leader_newest = await self.coordination.newest()

    async def lead(self, wanted: list[dict[str, Any]]) -> _Published:
        base = self.leader_newest
        client = self.poller.client
        if base is None:
            listed = self.poller.fresh(await client.answers(AnswerQuery()))
            latest = max((int(answer.id) for answer in listed), default=0)
            self.leader_newest = latest
            head = {"after": latest, "base": latest, "newest": latest}
            return _Published(_pack(head, []), latest)
        after = min([base, *(int(w["after"]) for w in wanted if w.get("after") is not None)])
        query = AnswerQuery(after_id=str(after) if after else None)
        listed = self.poller.fresh(await client.answers(query))
        new = sorted(
            (answer for answer in listed if int(answer.id) > after),
            key=lambda answer: int(answer.id),
        )
        newest = max(base, int(new[-1].id)) if new else base
        self.leader_newest = newest
        head = {"after": after, "base": base, "newest": newest}
        return _Published(_pack(head, new), newest)

    def receive(self, head: dict[str, Any], values: list[Any]) -> None:
        poller = self.poller
        after, base, newest = int(head["after"]), int(head["base"]), int(head["newest"])
        answers = [answer for answer in values if isinstance(answer, Answer)]
        poller.newest = newest if poller.newest is None else max(poller.newest, newest)
        for subscription, watch in list(poller.subscribers.items()):
            if watch.after is None:
                watch.after = base  # subscribed before this replica heard of any poll
            elif watch.after < after:
                continue  # a gap below this update: a later poll starts from `watch.after`
            wanted = [answer for answer in answers if watch.wants(answer)]
            watch.after = max(watch.after, newest)
            if not all(subscription.offer(answer) for answer in wanted):
                poller.remove(subscription)

    def go_alone(self) -> None:
        poller = self.poller
        afters = [watch.after for watch in poller.subscribers.values() if watch.after is not None]
        if poller.newest is not None:
            poller.newest = min([poller.newest, *afters])


class _JobShare:
    def __init__(self, poller: _JobPoller) -> None:
        self.poller = poller

    def admit(self, state: Any) -> None:
        self.poller.admit(state)

    def wanted(self) -> dict[str, Any]:
        subscribers = self.poller.subscribers
        jobs = {
            watch.id: None if watch.created is None else watch.created.isoformat()
            for watch in subscribers.values()
        }
        return {"subscribers": len(subscribers), "jobs": jobs}

    async def take_lead(self) -> None:
        """Nothing to pick up: every poll lists the jobs anew."""

    async def lead(self, wanted: list[dict[str, Any]]) -> _Published:
        watched: dict[str, str | None] = {}
        for entry in wanted:
            watched.update(entry.get("jobs", {}))
        # SMSC's `start` is a day in Moscow time, as `created_at` (parsed with Moscow's offset) is.
        days = [dt.date.fromisoformat(day) for day in watched.values() if day is not None]
        fetched = await self.poller.client.jobs(JobQuery(since=min(days, default=None)))
        jobs = [job for job in self.poller.fresh(fetched) if job.id in watched]
        return _Published(_pack({"age": fetched.age}, jobs))

    def receive(self, head: dict[str, Any], values: list[Any]) -> None:
        poller = self.poller
        as_of = poller.clock() - float(head["age"])
        if poller.snapshot_at is not None and as_of < poller.snapshot_at:
            return  # an older list, from a leader that had just lost its lease
        poller.deliver([job for job in values if isinstance(job, Job)], as_of)

    def go_alone(self) -> None:
        """The last update's snapshot is the poller's already."""


class _MessageShare:
    """Every replica says which messages its subscribers follow; the leader asks status.php for
    them all (100 a request) and publishes their states; each replica hands over the changes."""

    def __init__(self, poller: _MessagePoller) -> None:
        self.poller = poller

    def admit(self, state: Any) -> None:
        self.poller.admit(state)

    def wanted(self) -> dict[str, Any]:
        refs = [[ref.id, ref.phone] for ref in self.poller.refs()]
        return {"subscribers": len(self.poller.subscribers), "messages": refs}

    async def take_lead(self) -> None:
        """Nothing to pick up: every poll asks for the messages anew."""

    async def lead(self, wanted: list[dict[str, Any]]) -> _Published:
        refs = list(
            dict.fromkeys(
                MessageRef(id, phone) for entry in wanted for id, phone in entry.get("messages", [])
            )
        )
        fetched = await self.poller.client.message_states(refs)
        return _Published(_pack({"age": fetched.age}, self.poller.fresh(fetched)))

    def receive(self, head: dict[str, Any], values: list[Any]) -> None:
        poller = self.poller
        states = [state for state in values if isinstance(state, MessageState)]
        poller.deliver(states, poller.clock() - float(head["age"]))

    def go_alone(self) -> None:
        """Each subscriber keeps what it last got."""


class SharedPolling:
    """The `Polling` of pollers polled once across every replica that shares `redis`.

    `replicas` is how many replicas there are at most: without Redis each polls alone that many
    times less often. `lease` (seconds) bounds how long a dead leader holds up the others. The
    caller owns `redis` and closes it after the pollers' `aclose()`.
    """

    def __init__(self, redis: Redis, *, replicas: int, lease: float = DEFAULT_LEASE) -> None:
        if replicas < 1:
            raise ValueError("replicas must be at least 1")
        if lease <= 0:
            raise ValueError("lease must be positive")
        self._redis = redis
        self._replicas = replicas
        self._lease = lease

    def schedule(self, poller: _Poller[Any]) -> Schedule:
        coordination = _Coordination(
            self._redis, account=poller.client.account, kind=poller.kind, lease=self._lease
        )
        share: _Share
        if isinstance(poller, _AnswerPoller):
            share = _AnswerShare(poller, coordination)
        elif isinstance(poller, _JobPoller):
            share = _JobShare(poller)
        elif isinstance(poller, _MessagePoller):
            share = _MessageShare(poller)
        else:
            raise TypeError(f"no shared polling for {poller!r}")
        return SharedSchedule(
            poller, share, coordination, replicas=self._replicas, lease=self._lease
        )
