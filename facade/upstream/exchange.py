"""The guarded exchange every `SmscClient` call goes through (`Exchange`), and what a read gives
back (`Fetched`: the value and how fresh it is).

Reads go cache → single flight → guard (account gate, breaker, identical-request budget,
concurrency cap) → transport, and fall back to a stale cached value when SMSC cannot be asked or
fails. Writes are never coalesced nor cached; each one then updates or invalidates the reads it
can change (`effects.py`). What SMSC sends back may echo the request, so the errors made from it
are rebuilt with the account's secrets masked before they are raised. The budget, the cap, the
single flight, the cache and SMSC's error 2 history are the account's `SharedState` (`shared.py`).
"""

import asyncio
import dataclasses
import enum
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from facade.errors import (
    RateLimitedError,
    SmscAuthError,
    SmscBlocked,
    SmscError,
    SmscRateLimited,
    UpstreamProtocolError,
    UpstreamUnavailable,
)
from facade.smsc.commands import Command, Credentials, build_form, reply_for
from facade.smsc.secrets import Redactor
from facade.upstream import effects, reads
from facade.upstream.cache import Entry
from facade.upstream.config import UpstreamConfig
from facade.upstream.limits import AccountGate, BreakerState, CircuitBreaker
from facade.upstream.reads import Read
from facade.upstream.shared import SharedState, in_process
from facade.upstream.stats import UpstreamStats
from facade.upstream.timing import DEFAULT_CLOCK, Clock
from facade.upstream.transport import SmscTransport

if TYPE_CHECKING:
    from facade.upstream.auth_errors import AuthTicket

__all__ = ["Exchange", "Fetched", "Freshness", "least_fresh"]

logger = logging.getLogger("facade.upstream")

T = TypeVar("T")

# Failures after which a cached value, stale or not, is better than no answer: the data is the
# account's own, and SMSC refusing the credentials (or the gate remembering it) does not change it.
_STALE_IF = (UpstreamUnavailable, RateLimitedError, SmscRateLimited, SmscBlocked, SmscAuthError)


class Freshness(enum.StrEnum):
    HIT = "hit"
    MISS = "miss"
    STALE = "stale"


@dataclasses.dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """A read's value, and how fresh it is: `age` seconds since SMSC last gave it."""

    value: T
    freshness: Freshness
    age: float = 0.0
    coalesced: bool = False
    # The cache entry a fresh value came from, for values derived from it (`reads.py`).
    read: Read | None = None


def least_fresh(fetched: Sequence[Fetched[list[T]]]) -> Fetched[list[T]]:
    """Several reads' values joined in order, as fresh as the least fresh of them: stale if one
    is, else a cache hit if one is (the oldest age), else a miss."""
    value = [item for one in fetched for item in one.value]
    age = max((one.age for one in fetched), default=0.0)
    kinds = {one.freshness for one in fetched}
    for freshness in (Freshness.STALE, Freshness.HIT):
        if freshness in kinds:
            return Fetched(value, freshness, age)
    return Fetched(value, Freshness.MISS, age)


class Exchange:
    """One SMSC account's guarded exchange: what every typed call of `SmscClient` uses."""

    def __init__(
        self,
        *,
        account: str,
        credentials: Credentials,
        transport: SmscTransport,
        config: UpstreamConfig,
        clock: Clock = DEFAULT_CLOCK,
        stats: UpstreamStats | None = None,
        shared: SharedState | None = None,
    ) -> None:
        """`shared` is the account's state (`backend.py` gives it, once per account); by default
        it lives in this process (`shared.in_process`), as httpx's default transport is HTTP."""
        self.account = account
        self._credentials = credentials
        self._redactor = Redactor.for_credentials(credentials)
        self._transport = transport
        self.config = config
        self._clock = clock
        self.stats = stats or UpstreamStats()
        state = shared or in_process(config, clock=clock)
        self.cache = state.cache
        self._flights = state.flights
        self.budget = state.budget
        self.cap = state.cap
        self.cluster = state.cluster  # what /metrics reports of Redis; None in process
        self.breaker = CircuitBreaker(
            threshold=config.breaker_threshold, cooldown=config.breaker_cooldown, clock=clock
        )
        self.gate = AccountGate(
            auth=state.auth_errors, ip_block_pause=config.ip_block_pause, clock=clock
        )
        self._background: set[asyncio.Task[Any]] = set()

    def purge(self) -> int:
        """Drop every cached read of this account; returns how many entries were dropped.

        Calls under way are left alone: each still answers its callers and caches its value.
        """
        dropped = len(self.cache.entries)
        self.cache.entries.clear()
        return dropped

    async def aclose(self) -> None:
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)

    # the machinery

    def _key(self, command: Command[Any]) -> str:
        return f"{self.account}|{command.key}"

    async def _read(self, command: Command[T], tag: str) -> Fetched[T]:
        key = self._key(command)
        now = self._clock()
        entries = self.cache.entries
        entry = entries.get(key)
        if entry is not None and entry.is_fresh(now):
            self.stats.cache_result(Freshness.HIT)
            read = Read.of(entries, key, entry, self.stats)
            reads.note(read)
            return Fetched(entry.value, Freshness.HIT, entry.age(now), read=read)
        try:
            fetched = await self._read_through(command, key, tag, entry)
        except BaseException:
            reads.untracked()
            raise
        stored = entries.get(key)
        if (
            fetched.freshness is Freshness.STALE
            or stored is None
            or stored.value is not fetched.value
        ):
            reads.untracked()
            return fetched
        read = Read.of(entries, key, stored, self.stats)
        reads.note(read)
        return dataclasses.replace(fetched, read=read)

    async def _read_through(
        self, command: Command[T], key: str, tag: str, entry: Entry[Any] | None
    ) -> Fetched[T]:
        """A read the cache could not answer fresh: stale while revalidating, or single flight."""
        now = self._clock()
        if entry is not None and _ttl_key(command) in self.config.revalidate_in_background:
            self._refresh_in_background(command, key, tag)
            self.stats.cache_result(Freshness.STALE)
            return Fetched(entry.value, Freshness.STALE, entry.age(now))
        try:
            (value, age, elsewhere), shared = await self._flights.run(
                key, lambda: self._fetch(command, key, tag)
            )
        except _STALE_IF:
            # This process's stale value, else the replicas' shared one.
            stale = await self.cache.stale(key)
            if stale is None:
                raise
            self.stats.cache_result(Freshness.STALE)
            return Fetched(stale[0], Freshness.STALE, stale[1])
        if shared:
            self.stats.coalesced_waiters += 1
        if elsewhere:
            # Another replica asked SMSC: a hit on the shared cache.
            self.stats.cache_result(Freshness.HIT)
            return Fetched(value, Freshness.HIT, age, coalesced=shared)
        self.stats.cache_result(Freshness.MISS)
        return Fetched(value, Freshness.MISS, 0.0, coalesced=shared)

    def _refresh_in_background(self, command: Command[Any], key: str, tag: str) -> None:
        if self._flights.is_running(key):
            return

        async def refresh() -> None:
            try:
                await self._flights.run(key, lambda: self._fetch(command, key, tag))
            except Exception:  # a background refresh has nobody to tell but the log
                logger.warning("background refresh of %s failed", command.key, exc_info=True)

        task = asyncio.get_running_loop().create_task(refresh())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _fetch(self, command: Command[T], key: str, tag: str) -> tuple[T, float, bool]:
        """The value, its age, and whether another replica asked SMSC for it (a shared hit)."""
        ttl = self.config.ttl(_ttl_key(command))
        return await self.cache.fill(
            key, lambda: self._call(command), ttl=ttl, max_stale=self.config.max_stale, tags=(tag,)
        )

    async def _write(self, command: Command[T], effect: effects.Effect | None = None) -> T:
        """Send a write, then apply `effect`, what it changed, to the cached reads."""
        reads.untracked()
        value = await self._call(command)
        if effect is not None:
            await self._apply(effect)
        return value

    async def _apply(self, effect: effects.Effect) -> None:
        for tag in effect.invalidate:
            await self.cache.invalidate(tag)
        for tag, change in effect.update:
            await self.cache.update(tag, change)

    async def _call(self, command: Command[T]) -> T:
        """One guarded exchange with SMSC: gate, budget and breaker per attempt, cap around it.

        The checks that spend nothing come first (the gate's memory, the breaker's cooldown), then
        the budget, then the breaker's half-open probe and the gate's error 2 probe: each probe is
        taken only by a request that every other check let through, so it reaches SMSC; one
        refused on the way, or cancelled before its outcome, is given back.
        """
        endpoint = f"{command.endpoint.path}?{command.name}"
        remembered = self.gate.before_call(endpoint)
        if remembered is not None:
            self.stats.rejected("account_gate")
            raise remembered
        ceiling = command.identical_limit
        limit = self.config.budget(ceiling)
        budget_key = command.budget_key
        trial: int | None = None  # the breaker's probe, while this call holds it unreported
        ticket: AuthTicket | None = None
        started = 0.0  # when the attempt under way was admitted

        def breaker_open(retry_after: float) -> UpstreamUnavailable:
            self.stats.rejected("breaker_open")
            return UpstreamUnavailable(f"SMSC is failing; next try in {retry_after:.0f} s")

        async def admit() -> None:
            nonlocal trial, ticket, started
            retry_after = self.breaker.retry_after()
            if retry_after is not None:
                raise breaker_open(retry_after)
            retry_after = await self.budget.spend(budget_key, limit, ceiling=ceiling)
            if retry_after is not None:
                self.stats.rejected("budget")
                raise RateLimitedError(
                    "SMSC allows few identical requests a minute; try again later",
                    retry_after=retry_after,
                )
            # Another caller may have taken the probe while the budget was asked.
            retry_after = self.breaker.before_call()
            if retry_after is not None:
                raise breaker_open(retry_after)
            if self.breaker.state is BreakerState.HALF_OPEN:
                trial = self.breaker.trials
            if ticket is None:
                admitted = await self.gate.admit(endpoint)
                if isinstance(admitted, SmscError):
                    self._release(trial)
                    trial = None
                    self.stats.rejected("account_gate")
                    raise admitted
                ticket = admitted
            started = self._clock()

        def on_attempt(outcome: str) -> None:
            nonlocal trial
            trial = None
            self.stats.upstream_call(_ttl_key(command), outcome, self._clock() - started)
            if outcome == "ok":
                self.breaker.record_success()
            else:
                self.breaker.record_failure()
            logger.debug("SMSC %s: %s", command.key, outcome)

        fmt, charset = self.config.fmt, self.config.charset
        form = build_form(command, credentials=self._credentials, fmt=fmt, charset=charset)
        try:
            async with self.cap.slot():
                response = await self._transport.send(
                    command.endpoint.path,
                    form,
                    writes=command.writes,
                    admit=admit,
                    on_attempt=on_attempt,
                )
        finally:
            self._release(trial)
        reply = reply_for(
            command,
            response.content,
            fmt=fmt,
            charset=charset,
            content_type=response.headers.get("content-type"),
            content_disposition=response.headers.get("content-disposition"),
        )
        try:
            value = command.parse(reply)
        except (SmscError, UpstreamProtocolError) as exc:
            error = _masked(exc, self._redactor)
        else:
            await self.gate.record(ticket, None)
            return value
        # Raised outside the handler and from None: the unmasked error, and the parser's error
        # under it (a JSONDecodeError holds the whole body), stay unreachable.
        if isinstance(error, SmscError):
            self.stats.smsc_error(error.upstream_code)
            await self.gate.record(ticket, error)
        raise error from None

    def _release(self, trial: int | None) -> None:
        if trial is not None:
            self.breaker.release(trial)


def _masked(
    error: SmscError | UpstreamProtocolError, redactor: Redactor
) -> SmscError | UpstreamProtocolError:
    """`error` made anew with `redactor`'s secrets masked in every text it carries.

    Defence in depth: no byte of the body is in any client's message or any log line anyway
    (`facade.errors`); a protocol error keeps only a `BodySummary` of the body.
    """
    if isinstance(error, SmscError):
        return type(error)(
            error.upstream_code,
            redactor.redact(error.description),
            endpoint=error.endpoint,
            diagnostic=redactor.redact(error.diagnostic),
            message_id=error.message_id,
        )
    return UpstreamProtocolError(
        redactor.redact(error.reason), endpoint=error.endpoint, fmt=error.fmt, body=error.body
    )


def _ttl_key(command: Command[Any]) -> str:
    return f"{command.endpoint.value}.{command.name}"
