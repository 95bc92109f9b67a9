"""A real `redis-server` on loopback for tests (`.ci/run` installs it when missing)."""

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator

import redis

from tests.loopback import free_port

STARTUP_TIMEOUT = 10.0


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """Start a throwaway server (no persistence) and yield its URL; stop it on exit."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: run .ci/run, or apt-get install it")
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
