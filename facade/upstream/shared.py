"""The seams of an account's state that replicas may share: one small interface each.

| interface | in this process (`in_process`) | across the replicas, in Redis (`scaleout`) |
|-----------|--------------------------------|---------------------------------------------|
| `Budget`  | `limits.RequestBudget`         | `cluster.SharedBudget`                      |
| `Cap`     | `limits.ConcurrencyCap`        | `cluster.SharedCap`                         |
| `Flights` | `coalesce.SingleFlight`        | `redis_flight.ReplicaFlights`               |
| `Cache`   | `cache.LocalCache`             | `redis_cache.RedisCache`                    |
| polling   | `pollers.LOCAL`                | `pollers_redis.SharedPolling`               |

SMSC's error 2 history (`auth_errors.AuthErrors`) is chosen with them. The set is chosen once, at
start-up (`backend.py`), and given to each `SmscClient` as a `SharedState`, the way httpx is given
a transport: the client never asks which set it has.
"""

import contextlib
import dataclasses
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeVar

from facade.upstream.auth_errors import AuthErrors, LocalAuthErrors
from facade.upstream.cache import Change, LocalCache, ResponseCache
from facade.upstream.coalesce import SingleFlight
from facade.upstream.config import UpstreamConfig
from facade.upstream.limits import ConcurrencyCap, RequestBudget
from facade.upstream.timing import Clock

T = TypeVar("T")


class Budget(Protocol):
    """SMSC's identical-request budget: at most `limit` uses of one request key a window."""

    async def spend(self, key: str, limit: int, *, ceiling: int | None = None) -> float | None:
        """Spend one use of `key` and return None, or return the seconds until one may be spent
        (`ceiling`: SMSC's own limit, above `limit`)."""
        ...

    def retry_after(self, key: str, limit: int) -> float | None:
        """What `spend` would answer as far as this process knows, spending nothing."""
        ...


class Cap(Protocol):
    """The per-login concurrency cap: at most so many calls to SMSC in flight."""

    @property
    def in_flight(self) -> int:
        """This process's calls holding a slot."""
        ...

    def slot(self) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold one slot for the body; `UpstreamUnavailable` when none frees in time."""
        ...


class Flights(Protocol):
    """Single flight: one run of the work for a key at a time, however many callers ask."""

    def is_running(self, key: str) -> bool: ...

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """The work's outcome, and whether this caller joined a run another caller started."""
        ...


class Cache(Protocol):
    """The account's read cache: `entries`, this process's (hits are answered from them with no
    I/O, and `reads.py` tracks them), and whatever is kept behind them."""

    @property
    def entries(self) -> ResponseCache: ...

    async def fill(
        self,
        key: str,
        fetch: Callable[[], Awaitable[T]],
        *,
        ttl: float,
        max_stale: float,
        tags: Iterable[str],
    ) -> tuple[T, float, bool]:
        """A fresh value for `key` into `entries`: the value, its age, and whether another
        replica asked SMSC for it; `fetch` asks SMSC when nobody has."""
        ...

    async def stale(self, key: str) -> tuple[Any, float] | None:
        """A value past its freshness and its age, to answer with when SMSC cannot be asked."""
        ...

    async def invalidate(self, tag: str) -> None:
        """Expire every fresh entry carrying `tag` (each stays usable as stale)."""
        ...

    async def update(self, tag: str, change: Change) -> None:
        """Write-through: change the value of every entry carrying `tag` (`ResponseCache`)."""
        ...


class ReplicaHealth(Protocol):
    """What observability reports of the replicas' shared state (`observability/metrics.py`)."""

    @property
    def in_flight(self) -> int: ...

    @property
    def degraded(self) -> bool: ...

    @property
    def failures(self) -> int: ...


@dataclasses.dataclass(frozen=True, slots=True)
class SharedState:
    """One account's state, each part behind its interface; `cluster` is what observability
    reports of Redis (None in process)."""

    budget: Budget
    cap: Cap
    flights: Flights
    cache: Cache
    auth_errors: AuthErrors
    cluster: ReplicaHealth | None = None


def in_process(config: UpstreamConfig, *, clock: Clock) -> SharedState:
    """An account's state in this process's memory alone."""
    return SharedState(
        budget=RequestBudget(window=config.budget_window, clock=clock),
        cap=ConcurrencyCap(limit=config.concurrency, wait=config.concurrency_wait),
        flights=SingleFlight(),
        cache=LocalCache(ResponseCache(maxsize=config.cache_size, clock=clock)),
        auth_errors=LocalAuthErrors.from_config(config, clock=clock),
    )
