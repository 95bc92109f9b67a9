"""A facade killed with SIGKILL mid-creation, restarted on the same data directory, and the
client repeating its request under the same `Idempotency-Key`: SMSC never gets the job twice, and
the repeat ends settled (created, with the same id, or not created), never sent again.

Real processes on loopback: `facade emulator` plays SMSC, `facade serve` is killed at three
points: before SMSC processed the request, after SMSC made the job but before the answer came
back (so before the record was saved), and after the answer was saved.
"""

import contextlib
import datetime as dt
import pathlib
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Final

import httpx
import pytest

from facade.credentials.scopes import Scope
from facade.credentials.tokens import TokenStore
from facade.domain.common import MOSCOW
from facade.upstream.settling import NOT_CREATED
from tests.loopback import free_port, running

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

SETTLE_SECONDS: Final = (
    0.5  # a lost creation older than this, absent from SMSC's list, was not made
)


def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition never held")
        time.sleep(0.02)


class Emulator:
    """The emulator's control routes, and its job list read as SMSC's own client would."""

    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"

    def reset(self) -> None:
        """Clears limits, faults and the call log; the jobs stay."""
        httpx.post(f"{self.url}/__emulator__/reset", json={}).raise_for_status()

    def fault(self, **fault: Any) -> None:
        fault = {"path": "jobs.php", "command": "add", "times": 1, **fault}
        httpx.post(f"{self.url}/__emulator__/faults", json=fault).raise_for_status()

    def calls(self, command: str = "add") -> list[dict[str, Any]]:
        calls = httpx.get(f"{self.url}/__emulator__/calls").json()["calls"]
        return [call for call in calls if call["command"] == command]

    def in_flight(self) -> int:
        count: int = httpx.get(f"{self.url}/__emulator__/stats").json()["in_flight"]
        return count

    def jobs_named(self, name: str) -> list[dict[str, Any]]:
        """Every job whose name is `name` with the facade's marker (jobs.php get_all, fmt 3)."""
        self.reset()  # the list is asked for again and again: SMSC allows one a minute
        since = dt.datetime.now(MOSCOW).date() - dt.timedelta(days=1)
        form = {
            "get_all": "1",
            "login": "demo",
            "psw": "demo",
            "fmt": "3",
            "charset": "utf-8",
            "start": since.strftime("%d.%m.%Y"),
        }
        jobs: list[dict[str, Any]] = httpx.post(f"{self.url}/sys/jobs.php", data=form).json()
        return [job for job in jobs if job["name"].startswith(f"{name} [fx:")]


class Facade:
    """`facade serve` on one data directory, started again and again on one port."""

    def __init__(self, port: int, environ: dict[str, str], token: str) -> None:
        self.port = port
        self.environ = environ
        self.headers = {"Authorization": f"Bearer {token}"}

    @contextlib.contextmanager
    def serving(self) -> Iterator[Callable[[], None]]:
        """The running service, and a function that kills it with SIGKILL."""
        args = ["serve", "--port", str(self.port)]
        with running(args, ready_path="/healthz", port=self.port, env=self.environ) as process:

            def kill() -> None:
                process.kill()
                process.wait(timeout=10)

            yield kill

    def create(self, name: str, key: str, timeout: float = 10.0) -> httpx.Response:
        body = {"name": name, "phones": ["79161234567"], "message": f"{name}: hello"}
        return httpx.post(
            f"http://127.0.0.1:{self.port}/v1/jobs",
            json=body,
            headers={**self.headers, "Idempotency-Key": key},
            timeout=timeout,
        )

    def create_in_background(self, name: str, key: str) -> threading.Thread:
        """A client whose request is cut off when the facade dies (its error is expected)."""

        def send() -> None:
            with contextlib.suppress(httpx.TransportError):
                self.create(name, key, timeout=30.0)

        thread = threading.Thread(target=send, daemon=True)
        thread.start()
        return thread


@pytest.fixture
def token_and_data(tmp_path: pathlib.Path) -> tuple[str, pathlib.Path]:
    data_dir = tmp_path / "data"
    store = TokenStore.in_dir(data_dir)
    try:
        token = store.issue("t", scopes=[Scope.WRITE], account="default").token
    finally:
        store.close()
    return token, data_dir


def test_a_killed_facade_never_sends_a_job_twice(
    token_and_data: tuple[str, pathlib.Path],
) -> None:
    token, data_dir = token_and_data
    emulator_port, port = free_port(), free_port()
    environ = {
        "SMSC_LOGIN": "demo",
        "SMSC_PASSWORD": "demo",
        "SMSC_BASE_URL": f"http://127.0.0.1:{emulator_port}",
        "FACADE_DATA_DIR": str(data_dir),
        "FACADE_IDEMPOTENCY_SETTLE_SECONDS": str(SETTLE_SECONDS),
    }
    facade = Facade(port, environ, token)
    emulator = Emulator(emulator_port)
    emulator_args = ["emulator", "--port", str(emulator_port)]
    with running(emulator_args, ready_path="/__emulator__/stats", port=emulator_port) as smsc:
        try:
            # 1. Killed before SMSC processed the request: the emulator holds it unprocessed.
            emulator.reset()
            emulator.fault(kind="hang")
            with facade.serving() as kill:
                client = facade.create_in_background("crash-a", "key-a")
                wait_for(lambda: emulator.in_flight() >= 1)
                kill()
            client.join(timeout=10)
            with facade.serving():
                time.sleep(SETTLE_SECONDS)
                emulator.reset()
                not_created = facade.create("crash-a", "key-a")
                sent_again = emulator.calls()

            # 2. Killed after SMSC made the job, before its answer (and the record) came back.
            emulator.reset()
            emulator.fault(kind="latency_after", seconds=30)
            with facade.serving() as kill:
                client = facade.create_in_background("crash-b", "key-b")
                wait_for(lambda: any(c["fault"] == "latency_after" for c in emulator.calls()))
                kill()
            client.join(timeout=10)
            with facade.serving():
                emulator.reset()
                found = facade.create("crash-b", "key-b")
                found_again = facade.create("crash-b", "key-b")
                sent_again += emulator.calls()

            # 3. Killed after the answer was saved.
            emulator.reset()
            with facade.serving() as kill:
                answered = facade.create("crash-c", "key-c")
                kill()
            with facade.serving():
                emulator.reset()
                replayed = facade.create("crash-c", "key-c")
                sent_again += emulator.calls()

            jobs = {name: emulator.jobs_named(name) for name in ("crash-a", "crash-b", "crash-c")}
        finally:
            smsc.kill()  # its held requests would keep a graceful shutdown waiting
            smsc.wait(timeout=10)

    assert sent_again == []
    assert not_created.status_code == 422, not_created.text
    assert not_created.json()["detail"] == f"Idempotency-Key: {NOT_CREATED}"
    assert not_created.json()["field"] == "Idempotency-Key"
    assert not_created.headers["idempotent-replayed"] == "true"
    assert jobs["crash-a"] == []

    (job_b,) = jobs["crash-b"]
    assert found.status_code == 201, found.text
    assert found.json() == {"id": str(job_b["id"]), "cost": None}
    assert found.headers["location"] == f"/v1/jobs/{job_b['id']}"
    assert (found_again.status_code, found_again.content) == (201, found.content)

    (job_c,) = jobs["crash-c"]
    assert answered.status_code == 201, answered.text
    assert answered.json()["id"] == str(job_c["id"])
    assert (replayed.status_code, replayed.content) == (201, answered.content)
    assert replayed.headers["idempotent-replayed"] == "true"
