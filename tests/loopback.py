"""Real servers on loopback for tests: start a `facade` command, wait until it answers, stop it."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from typing import IO

import httpx

STARTUP_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running(
    args: list[str],
    *,
    ready_path: str,
    port: int,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    python: str = sys.executable,
    log: IO[str] | None = None,
) -> Iterator[subprocess.Popen[str]]:
    """Run `python -m facade ARGS` until `ready_path` answers on `port`; stop it on exit.
    `python` is the interpreter (an installed package's venv), `cwd` its working directory.
    Its output is piped (`communicate()`), or written to `log` for a long run."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SMSC_", "FACADE_"))}
    environ.update(env or {})
    process = subprocess.Popen(  # noqa: S603 - our own interpreter running our own package
        [python, "-m", "facade", *args],
        env=environ,
        cwd=cwd,
        stdout=subprocess.PIPE if log is None else log,
        stderr=subprocess.PIPE if log is None else subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"exited early: {process.communicate()[1] or 'see its log'}")
            try:
                httpx.get(f"http://127.0.0.1:{port}{ready_path}", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        try:
            process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
