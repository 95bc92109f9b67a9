"""Two `facade serve` replicas sharing a real Redis and one data directory, in front of
`facade emulator`: separate processes on loopback, as operators run them."""

import asyncio
import contextlib
import pathlib
from collections.abc import Iterator
from typing import Any

import httpx

from facade.credentials.scopes import Scope
from facade.credentials.tokens import TokenStore
from tests.loopback import free_port, running


class Cluster:
    def __init__(self, emulator: str, replicas: list[str], token: str, ops: str) -> None:
        self.emulator = emulator
        self.replicas = replicas
        self.auth = {"Authorization": f"Bearer {token}"}
        # /metrics and the details of /readyz need the admin scope.
        self.ops = {"Authorization": f"Bearer {ops}"}

    def ready(self, replica: str) -> dict[str, Any]:
        found: dict[str, Any] = httpx.get(f"{replica}/readyz", headers=self.ops).json()
        return found

    def metrics(self, replica: str) -> str:
        return httpx.get(f"{replica}/metrics", headers=self.ops).text

    def stats(self) -> dict[str, Any]:
        found: dict[str, Any] = httpx.get(f"{self.emulator}/__emulator__/stats").json()
        return found

    def calls(self, command: str) -> list[dict[str, Any]]:
        return [c for c in self.all_calls() if c["command"] == command]

    def all_calls(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = httpx.get(f"{self.emulator}/__emulator__/calls").json()[
            "calls"
        ]
        return found

    def jobs(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = httpx.get(f"{self.emulator}/__emulator__/jobs").json()["jobs"]
        return found

    def fault(self, **fault: Any) -> None:
        httpx.post(f"{self.emulator}/__emulator__/faults", json=fault).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.emulator}/__emulator__/faults").raise_for_status()

    async def spread(self, paths: list[str]) -> list[httpx.Response]:
        """Every path at once, alternating between the replicas."""
        async with httpx.AsyncClient(timeout=60) as client:
            return await asyncio.gather(
                *(
                    client.get(self.replicas[i % 2] + path, headers=self.auth)
                    for i, path in enumerate(paths)
                )
            )


@contextlib.contextmanager
def cluster(tmp_path: pathlib.Path, redis_url: str, **env: str) -> Iterator[Cluster]:
    emulator_port = free_port()
    data = tmp_path / "data"
    store = TokenStore.in_dir(data)
    try:
        token = store.issue("load", scopes=[Scope.WRITE], account="default").token
        ops = store.issue("ops", scopes=[Scope.ADMIN], account="default").token
    finally:
        store.close()
    environ = {
        "SMSC_LOGIN": "demo",
        "SMSC_PASSWORD": "demo",
        "SMSC_BASE_URL": f"http://127.0.0.1:{emulator_port}",
        "FACADE_REDIS_URL": redis_url,
        "FACADE_REPLICAS": "2",
        "FACADE_LOG_FORMAT": "json",
        # `running` reads the output only at the end: a full pipe would block the replica.
        "FACADE_LOG_LEVEL": "WARNING",
        # One data directory for both (a shared volume in compose.yaml): tokens and idempotency.
        "FACADE_DATA_DIR": str(data),
        **env,
    }
    ports = [free_port(), free_port()]
    with contextlib.ExitStack() as stack:
        stack.enter_context(
            running(
                ["emulator", "--port", str(emulator_port)],
                ready_path="/__emulator__/stats",
                port=emulator_port,
            )
        )
        for port in ports:
            stack.enter_context(
                running(
                    ["serve", "--port", str(port)], ready_path="/healthz", port=port, env=environ
                )
            )
        yield Cluster(
            f"http://127.0.0.1:{emulator_port}",
            [f"http://127.0.0.1:{port}" for port in ports],
            token,
            ops,
        )
