"""The per-account guard in front of SMSC: identical-request budget, concurrency cap, circuit breaker
and the account gate that remembers errors 2 and 4.

SMSC answers error 9 past 3 identical requests a minute (1 on jobs.php) or at 15 concurrent requests
per login, and blocks the IP (error 4) after repeated errors (smsc-api-notes.md §1.6). Everything
here but `ConcurrencyCap` and the gate's calls into `AuthErrors` is synchronous, pure bookkeeping
over an injected `Clock`; one event loop, so no thread-safety.
"""

import contextlib
import enum
from collections import deque
from collections.abc import AsyncIterator
from typing import Final

import anyio

from facade.errors import SmscAuthError, SmscBlocked, SmscError, UpstreamUnavailable
from facade.upstream.auth_errors import AuthErrors, AuthTicket
from facade.upstream.config import SMSC_CONCURRENCY_LIMIT
from facade.upstream.timing import Clock

__all__ = ["AccountGate", "BreakerState", "CircuitBreaker", "ConcurrencyCap", "RequestBudget"]


class RequestBudget:
    """Identical-request budget: at most `limit` uses of one canonical request key per sliding
    `window` seconds, counting every attempt (failures, retries, background refreshes).

    Uses are kept in one queue in spending order, so every call first drops the uses that have left
    the window, for all keys; a key with no use left is forgotten. Memory is bounded by the uses in
    the last `window` seconds.
    """

    __slots__ = ("_clock", "_queue", "_uses", "_window")

    def __init__(self, *, window: float, clock: Clock) -> None:
        if window <= 0:
            raise ValueError("window must be positive")
        self._window = window
        self._clock = clock
        self._queue: deque[tuple[float, str]] = deque()
        self._uses: dict[str, deque[float]] = {}

    @property
    def tracked_keys(self) -> int:
        """How many keys still have a use inside the window (as of the last call)."""
        return len(self._uses)

    def try_spend(self, key: str, limit: int) -> float | None:
        """Spend one use of `key` and return None, or return the seconds until one frees up."""
        now = self._clock()
        wait = self._retry_after(key, limit, now)
        if wait is None:
            self._queue.append((now, key))
            self._uses.setdefault(key, deque()).append(now)
        return wait

    async def spend(self, key: str, limit: int, *, ceiling: int | None = None) -> float | None:
        """`try_spend`, as the `Budget` interface has it (`shared.py`); one process knows every
        use, so SMSC's own `ceiling` is never needed."""
        return self.try_spend(key, limit)

    def retry_after(self, key: str, limit: int) -> float | None:
        """What `try_spend` would answer, without spending."""
        return self._retry_after(key, limit, self._clock())

    def _retry_after(self, key: str, limit: int, now: float) -> float | None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._expire(now)
        uses = self._uses.get(key, ())
        if len(uses) < limit:
            return None
        # A use frees up when the use `limit` places from the newest leaves the window; expired
        # uses are gone, so this is > 0.
        return uses[len(uses) - limit] + self._window - now

    def _expire(self, now: float) -> None:
        # Each key's uses are in spending order too, so the queue's head is its key's oldest use.
        queue = self._queue
        while queue and queue[0][0] + self._window <= now:
            _, key = queue.popleft()
            uses = self._uses[key]
            uses.popleft()
            if not uses:
                del self._uses[key]


class ConcurrencyCap:
    """At most `limit` requests in flight per login (SMSC refuses the 15th), with a bounded wait.

    The wait is measured on the event loop's clock (`anyio.fail_after`), not an injected `Clock`.
    Waiters are served first come, first served; a waiter cancelled while waiting takes no slot, and
    a slot is released however its body exits.
    """

    __slots__ = ("_in_flight", "_limit", "_max_in_flight", "_rejected", "_semaphore", "_wait")

    def __init__(self, *, limit: int, wait: float) -> None:
        if not 1 <= limit < SMSC_CONCURRENCY_LIMIT:
            raise ValueError(f"limit must be 1..{SMSC_CONCURRENCY_LIMIT - 1}")
        if wait < 0:
            raise ValueError("wait must not be negative")
        self._limit = limit
        self._wait = wait
        self._semaphore = anyio.Semaphore(limit, max_value=limit)
        self._in_flight = 0
        self._max_in_flight = 0
        self._rejected = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def max_in_flight(self) -> int:
        """The highest `in_flight` seen."""
        return self._max_in_flight

    @property
    def rejected(self) -> int:
        """How many callers gave up waiting for a slot."""
        return self._rejected

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the body; raise `UpstreamUnavailable` if none frees within `wait`."""
        try:
            self._semaphore.acquire_nowait()
        except anyio.WouldBlock:
            try:
                with anyio.fail_after(self._wait):
                    await self._semaphore.acquire()
            except TimeoutError as exc:
                self._rejected += 1
                raise UpstreamUnavailable(
                    f"SMSC login busy: {self._limit} requests in flight, "
                    f"no slot within {self._wait:g} s"
                ) from exc
        self._in_flight += 1
        self._max_in_flight = max(self._max_in_flight, self._in_flight)
        try:
            yield
        finally:
            self._in_flight -= 1
            self._semaphore.release()


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after `threshold` consecutive transport failures; after `cooldown` one caller probes
    (half-open); its success closes the breaker, its failure re-opens it.

    The caller decides what a transport failure is (`UpstreamUnavailable`); an SMSC error envelope
    is an answer, so a success. Any success closes the breaker. A failure reported while open comes
    from a call started before it opened and does not extend the cooldown. So that the probe is a
    request that reaches SMSC, a caller asks `retry_after` (which takes nothing) before its other
    checks and `before_call` (which takes the probe) after them, and gives back with `release` a
    probe it will not send or whose outcome it will never report (refused, cancelled): the next
    caller probes at once. A probe that never reports anyway is presumed lost after `cooldown`,
    and another caller probes.
    """

    __slots__ = ("_clock", "_cooldown", "_failures", "_since", "_state", "_threshold", "_trials")

    def __init__(self, *, threshold: int, cooldown: float, clock: Clock) -> None:
        if threshold < 1:
            raise ValueError("threshold must be at least 1")
        if cooldown <= 0:
            raise ValueError("cooldown must be positive")
        self._threshold = threshold
        self._cooldown = cooldown
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._since = 0.0  # when it opened, or when the probe was let through
        self._trials = 0

    @property
    def state(self) -> BreakerState:
        """The state as of the last call: it stays OPEN until a caller asks after the cooldown."""
        return self._state

    @property
    def trials(self) -> int:
        """How many probes were let through: the number of the latest, for `release`."""
        return self._trials

    def retry_after(self) -> float | None:
        """What `before_call` would answer, without taking the probe."""
        if self._state is BreakerState.CLOSED:
            return None
        remaining = self._since + self._cooldown - self._clock()
        return remaining if remaining > 0 else None

    def before_call(self) -> float | None:
        """None to go ahead (in half-open, the one probe), else the seconds to retry after."""
        if self._state is BreakerState.CLOSED:
            return None
        now = self._clock()
        remaining = self._since + self._cooldown - now
        if remaining > 0:
            return remaining
        self._state = BreakerState.HALF_OPEN
        self._since = now
        self._trials += 1
        return None

    def release(self, trial: int) -> None:
        """Give probe number `trial` back unsent or unreported: the next caller probes at once."""
        if self._state is BreakerState.HALF_OPEN and trial == self._trials:
            self._state = BreakerState.OPEN
            self._since = self._clock() - self._cooldown

    def record_success(self) -> None:
        self._state = BreakerState.CLOSED
        self._failures = 0

    def record_failure(self) -> None:
        self._failures += 1
        if self._state is BreakerState.HALF_OPEN or (
            self._state is BreakerState.CLOSED and self._failures >= self._threshold
        ):
            self._state = BreakerState.OPEN
            self._since = self._clock()


class AccountGate:
    """What SMSC said about the account as a whole.

    After error 2 (credentials rejected) `auth` (`facade.upstream.auth_errors`) decides when a
    probe may go: the first caller once it may is let through (`admit`), the rest get the
    remembered error, as everyone does meanwhile (`before_call`, which asks nothing remote). A
    replica that never got the error itself remembers SMSC's usual one. After error 4 (IP blocked)
    no call at all for `ip_block_pause`, since calls into a block prolong it. A success clears
    both; an answer SMSC gives only after checking the credentials (codes 3, 5 to 9) clears the
    error 2. Refusals are fresh copies of the remembered error (same class, code, description and
    endpoint, no traceback), so concurrent callers never raise one shared instance.
    """

    __slots__ = (
        "_auth",
        "_auth_error",
        "_auth_errors",
        "_block_error",
        "_block_pause",
        "_blocked_until",
        "_clock",
    )

    def __init__(self, *, auth: AuthErrors, ip_block_pause: float, clock: Clock) -> None:
        if ip_block_pause <= 0:
            raise ValueError("ip_block_pause must be positive")
        self._auth = auth
        self._block_pause = ip_block_pause
        self._clock = clock
        self._auth_error: SmscError | None = None
        self._auth_errors = 0
        self._block_error: SmscError | None = None
        self._blocked_until = 0.0

    @property
    def condition(self) -> str | None:
        """What SMSC last said of the account as a whole: `ip_blocked`, `auth_failed` or None.

        Read-only (health checks): unlike `admit`, asking spends no probe.
        """
        if self._block_error is not None and self._clock() < self._blocked_until:
            return "ip_blocked"
        return "auth_failed" if self._auth.failing else None

    @property
    def auth_errors(self) -> int:
        """How many error 2 answers this replica got."""
        return self._auth_errors

    def before_call(self, endpoint: str) -> SmscError | None:
        """The error to raise instead of calling SMSC, or None to proceed; spends nothing."""
        if self._block_error is not None:
            if self._clock() < self._blocked_until:
                return _copy(self._block_error)
            self._block_error = None
        if self._auth.retry_after() is not None:
            return self._refusal(endpoint)
        return None

    async def admit(self, endpoint: str) -> AuthTicket | SmscError:
        """Leave to call SMSC now (while failing: the probe), or the error to raise instead."""
        admitted = await self._auth.admit()
        return admitted if isinstance(admitted, AuthTicket) else self._refusal(endpoint)

    async def record(self, ticket: AuthTicket | None, error: SmscError | None) -> None:
        """Note a call's outcome (`ticket`: what `admit` gave it): None for success."""
        if isinstance(error, SmscAuthError):
            self._auth_errors += 1
            self._auth_error = error
            await self._auth.failed(ticket or AuthTicket())
        elif isinstance(error, SmscBlocked):
            self._block_error = error
            self._blocked_until = self._clock() + self._block_pause
        elif error is None or error.upstream_code in _AFTER_AUTH:
            if error is None:
                self._block_error = None
            if ticket is not None:
                await self._auth.succeeded(ticket)

    def _refusal(self, endpoint: str) -> SmscError:
        if self._auth_error is not None:
            return _copy(self._auth_error)
        return SmscAuthError(
            2,
            "authorise error",
            endpoint=endpoint,
            diagnostic=f"SMSC {endpoint} not asked: error 2 (authorise error) elsewhere",
        )


# SMSC answers these only once it has taken the credentials (smsc-api-notes.md §1.6; error 1 may
# come before the credentials are checked, facade.emulator.assumptions).
_AFTER_AUTH: Final = frozenset({3, 5, 6, 7, 8, 9})


def _copy(error: SmscError) -> SmscError:
    # Every SmscError subclass keeps the base constructor (facade/errors.py).
    return type(error)(error.upstream_code, error.description, endpoint=error.endpoint)
