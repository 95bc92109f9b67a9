"""Client tokens in front of both APIs: 401 without a valid one, scopes, accounts, URLs."""

import pathlib
from collections.abc import AsyncIterator

import httpx
import pytest

from facade.credentials.scopes import Scope
from facade.credentials.tokens import TokenStore
from facade.emulator.app import create_emulator
from facade.emulator.state import AccountCredentials
from tests.production import CANARY_LOGIN, CANARY_PASSWORD, Production, production

pytestmark = pytest.mark.anyio

TEMPLATES = {"query": "{ templates { id name } }"}
CREATE_GROUP = {
    "query": 'mutation { createGroup(input: {name: "VIP"}) { __typename '
    "... on CreateGroupSuccess { group { id } } } }"
}
PURGE = {"query": "mutation { purgeCache { entries } }"}


@pytest.fixture
async def service(tmp_path: pathlib.Path) -> AsyncIterator[Production]:
    async with production(tmp_path) as found:
        yield found


def upstream_calls(service: Production) -> int:
    return len(service.emulator.calls)


async def graphql(service: Production, body: dict[str, str], **headers: str) -> httpx.Response:
    return await service.client.post("/graphql", json=body, headers=headers)


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer smscf_" + "A" * 43,
        "Bearer not-a-token",
        "Bearer ",
        "Basic Y2FuYXJ5OnB3",
        "smscf_" + "A" * 43,
    ],
    ids=["missing", "unknown", "malformed", "empty", "basic", "no-scheme"],
)
async def test_requests_without_a_valid_token_are_401_on_both_apis(
    service: Production, authorization: str | None
) -> None:
    headers = {"authorization": authorization} if authorization is not None else {}
    before = upstream_calls(service)
    answers = [
        await service.client.post("/graphql", json=TEMPLATES, headers=headers),
        await service.client.get("/v1/templates", headers=headers),
        await service.client.post("/v1/groups", json={"name": "VIP"}, headers=headers),
    ]
    for response in answers:
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == "Bearer"
    assert answers[0].json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert "data" not in answers[0].json()
    assert answers[1].json()["code"] == "UNAUTHENTICATED"
    assert upstream_calls(service) == before


async def test_a_read_token_reads_both_apis(service: Production) -> None:
    response = await graphql(service, TEMPLATES, **service.auth(Scope.READ))
    assert response.status_code == 200
    assert response.json()["data"]["templates"]
    rest = await service.client.get("/v1/templates", headers=service.auth(Scope.READ))
    assert rest.status_code == 200
    assert [t["id"] for t in rest.json()] == [t["id"] for t in response.json()["data"]["templates"]]


async def test_a_read_token_may_not_mutate_and_smsc_hears_nothing(service: Production) -> None:
    before = upstream_calls(service)
    response = await graphql(service, CREATE_GROUP, **service.auth(Scope.READ))
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "data" not in response.json()
    rest = await service.client.post(
        "/v1/groups", json={"name": "VIP"}, headers=service.auth(Scope.READ)
    )
    assert rest.status_code == 403
    assert rest.json()["code"] == "FORBIDDEN"
    deleted = await service.client.delete("/v1/templates/1001", headers=service.auth(Scope.READ))
    assert deleted.status_code == 403
    assert upstream_calls(service) == before


async def test_a_write_token_mutates(service: Production) -> None:
    response = await graphql(service, CREATE_GROUP, **service.auth(Scope.WRITE))
    assert response.json()["data"]["createGroup"]["__typename"] == "CreateGroupSuccess"
    rest = await service.client.post(
        "/v1/groups", json={"name": "VIP 2"}, headers=service.auth(Scope.WRITE)
    )
    assert rest.status_code == 201
    names = {group.name for group in service.emulator.account(CANARY_LOGIN).groups.values()}
    assert {"VIP", "VIP 2"} <= names


async def test_only_admin_tokens_purge_the_cache(service: Production) -> None:
    await service.client.get("/v1/templates", headers=service.auth(Scope.READ))
    for scope in (Scope.READ, Scope.WRITE):
        refused = await graphql(service, PURGE, **service.auth(scope))
        assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN", scope
        rest = await service.client.delete("/v1/cache", headers=service.auth(scope))
        assert rest.status_code == 403, scope
    purged = await graphql(service, PURGE, **service.auth(Scope.ADMIN))
    assert purged.json() == {"data": {"purgeCache": {"entries": 1}}}
    again = await service.client.delete("/v1/cache", headers=service.auth(Scope.ADMIN))
    assert again.status_code == 200
    assert again.json() == {"entries": 0}


async def test_revoked_and_new_tokens_take_effect_without_a_restart(service: Production) -> None:
    cli = TokenStore.in_dir(service.data_dir)  # what `facade token` does, in another process
    try:
        issued = cli.issue("late", scopes=[Scope.READ], account="default")
        ok = await service.client.get("/v1/templates", headers=bearer(issued.token))
        assert ok.status_code == 200
        cli.revoke("late")
        gone = await service.client.get("/v1/templates", headers=bearer(issued.token))
        assert gone.status_code == 401
    finally:
        cli.close()


async def test_expired_tokens_are_401(service: Production) -> None:
    past = TokenStore.in_dir(service.data_dir, clock=lambda: 1_000_000_000.0)
    try:
        issued = past.issue("old", scopes=[Scope.READ], account="default", expires_days=1)
    finally:
        past.close()
    response = await service.client.get("/v1/templates", headers=bearer(issued.token))
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


async def test_a_token_for_an_account_not_configured_is_401(service: Production) -> None:
    issued = service.store.issue("stray", scopes=[Scope.READ], account="marketing")
    response = await graphql(service, TEMPLATES, **bearer(issued.token))
    assert response.status_code == 401


@pytest.mark.parametrize(
    "url",
    [
        "/graphql?access_token=abc",
        "/v1/templates?token=abc",
        "/v1/templates?search=smscf_" + "B" * 43,
        "/v1/templates/smscf_" + "B" * 43,
        "/healthz?x=%73mscf_" + "B" * 43,
        "/openapi.json?apikey=1",
    ],
)
async def test_tokens_in_the_url_are_refused_everywhere(service: Production, url: str) -> None:
    response = await service.client.get(url, headers=service.auth(Scope.READ))
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_INPUT"
    assert "Authorization header" in response.json()["detail"]


async def test_each_token_sees_its_own_account_and_caches_never_cross(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text(
        '[accounts.marketing]\nlogin = { env = "MKT_LOGIN" }\npassword = { env = "MKT_PSW" }\n',
        encoding="utf-8",
    )
    emulator = create_emulator(
        seed="demo",
        accounts=[
            AccountCredentials(login=CANARY_LOGIN, password=CANARY_PASSWORD),
            AccountCredentials(login="mkt", password="mkt-password"),  # noqa: S106
        ],
    )
    environ = {
        "FACADE_ACCOUNTS_FILE": str(accounts),
        "MKT_LOGIN": "mkt",
        "MKT_PSW": "mkt-password",
    }
    async with production(
        tmp_path, environ=environ, upstream=httpx.ASGITransport(app=emulator)
    ) as service:
        marketing = service.store.issue("mkt", scopes=[Scope.READ], account="marketing").token
        calls = emulator.state.emulator.calls
        default = await service.client.get("/v1/templates", headers=service.auth(Scope.READ))
        after_default = len(calls)
        other = await service.client.get("/v1/templates", headers=bearer(marketing))
        after_other = len(calls)
        again = await service.client.get("/v1/templates", headers=service.auth(Scope.READ))
        assert len(calls) == after_other, "the default account's read came from its cache"
    assert default.status_code == other.status_code == 200
    assert default.json(), "the default account has the demo templates"
    assert other.json() == [], "the marketing account has none: nothing leaked across"
    assert after_other == after_default + 1, "the marketing read went to SMSC, not to a cache"
    assert again.json() == default.json()
