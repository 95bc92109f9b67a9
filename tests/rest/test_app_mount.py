"""`create_app` serves REST beside GraphQL and /healthz."""

import httpx
import pytest

from facade.app import create_app
from facade.settings import Settings

pytestmark = pytest.mark.anyio


async def test_create_app_serves_rest_graphql_and_healthz() -> None:
    app = create_app(Settings.from_env({}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        rest = await client.get("/v1/templates")
        graphql = await client.post("/graphql", json={"query": "{ templates { id } }"})
        health = await client.get("/healthz")
        document = await client.get("/openapi.json")

    assert rest.status_code == 200
    assert [t["id"] for t in rest.json()] == [t["id"] for t in graphql.json()["data"]["templates"]]
    assert health.json() == {"status": "ok", "sandbox": True}
    assert "/v1/templates/{id}" in document.json()["paths"]
