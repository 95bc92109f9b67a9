"""SMSC's protective limits: identical requests, per-login rates and concurrency (error 9), address
blocks (error 4).

docs/smsc-wire.md, "Error envelopes", codes 4 and 9; the numbers live in
`facade.emulator.assumptions`. Every window runs on the emulator's injected clock.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from facade.emulator.assumptions import (
    AUTH_FAILURE_WINDOW_SECONDS,
    AUTH_FAILURES_ALLOWED,
    BLOCK_SECONDS,
    CONCURRENT_ALLOWED,
    IDENTICAL_ALLOWED,
    IDENTICAL_ALLOWED_PER_COMMAND,
    IDENTICAL_ALLOWED_PER_ENDPOINT,
    IDENTICAL_WINDOW_SECONDS,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

RequestKey = tuple[str, tuple[tuple[str, str], ...]]
# Forget idle keys once this many are remembered, so a long run does not grow without bound.
_PRUNE_ABOVE: Final = 1024


def request_key(endpoint: str, params: Mapping[str, str]) -> RequestKey:
    """ "Identical" = same endpoint and same parameters, credentials included, order ignored."""
    return endpoint, tuple(sorted(params.items()))


@dataclass(slots=True)
class IdenticalRequests:
    """A sliding window of identical requests; the (allowed + 1)th within it is error 9."""

    seen: dict[RequestKey, deque[float]] = field(default_factory=dict)

    def count(self, key: RequestKey, now: float) -> int:
        """Record one request and return how many identical ones the window now holds."""
        if len(self.seen) > _PRUNE_ABOVE:
            for stale in [k for k, times in self.seen.items() if not self._trim(times, now)]:
                del self.seen[stale]
        times = self.seen.setdefault(key, deque())
        self._trim(times, now)
        times.append(now)
        return len(times)

    @staticmethod
    def _trim(times: deque[float], now: float) -> int:
        while times and times[0] <= now - IDENTICAL_WINDOW_SECONDS:
            times.popleft()
        return len(times)

    @staticmethod
    def allowed(endpoint: str, command: str | None = None) -> int:
        by_endpoint = IDENTICAL_ALLOWED_PER_ENDPOINT.get(endpoint, IDENTICAL_ALLOWED)
        return IDENTICAL_ALLOWED_PER_COMMAND.get((endpoint, command or ""), by_endpoint)


def login_key(endpoint: str, login: str) -> RequestKey:
    """Every request of one login to `endpoint` under one key: a per-login rate (balance.php's
    ten a minute) is an `IdenticalRequests` window over it."""
    return endpoint, (("login", login),)


@dataclass(slots=True)
class AddressBlocks:
    """Five authentication errors from one address within 30 minutes block it for 30 minutes."""

    failures: dict[str, deque[float]] = field(default_factory=dict)
    blocked_until: dict[str, float] = field(default_factory=dict)

    def is_blocked(self, address: str, now: float) -> bool:
        until = self.blocked_until.get(address)
        if until is None:
            return False
        if now < until:
            return True
        del self.blocked_until[address]
        return False

    def fail(self, address: str, now: float) -> None:
        times = self.failures.setdefault(address, deque())
        while times and times[0] <= now - AUTH_FAILURE_WINDOW_SECONDS:
            times.popleft()
        times.append(now)
        if len(times) >= AUTH_FAILURES_ALLOWED:
            self.blocked_until[address] = now + BLOCK_SECONDS
            del self.failures[address]


@dataclass(slots=True)
class InFlight:
    """Requests being served: per login for the limit, in total for the `max_concurrent` stat."""

    per_login: Counter[str] = field(default_factory=Counter)
    total: int = 0
    max_total: int = 0
    max_per_login: int = 0

    def arrive(self) -> None:
        self.total += 1
        self.max_total = max(self.max_total, self.total)

    def depart(self) -> None:
        self.total -= 1

    def admit(self, login: str) -> bool:
        """Take a slot for `login`, or refuse when it already holds `CONCURRENT_ALLOWED`."""
        if self.per_login[login] >= CONCURRENT_ALLOWED:
            return False
        self.per_login[login] += 1
        self.max_per_login = max(self.max_per_login, self.per_login[login])
        return True

    def release(self, login: str) -> None:
        self.per_login[login] -= 1
        if not self.per_login[login]:
            del self.per_login[login]

    def reset_peaks(self) -> None:
        self.max_total = self.total
        self.max_per_login = max(self.per_login.values(), default=0)
