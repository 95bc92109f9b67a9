"""Upstream layer numbers: how many SMSC calls client reads cost, and what a cache miss adds.

Run: .venv/bin/python bench/upstream.py
The emulator runs in process (httpx.ASGITransport) on a clock the benchmark advances, so the
numbers measure the facade's own work, not a network.
"""

import asyncio
import random
import statistics
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from facade.domain.answers import AnswerQuery
from facade.domain.contacts import ContactQuery
from facade.emulator.app import create_emulator
from facade.settings import CACHE_TTLS, SANDBOX_LOGIN, SANDBOX_PASSWORD
from facade.smsc import commands
from facade.smsc.commands import Credentials, build_form
from facade.smsc.wire import Fmt
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.transport import SmscTransport

BASE_URL = "http://smsc.bench"
READS = 1_000
BURST = 50
SECONDS_PER_BURST = 3.0
LATENCY_SAMPLES = 300


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def setup(fmt: Fmt = Fmt.JSON) -> tuple[SmscClient, Any, Clock, httpx.AsyncClient]:
    clock = Clock()
    app = create_emulator(seed="demo", clock=clock)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
    config = UpstreamConfig(fmt=fmt, ttls=CACHE_TTLS)
    transport = SmscTransport(http, base_urls=[BASE_URL], config=config)
    client = SmscClient(
        account="bench",
        credentials=Credentials(login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD),
        transport=transport,
        config=config,
        clock=clock,
    )
    return client, app.state.emulator, clock, http


def mixed_reads(client: SmscClient, rng: random.Random) -> Callable[[], Awaitable[Any]]:
    choices: list[Callable[[], Awaitable[Any]]] = [
        client.templates,
        client.groups,
        client.blacklist,
        client.jobs,
        client.download_tasks,
        lambda: client.answers(AnswerQuery(hours=24)),
        lambda: client.contacts(),
        lambda: client.contacts(ContactQuery(search=rng.choice(["Ив", "+7", "Ann"]))),
    ]
    return rng.choice(choices)


async def calls_per_thousand_reads() -> None:
    client, emulator, clock, http = setup()
    rng = random.Random(7)  # noqa: S311 - a repeatable workload, not a secret
    failures = 0
    for start in range(0, READS, BURST):
        burst = [mixed_reads(client, rng)() for _ in range(min(BURST, READS - start))]
        results = await asyncio.gather(*burst, return_exceptions=True)
        failures += sum(isinstance(r, BaseException) for r in results)
        clock.now += SECONDS_PER_BURST
    stats = client.stats
    misses = stats.cache["miss"]
    print(f"{READS} mixed client reads in bursts of {BURST}, {SECONDS_PER_BURST:.0f} s apart:")
    print(f"  upstream calls        {len(emulator.calls)}")
    print(f"  cache hit/miss/stale  {stats.cache['hit']}/{misses}/{stats.cache['stale']}")
    print(f"  coalesced waiters     {stats.coalesced_waiters}")
    ratio = misses / max(1, misses - stats.coalesced_waiters)
    print(f"  coalescing ratio      {ratio:.1f} misses answered per upstream fetch")
    print(f"  failed reads          {failures}")
    print(f"  error 9 at SMSC       {sum(1 for c in emulator.calls if c.error == 9)}")
    await http.aclose()


def percentile(samples: list[float], p: float) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[int(p) - 1]


async def miss_latency(fmt: Fmt) -> None:
    client, _, clock, http = setup(fmt)
    command = commands.list_templates()
    form = build_form(
        command,
        credentials=Credentials(login=SANDBOX_LOGIN, password=SANDBOX_PASSWORD),
        fmt=fmt,
        charset="utf-8",
    )
    body = urllib.parse.urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    direct: list[float] = []
    miss: list[float] = []
    for _ in range(LATENCY_SAMPLES):
        clock.now += 61  # a new minute for SMSC's and the facade's identical-request budgets
        started = time.perf_counter()
        response = await http.post(BASE_URL + command.endpoint.path, content=body, headers=headers)
        direct.append(time.perf_counter() - started)
        assert response.status_code == 200
        clock.now += 61
        client.cache.entries.clear()
        started = time.perf_counter()
        fetched = await client.templates()
        miss.append(time.perf_counter() - started)
        assert fetched.freshness == "miss"
    started = time.perf_counter()
    for _ in range(LATENCY_SAMPLES):
        await client.templates()
    hit = (time.perf_counter() - started) / LATENCY_SAMPLES
    added = [m - d for m, d in zip(miss, direct, strict=True)]
    print(
        f"  fmt{int(fmt)}: direct p50 {percentile(direct, 50) * 1e3:.2f} ms, "
        f"miss p50 {percentile(miss, 50) * 1e3:.2f} ms p99 {percentile(miss, 99) * 1e3:.2f} ms, "
        f"added p50 {percentile(added, 50) * 1e3:.2f} ms p99 {percentile(added, 99) * 1e3:.2f} ms, "
        f"hit {hit * 1e6:.0f} us"
    )
    await http.aclose()


async def main() -> None:
    await calls_per_thousand_reads()
    print(f"cache miss of `templates` over a direct emulator call ({LATENCY_SAMPLES} samples):")
    for fmt in Fmt:
        await miss_latency(fmt)


if __name__ == "__main__":
    asyncio.run(main())
