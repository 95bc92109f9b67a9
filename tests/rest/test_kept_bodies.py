"""Repeated cacheable GETs are served from kept bodies, exactly while their data holds."""

from typing import Any

import httpx
import pytest

from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio


@pytest.fixture
def reads(upstream: Harness, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The client reads the handlers made (a kept body is served without its handler)."""
    seen: list[str] = []
    for name in ("templates", "contacts"):
        original = getattr(upstream.client, name)

        async def read(*args: Any, _name: str = name, _original: Any = original) -> Any:
            seen.append(_name)
            return await _original(*args)

        monkeypatch.setattr(upstream.client, name, read)
    return seen


async def test_a_repeat_is_served_without_the_handler_with_true_cache_headers(
    client: httpx.AsyncClient, upstream: Harness, reads: list[str]
) -> None:
    first = await client.get("/v1/templates")
    upstream.clock.advance(12.4)
    second = await client.get("/v1/templates")
    assert second.status_code == 200
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert first.headers["x-facade-cache"] == "miss"
    assert second.headers["x-facade-cache"] == "hit"
    assert first.headers["age"] == "0"
    assert second.headers["age"] == "12"
    ttl = upstream.client.config.ttl("templates.get")
    assert second.headers["cache-control"] == f"private, max-age={int(ttl - 12.4)}"
    assert second.headers["content-type"] == "application/json"
    assert second.headers["content-length"] == str(len(first.content))
    assert reads == ["templates"]


async def test_if_none_match_gets_304_from_the_kept_body(
    client: httpx.AsyncClient, reads: list[str]
) -> None:
    first = await client.get("/v1/templates")
    again = await client.get("/v1/templates", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert reads == ["templates"]


async def test_a_write_ends_the_kept_body(client: httpx.AsyncClient, reads: list[str]) -> None:
    await client.get("/v1/templates")
    created = await client.post(
        "/v1/templates", json={"name": "kept?", "message": "no", "format": "SMS"}
    )
    assert created.status_code == 201
    listed = (await client.get("/v1/templates")).json()
    assert created.json()["id"] in [t["id"] for t in listed]
    assert reads == ["templates", "templates"]


async def test_the_query_string_is_part_of_the_key(
    client: httpx.AsyncClient, reads: list[str]
) -> None:
    one = await client.get("/v1/contacts?limit=1")
    two = await client.get("/v1/contacts?limit=2")
    again = await client.get("/v1/contacts?limit=1")
    assert len(one.json()["items"]) == 1
    assert len(two.json()["items"]) == 2
    assert again.content == one.content
    assert reads == ["contacts", "contacts"]


async def test_refusals_are_never_kept(client: httpx.AsyncClient, reads: list[str]) -> None:
    for _ in range(2):
        response = await client.get("/v1/contacts?limit=500")
        assert response.status_code == 400
    missing = [await client.get("/v1/templates/999999") for _ in range(2)]
    assert {r.status_code for r in missing} == {404}
    assert reads == ["templates", "templates"]


async def test_a_stale_body_is_not_kept(
    client: httpx.AsyncClient, upstream: Harness, reads: list[str]
) -> None:
    await client.get("/v1/templates")
    upstream.clock.advance(upstream.client.config.ttl("templates.get") + 1)
    upstream.emulator.add_fault("status", status=503)
    for _ in range(2):
        stale = await client.get("/v1/templates")
        assert stale.headers["x-facade-cache"] == "stale"
        assert stale.headers["cache-control"] == "private, no-cache"
    assert reads == ["templates"] * 3
