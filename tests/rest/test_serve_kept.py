"""Repeated REST reads answered before routing: only to callers the routes would answer."""

import pathlib
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from facade.credentials.scopes import Scope
from facade.rest.kept import KeptBodies, KeptBody, ServeKept
from facade.upstream import reads
from tests.production import production
from tests.upstream.harness import harness

pytestmark = pytest.mark.anyio


def _counting(service: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    client = service.app.state.clients["default"]
    original = client.templates
    seen: list[str] = []

    async def templates() -> Any:
        seen.append("templates")
        return await original()

    monkeypatch.setattr(client, "templates", templates)
    return seen


async def test_a_repeat_is_served_without_routing_and_keeps_its_metrics_name(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with production(tmp_path) as service:
        seen = _counting(service, monkeypatch)
        headers = {"Authorization": f"Bearer {service.tokens[Scope.READ]}"}
        first = await service.client.get("/v1/templates", headers=headers)
        second = await service.client.get("/v1/templates", headers=headers)
        assert second.status_code == 200
        assert second.content == first.content
        assert second.headers["x-facade-cache"] == "hit"
        assert second.headers["x-request-id"] != first.headers["x-request-id"]
        assert seen == ["templates"]
        metrics = (await service.client.get("/metrics", headers=service.auth(Scope.ADMIN))).text
        assert (
            'facade_requests_total{api="rest",operation="GET /v1/templates",status="200"} 2.0'
            in metrics
        )


async def test_no_token_or_a_revoked_one_is_answered_by_the_routes(
    tmp_path: pathlib.Path,
) -> None:
    async with production(tmp_path) as service:
        headers = {"Authorization": f"Bearer {service.tokens[Scope.READ]}"}
        assert (await service.client.get("/v1/templates", headers=headers)).status_code == 200
        anonymous = await service.client.get("/v1/templates")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        service.store.revoke("client-read")
        revoked = await service.client.get("/v1/templates", headers=headers)
        assert revoked.status_code == 401


async def _plain(_: Request) -> PlainTextResponse:
    return PlainTextResponse("routed")


async def test_bodies_are_kept_per_account_and_for_the_scope_they_need() -> None:
    """`ServeKept` alone, with callers told apart by a header: account `a` or `b`, and a
    scope each."""
    h = harness()
    with reads.recording() as log:
        fetched = await h.client.templates()
    assert fetched.read is not None
    kept = KeptBodies()
    body = KeptBody(b"[]", '"t"', {}, 60.0, fetched.read, Scope.WRITE)
    kept.put(("a", "/v1/things", b""), log, body)

    def account_of(request: Request, scope: Scope) -> str | None:
        account, _, allowed = request.headers.get("x-caller", "").partition(":")
        granted = {"read": {Scope.READ}, "write": {Scope.READ, Scope.WRITE}}.get(allowed, set())
        return account if scope in granted else None

    app = Starlette(
        routes=[Route("/v1/things", _plain, methods=["GET", "POST"])],
        middleware=[Middleware(ServeKept, kept=kept, account_of=account_of)],
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:

        async def as_caller(caller: str, method: str = "GET") -> str:
            response = await client.request(method, "/v1/things", headers={"x-caller": caller})
            return response.text

        assert await as_caller("a:write") == "[]"
        assert await as_caller("a:read") == "routed", "the body needs write"
        assert await as_caller("b:write") == "routed", "another account's body"
        assert await as_caller("a:write", "POST") == "routed"
        assert await as_caller("") == "routed"
