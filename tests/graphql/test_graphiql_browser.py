"""GraphiQL in headless Chromium: the page renders and runs its example query, network closed.

The browser is the headless Chromium that `make test` provides (tests/services.py), driven by
Playwright (which downloads no browser here).
"""

import json
import pathlib
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import strawberry.asgi
import uvicorn
from playwright.sync_api import Request, Route, sync_playwright
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route as StarletteRoute

from facade.graphql.context import Context
from facade.graphql.graphiql import SANDBOX_EXAMPLE_QUERY, asset_routes, render_page
from facade.graphql.schema import create_schema
from tests.loopback import free_port
from tests.services import service_binary
from tests.upstream.harness import harness

# What makes Chromium start cleanly on a machine with no network (env/machines/python.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
LOOPBACK = "127.0.0.1"
TIMEOUT_MS = 15_000

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts([LOOPBACK])]


@pytest.fixture
def chromium() -> str:
    return service_binary("chromium")


@pytest.fixture
def server() -> Iterator[str]:
    """The GraphQL view with the sandbox page and its assets, on loopback in a thread."""
    upstream = harness()

    class View(strawberry.asgi.GraphQL[Context, None]):
        async def get_context(self, request: Any, response: Any) -> Context:
            return Context(smsc=upstream.client, sandbox=True)

        async def render_graphql_ide(self, request: Any) -> HTMLResponse:
            return HTMLResponse(render_page(example_query=SANDBOX_EXAMPLE_QUERY))

    app = Starlette(
        routes=[
            StarletteRoute("/graphql", View(create_schema()), methods=["GET", "POST"]),
            *asset_routes(),
        ]
    )
    port = free_port()
    config = uvicorn.Config(app, host=LOOPBACK, port=port, lifespan="off", log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    thread = threading.Thread(target=uvicorn_server.run)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not uvicorn_server.started:
            assert thread.is_alive(), "uvicorn exited early"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        yield f"http://{LOOPBACK}:{port}"
    finally:
        uvicorn_server.should_exit = True
        thread.join(timeout=10)


def test_graphiql_runs_the_example_query_offline(
    chromium: str, server: str, tmp_path: pathlib.Path
) -> None:
    requested: list[str] = []
    blocked: list[str] = []
    errors: list[str] = []

    def only_loopback(route: Route, request: Request) -> None:
        if _stays_on_machine(request.url):
            route.continue_()
        else:
            blocked.append(request.url)
            route.abort("blockedbyclient")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("request", lambda request: requested.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            page.route("**/*", only_loopback)
            page.goto(f"{server}/graphql", wait_until="load", timeout=TIMEOUT_MS)
            page.click("button.graphiql-execute-button", timeout=TIMEOUT_MS)
            page.wait_for_function(
                """() => {
                    const editor = document.querySelector(".result-window .CodeMirror");
                    return editor && editor.CodeMirror.getValue().includes('"templates"');
                }""",
                timeout=TIMEOUT_MS,
            )
            result = json.loads(
                page.evaluate(
                    """() => document.querySelector(".result-window .CodeMirror")
                        .CodeMirror.getValue()"""
                )
            )
            visible = page.inner_text(".result-window")
            page.screenshot(path=tmp_path / "graphiql.png")
        finally:
            browser.close()

    demo = [template.name for template in harness().emulator.account().templates.values()]
    assert [template["name"] for template in result["data"]["templates"]] == demo
    assert demo[0] in visible
    assert not errors
    assert not blocked
    assert requested
    assert all(_stays_on_machine(url) for url in requested)
    assert (tmp_path / "graphiql.png").read_bytes().startswith(b"\x89PNG")


def _stays_on_machine(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "data" or parts.hostname == LOOPBACK
