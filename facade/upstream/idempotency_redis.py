"""Idempotency records in Redis, shared by every replica (issue 8): one hash per key.

The SQLite store's semantics (`idempotency_sqlite.py`), with each step one Lua script, so that of
claims racing from any number of processes exactly one inserts. A claim also gives its record a
lease (`Record.leased_until`): while it lasts, other replicas take the run for alive and wait for
it; past it, the owner is taken for dead and the run's outcome for unknown. Redis deletes each
record when it expires (`PEXPIRE`); expiry is judged by the replicas' clocks, as in SQLite.

Keys are `facade:idem:<Record.key>`, the SHA-256 digest of (account, client, idempotency key);
the raw key is never seen here. Nothing is deleted but what `release` and expiry delete: Redis
errors propagate. Durability is the server's: run it with `appendonly yes` and with
`maxmemory-policy noeviction` (these keys carry a TTL, so `volatile-*` policies may evict them).
"""

import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Final, Self, TypeVar, cast

from redis.asyncio import Redis
from redis.exceptions import RedisError

from facade.errors import UpstreamUnavailable
from facade.upstream.config import DEFAULT_DEADLINE
from facade.upstream.idempotency import Record, State
from facade.upstream.redis_state import PREFIX, connect

T = TypeVar("T")

# A claim's lease: a run ends within the transport's deadline (backoffs included), plus the wait
# for a connection slot; twice the deadline leaves room for both.
DEFAULT_LEASE: Final = 2 * DEFAULT_DEADLINE

_DIGEST: Final = re.compile(r"[0-9a-f]{64}")

# KEYS[1] the record; ARGV[1] the claim's time, ARGV[2] its TTL (ms), then field, value pairs.
# Returns nil when inserted, else the live record (HGETALL's pairs).
_CLAIM: Final = """
local expires_at = redis.call('HGET', KEYS[1], 'expires_at')
if expires_at and tonumber(expires_at) > tonumber(ARGV[1]) then
  return redis.call('HGETALL', KEYS[1])
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return nil
"""
# KEYS[1] the record; ARGV expected state, expected owner, state, response. Returns 1 when set.
_UPDATE: Final = """
local found = redis.call('HMGET', KEYS[1], 'state', 'owner')
if found[1] == ARGV[1] and found[2] == ARGV[2] then
  redis.call('HSET', KEYS[1], 'state', ARGV[3], 'response', ARGV[4])
  return 1
end
return 0
"""
# KEYS[1] the record; ARGV owner. Returns 1 when deleted.
_RELEASE: Final = """
local found = redis.call('HMGET', KEYS[1], 'state', 'owner')
if found[1] == 'IN_PROGRESS' and found[2] == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisIdempotencyStore:
    """`IdempotencyStore` on Redis; safe between processes and replicas.

    The client is shared and stays open on `aclose` (its owner closes it), except one that
    `from_url` made. It must return bytes (`decode_responses=False`, as `connect` makes it).
    """

    def __init__(
        self,
        redis: Redis,
        *,
        lease: float = DEFAULT_LEASE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if lease <= 0:
            raise ValueError("lease must be positive")
        if redis.connection_pool.connection_kwargs.get("decode_responses"):
            raise ValueError("the Redis client must return bytes (decode_responses=False)")
        self._redis = redis
        self._lease = lease
        self._clock = clock
        self._owns_client = False
        self._claim = redis.register_script(_CLAIM)
        self._update = redis.register_script(_UPDATE)
        self._release = redis.register_script(_RELEASE)

    @classmethod
    def from_url(
        cls, url: str, *, lease: float = DEFAULT_LEASE, clock: Callable[[], float] = time.time
    ) -> Self:
        """A store on a client of its own (`redis_state.connect`), closed by `aclose`."""
        store = cls(connect(url), lease=lease, clock=clock)
        store._owns_client = True
        return store

    async def aclose(self) -> None:
        if self._owns_client:
            await self._redis.aclose()

    async def claim(self, record: Record) -> Record | None:
        if record.leased_until is None:
            leased_until = record.created_at + self._lease
        else:
            leased_until = record.leased_until
        fields: list[str | bytes] = [
            "fingerprint",
            record.fingerprint,
            "state",
            record.state.value,
            "owner",
            record.owner,
            "created_at",
            repr(record.created_at),
            "expires_at",
            repr(record.expires_at),
            "leased_until",
            repr(leased_until),
        ]
        if record.marker is not None:
            fields += ["marker", record.marker]
        if record.response is not None:
            fields += ["response", record.response]
        ttl_ms = max(1, math.ceil((record.expires_at - record.created_at) * 1000))
        found = await self._claim(
            keys=[_name(record.key)], args=[repr(record.created_at), ttl_ms, *fields]
        )
        if found is None:
            return None
        pairs: list[bytes] = found
        return _record(record.key, dict(zip(pairs[::2], pairs[1::2], strict=True)))

    async def update(
        self, key: str, *, expected: tuple[State, str], state: State, response: bytes
    ) -> bool:
        expected_state, expected_owner = expected
        args = [expected_state.value, expected_owner, state.value, response]
        return bool(await self._update(keys=[_name(key)], args=args))

    async def release(self, key: str, owner: str) -> bool:
        return bool(await self._release(keys=[_name(key)], args=[owner]))

    async def sweep(self) -> int:
        """Nothing to do: Redis deletes each record at its expiry. One that a replica's clock
        already counts as expired is replaced by a claim as if absent, and `get` skips it."""
        return 0

    async def get(self, key: str) -> Record | None:
        """The live record of `key`, if any (for tests and operators)."""
        found = cast("dict[bytes, bytes]", await self._redis.hgetall(_name(key)))
        if not found:
            return None
        record = _record(key, found)
        return None if record.expires_at <= self._clock() else record


def _name(key: str) -> str:
    # Digests only: a raw idempotency key (or anything a client chose) never names a Redis key.
    if not _DIGEST.fullmatch(key):
        raise ValueError("a record's key must be a SHA-256 hex digest")
    return f"{PREFIX}:idem:{key}"


def _record(key: str, fields: Mapping[bytes, bytes]) -> Record:
    marker = fields.get(b"marker")
    leased_until = fields.get(b"leased_until")
    return Record(
        key=key,
        fingerprint=fields[b"fingerprint"].decode(),
        state=State(fields[b"state"].decode()),
        owner=fields[b"owner"].decode(),
        marker=None if marker is None else marker.decode(),
        created_at=float(fields[b"created_at"]),
        expires_at=float(fields[b"expires_at"]),
        response=fields.get(b"response"),
        leased_until=None if leased_until is None else float(leased_until),
    )


class RedisUnreachableAsUnavailable:
    """The shared store as the runner sees it: Redis out of reach is `UpstreamUnavailable`.

    Without the shared records a replica cannot know what another one already sent, so a write
    carrying an idempotency key is refused (503, "nothing was sent") rather than risk sending it
    twice; writes without a key, and every read, carry on without Redis. A record already made is
    never lost: it is in Redis, and a run cut off after its claim is settled when its lease ends.
    """

    def __init__(self, store: RedisIdempotencyStore) -> None:
        self._store = store

    async def _guard(self, operation: Awaitable[T]) -> T:
        try:
            return await operation
        except (RedisError, OSError):
            raise UpstreamUnavailable(
                "The idempotency records are out of reach (Redis); nothing was sent. Retry with "
                "the same key."
            ) from None

    async def claim(self, record: Record) -> Record | None:
        return await self._guard(self._store.claim(record))

    async def update(
        self, key: str, *, expected: tuple[State, str], state: State, response: bytes
    ) -> bool:
        return await self._guard(
            self._store.update(key, expected=expected, state=state, response=response)
        )

    async def release(self, key: str, owner: str) -> bool:
        return await self._guard(self._store.release(key, owner))

    async def get(self, key: str) -> Record | None:
        return await self._guard(self._store.get(key))

    async def sweep(self) -> int:
        return await self._guard(self._store.sweep())

    async def aclose(self) -> None:
        await self._store.aclose()
