"""`/metrics`: prometheus-client's parser reads it; the series carry bounded labels only."""

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from facade.errors import SmscAuthError
from facade.observability.metrics import Metrics, classify
from facade.observability.middleware import Observe
from facade.smsc.commands import Credentials
from facade.upstream.limits import BreakerState
from tests.upstream.harness import harness

pytestmark = pytest.mark.anyio


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(metrics: Metrics) -> str:
    response = await metrics.endpoint(Request({"type": "http", "method": "GET", "headers": []}))
    assert response.media_type is not None
    assert response.media_type.startswith("text/plain")
    body = response.body
    assert isinstance(body, bytes)
    return body.decode()


async def test_upstream_series_come_from_the_clients_counters() -> None:
    upstream = harness()
    await upstream.client.templates()
    await upstream.client.templates()
    metrics = Metrics(lambda: {"default": upstream.client})

    found = samples(await scrape(metrics))

    account = ("account", "default")
    assert (
        found[
            (
                "facade_upstream_calls_total",
                (account, ("command", "templates.get"), ("outcome", "ok")),
            )
        ]
        == 1
    )
    assert found[("facade_cache_reads_total", (account, ("result", "hit")))] == 1
    assert found[("facade_cache_reads_total", (account, ("result", "miss")))] == 1
    assert found[("facade_coalesced_waiters_total", (account,))] == 0
    assert found[("facade_breaker_state", (account,))] == 0


async def test_guard_rejections_and_the_breaker_are_reported() -> None:
    wrong = Credentials(login="demo", password="wrong")  # noqa: S106 - a wrong one
    upstream = harness(credentials=wrong)
    for _ in range(2):
        with pytest.raises(Exception):  # noqa: B017, PT011 - the error itself is tested elsewhere
            await upstream.client.groups()
    for _ in range(5):
        upstream.client.breaker.record_failure()
    assert upstream.client.breaker.state is BreakerState.OPEN
    found = samples(await scrape(Metrics(lambda: {"default": upstream.client})))
    rejections = {
        labels: value
        for (name, labels), value in found.items()
        if name == "facade_guard_rejections_total"
    }
    assert sum(rejections.values()) >= 1
    assert found[("facade_breaker_state", (("account", "default"),))] == 1


async def test_each_accounts_condition_and_auth_errors_are_reported() -> None:
    wrong = Credentials(login="demo", password="wrong")  # noqa: S106 - a wrong one
    refused, healthy = harness(credentials=wrong), harness()
    for _ in range(3):  # one reaches SMSC, the gate answers the others
        with pytest.raises(SmscAuthError):
            await refused.client.groups()
    await healthy.client.groups()
    found = samples(
        await scrape(Metrics(lambda: {"default": refused.client, "other": healthy.client}))
    )
    conditions = {
        labels: value
        for (name, labels), value in found.items()
        if name == "facade_account_condition"
    }
    assert len(conditions) == 2 * 5, "every condition of every account, 1 or 0"
    for account, now in (("default", "auth_failed"), ("other", "ok")):
        assert {
            dict(labels)["condition"]
            for labels, value in conditions.items()
            if dict(labels)["account"] == account and value == 1
        } == {now}
    assert found[("facade_smsc_auth_errors_total", (("account", "default"),))] == 1
    assert found[("facade_smsc_auth_errors_total", (("account", "other"),))] == 0


async def hello(_: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


async def test_requests_are_counted_and_timed_by_operation_template() -> None:
    metrics = Metrics(dict)
    app = Starlette(
        routes=[Route("/v1/things/{id}", hello), Route("/graphql", hello, methods=["POST"])],
        middleware=[Middleware(Observe, metrics=metrics)],
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        for id in ("1", "2", "79161234567"):
            await client.get(f"/v1/things/{id}?search=secret")
        await client.get("/v1/nowhere")
        await client.post("/graphql")

    found = samples(await scrape(metrics))
    rest = (("api", "rest"), ("operation", "GET /v1/things/{id}"))
    assert found[("facade_requests_total", (*rest, ("status", "200")))] == 3
    assert found[("facade_request_duration_seconds_count", rest)] == 3
    assert (
        found[
            (
                "facade_requests_total",
                (("api", "rest"), ("operation", "unmatched"), ("status", "404")),
            )
        ]
        == 1
    )
    assert (
        found[
            (
                "facade_requests_total",
                (("api", "graphql"), ("operation", "none"), ("status", "200")),
            )
        ]
        == 1
    )
    text = await scrape(metrics)
    assert "79161234567" not in text
    assert "secret" not in text


def test_classify_names_only_bounded_operations() -> None:
    assert classify({"path": "/healthz"}) == ("other", "unmatched")
    assert classify({"path": "/graphql", "facade.operation": "query templates"}) == (
        "graphql",
        "query templates",
    )
