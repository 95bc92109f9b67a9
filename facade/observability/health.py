"""`/healthz` (the process is alive) and `/readyz` (it can do its job), never spending SMSC's budget.

Readiness says whether this replica can serve: it is not ready only when a check of its own fails
(`checks`: the data directory, Redis when configured). What it knows of SMSC, from calls clients
made anyway, goes to the details: `ok` (SMSC answered), `unknown` (nothing asked yet),
`unreachable` (the circuit breaker is open), `ip_blocked` (error 4: served from cache until the
pause ends), `auth_failed` (error 2: probed again on a back-off, `facade.upstream.auth_errors`).
Those are SMSC's state, which every replica shares: failing readiness on them would take every
replica out of the load balancer, and with them the cached reads they still serve.

Both stay open to load balancers, which send no token, but say no more than a status to them:
account names, checks and the Redis state go only to callers `detailed` admits (the service:
a token with the `admin` scope, as for /metrics; anyone in sandbox mode).
"""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse

from facade.upstream.client import SmscClient
from facade.upstream.limits import BreakerState

# A named check: None when fine, else a short reason (no secrets: operators read it).
Check = Callable[[], str | None]

# Every value `smsc_condition` takes (the metrics report each as a series).
CONDITIONS: Final = ("ok", "unknown", "unreachable", "ip_blocked", "auth_failed")


def smsc_condition(client: SmscClient) -> str:
    condition = client.gate.condition
    if condition is not None:
        return condition
    if client.breaker.state is not BreakerState.CLOSED:
        return "unreachable"
    answered = any(outcome == "ok" for (_, outcome) in client.stats.upstream_calls)
    return "ok" if answered else "unknown"


def readiness(
    clients: Mapping[str, SmscClient],
    checks: Mapping[str, Check],
    *,
    sandbox: bool,
    conditions: Mapping[str, Callable[[], str]] | None = None,
) -> tuple[int, dict[str, Any]]:
    """`conditions` and SMSC's state are reported, never failed: Redis `degraded` is a state the
    replica serves in (alone, with SMSC's limits divided), and SMSC's is the same for every
    replica (module docstring), so taking this one out of the load balancer would help no one."""
    smsc = {account: smsc_condition(client) for account, client in clients.items()}
    failed = {name: reason for name, check in checks.items() if (reason := check()) is not None}
    body: dict[str, Any] = {
        "status": "fail" if failed else "ok",
        "sandbox": sandbox,
        "smsc": smsc,
        "checks": {name: failed.get(name, "ok") for name in (*checks, *failed)},
    }
    for name, condition in (conditions or {}).items():
        body[name] = condition()
    return (503 if failed else 200), body


def health_endpoints(
    clients: Mapping[str, SmscClient],
    checks: Mapping[str, Check],
    *,
    sandbox: bool,
    conditions: Mapping[str, Callable[[], str]] | None = None,
    refresh: Callable[[], Awaitable[None]] | None = None,
    detailed: Callable[[Request], bool] | None = None,
) -> tuple[Callable[[Request], Any], Callable[[Request], Any]]:
    """`refresh` runs before each readiness answer (a Redis PING: never SMSC). A caller
    `detailed` refuses gets the status alone (and the same HTTP status); None admits all."""

    async def healthz(_: Request) -> JSONResponse:
        """The process is alive and accepts requests."""
        return JSONResponse({"status": "ok", "sandbox": sandbox})

    async def readyz(request: Request) -> JSONResponse:
        if refresh is not None:
            await refresh()
        status, body = readiness(clients, checks, sandbox=sandbox, conditions=conditions)
        if detailed is not None and not detailed(request):
            body = {"status": body["status"]}
        return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    return healthz, readyz
