"""The URLs REST writes (`next`, `Link`, `Location`): under FACADE_PUBLIC_URL or relative, never
at the host a request names, and never handed from one client's request to another's."""

import pathlib
from collections.abc import Mapping

import httpx
import pytest

from facade.credentials.scopes import Scope
from facade.rest.links import Links
from tests.production import Production, production

pytestmark = pytest.mark.anyio

EVIL = "evil.example"
# Every header a proxy or a framework might build a URL from.
FOREIGN = {
    "Host": EVIL,
    "X-Forwarded-Host": EVIL,
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "8443",
    "Forwarded": f"host={EVIL};proto=https",
    "X-Original-URL": f"http://{EVIL}/v1/contacts",
}
PAGES = ["/v1/contacts?limit=3", "/v1/answers?sinceHours=24&limit=1"]


@pytest.mark.parametrize(
    ("public_url", "path", "query", "expected"),
    [
        pytest.param(None, "/v1/contacts", "", "/v1/contacts", id="relative"),
        pytest.param(None, "/v1/contacts", "limit=3", "/v1/contacts?limit=3", id="relative-query"),
        pytest.param(
            "https://sms.example.com",
            "/v1/groups/7",
            "",
            "https://sms.example.com/v1/groups/7",
            id="absolute",
        ),
        pytest.param(
            "https://sms.example.com/api/",
            "/v1/contacts",
            "cursor=x",
            "https://sms.example.com/api/v1/contacts?cursor=x",
            id="prefix-trailing-slash",
        ),
    ],
)
def test_links_are_relative_or_under_the_public_url(
    public_url: str | None, path: str, query: str, expected: str
) -> None:
    assert Links(public_url).url(path, query) == expected


@pytest.mark.parametrize(
    "public_url",
    [
        "sms.example.com",
        "ftp://sms.example.com",
        "https://user:pw@sms.example.com",
        "https://sms.example.com/?a=1",
        "https://sms.example.com/#top",
    ],
)
def test_a_public_url_that_is_not_a_base_url_is_refused(public_url: str) -> None:
    with pytest.raises(ValueError, match="public_url"):
        Links(public_url)


@pytest.mark.parametrize("path", ["v1/contacts", "//evil.example/v1/contacts"])
def test_only_the_services_own_absolute_paths_become_links(path: str) -> None:
    with pytest.raises(ValueError, match="absolute path"):
        Links().url(path)


def _links(response: httpx.Response) -> list[str]:
    """Every URL the response hands its client."""
    found = [response.headers.get(name, "") for name in ("link", "location", "content-location")]
    if response.headers.get("content-type", "").startswith("application/json"):
        body = response.json()
        if isinstance(body, dict) and body.get("next"):
            found.append(body["next"])
    return [link for link in found if link]


def _assert_clean(response: httpx.Response) -> None:
    assert EVIL not in response.text
    assert all(EVIL not in value for value in response.headers.values())


async def _get(service: Production, path: str, headers: Mapping[str, str]) -> httpx.Response:
    response = await service.client.get(path, headers={**service.auth(Scope.READ), **headers})
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize(
    ("public_url", "base"),
    [
        pytest.param(None, "", id="relative"),
        pytest.param("https://sms.example.com/api/", "https://sms.example.com/api", id="public"),
    ],
)
@pytest.mark.parametrize("path", PAGES)
async def test_a_foreign_host_changes_no_link_any_client_gets(
    tmp_path: pathlib.Path, public_url: str | None, base: str, path: str
) -> None:
    environ = {} if public_url is None else {"FACADE_PUBLIC_URL": public_url}
    async with production(tmp_path, environ=environ) as service:
        poisoned = await _get(service, path, FOREIGN)
        # The same account, path and query: answered from the body the first request left.
        honest = await _get(service, path, {})
        again = await _get(service, path, {"Host": "facade.test"})
    assert poisoned.headers["x-facade-cache"] == "miss"
    assert honest.headers["x-facade-cache"] == again.headers["x-facade-cache"] == "hit"
    cursor = poisoned.json()["nextCursor"]
    assert cursor
    query = path.partition("?")[2]
    expected = f"{base}{path.partition('?')[0]}?{query}&cursor={cursor}"
    for response in (poisoned, honest, again):
        _assert_clean(response)
        assert response.json()["next"] == expected
        assert response.headers["link"] == f'<{expected}>; rel="next"'


async def test_the_next_link_keeps_the_query_and_replaces_the_cursor(
    tmp_path: pathlib.Path,
) -> None:
    async with production(tmp_path) as service:
        first = (await _get(service, "/v1/contacts?limit=2&search=", FOREIGN)).json()
        second = (await _get(service, first["next"], FOREIGN)).json()
    assert first["next"] == f"/v1/contacts?limit=2&search=&cursor={first['nextCursor']}"
    assert second["next"] == f"/v1/contacts?limit=2&search=&cursor={second['nextCursor']}"


@pytest.mark.parametrize(
    ("public_url", "base"),
    [
        pytest.param(None, "", id="relative"),
        pytest.param("http://10.0.0.5:8000", "http://10.0.0.5:8000", id="public"),
    ],
)
async def test_a_foreign_host_changes_no_location_nor_its_replay(
    tmp_path: pathlib.Path, public_url: str | None, base: str
) -> None:
    environ = {} if public_url is None else {"FACADE_PUBLIC_URL": public_url}
    async with production(tmp_path, environ=environ) as service:
        headers = {**service.auth(Scope.WRITE), "Idempotency-Key": "vip-1"}
        created = await service.client.post(
            "/v1/groups", json={"name": "VIP"}, headers={**headers, **FOREIGN}
        )
        replayed = await service.client.post("/v1/groups", json={"name": "VIP"}, headers=headers)
    assert created.status_code == replayed.status_code == 201, created.text
    assert replayed.headers["idempotent-replayed"] == "true"
    group = created.json()["id"]
    for response in (created, replayed):
        _assert_clean(response)
        assert _links(response) == [f"{base}/v1/groups/{group}"]
