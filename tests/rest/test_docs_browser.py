"""`/docs` in headless Chromium, as operators run the service (tokens required): the page asks
for a client token, fetches `/openapi.json` with it, and Swagger UI's "Try it out" sends it.
Nothing is requested off the machine, and the page breaks none of its Content-Security-Policy.
"""

import pathlib

import httpx
import pytest

from facade.app import create_app
from facade.credentials.scopes import Scope
from facade.credentials.tokens import TokenStore
from facade.emulator.app import create_emulator
from facade.emulator.state import AccountCredentials
from facade.settings import Settings
from tests.offline_browser import (
    LOOPBACK,
    offline_page,
    open_docs,
    serving,
    stays_on_machine,
    try_it_out,
)
from tests.production import CANARY_LOGIN, CANARY_PASSWORD, production_environ

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts([LOOPBACK])]

UNKNOWN_TOKEN = "smscf_" + "A" * 43
# The page's first try, before it has a token: the one error it may log.
REFUSED_SPEC = "the server responded with a status of 401"


def test_the_page_asks_for_a_token_and_try_it_out_sends_it(tmp_path: pathlib.Path) -> None:
    settings = Settings.from_env(production_environ(tmp_path))
    emulator = create_emulator(
        seed="demo", accounts=[AccountCredentials(login=CANARY_LOGIN, password=CANARY_PASSWORD)]
    )
    store = TokenStore.in_dir(settings.data_dir)
    token = store.issue("docs", scopes=[Scope.READ], account="default").token
    store.close()
    app = create_app(settings, upstream_transport=httpx.ASGITransport(app=emulator))

    with serving(app) as base, offline_page() as (page, traffic):
        page.goto(f"{base}/docs", wait_until="load")
        page.wait_for_selector("#token-form:not([hidden])")
        asked = page.inner_text("#token-message")
        page.fill("#token", UNKNOWN_TOKEN)
        page.click("#token-form button[type=submit]")
        page.wait_for_selector("#token-message:has-text('refused')")
        open_docs(page, base, token)
        status, body = try_it_out(page)
        local = page.evaluate("() => Object.keys(window.localStorage)")
        session = page.evaluate("() => Object.values(window.sessionStorage)")
        page.screenshot(path=tmp_path / "docs.png")

    assert "client token" in asked
    assert status == 200
    templates = emulator.state.emulator.account(CANARY_LOGIN).templates.values()
    demo = [template.name for template in templates]
    assert [template["name"] for template in body] == demo
    assert local == []
    assert session == [token]
    assert f"{base}/openapi.json" in traffic.requested
    assert f"{base}/v1/templates" in traffic.requested
    assert all(stays_on_machine(url) for url in traffic.requested)
    assert not traffic.blocked
    assert not traffic.violations
    assert [error for error in traffic.errors if REFUSED_SPEC not in error] == []
    assert (tmp_path / "docs.png").read_bytes().startswith(b"\x89PNG")
