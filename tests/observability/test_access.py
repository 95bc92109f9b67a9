"""Who may read what the service says about itself: /metrics, /openapi.json, /docs, /readyz.

Outside sandbox mode: /metrics needs a token with the `admin` scope (its series name every
account), the API's description (/openapi.json) any valid token, and /docs none: its page holds
no API shape and asks for a token to fetch the description; /healthz and /readyz stay open to
load balancers but tell a caller without an `admin` token no more than a status. Sandbox mode is
open.
"""

import pathlib
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from facade.app import create_app
from facade.credentials.scopes import Scope
from facade.observability.health import health_endpoints
from facade.settings import Settings
from tests.production import Production, production
from tests.rest.conftest import assert_problem

pytestmark = pytest.mark.anyio

UNKNOWN = {"Authorization": "Bearer smscf_" + "A" * 43}


@pytest.fixture
async def service(tmp_path: pathlib.Path) -> AsyncIterator[Production]:
    async with production(tmp_path) as found:
        yield found


@pytest.mark.parametrize("path", ["/metrics", "/openapi.json"])
@pytest.mark.parametrize(
    "headers",
    [{}, UNKNOWN, {"Authorization": "Basic Y2FuYXJ5OnB3"}],
    ids=["missing", "unknown", "basic"],
)
async def test_without_a_valid_token_they_are_401(
    service: Production, path: str, headers: dict[str, str]
) -> None:
    response = await service.client.get(path, headers=headers)
    assert_problem(response, 401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"] == "Bearer"
    assert "default" not in response.text


@pytest.mark.parametrize("scope", [Scope.READ, Scope.WRITE])
async def test_metrics_need_the_admin_scope(service: Production, scope: Scope) -> None:
    response = await service.client.get("/metrics", headers=service.auth(scope))
    assert_problem(response, 403, "FORBIDDEN")
    assert "admin" in response.json()["detail"]


async def test_an_admin_token_scrapes_the_metrics(service: Production) -> None:
    await service.client.get("/v1/templates", headers=service.auth())
    response = await service.client.get("/metrics", headers=service.auth(Scope.ADMIN))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'facade_cache_reads_total{account="default",result="miss"} 1.0' in response.text


@pytest.mark.parametrize("scope", list(Scope))
async def test_any_valid_token_reads_the_apis_description(
    service: Production, scope: Scope
) -> None:
    response = await service.client.get("/openapi.json", headers=service.auth(scope))
    assert response.status_code == 200
    assert "listTemplates" in response.text


@pytest.mark.parametrize("headers", [{}, UNKNOWN], ids=["missing", "unknown"])
async def test_the_docs_page_answers_everyone_and_shows_no_api_shape(
    service: Production, headers: dict[str, str]
) -> None:
    response = await service.client.get("/docs", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "/v1/" not in response.text
    assert "listTemplates" not in response.text


async def test_a_head_request_is_refused_alike(service: Production) -> None:
    assert (await service.client.head("/openapi.json")).status_code == 401
    assert (await service.client.head("/metrics", headers=service.auth())).status_code == 403


@pytest.mark.parametrize(
    "headers", [{}, UNKNOWN, {"Authorization": "Bearer x"}], ids=["missing", "unknown", "bad"]
)
async def test_probes_answer_without_a_token_and_say_only_the_status(
    service: Production, headers: dict[str, str]
) -> None:
    await service.client.get("/v1/templates", headers=service.auth())
    alive = await service.client.get("/healthz", headers=headers)
    ready = await service.client.get("/readyz", headers=headers)
    assert alive.status_code == 200
    assert alive.json() == {"status": "ok", "sandbox": False}
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}
    assert ready.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("scope", [Scope.READ, Scope.WRITE])
async def test_readiness_details_need_the_admin_scope(service: Production, scope: Scope) -> None:
    ready = await service.client.get("/readyz", headers=service.auth(scope))
    assert ready.json() == {"status": "ok"}


async def test_an_admin_token_reads_the_readiness_details(service: Production) -> None:
    await service.client.get("/v1/templates", headers=service.auth())
    ready = await service.client.get("/readyz", headers=service.auth(Scope.ADMIN))
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ok",
        "sandbox": False,
        "smsc": {"default": "ok"},
        "checks": {"data_dir": "ok"},
    }


async def test_an_unready_replica_says_so_by_its_status_alone() -> None:
    _, readyz = health_endpoints(
        {}, {"redis": lambda: "Redis has not answered"}, sandbox=False, detailed=lambda _: False
    )
    app = Starlette(routes=[Route("/readyz", readyz)])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://f"
    ) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "fail"}


async def test_sandbox_mode_keeps_them_open() -> None:
    app = create_app(Settings.from_env({}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://f") as client,
    ):
        answers = {
            path: await client.get(path)
            for path in ("/metrics", "/openapi.json", "/docs", "/healthz", "/readyz")
        }
    assert {path: r.status_code for path, r in answers.items()} == dict.fromkeys(answers, 200)
    assert answers["/readyz"].json()["smsc"] == {"default": "unknown"}
