"""Shared by the HTTP benchmarks: real processes on loopback and wrk driving them.

`facade emulator`, `facade serve` (configured like production: SMSC credentials, client tokens)
and a plain Starlette app (`bench.reference`) run as separate processes under the same uvicorn
loop and HTTP implementation; wrk (Debian's `wrk`) loads them one at a time with the same
connections and duration. The benchmarks refuse to run without wrk rather than measure with a
Python client that would saturate before the server does.
"""

import contextlib
import dataclasses
import json
import os
import pathlib
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence

import httpx

from facade.settings import SANDBOX_LOGIN, SANDBOX_PASSWORD

DURATION = "5s"
ROUNDS = 3
CONNECTIONS = 64
THREADS = 1
# Servers on the first core, wrk on the second: the two compete for neither, and every server
# measured gets the same core (without taskset, both float).
SERVER_CPU = ["taskset", "-c", "0"] if shutil.which("taskset") else []
LOAD_CPU = ["taskset", "-c", "1"] if shutil.which("taskset") else []
FACADE = [sys.executable, "-m", "facade"]

_LATENCY_LINE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}


@dataclasses.dataclass(frozen=True)
class Load:
    """What wrk measured: requests a second, latency percentiles (ms), non-2xx answers."""

    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int

    def line(self, name: str) -> str:
        return (
            f"  {name:34} {self.rps:8.0f} req/s  p50 {self.p50_ms:6.2f} ms  "
            f"p99 {self.p99_ms:6.2f} ms  (p99/p50 {self.p99_ms / self.p50_ms:.1f}x)  "
            f"non-2xx {self.non_2xx}"
        )


@dataclasses.dataclass(frozen=True)
class Server:
    """How uvicorn runs every server of a run: the event loop and the HTTP/1.1 implementation."""

    loop: str = "asyncio"
    http: str = "h11"

    def __str__(self) -> str:
        return f"--loop {self.loop} --http {self.http}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SMSC_", "FACADE_"))}
    environ.update(extra or {})
    return environ


@contextlib.contextmanager
def running(
    args: Sequence[str], ready: str, env: Mapping[str, str] | None = None, *, timeout: float = 30
) -> Iterator[None]:
    """`args` as a process on the servers' core (its output discarded) until the block ends;
    `ready` answers within `timeout` seconds first."""
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
        [*SERVER_CPU, *args],
        env=clean_env(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.get(ready, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def emulator(*extra: str, timeout: float = 30) -> Iterator[str]:
    """`facade emulator` (demo data unless `extra` says otherwise); its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    args = [*FACADE, "emulator", "--port", str(port), *extra]
    with running(args, base + "/__emulator__/calls", timeout=timeout):
        yield base


def upstream_calls(emulator_url: str) -> int:
    """How many calls the emulator has answered so far."""
    return len(httpx.get(emulator_url + "/__emulator__/calls").json()["calls"])


@dataclasses.dataclass(frozen=True)
class Production:
    """The environment of a facade in front of the emulator, as in production, and a token."""

    env: dict[str, str]
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@contextlib.contextmanager
def production(emulator_url: str) -> Iterator[Production]:
    with tempfile.TemporaryDirectory() as data_dir:
        env = {
            "SMSC_LOGIN": SANDBOX_LOGIN,
            "SMSC_PASSWORD": SANDBOX_PASSWORD,
            "SMSC_BASE_URL": emulator_url,
            "FACADE_DATA_DIR": data_dir,
        }
        token = subprocess.run(  # noqa: S603 - our own interpreter and modules
            [*FACADE, "token", "issue", "bench", "--scope", "read"],
            env=clean_env(env),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        yield Production(env, token)


@contextlib.contextmanager
def facade(config: Production, server: Server) -> Iterator[str]:
    """`facade serve` as shipped (its access log written, to nowhere); its base URL."""
    port = free_port()
    args = [*FACADE, "serve", "--port", str(port), "--loop", server.loop, "--http", server.http]
    base = f"http://127.0.0.1:{port}"
    with running(args, base + "/healthz", config.env):
        yield base


@contextlib.contextmanager
def reference(payload: bytes, server: Server) -> Iterator[str]:
    """The plain Starlette app serving `payload` at `/`, under the same uvicorn settings."""
    port = free_port()
    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        file.write(payload)
        file.flush()
        args = [
            *(sys.executable, "-m", "uvicorn", "bench.reference:app", "--port", str(port)),
            *("--loop", server.loop, "--http", server.http),
            *("--no-access-log", "--no-server-header", "--log-level", "warning"),
        ]
        base = f"http://127.0.0.1:{port}"
        with running(args, base + "/", {"BENCH_PAYLOAD_FILE": file.name}):
            yield base


def alternate(first: Callable[[], Load], second: Callable[[], Load]) -> tuple[Load, Load]:
    """`first` and `second` in turns, ROUNDS times each; the median of each figure. Turns
    spread slow drifts of the machine over both instead of loading one measurement."""
    runs: list[tuple[Load, Load]] = [(first(), second()) for _ in range(ROUNDS)]
    return _median([a for a, _ in runs]), _median([b for _, b in runs])


def _median(loads: Sequence[Load]) -> Load:
    return Load(
        statistics.median(load.rps for load in loads),
        statistics.median(load.p50_ms for load in loads),
        statistics.median(load.p99_ms for load in loads),
        sum(load.non_2xx for load in loads),
    )


def wrk(
    url: str,
    *,
    method: str = "GET",
    body: str | None = None,
    headers: Mapping[str, str] | None = None,
    connections: int = CONNECTIONS,
    duration: str = DURATION,
) -> Load:
    """req/s, p50 and p99 of `url` under `connections` connections for `duration`."""
    binary = shutil.which("wrk")
    if binary is None:
        sys.exit("wrk is missing: apt-get install wrk")
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    for name, value in (headers or {}).items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    try:
        out = subprocess.run(  # noqa: S603 - wrk, found on PATH, with our own arguments
            [
                *LOAD_CPU,
                binary,
                f"-t{THREADS}",
                f"-c{connections}",
                f"-d{duration}",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        pathlib.Path(script.name).unlink()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = {p: float(v) * _UNIT[u] for p, v, u in _LATENCY_LINE.findall(out)}
    return Load(rps, latency["50"], latency["99"], int(errors.group(1)) if errors else 0)
