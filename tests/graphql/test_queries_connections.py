# ruff: noqa: RUF001 - the demo data is Russian text on purpose; Cyrillic letters are not typos.
"""`contacts` and `answers`: Relay pages sliced from one cached SMSC list, cursors that hold."""

import datetime as dt
from typing import Any

import pytest

from facade.domain.contacts import Contact as DomainContact
from facade.graphql.connections import contacts_page, page_info
from facade.vocabulary import paging
from facade.vocabulary.paging import Cursor, PageRequest, encode_cursor, paginate
from tests.graphql.conftest import GraphQLCall
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

CONTACTS = """query($first: Int, $after: String, $search: String) {
  contacts(first: $first, after: $after, search: $search) {
    totalCount
    edges { cursor node { phones name comment tags } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""
ANSWERS = """query($first: Int, $after: String, $hours: Int, $to: String) {
  answers(first: $first, after: $after, sinceHours: $hours, toPhone: $to) {
    totalCount
    edges { cursor node { id receivedAt phone message toPhone sentAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"""


async def page(graphql: GraphQLCall, query: str, field: str, **variables: Any) -> dict[str, Any]:
    body = await graphql(query, variables)
    assert "errors" not in body, body["errors"]
    found: dict[str, Any] = body["data"][field]
    edges = found["edges"]
    info = found["pageInfo"]
    assert info["startCursor"] == (edges[0]["cursor"] if edges else None)
    assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)
    return found


async def walk(graphql: GraphQLCall, query: str, field: str, **variables: Any) -> list[Any]:
    """Every node, `first: 2` at a time, checking each page's pageInfo on the way."""
    nodes: list[Any] = []
    after = None
    while True:
        found = await page(graphql, query, field, first=2, after=after, **variables)
        assert found["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert found["totalCount"] >= len(nodes) + len(found["edges"])
        nodes += [edge["node"] for edge in found["edges"]]
        if not found["pageInfo"]["hasNextPage"]:
            assert len(nodes) == found["totalCount"]
            return nodes
        assert len(found["edges"]) == 2
        after = found["pageInfo"]["endCursor"]


# contacts


async def test_walking_every_contact_page_asks_smsc_once(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    nodes = await walk(graphql, CONTACTS, "contacts")

    contacts = [
        upstream.emulator.account().contacts[id]
        for id in sorted(upstream.emulator.account().contacts)
    ]
    assert [(n["phones"], n["name"], n["comment"] or "", n["tags"]) for n in nodes] == [
        (c.phones, c.name, c.comment, c.tags) for c in contacts
    ]
    assert "Anna O'Neil" in {n["name"] for n in nodes}
    assert "Звонить после 18:00\nлучше в WhatsApp 📱" in {n["comment"] for n in nodes}
    assert len(upstream.calls("get")) == 1


async def test_contacts_default_page_holds_them_all(graphql: GraphQLCall) -> None:
    found = await page(graphql, CONTACTS, "contacts")

    assert len(found["edges"]) == found["totalCount"] == 8
    assert found["pageInfo"]["hasNextPage"] is False
    assert found["pageInfo"]["hasPreviousPage"] is False


async def test_contacts_search(graphql: GraphQLCall, upstream: Harness) -> None:
    found = await page(graphql, CONTACTS, "contacts", search="иван")

    expected = [
        c.phones for c in upstream.emulator.account().contacts.values() if "иван" in c.searchable()
    ]
    assert [edge["node"]["phones"] for edge in found["edges"]] == expected
    assert found["totalCount"] == len(expected) >= 1


async def test_contacts_search_without_match_is_an_empty_page(graphql: GraphQLCall) -> None:
    found = await page(graphql, CONTACTS, "contacts", search="нет такого")

    assert found["totalCount"] == 0
    assert found["edges"] == []
    assert found["pageInfo"]["hasNextPage"] is False


async def test_empty_search_lists_everyone(graphql: GraphQLCall, upstream: Harness) -> None:
    found = await page(graphql, CONTACTS, "contacts", search="")

    assert found["totalCount"] == 8
    [call] = upstream.calls("get")
    assert call.error is None


async def test_contact_cursor_survives_deletions(graphql: GraphQLCall, upstream: Harness) -> None:
    contacts = upstream.emulator.account().contacts
    first, _, third, fourth, *_ = sorted(contacts)
    one = await page(graphql, CONTACTS, "contacts", first=2)
    two = await page(graphql, CONTACTS, "contacts", first=2, after=one["pageInfo"]["endCursor"])

    # The contact a cursor names goes: the next page starts at the position it had.
    del contacts[third]
    upstream.clock.advance(121)  # past the contact list's TTL
    after_gone = await page(graphql, CONTACTS, "contacts", first=1, after=two["edges"][0]["cursor"])
    # A contact before the cursor goes: the next page still starts after the cursor's contact.
    del contacts[first]
    upstream.clock.advance(121)
    after_earlier_gone = await page(
        graphql, CONTACTS, "contacts", first=1, after=one["pageInfo"]["endCursor"]
    )

    assert after_gone["edges"][0]["node"]["phones"] == contacts[fourth].phones
    assert after_earlier_gone["edges"][0]["node"]["phones"] == contacts[fourth].phones
    assert after_earlier_gone["totalCount"] == 6
    assert len(upstream.calls("get")) == 3


def _contact(*phones: str) -> DomainContact:
    return DomainContact(
        phones=phones,
        name=None,
        group_ids=(),
        first_name=None,
        last_name=None,
        middle_name=None,
        birthday=None,
        client_id=None,
        comment=None,
        tags=(),
        other_phones=(),
    )


def test_contact_without_phones_is_placed_by_position() -> None:
    contacts = [_contact("79000000001"), _contact(), _contact("79000000003")]
    first = paginate(contacts, paging.CONTACTS, PageRequest(2, None))

    after = contacts_page(1, first.edges()[-1][0])
    rest = paginate(contacts, paging.CONTACTS, after)

    assert after.after == Cursor(1, "-")
    assert [contact.phones for contact in rest.items] == [("79000000003",)]


def test_cursor_past_a_shrunken_list_gives_an_empty_last_page() -> None:
    gone = contacts_page(2, encode_cursor("contact", 40, "79000000040"))

    rest = paginate([_contact("79000000001")], paging.CONTACTS, gone)

    assert rest.items == []
    assert rest.has_next is False
    assert rest.has_previous is True
    assert page_info(rest).start_cursor is None


async def test_contact_groups_take_one_group_list_per_request(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    body = await graphql(
        "{ contacts(first: 100) { edges { node { phones groups { id name } } } } }"
    )

    assert "errors" not in body
    data = upstream.emulator.account()
    expected = {
        tuple(c.phones): sorted(data.groups[g].name for g in c.groups)
        for c in data.contacts.values()
    }
    assert {
        tuple(edge["node"]["phones"]): sorted(g["name"] for g in edge["node"]["groups"])
        for edge in body["data"]["contacts"]["edges"]
    } == expected
    assert sum(len(groups) for groups in expected.values()) > len(expected)
    assert len(upstream.calls("get_group")) == 1
    assert len(upstream.emulator.calls) == 2


async def test_contact_groups_and_group_list_in_one_request_share_the_read(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    body = await graphql("{ groups { id } contacts { edges { node { groups { id } } } } }")

    assert "errors" not in body
    assert len(upstream.calls("get_group")) == 1


# answers


async def test_walking_every_answer_page_asks_smsc_once(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    nodes = await walk(graphql, ANSWERS, "answers", hours=168)

    answers = upstream.emulator.account().answers
    assert [(n["id"], n["phone"], n["message"], n["toPhone"]) for n in nodes] == [
        (str(id), answers[id].phone, answers[id].message, answers[id].to_phone)
        for id in sorted(answers)
    ]
    assert "Перезвоните мне\nпожалуйста 🙏" in {n["message"] for n in nodes}
    assert 'Нет, спасибо. "Отпишите" меня' in {n["message"] for n in nodes}
    for node in nodes:
        assert dt.datetime.fromisoformat(node["receivedAt"]).utcoffset() == dt.timedelta(hours=3)
    assert len(upstream.calls("get_answers")) == 1


async def test_answers_default_to_smscs_last_day(graphql: GraphQLCall, upstream: Harness) -> None:
    found = await page(graphql, ANSWERS, "answers")

    day_ago = upstream.emulator.now() - 24 * 3600
    recent = [a for a in upstream.emulator.account().answers.values() if a.received >= day_ago]
    assert found["totalCount"] == len(recent) == 3


async def test_answers_to_one_phone(graphql: GraphQLCall) -> None:
    found = await page(graphql, ANSWERS, "answers", hours=168, to="+79370000002")

    assert {edge["node"]["toPhone"] for edge in found["edges"]} == {"79370000002"}
    assert [edge["node"]["message"] for edge in found["edges"]] == [
        'Нет, спасибо. "Отпишите" меня',
        "STOP",
    ]


async def test_new_answers_do_not_shift_pages(graphql: GraphQLCall, upstream: Harness) -> None:
    one = await page(graphql, ANSWERS, "answers", hours=168, first=2)
    new_id = upstream.emulator.inject_answer(phone="79161234567", message='Ещё, "одно"\n🙂')
    upstream.clock.advance(31)  # past the answer list's TTL

    rest = await page(
        graphql, ANSWERS, "answers", hours=168, first=100, after=one["pageInfo"]["endCursor"]
    )

    assert rest["totalCount"] == 7
    ids = [edge["node"]["id"] for edge in one["edges"] + rest["edges"]]
    assert ids == [str(id) for id in sorted(upstream.emulator.account().answers)]
    assert rest["edges"][-1]["node"] == {
        "id": str(new_id),
        "receivedAt": rest["edges"][-1]["node"]["receivedAt"],
        "phone": "79161234567",
        "message": 'Ещё, "одно"\n🙂',
        "toPhone": None,
        "sentAt": rest["edges"][-1]["node"]["sentAt"],
    }


async def test_answers_leaving_the_window_do_not_shift_pages(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    one = await page(graphql, ANSWERS, "answers", hours=24, first=1)
    upstream.clock.advance(5 * 3600)  # the oldest of the day is now older than a day

    rest = await page(graphql, ANSWERS, "answers", hours=24, after=one["pageInfo"]["endCursor"])

    assert rest["totalCount"] == 2
    assert rest["pageInfo"]["hasPreviousPage"] is False
    assert [edge["node"]["message"] for edge in rest["edges"]] == [
        "STOP",
        "Спасибо, до встречи!",
    ]
