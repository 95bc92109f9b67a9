import httpx
import pytest

from facade.app import SANDBOX_BASE_URL, app_from_env, create_app, upstream_base_url
from facade.settings import Settings


@pytest.mark.anyio
async def test_healthz_answers_in_sandbox_mode():
    app = create_app(Settings.from_env({}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade"
    ) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "sandbox": True}


@pytest.mark.anyio
async def test_sandbox_upstream_is_the_embedded_emulator_with_demo_data():
    app = create_app(Settings.from_env({}))
    upstream: httpx.AsyncClient = app.state.upstream
    response = await upstream.post(
        "/sys/templates.php",
        data={"get": "1", "login": "demo", "psw": "demo", "fmt": "3", "charset": "utf-8"},
    )
    assert response.status_code == 200
    assert response.content.startswith(b"[{\n")
    await upstream.aclose()


def test_configured_account_is_used_as_upstream():
    settings = Settings.from_env({"SMSC_APIKEY": "k", "SMSC_BASE_URL": "https://smsc.kz"})
    assert upstream_base_url(settings) == "https://smsc.kz"
    assert upstream_base_url(Settings.from_env({})) == SANDBOX_BASE_URL
    app = create_app(
        settings, upstream_transport=httpx.MockTransport(lambda r: httpx.Response(200))
    )
    assert app.state.settings is settings


@pytest.mark.anyio
async def test_lifespan_closes_the_upstream_client(monkeypatch):
    for name in ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY"):
        monkeypatch.delenv(name, raising=False)
    app = app_from_env()
    async with app.router.lifespan_context(app):
        assert not app.state.upstream.is_closed
    assert app.state.upstream.is_closed
