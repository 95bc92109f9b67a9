"""Shared by the HTTP benchmarks: servers on loopback and a load generator (wrk) driving them.

wrk comes from Debian (`apt-get install wrk`); the benchmarks refuse to run without it rather
than measure with a Python client that would saturate before the server does.
"""

import contextlib
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping

import httpx

DURATION = "10s"
CONNECTIONS = 32
THREADS = 2

_LATENCY_LINE = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def uvicorn(
    target: str, *, factory: bool = False, env: Mapping[str, str] | None = None
) -> Iterator[str]:
    """`uvicorn TARGET` on a free loopback port, one worker; yields its base URL."""
    port = free_port()
    args = [sys.executable, "-m", "uvicorn", target, "--port", str(port), "--log-level", "warning"]
    if factory:
        args.append("--factory")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SMSC_", "FACADE_"))}
    environ.update(env or {})
    process = subprocess.Popen(args, env=environ)  # noqa: S603 - our own interpreter and modules
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def wrk(
    url: str,
    *,
    method: str = "GET",
    body: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, float]:
    """req/s, p50 and p99 (ms) of `url` under CONNECTIONS connections for DURATION."""
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
                binary,
                f"-t{THREADS}",
                f"-c{CONNECTIONS}",
                f"-d{DURATION}",
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
    return {
        "rps": rps,
        "p50_ms": latency["50"],
        "p99_ms": latency["99"],
        "non_2xx": float(errors.group(1)) if errors else 0.0,
    }
