"""Two `facade serve` replicas sharing a real Redis, in front of `facade emulator`.

Run as operators run it: separate processes on loopback, the load spread over both replicas.
"""

import asyncio
import concurrent.futures
import pathlib
import subprocess
import time
from typing import Any

import httpx
import pytest

from tests.loopback import free_port
from tests.redis_server import RedisProcess, redis_server
from tests.replicas import Cluster, cluster
from tests.services import service_binary

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


def test_identical_cold_reads_on_both_replicas_make_one_upstream_call(
    tmp_path: pathlib.Path,
) -> None:
    with redis_server() as redis_url, cluster(tmp_path, redis_url) as facade:
        facade.fault(kind="latency", path="templates.php", seconds=0.3, times=5)
        answers = asyncio.run(facade.spread(["/v1/templates"] * 200))
        assert [r.status_code for r in answers] == [200] * 200
        assert len({r.content for r in answers}) == 1
        assert len(facade.calls("get")) == 1, "one replica asked SMSC, for both"
        ready = [facade.ready(url) for url in facade.replicas]
        assert [r["redis"] for r in ready] == ["shared", "shared"]


def test_distinct_concurrent_reads_never_exceed_the_cluster_wide_cap(
    tmp_path: pathlib.Path,
) -> None:
    with redis_server() as redis_url, cluster(tmp_path, redis_url) as facade:
        facade.fault(kind="latency", path="jobs.php", seconds=0.02)
        answers = asyncio.run(facade.spread([f"/v1/jobs/{900000 + i}" for i in range(500)]))
        # A read that waited longer than the cap allows (5 s, on a loaded machine) is refused
        # with 503 before reaching SMSC: the cap holding, not failing.
        busy = [r for r in answers if r.status_code == 503]
        assert {r.status_code for r in answers} <= {200, 404, 503}
        assert all("busy" in r.json()["detail"] for r in busy), [r.text for r in busy][:3]
        assert len(busy) < 50
        stats = facade.stats()
        assert stats["per_endpoint"]["jobs.php"]["get"] == 500 - len(busy)
        assert 2 <= stats["max_concurrent_per_login"] <= 8


def wait_for_shared(facade: Cluster, timeout: float = 25.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        ready = [facade.ready(url) for url in facade.replicas]
        if all(r["redis"] == "shared" for r in ready) or time.monotonic() > deadline:
            return ready
        time.sleep(0.5)


def test_redis_stopping_mid_load_serves_what_it_may_and_sharing_resumes(
    tmp_path: pathlib.Path,
) -> None:
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    binary = service_binary("redis-server")
    command = [binary, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""]

    def start_redis() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        time.sleep(0.3)
        return process

    redis = start_redis()
    try:
        with cluster(tmp_path, redis_url) as facade:
            paths = ["/v1/templates", "/v1/groups", "/v1/blacklist", "/v1/jobs"]
            before = asyncio.run(facade.spread(paths * 25))
            redis.terminate()
            redis.wait(timeout=10)
            # Cold reads too: each needs SMSC, which the replicas may not ask for what another
            # may have spent or started just before Redis stopped (tests/upstream/test_degraded.py).
            cold = [f"/v1/answers?sinceHours={hours}" for hours in range(1, 101)]
            during = asyncio.run(facade.spread(paths * 25 + cold))
            degraded_metrics = [facade.metrics(url) for url in facade.replicas]
            ready = [facade.ready(url) for url in facade.replicas]
            redis = start_redis()
            resumed = wait_for_shared(facade)  # within a slot renewal (10 s)
            after = asyncio.run(facade.spread(paths * 25))
            errors = [
                c
                for c in httpx.get(f"{facade.emulator}/__emulator__/calls").json()["calls"]
                if c["error"] == 9
            ]
            metrics = facade.metrics(facade.replicas[0])
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    for batch in (before, during[:100], after):
        refused = [r.text for r in batch if r.status_code != 200]
        assert refused == [], refused[:2]
    assert len(during) == 200
    # A cold read is answered, or refused at once, saying why and when to come back.
    for answer in during[100:]:
        assert answer.status_code in (200, 429, 503), answer.text
        if answer.status_code != 200:
            assert answer.json()["code"] in ("RATE_LIMITED", "UPSTREAM_UNAVAILABLE")
            assert answer.status_code == 503 or "retry-after" in answer.headers
    degraded = 'facade_cluster_degraded{account="default"} 1.0'
    assert all(degraded in text for text in degraded_metrics)
    assert all(r["status"] == "ok" for r in ready), "degraded is served, not unready"
    assert [r["redis"] for r in resumed] == ["shared", "shared"]
    assert errors == [], "no error 9 at SMSC"
    assert "facade_cluster_redis_failures_total" in metrics
    assert [r["redis"] for r in ready] == ["degraded", "degraded"]


def test_a_job_replayed_on_the_other_replica_is_not_sent_again(tmp_path: pathlib.Path) -> None:
    with redis_server() as redis_url, cluster(tmp_path, redis_url) as facade:
        body = {"name": "November", "phones": ["79161234567"], "message": "Hello"}

        def create(replica: int, key: str) -> httpx.Response:
            headers = {**facade.auth, "Idempotency-Key": key}
            return httpx.post(
                f"{facade.replicas[replica]}/v1/jobs", json=body, headers=headers, timeout=30
            )

        first, again = create(0, "newsletter-1"), create(1, "newsletter-1")

        async def both_at_once() -> list[httpx.Response]:
            headers = {**facade.auth, "Idempotency-Key": "newsletter-2"}
            async with httpx.AsyncClient(timeout=30) as client:
                return await asyncio.gather(
                    *(
                        client.post(f"{facade.replicas[i % 2]}/v1/jobs", json=body, headers=headers)
                        for i in range(10)
                    )
                )

        racing = asyncio.run(both_at_once())
        adds = facade.calls("add")
        replayed = facade.metrics(facade.replicas[1])
    assert first.status_code == 201, first.text
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert {r.status_code for r in racing} <= {201, 409}
    assert len({r.content for r in racing if r.status_code == 201}) == 1
    assert len(adds) == 2, "one job per key, whichever replica was asked"
    assert "facade_idempotency_replays_total" in replayed
    assert "facade_idempotency_replays_total 0.0" not in replayed


JOB = {"name": "November", "phones": ["79161234567"], "message": "Hello"}


def create_job(facade: Cluster, replica: int, key: str) -> httpx.Response:
    headers = {**facade.auth, "Idempotency-Key": key}
    return httpx.post(f"{facade.replicas[replica]}/v1/jobs", json=JOB, headers=headers, timeout=30)


def test_a_keyed_job_is_sent_once_though_redis_restarts_empty(tmp_path: pathlib.Path) -> None:
    with RedisProcess() as redis, cluster(tmp_path, redis.url) as facade:
        first = create_job(facade, 0, "newsletter")
        replayed = create_job(facade, 1, "newsletter")
        redis.kill()
        during = [create_job(facade, i % 2, "newsletter") for i in range(2)]
        redis.start()  # empty: what a flush, a failover or an eviction leaves too
        after = [create_job(facade, i % 2, "newsletter") for i in range(4)]
        adds = facade.calls("add")
    assert first.status_code == 201, first.text
    for again in [replayed, *during, *after]:
        assert (again.status_code, again.content) == (201, first.content), again.text
        assert again.headers["idempotent-replayed"] == "true"
    assert len(adds) == 1, "one job for one key, whatever Redis lost"


def follow(facade: Cluster, key: str, *, replica: int = 0, limit: float = 60.0) -> httpx.Response:
    """A client that does what the answers say: retry the same key after `Retry-After` (or a
    second), alternating replicas; a spent key (422) means send again under a new one."""
    deadline = time.monotonic() + limit
    while True:
        answer = create_job(facade, replica, key)
        if answer.status_code == 201 or time.monotonic() > deadline:
            return answer
        if answer.status_code == 422 and answer.json().get("field") == "Idempotency-Key":
            key += "-new"
        else:
            assert answer.status_code in (409, 429, 502, 503), answer.text
            time.sleep(min(float(answer.headers.get("retry-after", "1")), 5.0))
        replica = 1 - replica


def test_a_keyed_job_in_flight_when_redis_dies_is_sent_once(tmp_path: pathlib.Path) -> None:
    with RedisProcess() as redis, cluster(tmp_path, redis.url) as facade:
        # The replica in its stride: a read that asks SMSC waits out the pause in which a new
        # Redis' counts are unknown (a shared answer would not).
        warm = httpx.get(f"{facade.replicas[0]}/v1/jobs/900001", headers=facade.auth, timeout=30)
        assert warm.status_code == 404, warm.text
        facade.fault(kind="latency", path="jobs.php", command="add", seconds=3, times=1)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            in_flight = pool.submit(create_job, facade, 0, "in-flight")
            time.sleep(1.0)
            redis.kill()
            first = in_flight.result()
        retries = [follow(facade, "in-flight", replica=1)]
        redis.start()
        retries += [follow(facade, "in-flight", replica=i % 2) for i in range(2)]
        adds = facade.calls("add")
    # The write finished while Redis was dead: its client still learns what SMSC made.
    assert first.status_code == 201, first.text
    assert [(r.status_code, r.content) for r in retries] == [(201, first.content)] * 3
    assert len(adds) == 1
