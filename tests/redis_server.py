"""A real `redis-server` on loopback for tests (`make test` provides it: tests/services.py)."""

import contextlib
import subprocess
import tempfile
import time
from collections.abc import Iterator

import redis

from tests.loopback import free_port
from tests.services import service_binary

STARTUP_TIMEOUT = 10.0


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Start a throwaway server (no persistence) and yield its URL; stop it on exit."""
    with RedisProcess() as server:
        yield server.url


class RedisProcess:
    """A redis-server on one port that a test kills (SIGKILL) and starts again, empty: no
    persistence, as a flush, a failover or a crash of an unpersisted server leaves it."""

    def __init__(self) -> None:
        self.port = free_port()
        # Its working directory: where a test that turns persistence on makes it write.
        self._dir = tempfile.TemporaryDirectory(prefix="redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "RedisProcess":
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def start(self) -> None:
        binary = service_binary("redis-server")
        self._process = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self._dir.name,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
        finally:
            client.close()

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None

    def close(self) -> None:
        self.kill()
        self._dir.cleanup()
