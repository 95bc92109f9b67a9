"""`/readyz` reads what the upstream layer knows; asking it never reaches SMSC."""

import pytest

from facade.observability.health import readiness, smsc_condition
from facade.smsc.commands import Credentials
from facade.upstream.limits import BreakerState
from tests.upstream.harness import harness

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


async def test_rejected_credentials_everywhere_make_the_replica_unready() -> None:
    wrong = Credentials(login="demo", password="wrong")  # noqa: S106 - a wrong one
    upstream = harness(credentials=wrong)
    with pytest.raises(Exception):  # noqa: B017, PT011 - SmscAuthError, tested elsewhere
        await upstream.client.templates()
    status, body = readiness({"default": upstream.client}, {}, sandbox=False)
    assert status == 503
    assert body["smsc"] == {"default": "auth_failed"}
    assert "every account" in body["checks"]["smsc"]
    healthy = harness()
    await healthy.client.templates()
    status, _ = readiness({"default": upstream.client, "other": healthy.client}, {}, sandbox=False)
    assert status == 200, "one account still works"


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
