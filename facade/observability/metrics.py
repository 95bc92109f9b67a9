"""`/metrics` in Prometheus' text format (prometheus-client).

Two sources: the request middleware (`RequestMetrics`: counts and latency by API and operation)
and, read at scrape time, the counters every `SmscClient` keeps (`facade.upstream.stats`), so the
upstream layer needs no metrics library. Label values are bounded: account names from the
configuration, operation names from the route table or the schema's root fields, commands,
outcomes and SMSC's error codes from fixed tables. Nothing carries a parameter, a phone, a token
or a credential.
"""

from collections.abc import Callable, Iterator, Mapping
from typing import Final

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from facade.graphql.http import OPERATION_KEY
from facade.observability.health import CONDITIONS, smsc_condition
from facade.upstream.client import SmscClient
from facade.upstream.limits import BreakerState
from facade.upstream.stats import DURATION_BUCKETS, SMSC_ERROR_CODES, Durations

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
# The scope key where an API names the operation it served (GraphQL: `query templates`).
# Seconds: cached reads take well under a millisecond, SMSC calls up to the transport deadline.
BUCKETS: Final = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
)
_BREAKER: Final = {BreakerState.CLOSED: 0.0, BreakerState.HALF_OPEN: 0.5, BreakerState.OPEN: 1.0}
# Reported from the first scrape, at 0, so that the first refusal is an increase (alert rules).
_GUARD_REASONS: Final = ("account_gate", "breaker_open", "budget")


class UpstreamCollector(Collector):
    """Reads every account client's counters when Prometheus scrapes."""

    def __init__(self, clients: Callable[[], Mapping[str, SmscClient]]) -> None:
        self._clients = clients

    def collect(self) -> Iterator[Metric]:
        calls = CounterMetricFamily(
            "facade_upstream_calls",
            "Requests sent to SMSC, by account, command and outcome.",
            labels=["account", "command", "outcome"],
        )
        durations = HistogramMetricFamily(
            "facade_upstream_duration_seconds",
            "Time one request to SMSC took, from its admission to its outcome, by command.",
            labels=["account", "command"],
        )
        smsc_errors = CounterMetricFamily(
            "facade_smsc_errors",
            "Error envelopes SMSC answered, by code (1 to 9, else other): 9 too many requests, "
            "4 address blocked, 2 credentials refused.",
            labels=["account", "code"],
        )
        in_flight = GaugeMetricFamily(
            "facade_upstream_in_flight",
            "Requests to SMSC this replica has under way (holding a slot of the concurrency cap).",
            labels=["account"],
        )
        cap = GaugeMetricFamily(
            "facade_upstream_concurrency_limit",
            "The concurrency cap per SMSC login (shared by the replicas with Redis).",
            labels=["account"],
        )
        cache = CounterMetricFamily(
            "facade_cache_reads",
            "Cached reads by result: hit, miss (asked SMSC) or stale (served past freshness).",
            labels=["account", "result"],
        )
        coalesced = CounterMetricFamily(
            "facade_coalesced_waiters",
            "Reads that waited for an identical read already asking SMSC.",
            labels=["account"],
        )
        rejected = CounterMetricFamily(
            "facade_guard_rejections",
            "Calls the guard refused before SMSC could: budget, cap, breaker, account gate.",
            labels=["account", "reason"],
        )
        degraded = GaugeMetricFamily(
            "facade_cluster_degraded",
            "1 while Redis is out of reach and this replica carries on alone (FACADE_REDIS_URL).",
            labels=["account"],
        )
        redis_failures = CounterMetricFamily(
            "facade_cluster_redis_failures",
            "Redis operations that failed and were answered from this process instead.",
            labels=["account"],
        )
        breaker = GaugeMetricFamily(
            "facade_breaker_state",
            "The circuit breaker: 0 closed, 0.5 half-open, 1 open.",
            labels=["account"],
        )
        condition = GaugeMetricFamily(
            "facade_account_condition",
            "1 for what this replica last learned of the account at SMSC (ok, unknown, "
            "unreachable, ip_blocked, auth_failed), 0 for the others.",
            labels=["account", "condition"],
        )
        auth_errors = CounterMetricFamily(
            "facade_smsc_auth_errors",
            "Error 2 answers (credentials refused) SMSC gave this replica.",
            labels=["account"],
        )
        for account, client in self._clients().items():
            stats = client.stats
            now = smsc_condition(client)
            for name in CONDITIONS:
                condition.add_metric([account, name], float(name == now))
            auth_errors.add_metric([account], client.gate.auth_errors)
            for (command, outcome), count in sorted(stats.upstream_calls.items()):
                calls.add_metric([account, command, outcome], count)
            for command, histogram in sorted(stats.durations.items()):
                durations.add_metric(
                    [account, command], _buckets(histogram), sum_value=histogram.total
                )
            for code in (*SMSC_ERROR_CODES, "other"):
                smsc_errors.add_metric([account, code], stats.smsc_errors.get(code, 0))
            cluster = client.cluster
            in_flight.add_metric(
                [account], client.cap.in_flight if cluster is None else cluster.in_flight
            )
            cap.add_metric([account], client.config.concurrency)
            for result in ("hit", "miss", "stale"):
                cache.add_metric([account, result], stats.cache.get(result, 0))
            coalesced.add_metric([account], stats.coalesced_waiters)
            for reason in sorted({*_GUARD_REASONS, *stats.guard_rejections}):
                rejected.add_metric([account, reason], stats.guard_rejections.get(reason, 0))
            breaker.add_metric([account], _BREAKER[client.breaker.state])
            if cluster is not None:
                degraded.add_metric([account], float(cluster.degraded))
                redis_failures.add_metric([account], cluster.failures)
        yield from (calls, durations, smsc_errors, in_flight, cap)
        yield from (cache, coalesced, rejected, breaker, degraded, redis_failures)
        yield from (condition, auth_errors)


def _buckets(histogram: Durations) -> list[tuple[str, float]]:
    """Cumulative (le, count) pairs, +Inf last, as Prometheus histograms have them."""
    bounds = [*map(floatToGoString, DURATION_BUCKETS), "+Inf"]
    cumulative, found = 0, []
    for bound, count in zip(bounds, histogram.counts, strict=True):
        cumulative += count
        found.append((bound, float(cumulative)))
    return found


class CountCollector(Collector):
    """One process-wide counter read at scrape time (idempotency replays, ...)."""

    def __init__(self, name: str, documentation: str, count: Callable[[], int]) -> None:
        self._name = name
        self._documentation = documentation
        self._count = count

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(self._name, self._documentation)
        family.add_metric([], self._count())
        yield family


class Metrics:
    """The registry of one app (not the process-global one: tests build many apps)."""

    def __init__(self, clients: Callable[[], Mapping[str, SmscClient]]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "facade_requests",
            "HTTP requests by API, operation and status.",
            ["api", "operation", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "facade_request_duration_seconds",
            "Time from the request's arrival to the end of its response, by API and operation.",
            ["api", "operation"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.registry.register(UpstreamCollector(clients))
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}

    def register(self, collector: Collector) -> None:
        self.registry.register(collector)

    def observe(self, api: str, operation: str, status: int, seconds: float) -> None:
        # The label children, looked up once per combination (bounded: `classify`); the lookup
        # through `labels()` was a measurable share of a cached read's time.
        key = (api, operation, status)
        children = self._children.get(key)
        if children is None:
            children = (
                self.requests.labels(api, operation, str(status)),
                self.latency.labels(api, operation),
            )
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    async def endpoint(self, _: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE)


def classify(scope: Scope) -> tuple[str, str]:
    """(api, operation) of a served request, from bounded sets only."""
    path: str = scope.get("path", "")
    named = scope.get(OPERATION_KEY)
    if path == "/graphql":
        return "graphql", named if isinstance(named, str) else "none"
    route = scope.get("route")
    template = getattr(route, "path", None)
    if path.startswith("/v1/"):
        operation = f"{scope.get('method', '')} {template}" if template else "unmatched"
        return "rest", operation
    return "other", template if isinstance(template, str) else "unmatched"
