"""`/v1/contacts` end to end: pages, addressing by phone, group membership, GraphQL agreement."""

from typing import Any

import httpx
import pytest

from facade.upstream.client import SmscClient
from facade.upstream.exchange import Fetched, Freshness
from tests.rest.conftest import GraphQLCall, assert_problem
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

FIELDS = (
    "phones name groupIds firstName lastName middleName birthday clientId comment tags otherPhones"
    " emails otherEmails"
)
IVAN = {
    "phones": ["79161234567", "79261234567"],
    "name": "Иванов Иван",
    "groupIds": ["41", "42"],
    "firstName": "Иван",
    "lastName": "Иванов",
    "middleName": "Иванович",
    "birthday": "1985-05-15",
    "clientId": "crm-1",
    "comment": 'Постоянный клиент; любит "скидки" & <акции>',
    "tags": ["vip", "постоянный клиент"],
    "otherPhones": ["74951234567"],
    "emails": [],
    "otherEmails": [],
}
NEW = {
    "phones": ["+79990001122"],
    "name": "Новый",
    "groupIds": ["43"],
    "firstName": "Нов",
    "lastName": "Ый",
    "middleName": "",
    "birthday": "2000-02-29",
    "clientId": "crm-9",
    "comment": "Пришёл сам",
    "tags": ["new"],
    "otherPhones": ["74950009999"],
}


async def graphql_contact(graphql: GraphQLCall, phone: str) -> dict[str, Any] | None:
    data = await graphql(f"{{ contacts(first: 100) {{ edges {{ node {{ {FIELDS} }} }} }} }}")
    nodes = [edge["node"] for edge in data["contacts"]["edges"]]
    return next((node for node in nodes if phone in node["phones"]), None)


# reads


async def test_pages_match_graphql(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    first = await client.get("/v1/contacts", params={"limit": 4})
    page = first.json()
    second = (await client.get(page["next"])).json()

    assert first.status_code == 200
    assert first.headers["cache-control"] == "private, max-age=120"
    assert first.headers["link"] == f'<{page["next"]}>; rel="next"'
    assert page["next"] == f"/v1/contacts?limit=4&cursor={page['nextCursor']}"
    assert (page["totalCount"], len(page["items"]), page["items"][0]) == (8, 4, IVAN)
    assert (len(second["items"]), second["nextCursor"], second["next"]) == (4, None, None)
    data = await graphql(f"{{ contacts {{ totalCount edges {{ node {{ {FIELDS} }} }} }} }}")
    assert page["items"] + second["items"] == [edge["node"] for edge in data["contacts"]["edges"]]


async def test_search_matches_graphql(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    response = await client.get("/v1/contacts", params={"search": "Иван"})

    data = await graphql(f'{{ contacts(search: "Иван") {{ edges {{ node {{ {FIELDS} }} }} }} }}')
    assert response.json()["items"] == [edge["node"] for edge in data["contacts"]["edges"]]
    assert response.json()["totalCount"] == 1
    assert "link" not in response.headers


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"limit": "0"}, "limit", id="limit-0"),
        pytest.param({"limit": "101"}, "limit", id="limit-101"),
        pytest.param({"cursor": "bm9wZQ"}, "cursor", id="cursor"),
    ],
)
async def test_a_bad_page_is_400_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, params: dict[str, str], field: str
) -> None:
    response = await client.get("/v1/contacts", params=params)

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


@pytest.mark.parametrize("phone", ["79261234567", "+79261234567"])
async def test_any_phone_finds_the_contact(
    client: httpx.AsyncClient, graphql: GraphQLCall, phone: str
) -> None:
    response = await client.get(f"/v1/contacts/{phone}")

    assert response.json() == IVAN
    assert response.json() == await graphql_contact(graphql, "79161234567")


@pytest.mark.parametrize("url", ["/v1/contacts", "/v1/contacts/79161234567"])
async def test_reads_are_conditional(
    client: httpx.AsyncClient, upstream: Harness, url: str
) -> None:
    first = await client.get(url)
    again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["x-facade-cache"] == "hit"
    assert len(upstream.emulator.calls) == 1


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/v1/contacts/{phone}"),
        ("PATCH", "/v1/contacts/{phone}"),
        ("DELETE", "/v1/contacts/{phone}"),
        ("PUT", "/v1/contacts/{phone}/groups/41"),
        ("DELETE", "/v1/contacts/{phone}/groups/41"),
    ],
)
@pytest.mark.parametrize(
    ("phone", "status", "code"),
    [
        pytest.param("79000000000", 404, "NOT_FOUND", id="unknown"),
        pytest.param("12345", 400, "INVALID_INPUT", id="short"),
        pytest.param("7916abc4567", 400, "INVALID_INPUT", id="letters"),
    ],
)
async def test_a_bad_phone_is_refused(
    client: httpx.AsyncClient,
    upstream: Harness,
    method: str,
    url: str,
    phone: str,
    status: int,
    code: str,
) -> None:
    body = {"name": "N"} if method == "PATCH" else None

    response = await client.request(method, url.format(phone=phone), json=body)

    problem = assert_problem(response, status, code)
    if status == 400:
        assert problem["field"] == "phone"
        assert not upstream.emulator.calls
    elif method != "GET":
        assert problem["upstreamCode"] == 3


# create


async def test_create_answers_201_with_location_and_graphql_sees_it(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    response = await client.post("/v1/contacts", json=NEW)

    assert response.status_code == 201
    assert response.headers["location"] == "/v1/contacts/79990001122"
    expected = {
        **NEW,
        "phones": ["79990001122"],
        "middleName": None,
        "emails": [],
        "otherEmails": [],
    }
    assert response.json() == expected
    assert (await client.get(response.headers["location"])).json() == expected
    assert await graphql_contact(graphql, "79990001122") == expected


async def test_a_phone_another_contact_holds_is_rejected_by_smsc_422(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/contacts", json={"phones": ["79031112233"]})

    assert_problem(response, 422, "UPSTREAM_REJECTED", upstreamCode=5)


async def test_an_unknown_group_is_404(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/contacts", json={"phones": ["79990001122"], "groupIds": ["9"]}
    )

    assert_problem(response, 404, "NOT_FOUND", upstreamCode=3)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"phones": ["79990001122", "1"]}, "phones[1]", id="phone"),
        pytest.param({"phones": ["79990001122"], "groupIds": ["4x"]}, "groupIds[0]", id="group"),
        pytest.param(
            {"phones": ["79990001122"], "otherPhones": ["x"]}, "otherPhones[0]", id="other-phone"
        ),
        pytest.param(
            {"phones": ["79990001122"], "birthday": "2001-02-29"}, "birthday", id="birthday"
        ),
        pytest.param({"phones": ["79990001122"], "tags": "vip"}, "tags", id="tags-type"),
        pytest.param({"phones": ["79990001122"], "groups": []}, "groups", id="groups-not-a-field"),
        pytest.param({"name": "N"}, "phones", id="missing-phones"),
    ],
)
async def test_create_refuses_invalid_input_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/contacts", json=body)

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


# change and delete


async def test_update_answers_the_changed_contact_and_graphql_agrees(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    response = await client.patch(
        "/v1/contacts/+79161234567",
        json={"newPhones": ["+79160000000"], "name": "Иван", "tags": [], "comment": ""},
    )

    assert response.status_code == 200
    changed = {**IVAN, "phones": ["79160000000"], "name": "Иван", "tags": [], "comment": None}
    assert response.json() == changed
    assert await graphql_contact(graphql, "79160000000") == changed


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "body", id="nothing-to-change"),
        pytest.param({"name": None}, "body", id="only-nulls"),
        pytest.param({"newPhones": ["7"]}, "newPhones[0]", id="new-phone"),
        pytest.param({"groupIds": ["x"]}, "groupIds[0]", id="group"),
        pytest.param({"otherPhones": ["x"]}, "otherPhones[0]", id="other-phone"),
        pytest.param({"phone": "79161234567"}, "phone", id="phone-is-the-path"),
    ],
)
async def test_update_refuses_invalid_input_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, body: dict[str, Any], field: str
) -> None:
    response = await client.patch("/v1/contacts/79161234567", json=body)

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


async def test_update_is_204_when_the_list_cannot_be_read_after_it(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    upstream.emulator.add_fault("status", status=503, command="get")

    response = await client.patch("/v1/contacts/79161234567", json={"name": "N"})

    assert response.status_code == 204
    assert upstream.emulator.calls[0].command == "chg"


async def test_update_is_204_when_the_list_lacks_the_contact(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def empty(self: SmscClient, *args: object) -> Fetched[list[object]]:
        return Fetched([], Freshness.MISS)

    monkeypatch.setattr(SmscClient, "contacts", empty)

    response = await client.patch("/v1/contacts/79161234567", json={"name": "N"})

    assert response.status_code == 204


async def test_delete_and_graphql_agree(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    response = await client.delete("/v1/contacts/79261234567")

    assert response.status_code == 204
    assert_problem(await client.get("/v1/contacts/79161234567"), 404, "NOT_FOUND")
    assert await graphql_contact(graphql, "79161234567") is None


# groups


async def test_group_membership_and_graphql_agree(
    client: httpx.AsyncClient, upstream: Harness, graphql: GraphQLCall
) -> None:
    added = await client.put("/v1/contacts/79031112233/groups/43")
    again = await client.put("/v1/contacts/79031112233/groups/43")
    removed = await client.delete("/v1/contacts/79031112233/groups/41")

    assert (added.status_code, again.status_code, removed.status_code) == (204, 204, 204)
    assert added.content == b""
    assert (await client.get("/v1/contacts/79031112233")).json()["groupIds"] == ["43"]
    upstream.clock.advance(61)  # phones.php allows few identical requests a minute
    assert (await graphql_contact(graphql, "79031112233") or {})["groupIds"] == ["43"]


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_an_unknown_group_of_a_contact_is_404(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/v1/contacts/79031112233/groups/999")

    assert_problem(response, 404, "NOT_FOUND", upstreamCode=3)


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
async def test_a_malformed_group_id_is_400_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, method: str
) -> None:
    response = await client.request(method, "/v1/contacts/79031112233/groups/4x")

    assert_problem(response, 400, "INVALID_INPUT", field="groupId")
    assert not upstream.emulator.calls


# GraphQL → REST, and the vocabulary


async def test_graphql_mutations_are_visible_through_rest(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    await client.get("/v1/contacts")
    await graphql(
        'mutation { createContact(input: {phones: ["79990001122"], name: "G"}) { __typename } }'
    )
    await graphql(
        'mutation { addContactToGroup(input: {phone: "79990001122", groupId: "44"}) '
        "{ __typename } }"
    )

    response = await client.get("/v1/contacts/79990001122")

    assert (response.json()["name"], response.json()["groupIds"]) == ("G", ["44"])


async def test_field_names_are_graphqls_without_groups(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    document = (await client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]

    for schema, type_name, kind, omitted in [
        ("Contact", "Contact", "fields", {"groups"}),
        ("CreateContact", "CreateContactInput", "inputFields", set()),
        ("UpdateContact", "UpdateContactInput", "inputFields", {"phone"}),
    ]:
        data = await graphql(f'{{ __type(name: "{type_name}") {{ {kind} {{ name }} }} }}')
        graphql_fields = {field["name"] for field in data["__type"][kind]}
        assert set(schemas[schema]["properties"]) == graphql_fields - omitted
