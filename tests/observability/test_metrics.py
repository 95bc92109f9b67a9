"""`/metrics`: prometheus-client's parser reads it; the series carry bounded labels only."""

import math
from collections.abc import Awaitable, Callable

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from facade.errors import SmscAuthError, SmscBlocked, UpstreamUnavailable
from facade.observability.metrics import Metrics, classify
from facade.observability.middleware import Observe
from facade.smsc.commands import Credentials
from facade.upstream.client import SmscClient
from facade.upstream.limits import BreakerState
from facade.upstream.redis_state import connect
from facade.upstream.scaleout import Scaleout
from facade.upstream.transport import SmscTransport
from tests.loopback import free_port
from tests.upstream.harness import BASE_URL, DEMO, harness

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


async def test_smsc_error_answers_are_counted_by_code_from_zero() -> None:
    upstream = harness()
    upstream.emulator.limits.blocks.blocked_until["127.0.0.1"] = math.inf  # ASGITransport's
    with pytest.raises(SmscBlocked):
        await upstream.client.groups()
    with pytest.raises(SmscBlocked):  # the gate answers: not an answer SMSC gave
        await upstream.client.templates()
    upstream.client.stats.smsc_error(9)
    upstream.client.stats.smsc_error(104)
    found = samples(await scrape(Metrics(lambda: {"default": upstream.client})))

    errors = {
        dict(labels)["code"]: value
        for (name, labels), value in found.items()
        if name == "facade_smsc_errors_total"
    }
    assert errors == {
        **{str(code): 0 for code in range(1, 10)},
        "4": 1,
        "9": 1,
        "other": 1,
    }
    rejections = {
        dict(labels)["reason"]: value
        for (name, labels), value in found.items()
        if name == "facade_guard_rejections_total"
    }
    assert rejections == {"account_gate": 1, "breaker_open": 0, "budget": 0}


async def test_upstream_latency_is_a_histogram_by_command() -> None:
    def emulator_sleep() -> Callable[[float], Awaitable[None]]:
        async def sleep(seconds: float) -> None:
            upstream.clock.advance(seconds)

        return sleep

    upstream = harness(emulator_sleep=emulator_sleep())
    upstream.emulator.add_fault("latency", seconds=0.3, times=1)
    await upstream.client.templates()
    await upstream.client.groups()
    found = samples(await scrape(Metrics(lambda: {"default": upstream.client})))

    def bucket(command: str, le: str) -> float:
        labels = (("account", "default"), ("command", command), ("le", le))
        return found[("facade_upstream_duration_seconds_bucket", labels)]

    assert bucket("templates.get", "0.25") == 0
    assert bucket("templates.get", "0.5") == 1
    assert bucket("templates.get", "+Inf") == 1
    assert bucket("phones.get_group", "0.01") == 1
    templates = (("account", "default"), ("command", "templates.get"))
    assert found[("facade_upstream_duration_seconds_sum", templates)] == pytest.approx(0.3)
    assert found[("facade_upstream_duration_seconds_count", templates)] == 1
    assert found[("facade_upstream_in_flight", (("account", "default"),))] == 0
    limit = upstream.client.config.concurrency
    assert found[("facade_upstream_concurrency_limit", (("account", "default"),))] == limit


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
async def test_a_replica_without_redis_reports_itself_degraded() -> None:
    upstream = harness()
    redis = connect(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    config = upstream.client.config
    client = SmscClient(
        account="default",
        credentials=DEMO,
        transport=SmscTransport(upstream.http, base_urls=[BASE_URL], config=config),
        config=config,
        clock=upstream.clock,
        shared=Scaleout(redis, replicas=2).account("default", config=config, clock=upstream.clock),
    )
    try:
        # It starts no call while calls started under Redis may still run elsewhere.
        with pytest.raises(UpstreamUnavailable, match="busy"):
            await client.templates()
        found = samples(await scrape(Metrics(lambda: {"default": client})))
    finally:
        await redis.aclose()
    account = (("account", "default"),)
    assert found[("facade_cluster_degraded", account)] == 1
    assert found[("facade_cluster_redis_failures_total", account)] >= 1
    assert found[("facade_upstream_in_flight", account)] == 0


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
