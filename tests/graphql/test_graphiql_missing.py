"""Without GraphiQL's files (a checkout that never ran `make graphiql-assets`) the service starts
and serves the API; `/graphql` in a browser says how to install GraphiQL."""

import pathlib
import shutil
from collections.abc import AsyncIterator

import httpx
import pytest

from facade.app import create_app
from facade.graphql import graphiql
from facade.settings import Settings
from tests.loopback import free_port, running

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PACKAGE = pathlib.Path(graphiql.__file__).parents[1]
LOOPBACK = "127.0.0.1"


@pytest.fixture
async def client(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setattr(graphiql, "ASSETS_DIR", tmp_path / "absent")
    app = create_app(Settings.from_env({"FACADE_DATA_DIR": str(tmp_path / "data")}))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://f") as client,
    ):
        yield client


@pytest.mark.anyio
async def test_a_browser_is_told_how_to_install_graphiql(
    client: httpx.AsyncClient, tmp_path: pathlib.Path
) -> None:
    response = await client.get("/graphql", headers=BROWSER)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "GraphiQL is not installed" in response.text
    assert "<code>make graphiql-assets</code>" in response.text
    assert "<script" not in response.text
    assert str(tmp_path) not in response.text, "where the service is installed is not shown"


@pytest.mark.anyio
async def test_the_api_is_served_all_the_same(client: httpx.AsyncClient) -> None:
    graphql = await client.post("/graphql", json={"query": "{ templates { id } }"})
    rest = await client.get("/v1/templates")
    asset = await client.get(f"{graphiql.ASSETS_PATH}/{graphiql.assets()[0].key}")

    assert graphql.status_code == 200
    assert graphql.json()["data"]["templates"]
    assert rest.status_code == 200
    assert [t["id"] for t in rest.json()] == [t["id"] for t in graphql.json()["data"]["templates"]]
    assert asset.status_code == 404


@pytest.mark.enable_socket
@pytest.mark.allow_hosts([LOOPBACK])
def test_facade_serve_starts_from_a_package_without_them(tmp_path: pathlib.Path) -> None:
    """`facade serve` as an editable install of a fresh checkout runs it: the package without
    its static files (a copy, so the working tree is left alone)."""
    shutil.copytree(
        PACKAGE,
        tmp_path / "facade",
        ignore=shutil.ignore_patterns("static", "vendor", "__pycache__"),
    )
    # What a checkout has of the static files: /docs' own, not the installed ones.
    shutil.copytree(
        PACKAGE / "rest" / "static",
        tmp_path / "facade" / "rest" / "static",
        ignore=shutil.ignore_patterns("vendor"),
    )
    assert graphiql.missing_assets(tmp_path / "facade" / "graphql" / "static" / "assets")
    port = free_port()
    env = {"PYTHONPATH": str(tmp_path), "FACADE_DATA_DIR": str(tmp_path / "data")}
    with running(
        ["serve", "--port", str(port)], ready_path="/healthz", port=port, env=env, cwd=tmp_path
    ) as process:
        base = f"http://{LOOPBACK}:{port}"
        page = httpx.get(f"{base}/graphql", headers=BROWSER)
        graphql = httpx.post(f"{base}/graphql", json={"query": "{ templates { id } }"})
        rest = httpx.get(f"{base}/v1/templates")
        process.terminate()
        _, stderr = process.communicate(timeout=10)

    assert "make graphiql-assets" in page.text
    assert graphql.json()["data"]["templates"]
    assert rest.status_code == 200
    assert f"GraphiQL's files are not installed in {tmp_path}" in stderr
