"""`/v1/contacts` of a large account: deep pages sliced from one cached list, through the index
GraphQL uses too (`facade.vocabulary.paging`)."""

from typing import Any

import httpx
import pytest

from facade.vocabulary import paging
from facade.vocabulary.paging import decode_cursor, encode_cursor
from tests.rest.conftest import GraphQLCall
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

COUNT = 3000


@pytest.fixture
def upstream() -> Harness:
    return harness(seed="empty", contacts=COUNT)


def listed(upstream: Harness) -> list[list[str]]:
    contacts = upstream.emulator.account().contacts
    return [contacts[id].phones for id in sorted(contacts)]


def cursor_at(phones: list[list[str]], position: int) -> str:
    """The cursor of a page ending at `position`: its last item's key and position."""
    return encode_cursor("contact", position, phones[position][0])


async def page(client: httpx.AsyncClient, cursor: str | None, limit: int = 50) -> dict[str, Any]:
    params: dict[str, str | int] = {"limit": limit}
    if cursor is not None:
        params["cursor"] = cursor
    response = await client.get("/v1/contacts", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def phones_of(body: dict[str, Any]) -> list[list[str]]:
    return [item["phones"] for item in body["items"]]


async def test_a_deep_page_is_the_slice_after_its_cursor(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    phones = listed(upstream)

    body = await page(client, cursor_at(phones, 2499))

    assert phones_of(body) == phones[2500:2550]
    assert body["totalCount"] == COUNT
    assert body["nextCursor"] == cursor_at(phones, 2549)
    assert decode_cursor(body["nextCursor"], "contact", "cursor") == (2549, phones[2549][0])
    assert f"cursor={body['nextCursor']}" in body["next"]


async def test_following_next_to_the_end_indexes_the_list_once(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    phones = listed(upstream)
    builds = paging.MEMO.builds
    seen: list[list[str]] = []
    next_url: str | None = f"/v1/contacts?limit=40&cursor={cursor_at(phones, 2799)}"
    while next_url is not None:
        response = await client.get(next_url)
        assert response.status_code == 200
        seen += phones_of(response.json())
        next_url = response.json()["next"]

    assert seen == phones[2800:]
    assert paging.MEMO.builds == builds + 1
    assert len(upstream.calls("get")) == 1


async def test_graphql_and_rest_pages_share_the_index(
    client: httpx.AsyncClient, graphql: GraphQLCall, upstream: Harness
) -> None:
    phones = listed(upstream)
    builds = paging.MEMO.builds
    after = cursor_at(phones, 1000)

    data = await graphql(
        "query($after: String) { contacts(first: 3, after: $after) { edges { node { phones } } } }",
        {"after": after},
    )
    body = await page(client, cursor_at(phones, 1000), limit=3)

    assert [edge["node"]["phones"] for edge in data["contacts"]["edges"]] == phones[1001:1004]
    assert phones_of(body) == phones[1001:1004]
    assert paging.MEMO.builds == builds + 1


async def test_a_cursor_from_either_api_resumes_in_the_other(
    client: httpx.AsyncClient, graphql: GraphQLCall, upstream: Harness
) -> None:
    phones = listed(upstream)
    query = "query($after: String) { contacts(first: 3, after: $after) { %s } }"

    data = await graphql(query % "pageInfo { endCursor }", {"after": cursor_at(phones, 1000)})
    body = await page(client, data["contacts"]["pageInfo"]["endCursor"], limit=3)
    again = await graphql(query % "edges { node { phones } }", {"after": body["nextCursor"]})

    assert data["contacts"]["pageInfo"]["endCursor"] == cursor_at(phones, 1003)
    assert phones_of(body) == phones[1004:1007]
    assert [edge["node"]["phones"] for edge in again["contacts"]["edges"]] == phones[1007:1010]


async def test_deep_cursors_survive_deletions(client: httpx.AsyncClient, upstream: Harness) -> None:
    phones = listed(upstream)
    contacts = upstream.emulator.account().contacts
    ids = sorted(contacts)
    await page(client, None)

    del contacts[ids[2000]]  # the cursor's own contact: the page starts at the cursor's position
    upstream.clock.advance(121)  # past the contact list's TTL
    after_gone = await page(client, cursor_at(phones, 2000), limit=2)
    del contacts[ids[10]]  # one before the cursor: the page starts after the cursor's contact
    upstream.clock.advance(121)
    after_earlier_gone = await page(client, cursor_at(phones, 2500), limit=2)
    past_the_end = await page(client, encode_cursor("contact", COUNT + 5, "79000000000"))

    # The cursor's contact gone: its successor took its position, and nothing is skipped.
    assert phones_of(after_gone) == phones[2001:2003]
    assert after_gone["totalCount"] == COUNT - 1
    assert phones_of(after_earlier_gone) == phones[2501:2503]
    assert after_earlier_gone["totalCount"] == COUNT - 2
    assert past_the_end["items"] == []
    assert past_the_end["nextCursor"] is None
    assert len(upstream.calls("get")) == 3
