"""Idempotency records shared by replicas: one SQLite file in the shared data directory, a lease
on each claim, and two "replicas" (each its own runner, store connection and `SmscClient`, one
emulator behind both) sharing them."""

import dataclasses
import pathlib
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest

from facade import errors as tree
from facade.domain.jobs import JobSpec
from facade.settings import CACHE_TTLS
from facade.smsc.wire import Fmt
from facade.upstream.client import SmscClient
from facade.upstream.config import UpstreamConfig
from facade.upstream.idempotency import (
    RUNNING,
    Idempotency,
    IdempotencyKey,
    Record,
    State,
    StoreUnavailable,
)
from facade.upstream.idempotency_sqlite import SqliteIdempotencyStore
from facade.upstream.settling import NOT_CREATED, JobSettling
from facade.upstream.stored_errors import INTERRUPTED
from facade.upstream.transport import SmscTransport
from tests.fakes import FakeClock, FakeSleep
from tests.upstream.harness import BASE_URL, DEMO, Harness, harness
from tests.upstream.lossy import CODEC, Counted, WallClock

pytestmark = pytest.mark.anyio

KEY = IdempotencyKey("default", "client", "k-1", "idempotencyKey")
SPEC = JobSpec(name="Spring", phones=("79161234567",), message="Hello")
LEASE = 60.0


class Watched(SqliteIdempotencyStore):
    """Notes when a claim found another replica's run in progress."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saw_running = anyio.Event()

    async def claim(self, record: Record) -> Record | None:
        found = await super().claim(record)
        if found is not None and found.state is State.IN_PROGRESS:
            self.saw_running.set()
        return found


class Dying(SqliteIdempotencyStore):
    """A replica whose store dies once its claim is made: it never writes a record again."""

    async def update(
        self, key: str, *, expected: tuple[State, str], state: State, response: bytes
    ) -> bool:
        raise StoreUnavailable("the replica's disk went away")

    async def release(self, key: str, owner: str) -> bool:
        raise StoreUnavailable("the replica's disk went away")


@pytest.fixture
def data_dir(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "shared"


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


def opened(
    data_dir: pathlib.Path,
    wall: WallClock,
    kind: type[SqliteIdempotencyStore] = SqliteIdempotencyStore,
) -> Any:
    return kind.in_dir(data_dir, lease=LEASE, clock=wall)


@pytest.fixture
def stores(data_dir: pathlib.Path, wall: WallClock) -> list[SqliteIdempotencyStore]:
    """Two replicas' connections to the one file."""
    return [opened(data_dir, wall) for _ in range(2)]


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


async def test_of_racing_claims_from_two_replicas_exactly_one_wins(stores, wall):
    results: dict[str, Record | None] = {}

    async def claim(index: int) -> None:
        owner = f"p{index}"
        results[owner] = await stores[index % 2].claim(record(wall, owner=owner))

    async with anyio.create_task_group() as group:
        for index in range(50):
            group.start_soon(claim, index)

    (winner,) = [owner for owner, found in results.items() if found is None]
    assert {found.owner for found in results.values() if found is not None} == {winner}
    assert (await stores[1].get(KEY.digest)).owner == winner


async def test_a_record_outlives_its_store(data_dir, wall):
    store = opened(data_dir, wall)
    await store.claim(record(wall, marker="ABCDEFGH23"))
    await store.update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.COMPLETED, response=b"\x00ok"
    )
    await store.aclose()

    again = opened(data_dir, wall)

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


async def test_one_replica_leases_nothing(data_dir, wall):
    alone = SqliteIdempotencyStore.in_dir(data_dir, clock=wall)

    assert await alone.claim(record(wall)) is None
    assert (await stored(alone)).leased_until is None
    with pytest.raises(ValueError, match="positive"):
        SqliteIdempotencyStore.in_dir(data_dir, lease=0.0, clock=wall)


async def test_expired_records_are_ignored_and_replaced(stores, wall):
    await stores[0].claim(record(wall, owner="old", ttl=10.0))
    assert await stores[1].claim(record(wall, owner="new")) is not None

    wall.advance(10.0)

    assert await stores[0].get(KEY.digest) is None
    assert await stores[1].claim(record(wall, owner="new")) is None
    assert (await stores[0].get(KEY.digest)).owner == "new"
    assert await stores[0].sweep() == 0


async def test_an_update_keeps_the_expiry_and_the_sweep_deletes_at_it(stores, wall):
    await stores[0].claim(record(wall, ttl=30.0))

    await stores[1].update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.COMPLETED, response=b"x"
    )

    assert (await stores[0].get(KEY.digest)).expires_at == wall.now + 30.0
    wall.advance(30.0)
    assert await stores[1].sweep() == 1


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


async def test_keys_are_digests_of_the_scope(stores, data_dir, wall):
    await stores[0].claim(record(wall, marker="ABCDEFGH23"))
    for store in stores:
        store.close()

    with sqlite3.connect(data_dir / SqliteIdempotencyStore.FILE_NAME) as db:
        assert db.execute("SELECT key FROM records").fetchall() == [(KEY.digest,)]
    raw = b"".join(path.read_bytes() for path in data_dir.iterdir())
    assert b"k-1" not in raw


async def test_each_file_has_one_id_that_its_replicas_share(stores, tmp_path, wall):
    other = SqliteIdempotencyStore.in_dir(tmp_path / "elsewhere", lease=LEASE, clock=wall)

    assert stores[0].store_id == stores[1].store_id
    assert len(stores[0].store_id) == 32
    assert other.store_id != stores[0].store_id


async def test_a_version_1_file_keeps_its_records(data_dir, wall):
    data_dir.mkdir()
    with sqlite3.connect(data_dir / SqliteIdempotencyStore.FILE_NAME) as db:
        db.execute(
            "CREATE TABLE records (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, state TEXT "
            "NOT NULL, owner TEXT NOT NULL, marker TEXT, created_at REAL NOT NULL, expires_at "
            "REAL NOT NULL, response BLOB) STRICT"
        )
        db.execute(
            "INSERT INTO records VALUES (?, 'f', 'COMPLETED', 'me', NULL, ?, ?, ?)",
            (KEY.digest, wall.now, wall.now + 60.0, b"value:1"),
        )
        db.execute("PRAGMA user_version = 1")
    db.close()

    store = opened(data_dir, wall)

    found = await store.get(KEY.digest)
    assert (found.state, found.response, found.leased_until) == (
        State.COMPLETED,
        b"value:1",
        None,
    )
    assert len(store.store_id) == 32


# two replicas


@dataclasses.dataclass
class Replica:
    client: SmscClient
    store: SqliteIdempotencyStore
    runner: Idempotency

    def settling(self) -> JobSettling[dict[str, Any]]:
        return JobSettling(self.client, lambda found: {"id": found.id, "cost": found.cost})

    def create(self, gate: anyio.Event | None = None) -> Callable[[], Awaitable[dict[str, Any]]]:
        async def execute() -> dict[str, Any]:
            if gate is not None:
                await gate.wait()
            created = await self.client.create_job(SPEC)
            return {"id": created.id, "cost": None}

        return execute

    async def run(self, execute: Callable[[], Awaitable[Any]] | None = None) -> Any:
        return await self.runner.run(
            KEY, "f", execute or self.create(), CODEC, settling=self.settling()
        )


@pytest.fixture
def emulator() -> Harness:
    return harness()


def replica(
    emulator: Harness,
    data_dir: pathlib.Path,
    wall: WallClock,
    *,
    store: type[SqliteIdempotencyStore] = Watched,
    wait: float = 5.0,
) -> Replica:
    """A replica of its own (cache, budget, runner, store connection) on the one emulator."""
    config = UpstreamConfig(fmt=Fmt.JSON, ttls=CACHE_TTLS)
    transport = SmscTransport(
        emulator.http, base_urls=[BASE_URL], config=config, sleep=FakeSleep(), jitter=lambda: 1.0
    )
    client = SmscClient(
        account="default", credentials=DEMO, transport=transport, config=config, clock=FakeClock()
    )
    shared = opened(data_dir, wall, store)
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


async def stored(store: SqliteIdempotencyStore) -> Record:
    found = await store.get(KEY.digest)
    assert found is not None
    return found


def adds(emulator: Harness) -> int:
    return sum(1 for c in emulator.emulator.calls if c.command == "add")


def jobs_named(emulator: Harness, name: str) -> list[Any]:
    jobs = emulator.emulator.account().jobs.values()
    return [job for job in jobs if job.name.startswith(name + " [fx:")]


async def test_a_repeat_on_another_replica_is_answered_from_the_record(emulator, data_dir, wall):
    first, second = (replica(emulator, data_dir, wall) for _ in range(2))

    created = await first.run()
    again = await second.run()

    (job,) = jobs_named(emulator, "Spring")
    assert (created.value, created.replayed) == ({"id": str(job.id), "cost": None}, False)
    assert (again.value, again.replayed) == (created.value, True)
    assert adds(emulator) == 1


async def test_concurrent_repeats_on_two_replicas_send_one_job(emulator, data_dir, wall):
    replicas = [replica(emulator, data_dir, wall) for _ in range(2)]
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
    emulator, data_dir, wall
):
    first = replica(emulator, data_dir, wall)
    second = replica(emulator, data_dir, wall, wait=0.2)
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
    emulator, data_dir, wall, created
):
    dead = replica(emulator, data_dir, wall, store=Dying)
    survivor = replica(emulator, data_dir, wall, wait=0.1)

    async def killed() -> dict[str, Any]:
        raise RuntimeError("killed before the request was sent")

    if created:
        # The store failed after the write: the record is lost, the client's answer is not.
        answered = await dead.run()
        assert answered.value == {"id": str(jobs_named(emulator, "Spring")[0].id), "cost": None}
    else:
        with pytest.raises(RuntimeError):
            await dead.run(killed)
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
        assert isinstance(outcome.error, tree.IdempotencyKeySpent)
        assert (outcome.error.field, outcome.error.message) == (
            "idempotencyKey",
            f"idempotencyKey: {NOT_CREATED}",
        )
        assert settled.state is State.FAILED
    assert (again.value, type(again.error)) == (outcome.value, type(outcome.error))
    assert len(emulator.calls("get_all")) == 1  # settled once, then answered from the record


async def test_another_write_whose_replica_died_is_unknown_once_its_lease_lapses(data_dir, wall):
    dead = Idempotency(opened(data_dir, wall, Dying), clock=wall)
    survivor_store = opened(data_dir, wall)
    survivor = Idempotency(survivor_store, clock=wall)
    operation = Counted({"id": "7"})

    answered = await dead.run(KEY, "f", operation, CODEC)
    assert answered.value == {"id": "7"}
    wall.advance(LEASE)
    again = await survivor.run(KEY, "f", operation, CODEC)

    assert operation.runs == 1
    assert isinstance(again.error, tree.UpstreamOutcomeUnknown)
    assert again.error.message == INTERRUPTED
    assert (await stored(survivor_store)).state is State.UNKNOWN


async def test_a_released_key_is_claimed_by_the_waiting_replica(data_dir, wall):
    first = Idempotency(opened(data_dir, wall), clock=wall)
    watched = opened(data_dir, wall, Watched)
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
