"""One replica's share of SMSC's limits while Redis is away, and what it keeps for Redis' return.

SMSC counts what every replica sends; while Redis is away, each replica knows only its own. So at
the loss (`lost_at`, this replica's clock) it assumes the worst of what it cannot know (issue 15):
- the other replicas may just have spent the whole shared budget of any key. For one budget
  window a key is spent only by its owner (the replica whose slot is the key's digest modulo the
  replicas) and only within SMSC's margin above the facade's budget (`ceiling - limit`: 1 for
  reads, 3 against 2; none for jobs.php, 1 against 1); after that window, each replica spends its
  share (`limit // replicas` a window) or, where that is none, takes turns by its slot: replica
  `s` of `n` only in the first window of every `2 * n` windows from `2 * s` (wall clock), so that
  the uses of two replicas are a full window apart;
- the other replicas may hold any of the cap's slots this one did not. Until the calls started
  under Redis have surely ended (the transport's deadline), it starts no more calls than it had
  in flight at the loss; then it holds at most its share (`concurrency // replicas`).
`SpendLog` remembers every use this replica spent in the last window, shared or not, so that when
Redis returns (empty or not) they are written back before anyone trusts its counts again.
"""

import asyncio
import contextlib
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Final

from facade.errors import UpstreamUnavailable
from facade.upstream.redis_state import digest
from facade.upstream.timing import DEFAULT_CLOCK, Clock

# Keys a log or a budget remembers before it forgets those with no use left in the window.
_FORGET_PAST: Final = 10_000


class SpendLog:
    """This replica's uses of the last `window`, per key, in wall-clock seconds."""

    def __init__(self, *, window: float, wall: Callable[[], float] = time.time) -> None:
        self._window = window
        self._wall = wall
        self._uses: dict[str, deque[float]] = {}

    def note(self, key: str) -> None:
        self._uses.setdefault(key, deque()).append(self._wall())
        if len(self._uses) > _FORGET_PAST:
            self.recent()

    def recent(self) -> dict[str, list[float]]:
        """The uses still inside the window (and forget the others)."""
        since = self._wall() - self._window
        for uses in self._uses.values():
            while uses and uses[0] <= since:
                uses.popleft()
        self._uses = {key: uses for key, uses in self._uses.items() if uses}
        return {key: list(uses) for key, uses in self._uses.items()}


class DegradedBudget:
    """The identical-request budget of one replica while Redis is away (module docstring)."""

    def __init__(
        self,
        *,
        window: float,
        replicas: int,
        slot: Callable[[], int | None],
        clock: Clock = DEFAULT_CLOCK,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._window = window
        self._replicas = replicas
        self._slot = slot
        self._clock = clock
        self._wall = wall
        self._uses: dict[str, deque[float]] = {}

    def try_spend(
        self, key: str, limit: int, *, ceiling: int | None = None, lost_at: float | None = None
    ) -> float | None:
        """Spend one use and return None, or return the seconds until one may be spent.

        `ceiling` is SMSC's own limit for the key (default: `limit`, no margin); `lost_at` when
        Redis was lost (default: long ago).
        """
        if lost_at is not None:
            settling = lost_at + self._window - self._clock()
            if settling > 0:
                margin = (limit if ceiling is None else ceiling) - limit
                if margin < 1 or not self._owns(key):
                    return settling
                return self._spend(key, margin, self._window)
        share = limit // self._replicas
        if share >= 1:
            return self._spend(key, share, self._window)
        slot = self._slot()
        if slot is None:
            return self._window  # no slot known: no turn to take
        cycle = 2 * self._replicas * self._window
        start = 2 * slot * self._window
        into = (self._wall() - start) % cycle
        if into >= self._window:
            return cycle - into
        # Inside the turn: at most `limit` uses, as with Redis.
        return self._spend(key, limit, self._window)

    def _owns(self, key: str) -> bool:
        slot = self._slot()
        return slot is not None and int(digest(key), 16) % self._replicas == slot

    def _spend(self, key: str, limit: int, window: float) -> float | None:
        now = self._clock()
        uses = self._uses.setdefault(key, deque())
        while uses and uses[0] <= now - window:
            uses.popleft()
        if len(uses) >= limit:
            return uses[0] + window - now
        uses.append(now)
        if len(self._uses) > _FORGET_PAST:  # forget keys with no use left in their window
            self._uses = {k: v for k, v in self._uses.items() if v and v[-1] > now - window}
        return None


class DegradedCap:
    """The per-login cap of one replica while Redis is away (module docstring).

    `in_flight` counts every call of this replica, those started under Redis too. A caller waits
    for a slot at most `wait`, and not at all when none can free up within it.
    """

    POLL: Final = 0.01

    def __init__(
        self,
        *,
        share: int,
        wait: float,
        grace: float,
        in_flight: Callable[[], int],
        clock: Clock = DEFAULT_CLOCK,
    ) -> None:
        self._share = max(1, share)
        self._wait = wait
        self._grace = grace
        self._in_flight = in_flight
        self._clock = clock
        self._grace_limit = self._share
        self._grace_until = -math.inf

    def lost(self) -> None:
        """Redis was lost just now: keep to the calls in flight until the grace ends."""
        self._grace_limit = min(self._in_flight(), self._share)
        self._grace_until = self._clock() + self._grace

    def limit(self) -> int:
        return self._grace_limit if self._clock() < self._grace_until else self._share

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for room under `limit()`; `UpstreamUnavailable` when none comes within `wait`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._wait
        while self._in_flight() >= self.limit():
            hopeless = self.limit() == 0 and self._grace_until - self._clock() > self._wait
            if hopeless or loop.time() >= deadline:
                raise UpstreamUnavailable(
                    f"SMSC login busy: this replica's share of the connections is in use "
                    f"while the replicas cannot share their state (at most {self.limit()})"
                )
            await asyncio.sleep(self.POLL)
        yield
