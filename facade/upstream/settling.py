"""Writes whose outcome SMSC can be asked about when their answer was lost (`idempotency.py`).

Each carries a marker of its idempotent run, kept in the run's record before anything is sent:
- a job creation, in the job's name (`job_marker.py`); SMSC's job list, read fresh, shows it;
- a message, as its id (send.php `id`, `message_ids.py`); status.php, asked fresh, finds it.
`find` gives the answer a found write gets, None when SMSC has none, and raises `settling_error`
when it cannot tell yet (SMSC failing, refusing or out of budget).
"""

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Final, Generic, Protocol, TypeVar

from facade import errors as tree
from facade.domain.common import MOSCOW
from facade.domain.jobs import Job, JobCreated, JobQuery, new_marker
from facade.domain.messages import MessageRef, MessageSent, new_message_id
from facade.smsc import commands, messages
from facade.upstream import effects
from facade.upstream.client import SmscClient
from facade.upstream.exchange import Freshness
from facade.upstream.message_ids import sent_from_state

__all__ = [
    "NOT_CREATED",
    "NOT_SENT",
    "SETTLING",
    "JobSettling",
    "MessageSettling",
    "Settling",
    "settling_error",
]

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

NOT_CREATED: Final = (
    "SMSC has no job from this request: it was not created and nothing was sent. Send it again "
    "under a new idempotency key."
)
SETTLING: Final = (
    "Whether SMSC created this job is not known yet; ask again later with the same idempotency "
    "key, and do not send it under a new one meanwhile."
)
NOT_SENT: Final = (
    "SMSC has no message from this request: it was not sent. Send it again under a new "
    "idempotency key."
)
SENDING: Final = (
    "Whether SMSC sent this message is not known yet; ask again later with the same idempotency "
    "key, and do not send it under a new one meanwhile."
)
# The least wait a repeat is told while a write is being settled.
MIN_RETRY_AFTER: Final = 1.0


class Settling(Protocol[T_co]):
    @property
    def not_made(self) -> str:
        """What a client is told once the write is settled as never made."""
        ...

    def new_marker(self) -> str: ...

    async def find(self, marker: str, started_at: float) -> T_co | None:
        """The answer the write marked `marker` (its attempt began at `started_at`, a Unix time)
        gets if SMSC has it; None if SMSC has none; `settling_error` if that cannot be told yet."""
        ...


def settling_error(retry_after: float, message: str = SETTLING) -> tree.InProgressError:
    wait = max(MIN_RETRY_AFTER, retry_after)
    return tree.InProgressError(message, retry_after=wait, outcome_unknown=True)


@dataclasses.dataclass(frozen=True, slots=True)
class JobSettling(Generic[T]):
    """A job creation: whose SMSC account to look in, and the answer a found job gets."""

    smsc: SmscClient
    created: Callable[[JobCreated], T]
    not_made: str = NOT_CREATED

    def new_marker(self) -> str:
        return new_marker()

    async def find(self, marker: str, started_at: float) -> T | None:
        found = await self._find_job(marker, started_at)
        return None if found is None else self.created(JobCreated(id=found.id))

    async def _find_job(self, marker: str, started_at: float) -> Job | None:
        """The job with `marker` in SMSC's list, read fresh (never from the cache)."""
        smsc = self.smsc
        created = dt.datetime.fromtimestamp(started_at, MOSCOW).date()
        query = JobQuery(since=created - dt.timedelta(days=1))
        # The write may have changed the list; the read after this one goes upstream.
        smsc.cache.entries.invalidate(effects.JOBS)
        try:
            fetched = await smsc.jobs(query)
        except tree.RateLimitedError as exc:
            raise settling_error(exc.retry_after) from exc
        except tree.SmscRateLimited as exc:
            raise settling_error(exc.RETRY_AFTER) from exc
        if fetched.freshness is Freshness.STALE:
            key = commands.list_jobs(query).key
            wait = smsc.budget.retry_after(key, smsc.config.job_budget)
            raise settling_error(wait or smsc.config.budget_window)
        return next((found for found in fetched.value if found.marker == marker), None)


@dataclasses.dataclass(frozen=True, slots=True)
class MessageSettling(Generic[T]):
    """A send: whose SMSC account to ask, the recipient to ask for (the first), and the answer
    a found message gets."""

    smsc: SmscClient
    phone: str
    sent: Callable[[MessageSent], T]
    not_made: str = NOT_SENT

    def new_marker(self) -> str:
        return new_message_id()

    async def find(self, marker: str, started_at: float) -> T | None:
        smsc = self.smsc
        ref = MessageRef(marker, self.phone)
        # A status read before the send may be cached; this one goes upstream.
        smsc.cache.entries.invalidate(effects.MESSAGES)
        try:
            fetched = await smsc.message_states([ref])
        except tree.RateLimitedError as exc:
            raise settling_error(exc.retry_after, SENDING) from exc
        except tree.SmscRateLimited as exc:
            raise settling_error(exc.RETRY_AFTER, SENDING) from exc
        if fetched.freshness is Freshness.STALE:
            key = messages.get_message_statuses([ref]).key
            wait = smsc.budget.retry_after(key, smsc.config.read_budget)
            raise settling_error(wait or smsc.config.budget_window, SENDING)
        (state,) = fetched.value
        found = sent_from_state(state)
        return None if found is None else self.sent(found)
