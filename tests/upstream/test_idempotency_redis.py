"""Idempotency records in a real Redis: the SQLite store's semantics, and two "replicas" (each its
own runner, Redis client and `SmscClient`, one emulator behind both) sharing them."""

import dataclasses
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import anyio
import pytest
import redis
from redis.asyncio import Redis

from facade import errors as tree
from facade.domain.jobs import JobSpec
from facade.settings import CACHE_TTLS
from facade.smsc.wire import Fmt
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.idempotency import (
    INTERRUPTED,
    NOT_CREATED,
    RUNNING,
    Idempotency,
    IdempotencyKey,
    JobSettling,
    Record,
    State,
    marked,
)
from facade.upstream.idempotency_redis import DEFAULT_LEASE, RedisIdempotencyStore
from facade.upstream.redis_state import connect
from facade.upstream.transport import SmscTransport
from tests.fakes import FakeClock, FakeSleep
from tests.redis_server import redis_server
from tests.upstream.harness import BASE_URL, DEMO, Harness, harness
from tests.upstream.lossy import WallClock

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.enable_socket,
    pytest.mark.allow_hosts(["127.0.0.1"]),
]

KEY = IdempotencyKey("default", "client", "k-1", "idempotencyKey")
SPEC = JobSpec(name="Spring", phones=("79161234567",), message="Hello")
LEASE = 60.0


class JsonCodec:
    def encode(self, value: Any) -> bytes:
        return json.dumps(value).encode()

    def decode(self, data: bytes) -> Any:
        return json.loads(data)


CODEC = JsonCodec()


class Counted:
    """An operation that counts its runs and answers what it is given."""

    def __init__(self, answer: Any = "done") -> None:
        self.runs = 0
        self.answer = answer

    async def __call__(self) -> Any:
        self.runs += 1
        return self.answer


class Watched(RedisIdempotencyStore):
    """Notes when a claim found another replica's run in progress."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saw_running = anyio.Event()

    async def claim(self, record: Record) -> Record | None:
        found = await super().claim(record)
        if found is not None and found.state is State.IN_PROGRESS:
            self.saw_running.set()
        return found


class Dying(RedisIdempotencyStore):
    """A replica that dies once its claim is made: it never writes to Redis again."""

    async def update(
        self, key: str, *, expected: tuple[State, str], state: State, response: bytes
    ) -> bool:
        raise redis.ConnectionError("the replica died")

    async def release(self, key: str, owner: str) -> bool:
        raise redis.ConnectionError("the replica died")


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    with redis_server() as url:
        yield url


@pytest.fixture
async def clients(redis_url: str) -> AsyncIterator[tuple[Redis, Redis]]:
    first, second = connect(redis_url), connect(redis_url)
    await first.flushdb()
    yield first, second
    await first.aclose()
    await second.aclose()


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def stores(clients: tuple[Redis, Redis], wall: WallClock) -> list[RedisIdempotencyStore]:
    return [RedisIdempotencyStore(client, lease=LEASE, clock=wall) for client in clients]


def record(wall: WallClock, *, owner: str = "me", ttl: float = 60.0, **changes: Any) -> Record:
    found = {
        "key": KEY.digest,
        "fingerprint": "f",
        "state": State.IN_PROGRESS,
        "owner": owner,
        "marker": None,
        "created_at": wall.now,
        "expires_at": wall.now + ttl,
    }
    return Record(**{**found, **changes})


# the store


async def test_of_racing_claims_from_two_clients_exactly_one_wins(stores, clients, wall):
    results: dict[str, Record | None] = {}
    # Connections opened beforehand, so that the claims meet in Redis rather than queue for them.
    async with anyio.create_task_group() as group:
        for index in range(50):
            group.start_soon(clients[index % 2].ping)

    async def claim(index: int) -> None:
        owner = f"p{index}"
        results[owner] = await stores[index % 2].claim(record(wall, owner=owner))

    async with anyio.create_task_group() as group:
        for index in range(50):
            group.start_soon(claim, index)

    (winner,) = [owner for owner, found in results.items() if found is None]
    assert {found.owner for found in results.values() if found is not None} == {winner}
    assert (await stores[1].get(KEY.digest)).owner == winner


async def test_a_record_outlives_its_client(redis_url, clients, wall):
    store = RedisIdempotencyStore.from_url(redis_url, lease=LEASE, clock=wall)
    await store.claim(record(wall, marker="ABCDEFGH23"))
    await store.update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.COMPLETED, response=b"\x00ok"
    )
    await store.aclose()

    again = RedisIdempotencyStore(clients[1], lease=LEASE, clock=wall)

    found = await again.get(KEY.digest)
    assert found == record(
        wall,
        marker="ABCDEFGH23",
        state=State.COMPLETED,
        response=b"\x00ok",
        leased_until=wall.now + LEASE,
    )


async def test_a_claim_carries_a_lease(stores, wall):
    assert await stores[0].claim(record(wall)) is None

    found = await stores[1].claim(record(wall, owner="other"))

    assert found == record(wall, leased_until=wall.now + LEASE)
    assert DEFAULT_LEASE == 60.0  # twice the transport's deadline


async def test_expired_records_are_ignored_and_replaced(stores, clients, wall):
    await stores[0].claim(record(wall, owner="old", ttl=10.0))
    assert await stores[1].claim(record(wall, owner="new")) is not None

    wall.advance(10.0)

    assert await stores[0].get(KEY.digest) is None
    assert await stores[1].claim(record(wall, owner="new")) is None
    assert (await stores[0].get(KEY.digest)).owner == "new"
    assert await stores[0].sweep() == 0


async def test_redis_deletes_a_record_at_its_expiry_and_an_update_keeps_it(stores, clients, wall):
    name = f"facade:idem:{KEY.digest}"
    await stores[0].claim(record(wall, ttl=30.0))
    assert 29_000 < await clients[0].pttl(name) <= 30_000

    await stores[0].update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.COMPLETED, response=b"x"
    )

    assert 29_000 < await clients[0].pttl(name) <= 30_000


async def test_update_is_a_compare_and_set(stores, wall):
    await stores[0].claim(record(wall))

    assert not await stores[1].update(
        KEY.digest, expected=(State.IN_PROGRESS, "other"), state=State.COMPLETED, response=b"x"
    )
    assert await stores[1].update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.UNKNOWN, response=b"x"
    )
    assert not await stores[0].update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.COMPLETED, response=b"y"
    )
    found = await stores[0].get(KEY.digest)
    assert (found.state, found.response) == (State.UNKNOWN, b"x")
    other = IdempotencyKey("default", "client", "absent", "idempotencyKey").digest
    assert not await stores[0].update(
        other, expected=(State.IN_PROGRESS, "me"), state=State.COMPLETED, response=b"x"
    )


async def test_only_the_owner_releases_and_only_while_in_progress(stores, wall):
    await stores[0].claim(record(wall))

    assert not await stores[0].release(KEY.digest, "other")
    assert await stores[1].release(KEY.digest, "me")
    assert await stores[0].get(KEY.digest) is None
    await stores[0].claim(record(wall))
    await stores[0].update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.COMPLETED, response=b"x"
    )
    assert not await stores[0].release(KEY.digest, "me")
    assert (await stores[0].get(KEY.digest)).state is State.COMPLETED


async def test_keys_are_digests_of_the_scope(stores, clients, wall):
    await stores[0].claim(record(wall, marker="ABCDEFGH23"))

    assert await clients[0].keys("*") == [f"facade:idem:{KEY.digest}".encode()]
    with pytest.raises(ValueError, match="digest"):
        await stores[0].claim(record(wall, key="k-1"))


async def test_closing_the_store_leaves_a_shared_client_open(stores, clients):
    await stores[0].aclose()

    assert await clients[0].ping()


async def test_a_client_that_decodes_responses_is_refused(redis_url):
    client = Redis.from_url(redis_url, decode_responses=True)
    try:
        with pytest.raises(ValueError, match="decode_responses"):
            RedisIdempotencyStore(client)
    finally:
        await client.aclose()


# two replicas


@dataclasses.dataclass
class Replica:
    client: SmscClient
    store: RedisIdempotencyStore
    runner: Idempotency

    def settling(self) -> JobSettling[dict[str, Any]]:
        return JobSettling(self.client, lambda found: {"id": found.id, "cost": found.cost})

    def create(self, gate: anyio.Event | None = None) -> Callable[[], Awaitable[dict[str, Any]]]:
        async def execute() -> dict[str, Any]:
            if gate is not None:
                await gate.wait()
            created = await self.client.create_job(marked(SPEC))
            return {"id": created.id, "cost": None}

        return execute

    async def run(self, execute: Callable[[], Awaitable[Any]] | None = None) -> Any:
        return await self.runner.run(KEY, "f", execute or self.create(), CODEC, job=self.settling())


@pytest.fixture
def emulator() -> Harness:
    return harness()


def replica(
    emulator: Harness,
    redis: Redis,
    wall: WallClock,
    *,
    store: type[RedisIdempotencyStore] = Watched,
    wait: float = 5.0,
) -> Replica:
    """A replica of its own (cache, budget, runner, Redis client) on the one emulator."""
    config = UpstreamConfig(fmt=Fmt.JSON, ttls=CACHE_TTLS)
    transport = SmscTransport(
        emulator.http, base_urls=[BASE_URL], config=config, sleep=FakeSleep(), jitter=lambda: 1.0
    )
    client = SmscClient(
        account="default", credentials=DEMO, transport=transport, config=config, clock=FakeClock()
    )
    shared = store(redis, lease=LEASE, clock=wall)
    runner = Idempotency(shared, wait=wait, settle_after=60.0, clock=wall)
    return Replica(client, shared, runner)


async def first_of(events: list[anyio.Event]) -> None:
    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            for event in events:

                async def wait(event: anyio.Event = event) -> None:
                    await event.wait()
                    group.cancel_scope.cancel()

                group.start_soon(wait)


async def stored(store: RedisIdempotencyStore) -> Record:
    found = await store.get(KEY.digest)
    assert found is not None
    return found


def adds(emulator: Harness) -> int:
    return sum(1 for c in emulator.emulator.calls if c.command == "add")


def jobs_named(emulator: Harness, name: str) -> list[Any]:
    jobs = emulator.emulator.account().jobs.values()
    return [job for job in jobs if job.name.startswith(name + " [fx:")]


async def test_a_repeat_on_another_replica_is_answered_from_the_record(emulator, clients, wall):
    first, second = (replica(emulator, client, wall) for client in clients)

    created = await first.run()
    again = await second.run()

    (job,) = jobs_named(emulator, "Spring")
    assert (created.value, created.replayed) == ({"id": str(job.id), "cost": None}, False)
    assert (again.value, again.replayed) == (created.value, True)
    assert adds(emulator) == 1


async def test_concurrent_repeats_on_two_replicas_send_one_job(emulator, clients, wall):
    replicas = [replica(emulator, client, wall) for client in clients]
    gate = anyio.Event()
    outcomes: list[Any] = []

    async def call(index: int) -> None:
        outcomes.append(await replicas[index % 2].run(replicas[index % 2].create(gate)))

    async with anyio.create_task_group() as group:
        for index in range(10):
            group.start_soon(call, index)
        # The run holds the key until a repeat on the other replica has found it in progress.
        await first_of(
            [one.store.saw_running for one in replicas if isinstance(one.store, Watched)]
        )
        gate.set()

    (job,) = jobs_named(emulator, "Spring")
    assert [o.value for o in outcomes] == [{"id": str(job.id), "cost": None}] * 10
    assert sorted(o.replayed for o in outcomes) == [False] + [True] * 9
    assert adds(emulator) == 1


async def test_a_repeat_waits_for_another_live_replica_no_longer_than_the_bound(
    emulator, clients, wall
):
    first = replica(emulator, clients[0], wall)
    second = replica(emulator, clients[1], wall, wait=0.2)
    started, gate = anyio.Event(), anyio.Event()

    async def slow() -> dict[str, Any]:
        started.set()
        return await first.create(gate)()

    async with anyio.create_task_group() as group:
        group.start_soon(first.run, slow)
        await started.wait()
        with pytest.raises(tree.InProgressError) as caught:
            await second.run()
        # Taken for alive: neither settled as unknown nor looked up in SMSC's job list.
        found = await stored(second.store)
        assert (found.state, found.owner) == (State.IN_PROGRESS, first.runner.owner)
        assert emulator.calls("get_all") == []
        gate.set()

    assert (caught.value.message, caught.value.retry_after) == (RUNNING, 1.0)
    assert (await second.run()).replayed
    assert adds(emulator) == 1


@pytest.mark.parametrize("created", [True, False], ids=["found", "absent"])
async def test_a_creation_whose_replica_died_is_settled_once_its_lease_lapses(
    emulator, clients, wall, created
):
    dead = replica(emulator, clients[0], wall, store=Dying)
    survivor = replica(emulator, clients[1], wall, wait=0.1)

    async def killed() -> dict[str, Any]:
        raise RuntimeError("killed before the request was sent")

    with pytest.raises(redis.ConnectionError):
        await dead.run(None if created else killed)
    assert (await stored(survivor.store)).state is State.IN_PROGRESS

    with pytest.raises(tree.InProgressError):
        await survivor.run()
    wall.advance(LEASE)
    outcome = await survivor.run()
    again = await survivor.run()

    jobs = jobs_named(emulator, "Spring")
    assert len(jobs) == adds(emulator) == int(created)
    settled = await stored(survivor.store)
    if created:
        assert (outcome.value, outcome.replayed) == ({"id": str(jobs[0].id), "cost": None}, True)
        assert settled.state is State.COMPLETED
    else:
        assert isinstance(outcome.error, tree.UpstreamUnavailable)
        assert outcome.error.message == NOT_CREATED
        assert settled.state is State.FAILED
    assert (again.value, type(again.error)) == (outcome.value, type(outcome.error))
    assert len(emulator.calls("get_all")) == 1  # settled once, then answered from the record


async def test_another_write_whose_replica_died_is_unknown_once_its_lease_lapses(clients, wall):
    dead = Idempotency(Dying(clients[0], lease=LEASE, clock=wall), clock=wall)
    survivor_store = RedisIdempotencyStore(clients[1], lease=LEASE, clock=wall)
    survivor = Idempotency(survivor_store, clock=wall)
    operation = Counted({"id": "7"})

    with pytest.raises(redis.ConnectionError):
        await dead.run(KEY, "f", operation, CODEC)
    wall.advance(LEASE)
    again = await survivor.run(KEY, "f", operation, CODEC)

    assert operation.runs == 1
    assert isinstance(again.error, tree.UpstreamOutcomeUnknown)
    assert again.error.message == INTERRUPTED
    assert (await stored(survivor_store)).state is State.UNKNOWN


async def test_a_released_key_is_claimed_by_the_waiting_replica(clients, wall):
    first = Idempotency(RedisIdempotencyStore(clients[0], lease=LEASE, clock=wall), clock=wall)
    watched = Watched(clients[1], lease=LEASE, clock=wall)
    second = Idempotency(watched, clock=wall)
    started, gate = anyio.Event(), anyio.Event()
    outcomes: list[Any] = []

    async def refused() -> str:
        started.set()
        await gate.wait()
        raise tree.SmscRateLimited(9, "duplicate", endpoint="jobs")

    async def first_run() -> None:
        with pytest.raises(tree.SmscRateLimited):
            await first.run(KEY, "f", refused, CODEC)

    operation = Counted("ok")

    async def second_run() -> None:
        outcomes.append(await second.run(KEY, "f", operation, CODEC))

    async with anyio.create_task_group() as group:
        group.start_soon(first_run)
        await started.wait()
        group.start_soon(second_run)
        await first_of([watched.saw_running])
        gate.set()

    assert [(o.value, o.replayed) for o in outcomes] == [("ok", False)]
    assert operation.runs == 1
