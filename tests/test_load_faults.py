"""Load and faults (issue 15): two replicas under 40 clients that retry as they are told, while
Redis is killed and restarted empty twice and SMSC (the emulator, which enforces its limits) is
slow and fails now and then. SMSC's limits and the facade's promises hold throughout."""

import asyncio
import dataclasses
import pathlib
import random
import time
from typing import Any

import httpx
import pytest

from tests.redis_server import RedisProcess
from tests.replicas import Cluster, cluster

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

CLIENTS = 40
# Seconds from the start: Redis killed, started empty, killed, started empty; the end.
TIMELINE = (8.0, 16.0, 26.0, 34.0, 46.0)
SLOWEST = 5.0
NAMES = ["Anna", "Boris", "Vera", "Gleb", "Dina", "Egor", "Zoya", "Igor"]
GRAPHQL = {"query": "{ templates { id name } groups { id name } }"}


@dataclasses.dataclass
class Run:
    # (seconds taken, request, status, seconds into the run when it was sent)
    durations: list[tuple[float, str, int, float]] = dataclasses.field(default_factory=list)
    began: float = dataclasses.field(default_factory=time.monotonic)
    created: dict[str, str] = dataclasses.field(default_factory=dict)  # job name -> id answered
    refused: list[str] = dataclasses.field(default_factory=list)  # 5xx that are not SMSC's state
    dropped: list[str] = dataclasses.field(default_factory=list)  # connections lost, then retried


async def client(facade: Cluster, index: int, run: Run, stop: float) -> None:
    rng = random.Random(index)  # noqa: S311 - a reproducible load, not a secret
    writes = 0
    # Idle connections are let go before uvicorn's keep-alive (5 s) would close them under a
    # request on its way, a race of the client's, not the service's.
    limits = httpx.Limits(keepalive_expiry=1.0)
    async with httpx.AsyncClient(timeout=30, headers=facade.auth, limits=limits) as http:

        async def send(method: str, path: str, **kw: Any) -> httpx.Response:
            replica = facade.replicas[rng.randrange(2)]
            started = time.monotonic()
            try:
                answer = await http.request(method, replica + path, **kw)
            except httpx.TransportError as exc:
                # Retried as clients do (reads, and writes under their key); counted.
                run.dropped.append(f"{method} {path}: {type(exc).__name__}")
                started = time.monotonic()
                answer = await http.request(method, replica + path, **kw)
            taken = time.monotonic() - started
            request = f"{method} {path}"
            run.durations.append((taken, request, answer.status_code, started - run.began))
            if answer.status_code == 500:
                run.refused.append(answer.text)
            return answer

        while time.monotonic() < stop:
            roll = rng.random()
            if roll < 0.35:
                await send("GET", rng.choice(["/v1/templates", "/v1/groups", "/v1/blacklist"]))
            elif roll < 0.6:
                await send("GET", f"/v1/contacts?search={rng.choice(NAMES)}")
            elif roll < 0.75:
                await send("GET", f"/v1/answers?sinceHours={rng.randrange(1, 25)}")
            elif roll < 0.9:
                await send("POST", "/graphql", json=GRAPHQL)
            else:
                writes += 1
                await create(send, f"load-{index}-{writes}", run, stop + 20)
            await asyncio.sleep(rng.uniform(0.05, 0.2))


async def create(send: Any, name: str, run: Run, give_up: float) -> None:
    """One job, retried under its key as the answers say, until created (or the run is over)."""
    key = name
    body = {"name": name, "phones": ["79161234567"], "message": "Hello"}
    while time.monotonic() < give_up:
        answer = await send("POST", "/v1/jobs", json=body, headers={"Idempotency-Key": key})
        if answer.status_code == 201:
            run.created[name] = answer.json()["id"]
            return
        if answer.status_code == 422 and answer.json().get("field") == "Idempotency-Key":
            key += "+"  # settled as never created: a new key, as the answer says
            continue
        assert answer.status_code in (409, 429, 502, 503), answer.text
        await asyncio.sleep(min(float(answer.headers.get("retry-after", "1")), 3.0))


async def load(facade: Cluster, redis: RedisProcess) -> Run:
    run = Run()
    start = time.monotonic()
    stop = start + TIMELINE[-1]
    clients = [asyncio.create_task(client(facade, i, run, stop)) for i in range(CLIENTS)]

    async def at(second: float) -> None:
        await asyncio.sleep(max(0.0, start + second - time.monotonic()))

    await at(TIMELINE[0])
    redis.kill()
    await at(TIMELINE[1])
    await asyncio.to_thread(redis.start)
    # SMSC fails for a moment: enough failures in a row to open the breaker.
    await asyncio.to_thread(facade.clear_faults)
    await asyncio.to_thread(facade.fault, kind="status", path="phones.php", status=500, times=8)
    await asyncio.to_thread(facade.fault, kind="latency", seconds=0.05)
    await at(TIMELINE[2])
    redis.kill()
    await at(TIMELINE[3])
    await asyncio.to_thread(redis.start)
    await asyncio.gather(*clients)
    return run


def test_two_replicas_under_load_keep_smsc_s_limits_while_redis_and_smsc_fail(
    tmp_path: pathlib.Path,
) -> None:
    with RedisProcess() as redis, cluster(tmp_path, redis.url) as facade:
        facade.fault(kind="latency", seconds=0.05)
        run = asyncio.run(load(facade, redis))
        alive = [httpx.get(f"{replica}/healthz").status_code for replica in facade.replicas]
        calls = facade.all_calls()
        stats = facade.stats()
        jobs = facade.jobs()

    slow = sorted(d for d in run.durations if d[0] >= SLOWEST)
    assert len(run.durations) > 2_000, "a load, not a trickle"
    assert slow == [], (len(slow), slow[-10:])
    assert [c for c in calls if c["error"] == 9] == [], "no error 9 from SMSC"
    assert stats["max_concurrent_per_login"] <= 8
    assert run.refused == []
    assert alive == [200, 200]
    assert len(run.dropped) <= len(run.durations) // 1000, run.dropped
    made: dict[str, list[str]] = {}
    for job in jobs:
        made.setdefault(job["name"].split(" [fx:")[0], []).append(str(job["id"]))
    doubled = {name: ids for name, ids in made.items() if len(ids) > 1}
    assert doubled == {}, "no keyed write doubled"
    for name, job_id in run.created.items():
        assert made.get(name) == [job_id], name
