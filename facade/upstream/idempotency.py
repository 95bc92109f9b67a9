"""Idempotency keys: a write repeated under one key reaches SMSC at most once (issue 7).

`Idempotency.run` is shared by both APIs. A key is scoped to one client of one account. Its record
goes IN_PROGRESS (claimed atomically: of racing requests exactly one runs) → COMPLETED (the answer),
FAILED (SMSC refused, or a lost job creation was settled as never made) or UNKNOWN (the write may
have reached SMSC and no answer came). Errors raised before anything may have reached SMSC delete
the record, so the key can be used again. Repeats with the same payload get the stored answer and
SMSC is not asked again; another payload is `IdempotencyKeyReused`; a repeat while the first runs
waits for it (bounded), then gets its answer or `InProgressError`. It waits on an event when the
first runs in this process, and asks the store again and again when another replica runs it under
a live lease (`Record.leased_until`, set by stores that replicas share).

An UNKNOWN record, or an IN_PROGRESS one that no run of this process holds and no live lease
covers (its process was killed), is never executed again. A job creation is settled on the next
repeat instead: every job the facade creates carries a marker in its name (`job_marker.py`; the
run's own, kept in its record), so SMSC's job list, read fresh, tells whether it was created
(COMPLETED, with the id) or not (FAILED, once `settle_after` seconds have passed since the attempt
began, so that a request still travelling is not taken for a lost one). Until it is settled, every
repeat hears that the outcome is unknown (`InProgressError` with `outcome_unknown`), whether SMSC
could be asked or not; once settled as not created, the key is spent (`IdempotencyKeySpent`: a
client error, send it again under a new key). Other writes answer the outcome-unknown error they
got, every time.

The store is a protocol, and it must be durable: a key whose record is gone would be taken as new
and its write sent again. `idempotency_sqlite.py` is the store, for one replica or for replicas
that share the data directory (with leases). The store failing is `StoreUnavailable`: before the
write, the request is refused and nothing is sent; after it, the client still gets its outcome
(the record keeps IN_PROGRESS, which a repeat takes for unknown).
"""

import dataclasses
import enum
import hashlib
import json
import logging
import math
import re
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any, Final, Generic, Protocol, TypeVar, cast

import anyio

from facade import errors as tree
from facade.upstream.job_marker import marking
from facade.upstream.settling import NOT_CREATED, Settling, settling_error
from facade.upstream.stored_errors import decode_error, encode_error, interrupted

logger = logging.getLogger("facade.idempotency")

T = TypeVar("T")

DEFAULT_TTL: Final = 24 * 3600.0
DEFAULT_WAIT: Final = 10.0
# Longer than a write can travel (the transport's deadline is 30 s) before SMSC acts on it.
DEFAULT_SETTLE_AFTER: Final = 60.0
SWEEP_INTERVAL: Final = 600.0
IN_PROGRESS_RETRY_AFTER: Final = 1.0
# How often a repeat asks the store whether another replica's run has ended.
POLL_INTERVAL: Final = 0.05

RECORDS_AWAY: Final = (
    "The idempotency records cannot be written just now; nothing was sent. Retry with the same key."
)
# How soon to ask again when SMSC could not be asked to settle a creation (the breaker's cooldown).
UNSETTLED_RETRY_AFTER: Final = 30.0
RUNNING: Final = "A request with this idempotency key is still running; ask again shortly."

_VALUE: Final = b"value:"
_ERROR: Final = b"error:"
_SPENT: Final = b"spent:"  # + what the client is told: a write settled as never made


class State(enum.StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    UNKNOWN = "UNKNOWN"
    FAILED = "FAILED"


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """One key's record. `response` is opaque to the store; `owner` is the process that ran it.

    `leased_until` (unix seconds): until when an IN_PROGRESS record's owner may still be running
    it. Stores that several live replicas share set it when they claim; None means only a run of
    this process can hold the record (one replica: SQLite).
    """

    key: str  # `IdempotencyKey.digest`
    fingerprint: str
    state: State
    owner: str
    marker: str | None  # job creations: the marker in the job's name
    created_at: float  # unix seconds
    expires_at: float
    response: bytes | None = None
    leased_until: float | None = None


class StoreUnavailable(Exception):  # noqa: N818 - says what happened, as SmscRejected does
    """The store could not read or write a record (disk full, I/O error, a lock held too long)."""


class IdempotencyStore(Protocol):
    async def claim(self, record: Record) -> Record | None:
        """Insert `record` unless a live record has its key: None when inserted, else that one.
        An expired record is replaced as if absent. A store shared by replicas sets the inserted
        record's `leased_until`."""

    async def update(
        self, key: str, *, expected: tuple[State, str], state: State, response: bytes
    ) -> bool:
        """Set the state and response if the record is still in the `(state, owner)` expected."""

    async def release(self, key: str, owner: str) -> bool:
        """Delete the record if `owner` still holds it IN_PROGRESS."""

    async def sweep(self) -> int:
        """Delete expired records; how many."""

    async def aclose(self) -> None: ...


# A key, as both APIs take it: printable ASCII, no white space at either end (a proxy may strip
# it). `/openapi.json` states the pattern.
MAX_KEY_LENGTH: Final = 255
KEY_PATTERN: Final = r"[!-~](?:[ -~]*[!-~])?"
KEY_RULE: Final = f"must be 1-{MAX_KEY_LENGTH} printable ASCII characters"
_KEY: Final = re.compile(KEY_PATTERN)


def check_key(key: str, field: str) -> str:
    """`key` if it is a well-formed key; the `InputError` naming `field` if not."""
    if len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise tree.InputError(field, KEY_RULE)
    return key


@dataclasses.dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """A client's key, scoped to the account and the client, and the public name it came in."""

    account: str
    client: str
    key: str
    field: str  # `Idempotency-Key` (REST) or `idempotencyKey` (GraphQL)

    @property
    def digest(self) -> str:
        scope = json.dumps([self.account, self.client, self.key], ensure_ascii=False)
        return hashlib.sha256(scope.encode("utf-8")).hexdigest()


class Codec(Protocol[T]):
    """How an API stores its answer: bytes back to an equal answer."""

    def encode(self, value: T) -> bytes: ...

    def decode(self, data: bytes) -> T: ...


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """What the request under a key came to: its answer or its error; `replayed` when stored."""

    value: T | None = None
    error: tree.FacadeError | None = None
    replayed: bool = False

    def unwrap(self) -> T:
        if self.error is not None:
            raise self.error
        return cast("T", self.value)


def fingerprint(name: str, arguments: Any) -> str:
    """SHA-256 of canonical JSON of an operation's name and its arguments (JSON values)."""
    text = json.dumps([name, arguments], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Nothing can have reached SMSC, or SMSC did nothing: the key is released for another try.
_RELEASED: Final = (
    tree.InputError,
    tree.AuthError,
    tree.ForbiddenError,
    tree.NotFoundError,
    tree.RateLimitedError,
    tree.InProgressError,
    tree.ConfigError,
    tree.SmscRateLimited,
    tree.SmscBlocked,
    tree.SmscAuthError,
)
# SMSC may have done it: a 200 whose body did not read is as unknown as no answer at all.
_UNKNOWN: Final = (tree.UpstreamOutcomeUnknown, tree.UpstreamProtocolError)


class Idempotency:
    """Runs writes under idempotency keys (module docstring); one per process."""

    def __init__(
        self,
        store: IdempotencyStore,
        *,
        ttl: float = DEFAULT_TTL,
        wait: float = DEFAULT_WAIT,
        settle_after: float = DEFAULT_SETTLE_AFTER,
        clock: Callable[[], float] = time.time,
        owner: str | None = None,
    ) -> None:
        self.store = store
        self.owner = owner or secrets.token_hex(8)
        self._ttl = ttl
        self._wait = wait
        self._settle_after = settle_after
        self._clock = clock
        self._running: dict[str, anyio.Event] = {}
        self._swept_at = -math.inf
        self.replays = 0  # answers given from a stored record (metrics)

    async def aclose(self) -> None:
        await self.store.aclose()

    async def run(
        self,
        key: IdempotencyKey,
        fingerprint: str,
        execute: Callable[[], Awaitable[T]],
        codec: Codec[T],
        *,
        settling: Settling[T] | None = None,
    ) -> Outcome[T]:
        """`execute()` once for `key`, or the outcome it had (module docstring).

        Raises what is nobody's stored outcome: errors before SMSC (the key is released),
        `IdempotencyKeyReused`, `InProgressError`, and errors of settling a job creation.
        """
        digest = key.digest
        deadline = anyio.current_time() + self._wait
        with anyio.CancelScope(deadline=deadline):
            while (running := self._running.get(digest)) is not None:
                await running.wait()
        if digest in self._running:
            raise tree.InProgressError(RUNNING, retry_after=IN_PROGRESS_RETRY_AFTER)
        done = self._running[digest] = anyio.Event()
        try:
            outcome = await self._run(key, fingerprint, execute, codec, settling, deadline)
            if outcome.replayed:
                self.replays += 1
            return outcome
        finally:
            del self._running[digest]
            done.set()

    async def _run(
        self,
        key: IdempotencyKey,
        fingerprint: str,
        execute: Callable[[], Awaitable[T]],
        codec: Codec[T],
        settling: Settling[T] | None,
        deadline: float,
    ) -> Outcome[T]:
        now = self._clock()
        if now - self._swept_at >= SWEEP_INTERVAL:
            self._swept_at = now
            await self.store.sweep()
        marker = None if settling is None else settling.new_marker()
        while True:
            record = Record(
                key=key.digest,
                fingerprint=fingerprint,
                state=State.IN_PROGRESS,
                owner=self.owner,
                marker=marker,
                created_at=now,
                expires_at=now + self._ttl,
            )
            try:
                found = await self.store.claim(record)
            except StoreUnavailable as exc:
                raise tree.UpstreamUnavailable(RECORDS_AWAY) from exc
            if found is None:
                return await self._first(record, execute, codec)
            if found.fingerprint != fingerprint:
                raise tree.IdempotencyKeyReused(key.field)
            if not self._held_elsewhere(found, now):
                break
            # The bound is checked here, not by a cancel scope: a claim cut short may have
            # inserted a record that nobody runs.
            remaining = deadline - anyio.current_time()
            if remaining <= 0:
                raise tree.InProgressError(RUNNING, retry_after=IN_PROGRESS_RETRY_AFTER)
            await anyio.sleep(min(POLL_INTERVAL, remaining))
            now = self._clock()
        if found.state in (State.COMPLETED, State.FAILED):
            return _replay(found, codec, key.field)
        # UNKNOWN, or IN_PROGRESS that no live run holds: its owner is gone.
        if settling is not None and found.marker is not None:
            return await self._reconcile(found, found.marker, codec, settling, key.field)
        if found.response is None:
            response = _ERROR + encode_error(interrupted())
            await self._settle(found, State.UNKNOWN, response)
            found = dataclasses.replace(found, state=State.UNKNOWN, response=response)
        return _replay(found, codec, key.field)

    def _held_elsewhere(self, record: Record, now: float) -> bool:
        """IN_PROGRESS under the live lease of another process (this one's runs are in
        `_running`: a record of its own that none holds was left by a run that was cut short)."""
        return (
            record.state is State.IN_PROGRESS
            and record.owner != self.owner
            and record.leased_until is not None
            and now < record.leased_until
        )

    async def _first(
        self, record: Record, execute: Callable[[], Awaitable[T]], codec: Codec[T]
    ) -> Outcome[T]:
        with marking(record.marker):
            try:
                value = await execute()
                response = _VALUE + codec.encode(value)
            except tree.FacadeError as error:
                if isinstance(error, _RELEASED) or (
                    isinstance(error, tree.UpstreamUnavailable) and not isinstance(error, _UNKNOWN)
                ):
                    await self._release(record)
                    raise
                state = State.UNKNOWN if isinstance(error, _UNKNOWN) else State.FAILED
                await self._settle(record, state, _ERROR + encode_error(error))
                return Outcome(error=error)
            except BaseException:
                # Cancelled, or failed inside the facade: SMSC may have been reached all the same.
                await self._settle(record, State.UNKNOWN, _ERROR + encode_error(interrupted()))
                raise
        await self._settle(record, State.COMPLETED, response)
        return Outcome(value=value)

    async def _reconcile(
        self, record: Record, marker: str, codec: Codec[T], settling: Settling[T], field: str
    ) -> Outcome[T]:
        try:
            value = await settling.find(marker, record.created_at)
        except tree.UpstreamError as exc:
            # SMSC failing, refusing or unreadable (the breaker open too): still unknown.
            raise settling_error(UNSETTLED_RETRY_AFTER) from exc
        if value is not None:
            await self._settle(record, State.COMPLETED, _VALUE + codec.encode(value))
            logger.info("idempotency: a write of unknown outcome was found made")
            return Outcome(value=value, replayed=True)
        waited = self._clock() - record.created_at
        if waited < self._settle_after:
            raise settling_error(self._settle_after - waited)
        await self._settle(record, State.FAILED, _SPENT + settling.not_made.encode())
        logger.info("idempotency: a write of unknown outcome was not made")
        return Outcome(error=tree.IdempotencyKeySpent(field, settling.not_made), replayed=True)

    async def _settle(self, record: Record, state: State, response: bytes) -> None:
        """Store the outcome. A store that fails here costs the record, not the answer: it stays
        IN_PROGRESS, which a repeat takes for a run of unknown outcome."""
        with anyio.CancelScope(shield=True):
            try:
                saved = await self.store.update(
                    record.key,
                    expected=(record.state, record.owner),
                    state=state,
                    response=response,
                )
            except StoreUnavailable:
                logger.exception("idempotency: an outcome could not be stored (%s)", state.value)
                return
        if not saved:
            logger.warning("idempotency: a record changed under its run; kept the other outcome")

    async def _release(self, record: Record) -> None:
        """Free the key of a run that reached nothing. A store that fails here leaves the key
        IN_PROGRESS: a repeat then hears "outcome unknown", never a second send."""
        with anyio.CancelScope(shield=True):
            try:
                await self.store.release(record.key, self.owner)
            except StoreUnavailable:
                logger.exception("idempotency: a key could not be released")


def _replay(record: Record, codec: Codec[T], field: str) -> Outcome[T]:
    response = record.response or b""
    if response.startswith(_VALUE):
        return Outcome(value=codec.decode(response.removeprefix(_VALUE)), replayed=True)
    if response.startswith(_SPENT):
        # Records made before the spent record held its text are job creations'.
        said = response.removeprefix(_SPENT).decode() or NOT_CREATED
        return Outcome(error=tree.IdempotencyKeySpent(field, said), replayed=True)
    error = decode_error(response.removeprefix(_ERROR))
    # Records made before `_SPENT` stored the settling as an `UpstreamUnavailable` (a 503).
    if type(error) is tree.UpstreamUnavailable and error.message == NOT_CREATED:
        error = tree.IdempotencyKeySpent(field, NOT_CREATED)
    return Outcome(error=error, replayed=True)
