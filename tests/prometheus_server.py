"""A real Prometheus on loopback for tests, and its promtool: Debian's package `prometheus`
(`make test` installs it when missing: scripts/test-services; a test fails without it, never
skips)."""

import contextlib
import pathlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import yaml

from tests.loopback import free_port

STARTUP_TIMEOUT = 20.0


def binary(name: str) -> str:
    """`prometheus` or `promtool` on PATH."""
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"{name} is missing: it comes with Debian's package `prometheus` "
            "(`apt-get install prometheus`, or `make test` as root installs it)",
            pytrace=False,
        )
    return found


class Prometheus:
    def __init__(self, url: str) -> None:
        self.url = url

    def api(self, path: str, **params: str) -> Any:
        """The `data` of a successful answer of the HTTP API (`/api/v1/...`)."""
        response = httpx.get(f"{self.url}/api/v1/{path}", params=params, timeout=10.0)
        body = response.json()
        assert response.status_code == 200, body
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query's vector (`/api/v1/query`)."""
        data = self.api("query", query=expr)
        assert data["resultType"] == "vector", (expr, data)
        found: list[dict[str, Any]] = data["result"]
        return found


@contextlib.contextmanager
def prometheus(config: dict[str, Any], directory: pathlib.Path) -> Iterator[Prometheus]:
    """Run Prometheus with `config` (checked by `promtool check config` first), its data and
    log in `directory`; stop it on exit."""
    path = directory / "prometheus.yml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    checked = subprocess.run(  # noqa: S603 - a fixed binary with fixed arguments
        [binary("promtool"), "check", "config", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    port = free_port()
    log = directory / "prometheus.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - a fixed binary with fixed arguments
            [
                binary("prometheus"),
                f"--config.file={path}",
                f"--storage.tsdb.path={directory / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
            ],
            stdout=output,
            stderr=output,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"prometheus exited early: {log.read_text()}")
            try:
                if httpx.get(f"{url}/-/ready", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"prometheus not ready: {log.read_text()}")
            time.sleep(0.1)
        yield Prometheus(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
