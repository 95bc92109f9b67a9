"""deploy/: the Grafana dashboard, the alert rules and the scrape config, against a real Prometheus
scraping two real replicas (Redis, the emulator, client tokens), and promtool's unit tests."""

import json
import pathlib
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import yaml

from tests.prometheus_server import Prometheus, binary, prometheus
from tests.redis_server import redis_server
from tests.replicas import Cluster, cluster

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]

DEPLOY = pathlib.Path(__file__).parent.parent / "deploy"
DASHBOARD = DEPLOY / "grafana" / "smsc-facade.json"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
ALERT_TESTS = DEPLOY / "prometheus" / "alerts.test.yml"
SCRAPE_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
# Grafana's own intervals, as it would fill them in for a 1 s scrape interval.
GRAFANA_INTERVALS = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "5m"}
SCRAPE_INTERVAL = "1s"


def dashboard() -> dict[str, Any]:
    found: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return found


def panels(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in board["panels"]:
        yield panel
        yield from panel.get("panels", [])  # a collapsed row holds its panels


def panel_queries(board: dict[str, Any]) -> list[tuple[str, str]]:
    """(panel title, expression) of every query the panels run."""
    return [
        (panel["title"], target["expr"])
        for panel in panels(board)
        for target in panel.get("targets", [])
    ]


def substituted(expr: str) -> str:
    """What Grafana sends: its intervals, and every template variable as "All" (`.*`)."""
    for name, value in GRAFANA_INTERVALS.items():
        expr = expr.replace(name, value)
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", ".*", expr)


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"]]


def promtool(*args: str) -> str:
    done = subprocess.run(  # noqa: S603 - a fixed binary with fixed arguments
        [binary("promtool"), *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_promtool_checks_the_rules_and_unit_tests_every_alert() -> None:
    assert "SUCCESS" in promtool("check", "rules", str(ALERTS))
    assert "SUCCESS" in promtool("test", "rules", str(ALERT_TESTS))
    cases = yaml.safe_load(ALERT_TESTS.read_text(encoding="utf-8"))["tests"]
    fired = {
        check["alertname"]
        for case in cases
        for check in case["alert_rule_test"]
        if check["exp_alerts"]
    }
    assert fired == {rule["alert"] for rule in alert_rules()}, "a case that fires each alert"
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert {"summary", "description"} <= set(rule["annotations"])


def test_the_dashboard_is_an_importable_grafana_dashboard() -> None:
    board = dashboard()
    assert board["uid"] == "smsc-facade"
    assert board["id"] is None, "importable into any Grafana"
    variables = {variable["name"]: variable for variable in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    ids = [panel["id"] for panel in panels(board)]
    assert len(ids) == len(set(ids))
    taken: set[tuple[int, int]] = set()
    for panel in panels(board):
        grid = panel["gridPos"]
        assert 0 <= grid["x"] < grid["x"] + grid["w"] <= 24, panel["title"]
        cells = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not cells & taken, f"{panel['title']} overlaps another panel"
        taken |= cells
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        refs = [target["refId"] for target in panel["targets"]]
        assert refs, panel["title"]
        assert len(refs) == len(set(refs)), panel["title"]
    used: set[str] = set()
    for _, expr in panel_queries(board):
        used |= set(re.findall(r"\$\{?(\w+)", expr)) - {name[1:] for name in GRAFANA_INTERVALS}
    assert used <= set(variables), "every variable a query uses is defined"
    # What operators look for, and the series the facade exports, each on some panel.
    exprs = " ".join(expr for _, expr in panel_queries(board))
    for series in (
        "facade_requests_total",
        "facade_request_duration_seconds_bucket",
        "facade_upstream_calls_total",
        "facade_upstream_duration_seconds_bucket",
        "facade_smsc_errors_total",
        "facade_cache_reads_total",
        "facade_coalesced_waiters_total",
        "facade_guard_rejections_total",
        "facade_upstream_in_flight",
        "facade_upstream_concurrency_limit",
        "facade_breaker_state",
        "facade_account_condition",
        "facade_smsc_auth_errors_total",
        "facade_cluster_degraded",
        "facade_cluster_redis_failures_total",
    ):
        assert series in exprs, series


def scrape_config(facade: Cluster, token_file: pathlib.Path) -> dict[str, Any]:
    """deploy/prometheus/prometheus.yml with the loopback replicas as targets, a short interval
    and the rules by absolute path; the token scheme as operators have it."""
    config: dict[str, Any] = yaml.safe_load(SCRAPE_CONFIG.read_text(encoding="utf-8"))
    config["global"] = {"scrape_interval": SCRAPE_INTERVAL, "evaluation_interval": "1s"}
    config["rule_files"] = [str(ALERTS)]
    (job,) = config["scrape_configs"]
    assert job["authorization"]["type"] == "Bearer"
    job["authorization"]["credentials_file"] = str(token_file)
    del job["dns_sd_configs"]
    job["static_configs"] = [{"targets": [url.removeprefix("http://") for url in facade.replicas]}]
    return config


def drive_traffic(facade: Cluster) -> None:
    """Reads over REST and GraphQL on both replicas, then SMSC failing: 502s from its front
    (the breaker of the first replica opens), then error 2 (credentials refused)."""
    first, second = facade.replicas
    query = {"query": "query Templates { templates { id name } }"}
    for replica in facade.replicas:
        for _ in range(2):
            assert httpx.get(f"{replica}/v1/templates", headers=facade.auth).status_code == 200
            graphql = httpx.post(f"{replica}/graphql", json=query, headers=facade.auth)
            assert graphql.status_code == 200, graphql.text
    facade.fault(kind="status", status=502, path="phones.php")
    # Two attempts each (the identical-request budget refuses the third): the fifth failure in
    # a row opens the breaker, which refuses the sixth.
    for path in ("/v1/groups", "/v1/contacts", "/v1/contacts?search=anna"):
        assert httpx.get(f"{first}{path}", headers=facade.auth, timeout=30).status_code >= 500
    facade.clear_faults()
    facade.fault(kind="auth", times=1)
    assert httpx.get(f"{second}/v1/blacklist", headers=facade.auth).status_code >= 400
    facade.clear_faults()


def eventually(check: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout:g} s: {what}"
        time.sleep(0.25)


def test_prometheus_scrapes_the_replicas_and_evaluates_every_expression(
    tmp_path: pathlib.Path,
) -> None:
    board = dashboard()
    token_file = tmp_path / "facade-token"
    with (
        redis_server() as redis_url,
        cluster(tmp_path, redis_url) as facade,
    ):
        token_file.write_text(facade.ops["Authorization"].removeprefix("Bearer "))
        (tmp_path / "prometheus").mkdir()
        with prometheus(scrape_config(facade, token_file), tmp_path / "prometheus") as server:
            eventually(
                lambda: sum(float(s["value"][1]) for s in server.query("up")) == 2,
                "both replicas scraped with the admin token",
            )
            drive_traffic(facade)

            def shows(expr: str) -> Callable[[], bool]:
                return lambda: bool(server.query(expr))

            eventually(shows('facade_smsc_errors_total{code="2"} > 0'), "error 2 scraped")
            eventually(shows("facade_breaker_state == 1"), "the open breaker scraped")
            for title, expr in panel_queries(board):
                eventually(shows(substituted(expr)), f"data on the panel {title!r}: {expr}")
            check_annotations_and_variables(server, board)
            check_rules(server)


def check_annotations_and_variables(server: Prometheus, board: dict[str, Any]) -> None:
    for annotation in board["annotations"]["list"]:
        if "expr" in annotation:
            server.query(substituted(annotation["expr"]))
    for variable in board["templating"]["list"]:
        if variable["type"] != "query":
            continue
        found = re.fullmatch(r"label_values\((.+), (\w+)\)", variable["definition"])
        assert found is not None, variable["definition"]
        selector, label = found.groups()
        values = server.api(f"label/{label}/values", **{"match[]": substituted(selector)})
        assert values, variable["name"]


def check_rules(server: Prometheus) -> None:
    rules = alert_rules()
    for rule in rules:
        server.query(rule["expr"])

    def evaluated() -> bool:
        groups = server.api("rules")["groups"]
        return {group["name"] for group in groups} == {"smsc-facade"} and all(
            rule["health"] == "ok" for group in groups for rule in group["rules"]
        )

    eventually(evaluated, "every rule loaded and evaluated")
    (group,) = server.api("rules")["groups"]
    assert [rule["name"] for rule in group["rules"]] == [rule["alert"] for rule in rules]
    # The rules match what the replicas export: these two are under way (`for` not yet over).
    alerts = {alert["labels"]["alertname"] for alert in server.api("alerts")["alerts"]}
    assert {"FacadeBreakerOpen", "FacadeSmscAuthFailing"} <= alerts, alerts
