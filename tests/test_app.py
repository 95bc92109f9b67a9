import httpx
import pytest

from facade.app import SANDBOX_BASE_URL, app_from_env, create_app, upstream_base_urls
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
@pytest.mark.parametrize("fmt", ["0", "1", "2", "3"])
async def test_sandbox_upstream_is_the_embedded_emulator_with_demo_data(fmt):
    app = create_app(Settings.from_env({"FACADE_UPSTREAM_FMT": fmt}))
    async with app.router.lifespan_context(app):
        templates = await app.state.smsc.templates()
    assert templates.value


@pytest.mark.anyio
async def test_configured_account_is_used_as_upstream_with_credentials_in_the_body(tmp_path):
    settings = Settings.from_env(
        {
            "SMSC_LOGIN": "alex",
            "SMSC_PASSWORD": "secret",
            "SMSC_BASE_URL": "https://smsc.kz",
            "FACADE_DATA_DIR": str(tmp_path),
        }
    )
    assert upstream_base_urls(settings.account) == ("https://smsc.kz", "https://www2.smsc.kz")
    assert upstream_base_urls(None) == (SANDBOX_BASE_URL,)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"[]")

    app = create_app(settings, upstream_transport=httpx.MockTransport(handler))
    async with app.router.lifespan_context(app):
        assert (await app.state.smsc.templates()).value == []
    (request,) = seen
    assert str(request.url) == "https://smsc.kz/sys/templates.php"
    body = request.content.decode()
    assert "login=alex" in body
    assert "secret" not in body, "the password travels as its MD5"


@pytest.mark.anyio
async def test_apikey_account_sends_the_apikey(tmp_path):
    settings = Settings.from_env({"SMSC_APIKEY": "key-1", "FACADE_DATA_DIR": str(tmp_path)})
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(200, content=b"[]")

    app = create_app(settings, upstream_transport=httpx.MockTransport(handler))
    async with app.router.lifespan_context(app):
        await app.state.smsc.groups()
    assert b"apikey=key-1" in seen[0]


@pytest.mark.anyio
async def test_lifespan_closes_the_upstream_client(monkeypatch):
    for name in ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY"):
        monkeypatch.delenv(name, raising=False)
    app = app_from_env()
    async with app.router.lifespan_context(app):
        assert not app.state.upstream.is_closed
    assert app.state.upstream.is_closed
