"""Headless Chromium for the tests of `/docs` and of the installed wheel: every request a page
makes is recorded, any that would leave the machine is refused and noted, and so are script
errors and Content-Security-Policy violations. Also the two pages' flows: Swagger UI's "Try it
out" and GraphiQL's example query.
"""

import contextlib
import dataclasses
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any, Final

import uvicorn
from playwright.sync_api import ConsoleMessage, Page, Request, Route, sync_playwright
from starlette.types import ASGIApp

from tests.loopback import free_port
from tests.services import service_binary

LOOPBACK: Final = "127.0.0.1"
TIMEOUT_MS: Final = 15_000
# What makes Chromium start cleanly on a machine with no network (env/machines/python.md).
CHROMIUM_ARGS: Final = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
_CSP: Final = "csp-violation"
# Reports each violation to the console, where `Traffic` collects it (CSP applies to the page's
# scripts, not to this one, which the browser runs before them).
_REPORT_VIOLATIONS: Final = f"""
document.addEventListener("securitypolicyviolation", (e) =>
  console.error("{_CSP}", e.violatedDirective, e.blockedURI, e.sample));
"""


@dataclasses.dataclass
class Traffic:
    requested: list[str] = dataclasses.field(default_factory=list)
    blocked: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    violations: list[str] = dataclasses.field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if message.text.startswith(_CSP):
            self.violations.append(message.text)
        else:
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")


def stays_on_machine(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "data" or parts.hostname == LOOPBACK


@contextlib.contextmanager
def offline_page() -> Iterator[tuple[Page, Traffic]]:
    """A page in headless Chromium whose requests off this machine are refused and noted."""
    traffic = Traffic()

    def only_loopback(route: Route, request: Request) -> None:
        if stays_on_machine(request.url):
            route.continue_()
        else:
            traffic.blocked.append(request.url)
            route.abort("blockedbyclient")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=service_binary("chromium"), args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("request", lambda request: traffic.requested.append(request.url))
            page.on("pageerror", lambda error: traffic.errors.append(str(error)))
            page.on("console", traffic.console)
            page.add_init_script(_REPORT_VIOLATIONS)
            page.route("**/*", only_loopback)
            yield page, traffic
        finally:
            browser.close()


@contextlib.contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """`app` under uvicorn on loopback, in a thread; its base URL."""
    port = free_port()
    config = uvicorn.Config(app, host=LOOPBACK, port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive(), "uvicorn exited early"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        yield f"http://{LOOPBACK}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def open_docs(page: Page, base: str, token: str | None = None) -> None:
    """`/docs` until Swagger UI shows the operations; `token` is given when the page asks."""
    page.goto(f"{base}/docs", wait_until="load", timeout=TIMEOUT_MS)
    if token is not None:
        page.wait_for_selector("#token-form:not([hidden])", timeout=TIMEOUT_MS)
        page.fill("#token", token)
        page.click("#token-form button[type=submit]")
    page.wait_for_selector("#operations-Templates-listTemplates", timeout=TIMEOUT_MS)


def try_it_out(page: Page, operation: str = "Templates-listTemplates") -> tuple[int, Any]:
    """Swagger UI's "Try it out" and "Execute" on `operation`: the status and JSON body shown."""
    block = f"#operations-{operation}"
    page.click(f"{block} .opblock-summary")
    page.click(f"{block} .try-out__btn", timeout=TIMEOUT_MS)
    page.click(f"{block} .execute", timeout=TIMEOUT_MS)
    status = page.wait_for_selector(
        f"{block} .live-responses-table .response .response-col_status", timeout=TIMEOUT_MS
    )
    assert status is not None
    body = page.inner_text(f"{block} .live-responses-table .response .microlight")
    return int(status.inner_text().split()[0]), json.loads(body)


def run_graphiql_example(page: Page, base: str) -> Any:
    """GraphiQL at `/graphql`, its example query run: the result."""
    page.goto(f"{base}/graphql", wait_until="load", timeout=TIMEOUT_MS)
    page.click("button.graphiql-execute-button", timeout=TIMEOUT_MS)
    page.wait_for_function(
        """() => {
            const editor = document.querySelector(".result-window .CodeMirror");
            return editor && editor.CodeMirror.getValue().includes('"templates"');
        }""",
        timeout=TIMEOUT_MS,
    )
    return json.loads(
        page.evaluate(
            """() => document.querySelector(".result-window .CodeMirror").CodeMirror.getValue()"""
        )
    )


__all__ = [
    "LOOPBACK",
    "Traffic",
    "offline_page",
    "open_docs",
    "run_graphiql_example",
    "serving",
    "stays_on_machine",
    "try_it_out",
]
