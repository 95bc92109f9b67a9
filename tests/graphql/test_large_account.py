"""`contacts` of a large account: a page deep in the list is a slice of one cached list, found
through an index built once for that list (`facade.vocabulary.paging`)."""

from typing import Any

import pytest

from facade.vocabulary import paging
from facade.vocabulary.paging import Cursor, decode_cursor, encode_cursor
from tests.graphql.conftest import GraphQLCall
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

COUNT = 3000
CONTACTS = """query($first: Int, $after: String) {
  contacts(first: $first, after: $after) {
    totalCount
    edges { cursor node { phones name } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


@pytest.fixture
def upstream() -> Harness:
    return harness(seed="empty", contacts=COUNT)


def listed(upstream: Harness) -> list[list[str]]:
    """Every contact's phones, in SMSC's order."""
    contacts = upstream.emulator.account().contacts
    return [contacts[id].phones for id in sorted(contacts)]


def cursor_at(phones: list[list[str]], position: int) -> str:
    return encode_cursor("contact", position, phones[position][0])


async def page(graphql: GraphQLCall, after: str | None, first: int = 50) -> dict[str, Any]:
    body = await graphql(CONTACTS, {"first": first, "after": after})
    assert "errors" not in body, body["errors"]
    found: dict[str, Any] = body["data"]["contacts"]
    return found


def phones_of(found: dict[str, Any]) -> list[list[str]]:
    return [edge["node"]["phones"] for edge in found["edges"]]


async def test_a_deep_page_is_the_slice_after_its_cursor(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    phones = listed(upstream)

    found = await page(graphql, cursor_at(phones, 2499))

    assert phones_of(found) == phones[2500:2550]
    assert found["totalCount"] == COUNT
    info = found["pageInfo"]
    assert info["hasNextPage"] is True
    assert info["hasPreviousPage"] is True
    assert info["startCursor"] == found["edges"][0]["cursor"]
    assert decode_cursor(info["endCursor"], "contact", "after") == Cursor(2549, phones[2549][0])


async def test_walking_the_last_pages_indexes_the_list_once(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    phones = listed(upstream)
    builds = paging.MEMO.builds
    seen: list[list[str]] = []
    after: str | None = cursor_at(phones, 2799)
    while after is not None:
        found = await page(graphql, after, first=30)
        seen += phones_of(found)
        assert found["totalCount"] == COUNT
        after = found["pageInfo"]["endCursor"] if found["pageInfo"]["hasNextPage"] else None

    assert seen == phones[2800:]
    assert paging.MEMO.builds == builds + 1
    assert len(upstream.calls("get")) == 1


async def test_the_last_page_has_no_next_page(graphql: GraphQLCall, upstream: Harness) -> None:
    phones = listed(upstream)

    found = await page(graphql, cursor_at(phones, COUNT - 11))

    assert phones_of(found) == phones[-10:]
    assert found["pageInfo"]["hasNextPage"] is False


async def test_deep_cursors_survive_deletions(graphql: GraphQLCall, upstream: Harness) -> None:
    phones = listed(upstream)
    contacts = upstream.emulator.account().contacts
    ids = sorted(contacts)
    await page(graphql, None)

    # The contact a cursor names goes: the next page starts at the position it had.
    del contacts[ids[2000]]
    upstream.clock.advance(121)  # past the contact list's TTL
    after_gone = await page(graphql, cursor_at(phones, 2000), first=2)
    # A contact before the cursor goes: the next page starts after the cursor's contact.
    del contacts[ids[10]]
    upstream.clock.advance(121)
    after_earlier_gone = await page(graphql, cursor_at(phones, 2500), first=2)

    assert phones_of(after_gone) == phones[2001:2003]
    assert after_gone["totalCount"] == COUNT - 1
    assert phones_of(after_earlier_gone) == phones[2501:2503]
    assert after_earlier_gone["totalCount"] == COUNT - 2
    assert len(upstream.calls("get")) == 3
