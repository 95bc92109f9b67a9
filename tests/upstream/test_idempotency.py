"""Idempotency keys: the SQLite store's semantics, the runner's rules, and settling job creations
whose answer was lost against the emulator's job list."""

import dataclasses
import pathlib
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest

from facade import errors as tree
from facade.domain.jobs import JobSpec
from facade.upstream.idempotency import (
    RECORDS_AWAY,
    Idempotency,
    IdempotencyKey,
    Record,
    State,
    StoreUnavailable,
)
from facade.upstream.idempotency_sqlite import SqliteIdempotencyStore
from facade.upstream.settling import NOT_CREATED, SETTLING, JobSettling
from facade.upstream.stored_errors import INTERRUPTED, decode_error, encode_error
from tests.fakes import FakeSleep
from tests.upstream.lossy import CODEC, Counted, Rig, WallClock, rig

pytestmark = pytest.mark.anyio

KEY = IdempotencyKey("default", "client", "k-1", "idempotencyKey")
SPEC = JobSpec(name="Spring", phones=("79161234567",), message="Hello")
DEAD = "dead-process"


@pytest.fixture
def wall() -> WallClock:
    return WallClock()


@pytest.fixture
def store(tmp_path: pathlib.Path, wall: WallClock) -> SqliteIdempotencyStore:
    return SqliteIdempotencyStore.in_dir(tmp_path / "data", clock=wall)


@pytest.fixture
def runner(store: SqliteIdempotencyStore, wall: WallClock) -> Idempotency:
    return Idempotency(store, clock=wall, wait=0.2)


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


async def test_of_two_racing_claims_exactly_one_wins(store, wall):
    first, second = record(wall, owner="a"), record(wall, owner="b")
    results: list[Record | None] = [None, None]

    async def claim(index: int, candidate: Record) -> None:
        results[index] = await store.claim(candidate)

    async with anyio.create_task_group() as group:
        group.start_soon(claim, 0, first)
        group.start_soon(claim, 1, second)

    assert results.count(None) == 1
    (found,) = [r for r in results if r is not None]
    assert found.owner in {"a", "b"}
    assert found.owner != ("a" if results[0] is not None else "b")


async def test_of_two_stores_on_one_file_exactly_one_claim_wins(tmp_path, wall):
    stores = [SqliteIdempotencyStore.in_dir(tmp_path, clock=wall) for _ in range(2)]
    results: list[Record | None] = []

    async def claim(store: SqliteIdempotencyStore, owner: str) -> None:
        results.append(await store.claim(record(wall, owner=owner)))

    async with anyio.create_task_group() as group:
        for index, store in enumerate(stores * 5):
            group.start_soon(claim, store, f"p{index}")

    assert results.count(None) == 1
    assert len({r.owner for r in results if r is not None}) == 1


async def test_a_record_outlives_its_store(tmp_path, wall):
    store = SqliteIdempotencyStore.in_dir(tmp_path, clock=wall)
    await store.claim(record(wall, marker="ABCDEFGH23"))
    await store.update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.COMPLETED, response=b"\x00ok"
    )
    store.close()

    again = SqliteIdempotencyStore.in_dir(tmp_path, clock=wall)

    found = await again.get(KEY.digest)
    assert found == record(wall, marker="ABCDEFGH23", state=State.COMPLETED, response=b"\x00ok")


async def test_expired_records_are_ignored_replaced_and_swept(store, wall):
    await store.claim(record(wall, owner="old", ttl=10.0))
    assert await store.claim(record(wall, owner="new")) is not None

    wall.advance(10.0)

    assert await store.get(KEY.digest) is None
    assert await store.claim(record(wall, owner="new")) is None
    assert (await store.get(KEY.digest)).owner == "new"
    wall.advance(61.0)
    assert await store.sweep() == 1
    assert await store.sweep() == 0


async def test_update_is_a_compare_and_set(store, wall):
    await store.claim(record(wall))

    assert not await store.update(
        KEY.digest, expected=(State.IN_PROGRESS, "other"), state=State.COMPLETED, response=b"x"
    )
    assert await store.update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.UNKNOWN, response=b"x"
    )
    assert not await store.update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.COMPLETED, response=b"y"
    )
    assert (await store.get(KEY.digest)).state is State.UNKNOWN


async def test_only_the_owner_releases_and_only_while_in_progress(store, wall):
    await store.claim(record(wall))

    assert not await store.release(KEY.digest, "other")
    assert await store.release(KEY.digest, "me")
    await store.claim(record(wall))
    await store.update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.COMPLETED, response=b"x"
    )
    assert not await store.release(KEY.digest, "me")


def test_the_file_and_its_directory_are_private(tmp_path, wall):
    SqliteIdempotencyStore.in_dir(tmp_path / "data", clock=wall).close()

    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "data" / "idempotency.sqlite3").stat().st_mode & 0o777 == 0o600


def test_a_store_that_cannot_be_made_is_a_config_error(tmp_path, wall):
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(tree.ConfigError, match="cannot create the idempotency store"):
        SqliteIdempotencyStore.in_dir(tmp_path / "file", clock=wall)


def test_a_file_that_is_no_database_is_a_config_error(tmp_path, wall):
    (tmp_path / "idempotency.sqlite3").write_bytes(b"not a database" * 100)
    with pytest.raises(tree.ConfigError, match="cannot open the idempotency store"):
        SqliteIdempotencyStore.in_dir(tmp_path, clock=wall)


# the runner


async def test_a_repeat_answers_the_stored_result_without_running_again(runner):
    operation = Counted({"id": "7"})

    first = await runner.run(KEY, "f", operation, CODEC)
    again = await runner.run(KEY, "f", operation, CODEC)

    assert (first.value, first.replayed) == ({"id": "7"}, False)
    assert (again.value, again.replayed) == ({"id": "7"}, True)
    assert operation.runs == 1


async def test_the_same_key_with_another_payload_is_refused(runner):
    operation = Counted()
    await runner.run(KEY, "f", operation, CODEC)

    with pytest.raises(tree.IdempotencyKeyReused) as caught:
        await runner.run(KEY, "other", operation, CODEC)

    assert caught.value.field == "idempotencyKey"
    assert operation.runs == 1


async def test_keys_are_scoped_to_the_account_and_the_client(runner):
    operation = Counted()
    keys = [
        KEY,
        IdempotencyKey("default", "another-client", KEY.key, KEY.field),
        IdempotencyKey("other-account", "client", KEY.key, KEY.field),
    ]

    for key in keys:
        assert not (await runner.run(key, "f", operation, CODEC)).replayed

    assert operation.runs == 3


async def test_concurrent_repeats_wait_for_the_first_and_get_its_answer(runner):
    started, release = anyio.Event(), anyio.Event()
    runs = 0

    async def operation() -> str:
        nonlocal runs
        runs += 1
        started.set()
        await release.wait()
        return "done"

    outcomes: list[Any] = []

    async def call() -> None:
        outcomes.append(await runner.run(KEY, "f", operation, CODEC))

    async with anyio.create_task_group() as group:
        for _ in range(20):
            group.start_soon(call)
        await started.wait()
        release.set()

    assert runs == 1
    assert [o.value for o in outcomes] == ["done"] * 20
    assert sorted(o.replayed for o in outcomes) == [False] + [True] * 19


async def test_a_repeat_waits_for_the_first_no_longer_than_the_bound(runner):
    started, release = anyio.Event(), anyio.Event()

    async def operation() -> str:
        started.set()
        await release.wait()
        return "done"

    async with anyio.create_task_group() as group:
        group.start_soon(runner.run, KEY, "f", operation, CODEC)
        await started.wait()
        with pytest.raises(tree.InProgressError) as caught:
            await runner.run(KEY, "f", operation, CODEC)
        release.set()

    assert caught.value.retry_after == 1.0
    assert (await runner.run(KEY, "f", operation, CODEC)).value == "done"


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(tree.InputError("name", "bad"), id="input"),
        pytest.param(tree.RateLimitedError("budget", retry_after=3.0), id="facade-budget"),
        pytest.param(tree.SmscRateLimited(9, "duplicate", endpoint="jobs"), id="smsc-9"),
        pytest.param(tree.SmscBlocked(4, "blocked", endpoint="jobs"), id="smsc-4"),
        pytest.param(tree.SmscAuthError(2, "authorise error", endpoint="jobs"), id="smsc-2"),
        pytest.param(tree.UpstreamUnavailable("connect error"), id="never-sent"),
        pytest.param(tree.ForbiddenError("scope"), id="forbidden"),
    ],
)
async def test_errors_before_smsc_release_the_key(runner, store, error):
    failing = Counted(error)

    with pytest.raises(type(error)):
        await runner.run(KEY, "f", failing, CODEC)

    assert await store.get(KEY.digest) is None
    assert (await runner.run(KEY, "other payload", Counted("ok"), CODEC)).value == "ok"


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(tree.SmscRejected(6, "message denied", endpoint="jobs"), id="rejected"),
        pytest.param(tree.SmscBadRequest(1, "parameters error", endpoint="jobs"), id="bad"),
        pytest.param(tree.SmscNotFound(3, "record not found", endpoint="phones"), id="not-found"),
    ],
)
async def test_a_refusal_by_smsc_is_stored_and_answered_again(runner, store, error):
    failing = Counted(error)

    first = await runner.run(KEY, "f", failing, CODEC)
    again = await runner.run(KEY, "f", failing, CODEC)

    assert first.error is error
    assert type(again.error) is type(error)
    assert again.error.message == error.message
    assert again.replayed
    assert failing.runs == 1
    assert (await store.get(KEY.digest)).state is State.FAILED


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(
            tree.UpstreamOutcomeUnknown("read timeout", path="/sys/phones.php", host="h"),
            id="no-answer",
        ),
        pytest.param(
            tree.UpstreamProtocolError("no id", endpoint="phones", fmt=3, body="<html>"),
            id="unreadable-answer",
        ),
    ],
)
async def test_a_write_of_unknown_outcome_is_never_run_again(runner, store, error):
    failing = Counted(error)

    first = await runner.run(KEY, "f", failing, CODEC)
    again = await runner.run(KEY, "f", Counted("would run"), CODEC)

    assert first.error is error
    assert (type(again.error), again.error.message) == (type(error), error.message)
    assert (await store.get(KEY.digest)).state is State.UNKNOWN
    assert failing.runs == 1


@pytest.mark.parametrize(
    "stop",
    [
        pytest.param(RuntimeError("a bug after the write"), id="bug"),
        pytest.param(None, id="cancelled"),
    ],
)
async def test_a_run_that_stopped_midway_is_unknown(runner, stop):
    async def operation() -> str:
        if stop is not None:
            raise stop
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    if stop is None:
        with anyio.move_on_after(0.01):
            await runner.run(KEY, "f", operation, CODEC)
    else:
        with pytest.raises(RuntimeError):
            await runner.run(KEY, "f", operation, CODEC)

    again = await runner.run(KEY, "f", Counted("would run"), CODEC)
    assert isinstance(again.error, tree.UpstreamOutcomeUnknown)
    assert again.error.message == INTERRUPTED


async def test_a_run_left_in_progress_by_a_dead_process_is_unknown(runner, store, wall):
    await store.claim(record(wall, owner=DEAD))
    operation = Counted("would run")

    again = await runner.run(KEY, "f", operation, CODEC)

    assert operation.runs == 0
    assert isinstance(again.error, tree.UpstreamOutcomeUnknown)
    assert (await store.get(KEY.digest)).state is State.UNKNOWN


async def test_an_expired_key_runs_again(store, wall):
    runner = Idempotency(store, clock=wall, ttl=3600.0)
    operation = Counted()
    await runner.run(KEY, "f", operation, CODEC)

    wall.advance(3600.0)

    assert not (await runner.run(KEY, "f", operation, CODEC)).replayed
    assert operation.runs == 2


@pytest.mark.parametrize(
    "error",
    [
        tree.SmscRejected(6, "message denied", endpoint="jobs"),
        tree.SmscNotFound(3, "record not found", endpoint="phones"),
        tree.SmscBadRequest(5, "invalid date format", endpoint="jobs"),
        tree.UpstreamOutcomeUnknown("read_timeout", path="/sys/jobs.php", host="smsc.ru"),
        tree.UpstreamProtocolError("no id", endpoint="jobs", fmt=1, body="Привет" * 40),
        tree.UpstreamUnavailable(NOT_CREATED),
    ],
    ids=lambda error: type(error).__name__,
)
def test_stored_errors_come_back_equal(error):
    again = decode_error(encode_error(error))

    assert type(again) is type(error)
    assert vars(again) == vars(error)


# settling job creations against SMSC's job list


@pytest.fixture
def lossy(tmp_path: pathlib.Path) -> Rig:
    return rig(tmp_path, settle_after=60.0)


def create(rig_: Rig) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def execute() -> dict[str, Any]:
        created = await rig_.client.create_job(SPEC)
        return {"id": created.id, "cost": None}

    return execute


def settling(rig_: Rig) -> JobSettling[dict[str, Any]]:
    return JobSettling(rig_.client, lambda found: {"id": found.id, "cost": found.cost})


async def test_a_creation_whose_answer_was_lost_settles_as_created(lossy):
    lossy.emulator.add_fault("reset_after", path="jobs.php", command="add", times=1)

    first = await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))
    again = await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))
    third = await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))

    assert isinstance(first.error, tree.UpstreamOutcomeUnknown)
    (job,) = lossy.jobs_named("Spring")
    assert (again.value, again.replayed) == ({"id": str(job.id), "cost": None}, True)
    assert third.value == again.value
    assert lossy.adds() == 1
    lists = [c for c in lossy.emulator.calls if c.command == "get_all"]
    assert len(lists) == 1  # settled once, then answered from the record


async def test_a_creation_is_unknown_while_smsc_fails_to_list_its_jobs(lossy):
    lossy.emulator.add_fault("reset_after", path="jobs.php", command="add", times=1)
    first = await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))
    lossy.emulator.add_fault("status", path="jobs.php", command="get_all", status=500)
    unsettled = []
    for _ in range(3):  # SMSC failing, then the breaker open: the truth is still "unknown"
        lossy.clock.advance(60.0)
        with pytest.raises(tree.InProgressError) as caught:
            await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))
        unsettled.append(caught.value)
    lossy.emulator.clear_faults()
    lossy.clock.advance(60.0)
    settled = await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))

    assert isinstance(first.error, tree.UpstreamOutcomeUnknown)
    assert lossy.client.breaker.state.name == "CLOSED"
    assert all(e.outcome_unknown and e.retry_after > 0 for e in unsettled)
    assert {e.message for e in unsettled} == {SETTLING}
    (job,) = lossy.jobs_named("Spring")
    assert (settled.value, settled.replayed) == ({"id": str(job.id), "cost": None}, True)
    assert lossy.adds() == 1


async def test_a_settling_stored_by_an_older_version_is_a_spent_key(store, runner, wall):
    await store.claim(record(wall))
    old = b"error:" + encode_error(tree.UpstreamUnavailable(NOT_CREATED))
    await store.update(
        KEY.digest, expected=(State.IN_PROGRESS, "me"), state=State.FAILED, response=old
    )

    outcome = await runner.run(KEY, "f", Counted(), CODEC)

    assert isinstance(outcome.error, tree.IdempotencyKeySpent)
    assert outcome.error.field == "idempotencyKey"


async def test_a_creation_that_never_reached_smsc_settles_as_not_created(lossy):
    lossy.emulator.add_fault("reset", path="jobs.php", command="add", times=1)
    first = await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))
    assert isinstance(first.error, tree.UpstreamOutcomeUnknown)

    # Too early to tell "lost" from "still travelling".
    with pytest.raises(tree.InProgressError) as early:
        await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))
    lossy.wall.advance(60.0)
    # SMSC's list was just read: its budget of one identical request a minute is spent.
    with pytest.raises(tree.InProgressError) as budget:
        await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))
    lossy.clock.advance(60.0)
    settled = await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))
    again = await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))

    assert 59.0 <= early.value.retry_after <= 60.0
    assert 0 < budget.value.retry_after <= 60.0
    # Unknown while unknown; then a client error that says a new key is needed, not a 5xx.
    assert early.value.outcome_unknown
    assert budget.value.outcome_unknown
    assert isinstance(settled.error, tree.IdempotencyKeySpent)
    assert settled.error.field == "idempotencyKey"
    assert settled.error.message == f"idempotencyKey: {NOT_CREATED}"
    assert (type(again.error), again.error.message, again.replayed) == (
        tree.IdempotencyKeySpent,
        settled.error.message,
        True,
    )
    assert lossy.jobs_named("Spring") == []
    # One attempt, dropped before SMSC processed it, and never sent again.
    assert [c.fault for c in lossy.emulator.calls if c.command == "add"] == ["reset"]


async def test_a_creation_answered_too_late_settles_as_created(tmp_path):
    sleep = FakeSleep()
    sleep.hold()
    lossy = rig(tmp_path, emulator_sleep=sleep, deadline=0.2)
    lossy.emulator.add_fault("latency_after", path="jobs.php", command="add", seconds=30, times=1)

    first = await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))
    again = await lossy.idempotency.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))

    assert isinstance(first.error, tree.UpstreamOutcomeUnknown)
    assert "deadline" in first.error.message
    (job,) = lossy.jobs_named("Spring")
    assert again.value == {"id": str(job.id), "cost": None}


@pytest.mark.parametrize("created", [True, False], ids=["found", "absent"])
async def test_a_creation_left_by_a_killed_process_is_settled(lossy, created):
    marker = "ABCDEFGH23"
    await lossy.store.claim(record(lossy.wall, owner=DEAD, marker=marker, ttl=3600.0))
    if created:  # SMSC made the job; the process died before it saved the answer
        await lossy.client.create_job(dataclasses.replace(SPEC, marker=marker))
    lossy.wall.advance(60.0)
    restarted = lossy.another_process()

    outcome = await restarted.run(KEY, "f", create(lossy), CODEC, settling=settling(lossy))

    jobs = lossy.jobs_named("Spring")
    if created:
        assert outcome.value == {"id": str(jobs[0].id), "cost": None}
    else:
        assert isinstance(outcome.error, tree.IdempotencyKeySpent)
        assert jobs == []
    assert len(jobs) == int(created)


class Unwritable(SqliteIdempotencyStore):
    async def claim(self, record: Record) -> Record | None:
        raise StoreUnavailable("disk full")


async def test_a_store_that_cannot_claim_sends_nothing_and_says_so(tmp_path, wall):
    runner = Idempotency(Unwritable.in_dir(tmp_path, clock=wall), clock=wall)
    operation = Counted()

    with pytest.raises(tree.UpstreamUnavailable) as caught:
        await runner.run(KEY, "f", operation, CODEC)

    assert operation.runs == 0
    assert not isinstance(caught.value, tree.UpstreamOutcomeUnknown)
    assert caught.value.message == RECORDS_AWAY
