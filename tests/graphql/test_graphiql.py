"""GraphiQL's page and files, served by the service itself from the pinned npm packages."""

import base64
import hashlib
import json
import pathlib
import re
import shutil
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from strawberry.http.ides import get_graphql_ide_html

from facade import vendored
from facade.errors import ConfigError
from facade.graphql import graphiql
from facade.graphql.graphiql import (
    ASSETS_PATH,
    SANDBOX_EXAMPLE_QUERY,
    asset_routes,
    assets,
    install_assets,
    missing_assets,
    render_page,
)
from tests.graphql.conftest import GraphQLCall

NODE_MODULES = pathlib.Path(__file__).parents[2] / "graphiql" / "node_modules"
PACKAGE_JSON = NODE_MODULES.parent / "package.json"
STRAWBERRY_PAGE = get_graphql_ide_html("graphiql")
URL_ATTRIBUTE = re.compile(r'\b(?:src|href)="([^"]*)"')


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=asset_routes())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        yield client


def test_the_seven_files_of_strawberrys_page_are_the_pinned_packages() -> None:
    pinned = json.loads(PACKAGE_JSON.read_text())["dependencies"]
    found = assets()
    assert len(found) == 7
    assert {asset.package: asset.version for asset in found} == pinned


def test_page_loads_only_local_assets() -> None:
    page = render_page()
    urls = URL_ATTRIBUTE.findall(page)
    assert "unpkg" not in page
    assert [url for url in urls if not url.startswith("data:")] == [
        f"{ASSETS_PATH}/{asset.key}" for asset in assets()
    ]


def test_page_keeps_valid_sri_hashes() -> None:
    page = render_page()
    for asset in assets():
        assert f'"{ASSETS_PATH}/{asset.key}"\n      integrity="{asset.integrity}"' in page


def test_page_without_example_keeps_strawberrys_welcome() -> None:
    assert "# Welcome to GraphiQL" in render_page()


def test_page_opens_with_the_example_query() -> None:
    page = render_page(example_query=SANDBOX_EXAMPLE_QUERY)
    assert f"const EXAMPLE_QUERY = {json.dumps(SANDBOX_EXAMPLE_QUERY)};" in page
    assert "# Welcome to GraphiQL" not in page


def test_example_query_cannot_close_the_script() -> None:
    query = "# `${x}` </script><script>alert(1)</script> & \u2028\n{ templates { id } }"
    page = render_page(example_query=query)
    assert page.count("</script>") == STRAWBERRY_PAGE.count("</script>")
    literal = re.search(r"const EXAMPLE_QUERY = (.*);\n", page)
    assert literal is not None
    assert json.loads(literal[1]) == query


def test_page_queries_the_given_endpoint() -> None:
    assert 'new URL("/api/graphql", window.location.href).href' in render_page(
        endpoint="/api/graphql"
    )
    assert 'new URL("/graphql", window.location.href).href' in render_page()


def test_page_fails_loudly_when_strawberrys_template_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(graphiql, "get_graphql_ide_html", lambda _: "<html></html>")
    with pytest.raises(RuntimeError, match="strawberry's GraphiQL page changed"):
        render_page(endpoint="/changed")


@pytest.mark.anyio
async def test_sandbox_example_query_runs(graphql: GraphQLCall) -> None:
    body = await graphql(SANDBOX_EXAMPLE_QUERY)
    assert "errors" not in body
    assert body["data"]["templates"]
    assert {"id", "name", "message", "segments"} == set(body["data"]["templates"][0])


@pytest.mark.anyio
@pytest.mark.parametrize("asset", assets(), ids=lambda asset: asset.key)
async def test_assets_are_the_pinned_files(
    client: httpx.AsyncClient, asset: vendored.Asset
) -> None:
    response = await client.get(f"{ASSETS_PATH}/{asset.key}")
    assert response.status_code == 200
    kind = "javascript" if asset.path.endswith(".js") else "css"
    assert response.headers["content-type"] == f"text/{kind}; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.content == (NODE_MODULES / asset.package / asset.path).read_bytes()
    assert asset.matches(response.content)


@pytest.mark.anyio
async def test_unknown_asset_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{ASSETS_PATH}/graphiql@3.8.3/package.json")
    assert response.status_code == 404


@pytest.mark.anyio
async def test_revalidation_keeps_the_cache_headers(client: httpx.AsyncClient) -> None:
    url = f"{ASSETS_PATH}/{assets()[0].key}"
    etag = (await client.get(url)).headers["etag"]
    response = await client.get(url, headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_missing_assets_are_no_routes_and_a_warning_naming_the_make_target(
    tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="facade.graphql.graphiql"):
        assert asset_routes(tmp_path / "assets") == []
    assert "`make graphiql-assets`" in caplog.text
    assert "react@18.2.0/umd/react.production.min.js" in caplog.text
    assert missing_assets(tmp_path / "assets") == [asset.key for asset in assets()]


def test_the_installed_files_are_the_ones_a_wheel_build_copies() -> None:
    """setup.py cannot ask strawberry (not installed while a wheel builds): it copies
    `vendored.GRAPHIQL`, which must stay the page's own list."""
    assert vendored.GRAPHIQL.assets == assets()
    assert vendored.GRAPHIQL.target == graphiql.ASSETS_DIR
    assert missing_assets() == vendored.GRAPHIQL.missing() == []


def test_install_copies_the_files_byte_for_byte(tmp_path: pathlib.Path) -> None:
    target = tmp_path / "static" / "assets"
    target.mkdir(parents=True)
    (target / "stale.js").write_text("old")
    install_assets(NODE_MODULES, target)
    installed = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert installed == sorted(asset.key for asset in assets())
    for asset in assets():
        copied = (target / asset.key).read_bytes()
        assert copied == (NODE_MODULES / asset.package / asset.path).read_bytes()
        assert asset.matches(copied)
    assert asset_routes(target)


def test_install_refuses_a_file_that_is_not_the_pinned_one(tmp_path: pathlib.Path) -> None:
    node_modules = tmp_path / "node_modules"
    for asset in assets():
        copy = node_modules / asset.package / asset.path
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE_MODULES / asset.package / asset.path, copy)
    tampered = assets()[-1]
    with (node_modules / tampered.package / tampered.path).open("a") as file:
        file.write("\n")
    target = tmp_path / "assets"
    with pytest.raises(ConfigError, match=f"pin {re.escape(tampered.package)} {tampered.version}"):
        install_assets(node_modules, target)
    assert not target.exists()


def test_sri_hash_is_sha384_of_the_content() -> None:
    asset = assets()[0]
    content = (NODE_MODULES / asset.package / asset.path).read_bytes()
    digest = base64.b64encode(hashlib.sha384(content).digest()).decode()
    assert asset.integrity == f"sha384-{digest}"
    assert asset.matches(content)
    assert not asset.matches(content + b"\n")
