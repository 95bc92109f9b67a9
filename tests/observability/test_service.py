"""The operator's view of a running service: /metrics, /readyz, JSON logs, graceful shutdown."""

import json
import pathlib
import signal
import threading
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from facade.app import create_app
from facade.credentials.scopes import Scope
from facade.credentials.tokens import TokenStore
from facade.settings import Settings
from tests.loopback import free_port, running


@pytest.mark.anyio
async def test_metrics_and_readiness_of_the_sandbox_app() -> None:
    app = create_app(Settings.from_env({}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://f") as client,
    ):
        ready_before = await client.get("/readyz")
        await client.get("/v1/templates")
        await client.get("/v1/templates")
        await client.post("/graphql", json={"query": "{ groups { id } }"})
        ready_after = await client.get("/readyz")
        scraped = await client.get("/metrics")
    assert ready_before.status_code == 200
    assert ready_before.json()["smsc"] == {"default": "unknown"}
    assert ready_after.json() == {
        "status": "ok",
        "sandbox": True,
        "smsc": {"default": "ok"},
        "checks": {"data_dir": "ok"},
    }
    assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
    names = {family.name for family in text_string_to_metric_families(scraped.text)}
    assert {
        "facade_requests",
        "facade_request_duration_seconds",
        "facade_upstream_calls",
        "facade_cache_reads",
        "facade_coalesced_waiters",
        "facade_guard_rejections",
        "facade_breaker_state",
        "facade_idempotency_replays",
    } <= names
    assert 'facade_requests_total{api="rest",operation="GET /v1/templates",status="200"} 2.0' in (
        scraped.text
    )
    assert 'facade_cache_reads_total{account="default",result="hit"} 1.0' in scraped.text


def _slow_emulator(emulator: str) -> None:
    fault = {"kind": "latency", "path": "templates.php", "seconds": 2.0, "times": 1}
    httpx.post(f"{emulator}/__emulator__/faults", json=fault).raise_for_status()


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_sigterm_lets_requests_in_flight_finish_and_logs_are_json(tmp_path: pathlib.Path) -> None:
    emulator_port, port = free_port(), free_port()
    data_dir = tmp_path / "data"
    store = TokenStore.in_dir(data_dir)
    try:
        token = store.issue("ops", scopes=[Scope.READ], account="default").token
    finally:
        store.close()
    environ = {
        "SMSC_LOGIN": "demo",
        "SMSC_PASSWORD": "demo",
        "SMSC_BASE_URL": f"http://127.0.0.1:{emulator_port}",
        "FACADE_DATA_DIR": str(data_dir),
        "FACADE_LOG_FORMAT": "json",
    }
    emulator_args = ["emulator", "--port", str(emulator_port)]
    with running(emulator_args, ready_path="/__emulator__/stats", port=emulator_port):
        _slow_emulator(f"http://127.0.0.1:{emulator_port}")
        with running(
            ["serve", "--port", str(port)], ready_path="/healthz", port=port, env=environ
        ) as facade:
            answers: list[httpx.Response] = []
            request = threading.Thread(
                target=lambda: answers.append(
                    httpx.get(
                        f"http://127.0.0.1:{port}/v1/templates",
                        headers={"Authorization": f"Bearer {token}", "X-Request-ID": "slow-1"},
                        timeout=30,
                    )
                )
            )
            request.start()
            time.sleep(0.7)  # the request is waiting on the slow emulator now
            started = time.monotonic()
            facade.send_signal(signal.SIGTERM)
            request.join(timeout=30)
            code = facade.wait(timeout=30)
            stopped = time.monotonic() - started
            _, err = facade.communicate(timeout=10)
    (answer,) = answers
    assert answer.status_code == 200, answer.text
    assert answer.json(), "the templates arrived"
    assert answer.headers["x-request-id"] == "slow-1"
    # uvicorn re-raises SIGTERM once it has shut down, so the exit says how it was stopped.
    assert code in (0, -signal.SIGTERM)
    assert "Finished server process" in err
    assert stopped < 10
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "facade.access"]
    assert any(
        line["path"] == "/v1/templates" and line["status"] == 200 and line["requestId"] == "slow-1"
        for line in access
    )
    upstream = [line for line in lines if line["requestId"] == "slow-1"]
    assert {line["logger"] for line in upstream} >= {"facade.access"}
