"""The e-mail phonebook end to end (issue 17): contacts with e-mail addresses, e-mail groups and
the e-mail blacklist list, create, change and delete through both APIs, in every fmt, against the
emulator's demo account (docs/smsc-wire.md, "E-mail contacts")."""

from urllib.parse import quote

import httpx
import pytest

from facade.smsc.wire import Fmt
from tests.rest.conftest import GraphQLCall, assert_problem
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

MARIA = "maria.sidorova@example.com"
BLOCKED = "no-spam@example.net"
EMAIL_GROUP = "45"


@pytest.fixture(params=list(Fmt), ids=lambda fmt: f"fmt{fmt.value}")
def upstream(request: pytest.FixtureRequest) -> Harness:
    return harness(fmt=request.param)


def path(address: str) -> str:
    return quote(address, safe="@")


async def test_the_phonebook_lists_email_contacts_beside_phone_ones(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    items = (await client.get("/v1/contacts?limit=100")).json()["items"]
    data = await graphql(
        "{ contacts(first: 100) { edges { node { phones emails otherEmails } } } }"
    )
    nodes = [edge["node"] for edge in data["contacts"]["edges"]]

    maria = next(item for item in items if MARIA in item["emails"])
    assert maria["phones"] == []
    assert maria["emails"] == [MARIA, "m.sidorova@example.org"]
    assert maria["groupIds"] == [EMAIL_GROUP]
    assert any(item["phones"] and not item["emails"] for item in items)
    assert [(n["phones"], n["emails"], n["otherEmails"]) for n in nodes] == [
        (i["phones"], i["emails"], i["otherEmails"]) for i in items
    ]
    found = await client.get(f"/v1/contacts/{path(MARIA)}")
    assert found.status_code == 200
    assert found.json() == maria


async def test_an_email_contact_is_created_changed_and_deleted_through_rest(
    client: httpx.AsyncClient,
) -> None:
    created = await client.post(
        "/v1/contacts",
        json={"emails": ["new@example.com"], "name": "New", "groupIds": [EMAIL_GROUP]},
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/contacts/new@example.com"
    assert (created.json()["phones"], created.json()["emails"]) == ([], ["new@example.com"])

    changed = await client.patch(
        "/v1/contacts/new@example.com",
        json={"newEmails": ["renamed@example.com"], "otherEmails": ["spare@example.com"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["emails"] == ["renamed@example.com"]
    assert changed.json()["otherEmails"] == ["spare@example.com"]

    assert (await client.delete("/v1/contacts/renamed@example.com")).status_code == 204
    assert (await client.get("/v1/contacts/renamed@example.com")).status_code == 404


async def test_an_email_contact_is_created_changed_and_deleted_through_graphql(
    graphql: GraphQLCall,
) -> None:
    created = await graphql(
        """mutation { createContact(input: {emails: ["g@example.com"], groupIds: ["45"]}) {
            ... on CreateContactSuccess { contact { phones emails groupIds } } } }"""
    )
    assert created["createContact"]["contact"] == {
        "phones": [],
        "emails": ["g@example.com"],
        "groupIds": [EMAIL_GROUP],
    }
    changed = await graphql(
        """mutation { updateContact(input: {phone: "g@example.com", newEmails: ["h@example.com"]})
            { ... on UpdateContactSuccess { phone } } }"""
    )
    assert changed["updateContact"]["phone"] == "h@example.com"
    deleted = await graphql(
        """mutation { deleteContact(phone: "h@example.com") {
            ... on DeleteContactSuccess { phone } } }"""
    )
    assert deleted["deleteContact"]["phone"] == "h@example.com"
    data = await graphql("{ contacts(first: 100) { edges { node { emails } } } }")
    assert ["h@example.com"] not in [edge["node"]["emails"] for edge in data["contacts"]["edges"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"phones": ["79991234567"], "emails": ["a@example.com"]}, "emails", id="both"),
        pytest.param({"phones": [], "emails": []}, "phones", id="neither"),
        pytest.param({"emails": ["not-an-address"]}, "emails[0]", id="bad-address"),
        pytest.param({"emails": ["a@example.com"], "otherPhones": ["79991234567"]}, "otherPhones"),
    ],
)
async def test_a_contact_holds_one_kind_of_address(
    client: httpx.AsyncClient, upstream: Harness, body: dict[str, object], field: str
) -> None:
    response = await client.post("/v1/contacts", json=body)

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


async def test_a_phone_contact_takes_no_email_change(client: httpx.AsyncClient) -> None:
    items = (await client.get("/v1/contacts?limit=100")).json()["items"]
    phone = next(item["phones"][0] for item in items if item["phones"])

    response = await client.patch(f"/v1/contacts/{phone}", json={"newEmails": ["x@example.com"]})

    assert_problem(response, 400, "INVALID_INPUT", field="body")


async def test_the_email_blacklist_lists_adds_and_removes(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    phones = (await client.get("/v1/blacklist")).json()
    emails = (await client.get("/v1/blacklist?emails=true")).json()
    assert BLOCKED not in [entry["phone"] for entry in phones]
    assert [entry["phone"] for entry in emails] == [BLOCKED]
    data = await graphql("{ blacklist(emails: true) { phone scope } }")
    assert data["blacklist"] == [{"phone": BLOCKED, "scope": "ALL"}]

    added = await client.post("/v1/blacklist", json={"phone": "stop@example.com", "scope": "MASS"})
    assert added.status_code == 201, added.text
    assert added.headers["location"] == "/v1/blacklist/stop@example.com"
    assert (await client.get("/v1/blacklist/stop@example.com")).json()["scope"] == "MASS"

    removed = await graphql(
        """mutation { removeFromBlacklist(phone: "stop@example.com") {
            ... on RemoveFromBlacklistSuccess { phone } } }"""
    )
    assert removed["removeFromBlacklist"]["phone"] == "stop@example.com"
    emails = (await client.get("/v1/blacklist?emails=true")).json()
    assert [entry["phone"] for entry in emails] == [BLOCKED]


async def test_an_email_group_is_created_and_listed(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    created = await client.post("/v1/groups", json={"name": "Letters", "kind": "EMAILS"})
    assert created.status_code == 201, created.text

    data = await graphql("{ groups { id name } }")
    assert {"id": created.json()["id"], "name": "Letters"} in data["groups"]
    assert {"id": EMAIL_GROUP, "name": "Подписчики, e-mail «Новости»"} in data["groups"]
