"""`/readyz` reads what the upstream layer knows; asking it never reaches SMSC."""

import pathlib

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from facade.credentials.scopes import Scope
from facade.errors import SmscAuthError
from facade.observability.health import health_endpoints, readiness, smsc_condition
from facade.smsc.commands import Credentials
from facade.upstream.limits import BreakerState
from tests.production import production
from tests.upstream.harness import harness
from tests.utf8 import unescaped

pytestmark = pytest.mark.anyio


async def test_an_account_is_unknown_then_ok_and_probes_cost_nothing() -> None:
    upstream = harness()
    assert smsc_condition(upstream.client) == "unknown"
    await upstream.client.templates()
    calls = len(upstream.emulator.calls)
    for _ in range(50):
        status, body = readiness({"default": upstream.client}, {}, sandbox=False)
    assert len(upstream.emulator.calls) == calls
    assert (status, body["smsc"], body["status"]) == (200, {"default": "ok"}, "ok")


async def test_rejected_credentials_are_reported_and_the_replica_stays_ready() -> None:
    wrong = Credentials(login="demo", password="wrong")  # noqa: S106 - a wrong one
    upstream = harness(credentials=wrong)
    with pytest.raises(SmscAuthError):
        await upstream.client.templates()
    status, body = readiness({"default": upstream.client}, {}, sandbox=False)
    # SMSC's state is every replica's: taking this one out would take them all, cached reads too.
    assert (status, body["status"], body["smsc"]) == (200, "ok", {"default": "auth_failed"})
    assert body["checks"] == {}
    healthy = harness()
    await healthy.client.templates()
    status, body = readiness(
        {"default": upstream.client, "other": healthy.client},
        {"data_dir": lambda: "the data directory is not writable"},
        sandbox=False,
    )
    assert status == 503, "a failed check of its own still makes the replica unready"
    assert body["smsc"] == {"default": "auth_failed", "other": "ok"}


async def test_readyz_stays_200_while_smsc_refuses_and_cached_reads_are_served(
    tmp_path: pathlib.Path,
) -> None:
    async with production(tmp_path) as service:
        cached = await service.client.get("/v1/templates", headers=service.auth())
        assert cached.status_code == 200
        service.emulator.add_fault("auth")
        refused = await service.client.post(
            "/v1/groups", json={"name": "VIP"}, headers=service.auth(Scope.WRITE)
        )
        assert refused.status_code == 502
        assert refused.json()["code"] == "UPSTREAM_AUTH_FAILED"
        again = await service.client.get("/v1/templates", headers=service.auth())
        assert (again.status_code, again.json()) == (200, cached.json())
        assert (await service.client.get("/readyz")).status_code == 200
        detailed = await service.client.get("/readyz", headers=service.auth(Scope.ADMIN))
        assert detailed.status_code == 200
        assert detailed.json()["smsc"] == {"default": "auth_failed"}
        metrics = await service.client.get("/metrics", headers=service.auth(Scope.ADMIN))
        assert (
            'facade_account_condition{account="default",condition="auth_failed"} 1.0'
            in metrics.text
        )
        assert 'facade_smsc_auth_errors_total{account="default"} 1.0' in metrics.text


async def test_an_open_breaker_is_understood_and_a_failed_check_is_not() -> None:
    upstream = harness()
    for _ in range(5):
        upstream.client.breaker.record_failure()
    assert upstream.client.breaker.state is BreakerState.OPEN
    status, body = readiness({"default": upstream.client}, {"tokens": lambda: None}, sandbox=False)
    assert (status, body["smsc"]["default"], body["checks"]) == (
        200,
        "unreachable",
        {"tokens": "ok"},
    )
    status, body = readiness(
        {"default": upstream.client}, {"redis": lambda: "connection refused"}, sandbox=False
    )
    assert status == 503
    assert body["checks"] == {"redis": "connection refused"}


async def test_readyz_writes_a_reason_in_utf8() -> None:
    reason = "каталог /данные недоступен для записи"  # a path, an OS message: any language
    healthz, readyz = health_endpoints({}, {"data_dir": lambda: reason}, sandbox=False)
    app = Starlette(routes=[Route("/healthz", healthz), Route("/readyz", readyz)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://facade") as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert unescaped(response.content, reason)["checks"] == {"data_dir": reason}
