"""`/docs`: a page shell (Swagger UI's files and its own script, no API shape) served to everyone
from local files under a self-only Content-Security-Policy; without Swagger UI's files, a page
that says how to install them."""

import pathlib
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from facade import vendored
from facade.rest.docs import (
    ASSETS_PATH,
    CONTENT_SECURITY_POLICY,
    STATIC_DIR,
    docs_routes,
    render_page,
)

pytestmark = pytest.mark.anyio

URL_ATTRIBUTE = re.compile(r'\b(?:src|href)="([^"]*)"')
INTEGRITY = re.compile(r'\b(?:src|href)="([^"]*)" integrity="([^"]*)"')
TITLE = "smsc-facade REST API"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with _client(Starlette(routes=docs_routes(TITLE))) as client:
        yield client


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://facade")


async def test_the_page_is_a_shell_of_local_files(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    urls = URL_ATTRIBUTE.findall(response.text)
    assert urls == [
        "data:,",
        *(f"{ASSETS_PATH}/vendor/{asset.key}" for asset in vendored.SWAGGER_UI.assets[:1]),
        f"{ASSETS_PATH}/docs.css",
        f"{ASSETS_PATH}/vendor/{vendored.SWAGGER_UI.assets[1].key}",
        f"{ASSETS_PATH}/docs.js",
    ]
    assert 'data-spec="/openapi.json"' in response.text
    assert "/v1/" not in response.text


async def test_swagger_uis_files_carry_their_sri_hashes(client: httpx.AsyncClient) -> None:
    page = (await client.get("/docs")).text
    found = dict(INTEGRITY.findall(page))
    assert found == {
        f"{ASSETS_PATH}/vendor/{asset.key}": asset.integrity for asset in vendored.SWAGGER_UI.assets
    }


async def test_the_page_allows_nothing_but_its_own_origin(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs")
    policy = dict(
        directive.strip().split(" ", 1) for directive in CONTENT_SECURITY_POLICY.split(";")
    )

    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert policy["default-src"] == "'none'"
    assert policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'"
    assert {policy[name] for name in ("script-src", "style-src", "connect-src")} == {"'self'"}
    assert "unsafe" not in CONTENT_SECURITY_POLICY
    assert "<script>" not in response.text, "no inline script: script-src 'self'"
    assert "style=" not in response.text, "no inline style: style-src 'self'"


@pytest.mark.parametrize("asset", vendored.SWAGGER_UI.assets, ids=lambda asset: asset.path)
async def test_swagger_uis_files_are_the_pinned_ones(
    client: httpx.AsyncClient, asset: vendored.Asset
) -> None:
    response = await client.get(f"{ASSETS_PATH}/vendor/{asset.key}")

    assert response.status_code == 200
    kind = "javascript" if asset.path.endswith(".js") else "css"
    assert response.headers["content-type"] == f"text/{kind}; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert asset.matches(response.content)


@pytest.mark.parametrize("name", ["docs.js", "docs.css"])
async def test_the_pages_own_files_are_revalidated(client: httpx.AsyncClient, name: str) -> None:
    response = await client.get(f"{ASSETS_PATH}/{name}")

    assert response.status_code == 200
    assert response.content == (STATIC_DIR / name).read_bytes()
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-type"].endswith("; charset=utf-8")


@pytest.mark.parametrize(
    "path",
    ["vendor/swagger-ui-dist@5.36.0/package.json", "vendor", "missing.js", "../docs.py"],
)
async def test_nothing_else_is_served(client: httpx.AsyncClient, path: str) -> None:
    assert (await client.get(f"{ASSETS_PATH}/{path}")).status_code == 404


def test_the_title_is_escaped() -> None:
    assert "<title>a &lt;b&gt; &amp; c</title>" in render_page("a <b> & c")


async def test_without_swagger_ui_the_page_says_how_to_install_it(
    tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="facade.rest.docs"):
        routes = docs_routes(TITLE, tmp_path / "absent")
    async with _client(Starlette(routes=routes)) as client:
        page = await client.get("/docs")
        bundle = await client.get(f"{ASSETS_PATH}/vendor/{vendored.SWAGGER_UI.assets[1].key}")

    assert page.status_code == 200
    assert "Swagger UI is not installed" in page.text
    assert "<code>make docs-ui-assets</code>" in page.text
    assert '<a href="/openapi.json">' in page.text
    assert "<script" not in page.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert bundle.status_code == 404
    assert "`make docs-ui-assets`" in caplog.text
