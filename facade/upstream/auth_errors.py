"""SMSC's error 2 (credentials refused) per account, and when the next call may risk another: kept
in this process (`LocalAuthErrors`) or, with Redis, shared by the replicas (`RedisAuthErrors`).

SMSC blocks the caller's address for 30 minutes at the 5th authentication error within 30 minutes
(error 4; facade.emulator.assumptions, `AUTH_FAILURES_ALLOWED`). So, per account:
- after an error 2 the account is *failing*: callers get the remembered error instead of SMSC's,
  except one probe, a real request, once the back-off step for the errors in a row has passed
  since the newest error or probe (`UpstreamConfig.auth_backoff`: 10 s, 30 s, 2 min, then 10 min);
- whatever the back-off says, at most `auth_errors_allowed` (4) errors and probes in any
  `auth_error_window` (30 min): a probe is reserved in that count before it is sent; SMSC taking
  the credentials gives the reservation back and ends the failing state; a probe whose outcome is
  unknown (lost, cancelled) stays counted, as SMSC may have counted it;
- calls made while the account is not failing reserve nothing (that would cap concurrency at 4),
  so calls already under way when SMSC starts refusing may add errors of their own; they do not
  lengthen the back-off.
With Redis the history is one sorted set and one hash per account (keys below), changed by one
Lua script; while the account fails, a replica refuses from what Redis last said for a few seconds
at most (`RECHECK_AFTER`), then asks again. While Redis is out of reach a replica goes on alone
from that view and allows itself `(allowed - errors it knows of) // replicas` errors of its own in
the window, so the replicas together stay within `allowed`; it writes its errors back when Redis
answers again (which may have come back empty).
"""

import dataclasses
import logging
import math
import time
import uuid
from collections.abc import Iterable, Sequence
from typing import Final, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from facade.upstream.config import UpstreamConfig
from facade.upstream.redis_state import PREFIX, digest
from facade.upstream.timing import Clock

__all__ = ["AuthErrors", "AuthTicket", "LocalAuthErrors", "RedisAuthErrors"]

logger = logging.getLogger("facade.upstream.auth_errors")

_REDIS_ERRORS: Final = (RedisError, OSError)
RETRY_AFTER_FAILURE: Final = 5.0
# While the account fails, how long a replica answers from what Redis last said before it asks
# again: another replica's probe may have found the credentials taken meanwhile.
RECHECK_AFTER: Final = 5.0
# The failing state outlives the window: an account that still fails after a quiet day starts
# its back-off anew.
STATE_TTL: Final = 24 * 3600.0


@dataclasses.dataclass(frozen=True, slots=True)
class AuthTicket:
    """A call let through; `probe` names its reservation when the account was failing."""

    probe: str | None = None


class AuthErrors(Protocol):
    """One account's error 2 history (module docstring)."""

    @property
    def failing(self) -> bool:
        """Whether SMSC refused the credentials last, as far as this replica knows."""
        ...

    def retry_after(self) -> float | None:
        """Seconds this replica refuses for without asking anyone (no I/O); None: ask `admit`."""
        ...

    async def admit(self) -> AuthTicket | float:
        """A ticket to call SMSC (a probe while failing), or the seconds until a probe may go."""
        ...

    async def failed(self, ticket: AuthTicket) -> None:
        """The call got error 2."""
        ...

    async def succeeded(self, ticket: AuthTicket) -> None:
        """SMSC took the credentials (its answer came after checking them)."""
        ...


class LocalAuthErrors:
    """`AuthErrors` in this process. A Redis replica's fallback is one too: then `known` are the
    shared errors it last saw and it allows itself `(allowed - known) // replicas` of its own."""

    def __init__(
        self,
        *,
        backoff: Sequence[float],
        allowed: int,
        window: float,
        clock: Clock,
        replicas: int = 1,
        known: Iterable[float] = (),
        streak: int = 0,
        last: float = 0.0,
    ) -> None:
        if not backoff or min(backoff) <= 0 or allowed < 1 or window <= 0 or replicas < 1:
            raise ValueError("backoff, allowed, window and replicas must be positive")
        self._backoff = tuple(backoff)
        self._allowed = allowed
        self._window = window
        self._clock = clock
        self._replicas = replicas
        self._known = sorted(known)
        self._own: dict[str, float] = {}  # errors and reserved probes: member → time
        self.streak = streak  # errors in a row; 0 once SMSC took the credentials
        self.last = last  # the newest error or probe
        self.accepted = 0.0  # when a probe last found the credentials taken

    @classmethod
    def from_config(cls, config: UpstreamConfig, *, clock: Clock) -> "LocalAuthErrors":
        return cls(
            backoff=config.auth_backoff,
            allowed=config.auth_errors_allowed,
            window=config.auth_error_window,
            clock=clock,
        )

    @property
    def failing(self) -> bool:
        return self.streak > 0

    @property
    def own(self) -> dict[str, float]:
        """This process's errors and reservations in the window, by member."""
        self._expire(self._clock())
        return dict(self._own)

    def retry_after(self) -> float | None:
        wait = self._wait(self._clock())
        return wait if wait > 0 else None

    async def admit(self) -> AuthTicket | float:
        now = self._clock()
        if not self.streak:
            return AuthTicket()
        wait = self._wait(now)
        if wait > 0:
            return wait
        probe = uuid.uuid4().hex
        self._own[probe] = now
        self.last = now
        return AuthTicket(probe)

    async def failed(self, ticket: AuthTicket) -> None:
        now = self._clock()
        self._expire(now)
        self._own[ticket.probe or uuid.uuid4().hex] = now
        if ticket.probe is not None or not self.streak:
            self.streak += 1
        self.last = now

    async def succeeded(self, ticket: AuthTicket) -> None:
        if ticket.probe is not None:
            self._own.pop(ticket.probe, None)
            self.streak = 0
            self.accepted = self._clock()

    def _expire(self, now: float) -> None:
        horizon = now - self._window
        self._known = [t for t in self._known if t > horizon]
        self._own = {member: t for member, t in self._own.items() if t > horizon}

    def _wait(self, now: float) -> float:
        if not self.streak:
            return 0.0
        self._expire(now)
        ready = self.last + self._backoff[min(self.streak, len(self._backoff)) - 1]
        limit = max(0, (self._allowed - len(self._known)) // self._replicas)
        own = sorted(self._own.values())
        if len(own) >= limit:
            # When an error leaves the window a probe may be allowed again: a known one raises
            # the limit, an own one frees a place. The earliest is when to look again.
            freed = [own[len(own) - limit] + self._window] if limit else []
            if self._known:
                freed.append(self._known[0] + self._window)
            ready = max(ready, min(freed, default=now + self._window))
        return max(0.0, ready - now)


# KEYS[1] the errors (sorted set: one member per error or reserved probe, scored by its time in
# ms), KEYS[2] the state (hash: `streak`, `last`). ARGV[1] the mode (admit, failed, succeeded,
# merge), [2] now (ms), [3] window (ms), [4] allowed, [5] the state's TTL (ms), [6] a member
# (`merge`: when a probe last succeeded), [7] `failed`: 1 when the member is a reserved probe,
# `merge`: a streak, [8] `merge`: the newest error or probe, [9] n, then n back-off steps (ms),
# then `merge`: member, score pairs. Returns {verdict, wait (ms) until a probe may go, streak,
# last, scores...}; verdict 0 refused, 1 go, 2 go as the probe (`admit`).
_SCRIPT: Final = """
local mode, now, window = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local allowed, steps = tonumber(ARGV[4]), tonumber(ARGV[9])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local streak = tonumber(redis.call('HGET', KEYS[2], 'streak') or 0)
local last = tonumber(redis.call('HGET', KEYS[2], 'last') or 0)
local function wait()
  if streak == 0 then return 0 end
  local ready = last + tonumber(ARGV[9 + math.min(streak, steps)])
  local count = redis.call('ZCARD', KEYS[1])
  if count >= allowed then
    local nth = redis.call('ZRANGE', KEYS[1], count - allowed, count - allowed, 'WITHSCORES')
    ready = math.max(ready, tonumber(nth[2]) + window)
  end
  return math.max(0, ready - now)
end
local verdict, changed = 1, true
if mode == 'admit' then
  changed = false
  if streak > 0 then
    if wait() > 0 then
      verdict = 0
    else
      redis.call('ZADD', KEYS[1], now, ARGV[6])
      last, verdict, changed = now, 2, true
    end
  end
elseif mode == 'failed' then
  redis.call('ZADD', KEYS[1], now, ARGV[6])
  if ARGV[7] == '1' or streak == 0 then streak = streak + 1 end
  last = now
elseif mode == 'succeeded' then
  redis.call('ZREM', KEYS[1], ARGV[6])
  streak = 0
else
  for i = 10 + steps, #ARGV - 1, 2 do
    if tonumber(ARGV[i + 1]) > now - window then
      redis.call('ZADD', KEYS[1], ARGV[i + 1], ARGV[i])
    end
  end
  if tonumber(ARGV[6]) > last then
    streak = tonumber(ARGV[7])
  else
    streak = math.max(streak, tonumber(ARGV[7]))
  end
  last = math.max(last, tonumber(ARGV[8]))
end
if changed then
  redis.call('HSET', KEYS[2], 'streak', streak, 'last', last)
  redis.call('PEXPIRE', KEYS[1], window)
  redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[5]))
end
local reply = {verdict, wait(), streak, last}
local scores = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 2, #scores, 2 do reply[#reply + 1] = scores[i] end
return reply
"""


@dataclasses.dataclass(frozen=True, slots=True)
class _Shared:
    """What Redis last said, in seconds of the replicas' clock."""

    streak: int = 0
    last: float = 0.0
    scores: tuple[float, ...] = ()
    ready_at: float = -math.inf  # when a probe may go
    asked_at: float = -math.inf


class RedisAuthErrors:
    """`AuthErrors` shared by the replicas through Redis (module docstring).

    `clock` is the replicas' common time (wall clock by default): the scores in Redis are times
    of that clock, so the replicas' clocks must agree to well under the back-off's first step.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        account: str,
        config: UpstreamConfig,
        replicas: int,
        clock: Clock = time.time,
        retry: float = RETRY_AFTER_FAILURE,
    ) -> None:
        base = f"{PREFIX}:auth:{digest(account)}"
        self._keys = [f"{base}:errors", f"{base}:state"]
        self._script = redis.register_script(_SCRIPT)
        self._config = config
        self._replicas = replicas
        self._clock = clock
        self._retry = retry
        self._steps = [_ms(step) for step in config.auth_backoff]
        self._shared = _Shared()
        # This replica's errors and reservations, written back after a time without Redis (which
        # may have come back empty).
        self._mine: dict[str, float] = {}
        self._fallback: LocalAuthErrors | None = None
        self._down_until = -math.inf

    @property
    def degraded(self) -> bool:
        return self._clock() < self._down_until

    @property
    def failing(self) -> bool:
        if self._fallback is not None:
            return self._fallback.failing
        return self._shared.streak > 0

    def retry_after(self) -> float | None:
        if self._fallback is not None:
            return self._fallback.retry_after()
        shared = self._shared
        if not shared.streak:
            return None
        wait = min(shared.ready_at, shared.asked_at + RECHECK_AFTER) - self._clock()
        return wait if wait > 0 else None

    async def admit(self) -> AuthTicket | float:
        probe = uuid.uuid4().hex
        reply = await self._run("admit", probe)
        if reply is None:
            return await self._local().admit()
        verdict, wait = reply
        if verdict == 0:
            return wait
        if verdict == 1:
            return AuthTicket()
        self._note(probe)
        return AuthTicket(probe)

    async def failed(self, ticket: AuthTicket) -> None:
        member = ticket.probe or uuid.uuid4().hex
        if await self._run("failed", member, "1" if ticket.probe else "0") is None:
            await self._local().failed(ticket)
        else:
            self._note(member)

    async def succeeded(self, ticket: AuthTicket) -> None:
        if ticket.probe is None:
            return  # a call made while not failing says nothing an error since then does not
        self._mine.pop(ticket.probe, None)
        if await self._run("succeeded", ticket.probe) is None:
            await self._local().succeeded(ticket)

    def _note(self, member: str) -> None:
        now = self._clock()
        horizon = now - self._config.auth_error_window
        self._mine = {m: t for m, t in self._mine.items() if t > horizon}
        self._mine[member] = now

    def _local(self) -> LocalAuthErrors:
        if self._fallback is None:
            shared = self._shared
            self._fallback = LocalAuthErrors(
                backoff=self._config.auth_backoff,
                allowed=self._config.auth_errors_allowed,
                window=self._config.auth_error_window,
                clock=self._clock,
                replicas=self._replicas,
                known=shared.scores,
                streak=shared.streak,
                last=shared.last,
            )
        return self._fallback

    async def _run(
        self, mode: str, member: str, flag: str = "0", last: float = 0.0, extra: Sequence[str] = ()
    ) -> tuple[int, float] | None:
        """The script's verdict and wait (s), or None while Redis is out of reach."""
        if self.degraded or (mode != "merge" and not await self._merge()):
            return None
        now = self._clock()
        try:
            raw = await self._script(
                keys=self._keys,
                args=[
                    mode,
                    _ms(now),
                    _ms(self._config.auth_error_window),
                    self._config.auth_errors_allowed,
                    _ms(max(STATE_TTL, self._config.auth_error_window)),
                    member,
                    flag,
                    _ms(last),
                    len(self._steps),
                    *self._steps,
                    *extra,
                ],
            )
        except _REDIS_ERRORS as exc:
            if self._fallback is None:
                logger.warning(
                    "Redis is unreachable (%s): SMSC's error 2 is counted by this replica alone",
                    type(exc).__name__,
                )
            self._down_until = now + self._retry
            self._local()
            return None
        verdict, wait, streak, last_ms, *scores = (int(value) for value in raw)
        self._shared = _Shared(
            streak=streak,
            last=last_ms / 1000,
            scores=tuple(score / 1000 for score in scores),
            ready_at=now + wait / 1000,
            asked_at=now,
        )
        return verdict, wait / 1000

    async def _merge(self) -> bool:
        """After a time alone, hand Redis what this replica counted; False if Redis is away."""
        fallback = self._fallback
        if fallback is None:
            return True
        mine = {**self._mine, **fallback.own}
        pairs = [str(item) for member, t in mine.items() for item in (member, _ms(t))]
        accepted = str(_ms(fallback.accepted))
        if await self._run("merge", accepted, str(fallback.streak), fallback.last, pairs) is None:
            return False
        self._fallback = None
        logger.warning("Redis answers again: SMSC's error 2 is counted across the replicas again")
        return True


def _ms(seconds: float) -> int:
    return round(seconds * 1000)
