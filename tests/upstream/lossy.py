"""An `SmscClient` on the in-process emulator, with idempotency records in a temporary directory.

The emulator's dropped connections reach the client as they do through uvicorn: as an
`httpx.RemoteProtocolError` once the request was sent (facade.emulator.faults), not as the
app's own exception that `httpx.ASGITransport` re-raises.
"""

import dataclasses
import json
import pathlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from facade.emulator.app import create_emulator
from facade.emulator.faults import ConnectionDroppedError
from facade.emulator.state import EmulatorState
from facade.settings import CACHE_TTLS
from facade.smsc.wire import Fmt
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.idempotency import DEFAULT_SETTLE_AFTER, DEFAULT_WAIT, Idempotency
from facade.upstream.idempotency_sqlite import SqliteIdempotencyStore
from facade.upstream.transport import SmscTransport
from tests.fakes import FakeClock, FakeSleep
from tests.upstream.harness import BASE_URL, DEMO


class JsonCodec:
    def encode(self, value: Any) -> bytes:
        return json.dumps(value).encode()

    def decode(self, data: bytes) -> Any:
        return json.loads(data)


CODEC = JsonCodec()


class Counted:
    """An operation that counts its runs and answers (or raises) what it is given."""

    def __init__(self, answer: Any = "done") -> None:
        self.runs = 0
        self.answer = answer

    async def __call__(self) -> Any:
        self.runs += 1
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


class WallClock(FakeClock):
    """Unix time that tests move by hand."""

    def __init__(self) -> None:
        super().__init__()
        self.now = time.time()


class UvicornLike(httpx.AsyncBaseTransport):
    """`ASGITransport`, but a dropped connection is a `RemoteProtocolError`, as through uvicorn."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except ConnectionDroppedError as exc:
            raise httpx.RemoteProtocolError("peer closed connection", request=request) from exc


@dataclasses.dataclass
class Rig:
    client: SmscClient
    emulator: EmulatorState
    clock: FakeClock  # the client's monotonic clock (cache, budget)
    wall: WallClock  # the idempotency records' clock
    idempotency: Idempotency
    store: SqliteIdempotencyStore
    http: httpx.AsyncClient

    def adds(self) -> int:
        """How many job creations reached the emulator (including those whose answer was lost)."""
        return sum(
            1 for c in self.emulator.calls if c.path.endswith("/jobs.php") and c.command == "add"
        )

    def jobs_named(self, name: str) -> list[Any]:
        """The emulator's jobs whose name, marker aside, is `name`."""
        return [
            job
            for job in self.emulator.account().jobs.values()
            if job.name.startswith(name + " [fx:")
        ]

    def another_process(self, **kwargs: Any) -> Idempotency:
        """A runner as a restarted facade would have: the same records, another owner."""
        store = SqliteIdempotencyStore(self.store.path, clock=self.wall)
        return Idempotency(store, clock=self.wall, **kwargs)


def rig(
    data_dir: pathlib.Path,
    *,
    emulator_sleep: Callable[[float], Awaitable[None]] | None = None,
    wait: float = DEFAULT_WAIT,
    settle_after: float = DEFAULT_SETTLE_AFTER,
    **config: Any,
) -> Rig:
    clock, wall = FakeClock(), WallClock()
    app = create_emulator(seed="demo", clock=clock, sleep=emulator_sleep)
    http = httpx.AsyncClient(transport=UvicornLike(app))
    settings = UpstreamConfig(fmt=Fmt.JSON, ttls=CACHE_TTLS, **config)
    transport = SmscTransport(
        http, base_urls=[BASE_URL], config=settings, sleep=FakeSleep(), jitter=lambda: 1.0
    )
    client = SmscClient(
        account="default", credentials=DEMO, transport=transport, config=settings, clock=clock
    )
    store = SqliteIdempotencyStore.in_dir(data_dir, clock=wall)
    idempotency = Idempotency(store, wait=wait, settle_after=settle_after, clock=wall)
    return Rig(client, app.state.emulator, clock, wall, idempotency, store, http)
