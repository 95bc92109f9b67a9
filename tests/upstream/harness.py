"""An `SmscClient` wired to the in-process emulator, with time the test drives; its state in
process, with the budget and the cap at hand (`budget`, `cap`)."""

import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import httpx

from facade.emulator.app import create_emulator
from facade.emulator.state import AccountCredentials, Call, EmulatorState
from facade.settings import CACHE_TTLS, SANDBOX_LOGIN, SANDBOX_PASSWORD
from facade.smsc.commands import Credentials
from facade.smsc.wire import Fmt
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.limits import ConcurrencyCap, RequestBudget
from facade.upstream.shared import in_process
from facade.upstream.transport import SmscTransport
from tests.fakes import FakeClock, FakeSleep

BASE_URL = "http://smsc.test"
DEMO = Credentials(login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD)


@dataclasses.dataclass
class Harness:
    client: SmscClient
    emulator: EmulatorState
    clock: FakeClock
    sleep: FakeSleep
    http: httpx.AsyncClient
    budget: RequestBudget
    cap: ConcurrencyCap

    def calls(self, command: str | None = None) -> list[Call]:
        return [c for c in self.emulator.calls if command is None or c.command == command]


def harness(
    *,
    seed: str = "demo",
    fmt: Fmt = Fmt.JSON,
    credentials: Credentials = DEMO,
    emulator_sleep: Callable[[float], Awaitable[None]] | None = None,
    accounts: Sequence[AccountCredentials] | None = None,
    contacts: int = 0,
    **config: Any,
) -> Harness:
    """`contacts` generated contacts join the seed's (a large account)."""
    clock = FakeClock()
    sleep = FakeSleep()
    app = create_emulator(
        seed=seed, clock=clock, sleep=emulator_sleep, accounts=accounts, contacts=contacts
    )
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    settings = UpstreamConfig(fmt=fmt, ttls=CACHE_TTLS, **config)
    transport = SmscTransport(
        http, base_urls=[BASE_URL], config=settings, sleep=sleep, jitter=lambda: 1.0
    )
    budget = RequestBudget(window=settings.budget_window, clock=clock)
    cap = ConcurrencyCap(limit=settings.concurrency, wait=settings.concurrency_wait)
    client = SmscClient(
        account="default",
        credentials=credentials,
        transport=transport,
        config=settings,
        clock=clock,
        shared=dataclasses.replace(in_process(settings, clock=clock), budget=budget, cap=cap),
    )
    return Harness(client, app.state.emulator, clock, sleep, http, budget, cap)
