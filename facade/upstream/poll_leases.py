"""The Redis side of shared polling: the lease scripts, the published messages, and the
leader's coordination (lease, rest, demand) for one account and kind (`pollers_redis.py`).
"""

import asyncio
import dataclasses
import json
import logging
from typing import Any, Final

import redis.exceptions
from redis.asyncio import Redis

from facade.upstream import codec
from facade.upstream.pollers import Kind
from facade.upstream.redis_state import PREFIX, digest

logger = logging.getLogger("facade.upstream.pollers")

_UNREACHABLE: Final = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
_RECANCEL: Final = 0.05

# KEYS[1] the lease; ARGV token, lease (ms). Takes the lease when free, renews it when `token`
# holds it; returns 1 when `token` holds it afterwards.
_HOLD: Final = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
"""

# KEYS[1] the lease, KEYS[2] the rest; ARGV token, lease (ms), interval (ms). Before a poll: -1 when
# `token` lost the lease, else the rest left (ms) if any, else 0 and the rest set to one interval
# (a leader that dies mid-poll still spaces the next one).
_BEGIN: Final = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local left = redis.call('PTTL', KEYS[2])
if left > 0 then return left end
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
return 0
"""

_RELEASE: Final = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _text(value: bytes | str) -> str:
    return value if isinstance(value, str) else value.decode()


def _pack(head: dict[str, Any], values: list[Any]) -> bytes:
    return json.dumps(head).encode() + b"\n" + codec.encode(values)


def _unpack(data: bytes | str) -> tuple[dict[str, Any], list[Any]]:
    """A published update; `ValueError` for anything `_pack` could not have written."""
    raw = data.encode() if isinstance(data, str) else data
    head, _, body = raw.partition(b"\n")
    values = codec.decode(body)
    parsed = json.loads(head)
    if not isinstance(parsed, dict) or not isinstance(values, list):
        raise ValueError("not a published update")
    return parsed, values


@dataclasses.dataclass(frozen=True, slots=True)
class _Published:
    """What a leader's poll found: the update to publish, and the newest answer id to store."""

    update: bytes
    newest: int | None = None


class _Coordination:
    """One (account, kind)'s keys in Redis. Every method may raise redis' errors."""

    def __init__(self, redis: Redis, *, account: str, kind: Kind, lease: float) -> None:
        base = f"{PREFIX}:poll:{digest(account)}:{kind.value}"
        self.redis = redis
        self.lease_key = base
        self.rest_key = f"{base}:rest"
        self.newest_key = f"{base}:newest"
        self.wanted_key = f"{base}:wanted"
        self.channel = f"{base}:updates"
        self.lease_ms = _ms(lease)
        self._hold = redis.register_script(_HOLD)
        self._begin = redis.register_script(_BEGIN)
        self._release = redis.register_script(_RELEASE)

    def _wanted(self, token: str) -> str:
        return f"{self.wanted_key}:{token}"

    async def hold(self, token: str) -> bool:
        return bool(await self._hold(keys=[self.lease_key], args=[token, self.lease_ms]))

    async def begin(self, token: str, interval: float) -> float | None:
        """None when `token` lost the lease, else the seconds to wait before polling (0: now)."""
        left = int(
            await self._begin(
                keys=[self.lease_key, self.rest_key], args=[token, self.lease_ms, _ms(interval)]
            )
        )
        return None if left < 0 else left / 1000

    async def finish(self, rest: float, published: _Published | None, *, keep: float) -> None:
        """After a poll: rest `rest` seconds, and publish what it found (kept `keep` seconds)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.rest_key, "1", px=_ms(rest))
            if published is not None:
                if published.newest is not None:
                    pipe.set(self.newest_key, published.newest, px=_ms(keep))
                pipe.publish(self.channel, published.update)
            await pipe.execute()

    async def stake_rest(self, seconds: float) -> None:
        """Make the next poll wait at least `seconds` (this replica polled alone lately)."""
        if seconds <= 0:
            return
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.rest_key, "1", px=_ms(seconds), nx=True)
            pipe.pexpire(self.rest_key, _ms(seconds), gt=True)
            await pipe.execute()

    async def newest(self) -> int | None:
        stored = await self.redis.get(self.newest_key)
        return None if stored is None else int(stored)

    async def register(self, token: str, wanted: dict[str, Any]) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self._wanted(token), json.dumps(wanted), px=self.lease_ms)
            pipe.sadd(self.wanted_key, token)
            pipe.pexpire(self.wanted_key, self.lease_ms)
            await pipe.execute()

    async def registrations(self) -> list[dict[str, Any]]:
        """What every replica with subscribers wants; entries whose replica went quiet go."""
        tokens = sorted(_text(token) for token in await self.redis.smembers(self.wanted_key))
        if not tokens:
            return []
        values = await self.redis.mget([self._wanted(token) for token in tokens])
        gone = [token for token, value in zip(tokens, values, strict=True) if value is None]
        if gone:
            await self.redis.srem(self.wanted_key, *gone)
        return [json.loads(value) for value in values if value is not None]

    async def leave(self, token: str) -> None:
        """Drop `token`'s demand and lease; with nobody left wanting, the newest id goes too, so
        the next start takes a fresh baseline (as a restarted `Pollers` poller does)."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._wanted(token))
            pipe.srem(self.wanted_key, token)
            await pipe.execute()
        led = await self._release(keys=[self.lease_key], args=[token])
        if led and not await self.registrations():
            await self.redis.delete(self.newest_key)


def _honour_cancellation() -> None:
    """Raise the cancellation a Redis call may have swallowed.

    redis-py bounds each write with `asyncio.wait_for`, which on Python 3.11 returns the result
    instead of raising when the task is cancelled as the write completes (CPython gh-86296, fixed
    in 3.12); the task's cancel request stays counted, so a loop that awaits Redis looks at it.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def _cancel(task: asyncio.Task[Any] | None) -> None:
    """Cancel `task` (again, should it swallow that) until it ends; the caller's own
    cancellation still goes through."""
    if task is None:
        return
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=_RECANCEL)
    if not task.cancelled():
        task.exception()  # raised already by the caller, or moot: the phase is over
