"""`/v1/blacklist` end to end: addressed by phone, conditional reads, GraphQL agreement."""

from typing import Any

import httpx
import pytest

from tests.rest.conftest import GraphQLCall, assert_problem, enum_values
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

FIELDS = "id phone scope scopeCode comment"
FIRST = {
    "id": "501",
    "phone": "79990000001",
    "scope": "ALL",
    "scopeCode": 0,
    "comment": "Жалоба, просил не писать",
}


async def test_the_list_matches_graphql(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    response = await client.get("/v1/blacklist")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, max-age=300"
    assert response.json()[0] == FIRST
    assert [e["scope"] for e in response.json()] == ["ALL", "MASS", "SINGLE"]
    assert response.json() == (await graphql(f"{{ blacklist {{ {FIELDS} }} }}"))["blacklist"]


@pytest.mark.parametrize("phone", ["79990000001", "+79990000001"])
async def test_one_entry_by_phone(client: httpx.AsyncClient, phone: str) -> None:
    assert (await client.get(f"/v1/blacklist/{phone}")).json() == FIRST


@pytest.mark.parametrize("url", ["/v1/blacklist", "/v1/blacklist/79990000001"])
async def test_reads_are_conditional(
    client: httpx.AsyncClient, upstream: Harness, url: str
) -> None:
    first = await client.get(url)
    again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.headers["etag"] == first.headers["etag"]
    assert len(upstream.emulator.calls) == 1


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize(
    ("phone", "status", "code"),
    [
        pytest.param("79000000000", 404, "NOT_FOUND", id="unknown"),
        pytest.param("123", 400, "INVALID_INPUT", id="malformed"),
    ],
)
async def test_a_bad_phone_is_refused(
    client: httpx.AsyncClient, upstream: Harness, method: str, phone: str, status: int, code: str
) -> None:
    problem = assert_problem(await client.request(method, f"/v1/blacklist/{phone}"), status, code)

    if status == 400:
        assert problem["field"] == "phone"
        assert not upstream.emulator.calls
    elif method == "DELETE":
        assert problem["upstreamCode"] == 3


async def test_add_answers_201_with_location_and_graphql_sees_it(
    client: httpx.AsyncClient, upstream: Harness, graphql: GraphQLCall
) -> None:
    await client.get("/v1/blacklist")
    response = await client.post(
        "/v1/blacklist", json={"phone": "+79990000009", "scope": "MASS", "comment": "Просил"}
    )

    assert response.status_code == 201
    entry = response.json()
    assert entry == {
        "id": entry["id"],
        "phone": "79990000009",
        "scope": "MASS",
        "scopeCode": 1,
        "comment": "Просил",
    }
    assert response.headers["location"] == "/v1/blacklist/79990000009"
    assert (await client.get(response.headers["location"])).json() == entry
    assert entry in (await graphql(f"{{ blacklist {{ {FIELDS} }} }}"))["blacklist"]
    assert len(upstream.calls("get_black")) == 1, "the write updated the cached list in place"


async def test_a_listed_phone_is_rejected_by_smsc_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/blacklist", json={"phone": "79990000001"})

    assert_problem(response, 422, "UPSTREAM_REJECTED", upstreamCode=5)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"phone": "12"}, "phone", id="phone"),
        pytest.param({"phone": "79990000009", "scope": "all"}, "scope", id="scope"),
        pytest.param({"phone": "79990000009", "scope": "UNKNOWN"}, "scope", id="unknown-scope"),
        pytest.param({"phone": 79990000009}, "phone", id="phone-type"),
        pytest.param({}, "phone", id="missing"),
    ],
)
async def test_add_refuses_invalid_input_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/v1/blacklist", json=body)

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


async def test_remove_and_graphql_agree(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    response = await client.delete("/v1/blacklist/+79990000001")

    assert response.status_code == 204
    assert_problem(await client.get("/v1/blacklist/79990000001"), 404, "NOT_FOUND")
    listed = (await graphql("{ blacklist { phone } }"))["blacklist"]
    assert {"phone": "79990000001"} not in listed


async def test_a_graphql_change_is_visible_through_rest(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    await client.get("/v1/blacklist")
    await graphql('mutation { addToBlacklist(input: {phone: "79990000009"}) { __typename } }')
    await graphql('mutation { removeFromBlacklist(phone: "79990000002") { __typename } }')

    phones = [entry["phone"] for entry in (await client.get("/v1/blacklist")).json()]

    assert phones == ["79990000001", "79990000003", "79990000009"]


async def test_entries_cannot_be_changed(client: httpx.AsyncClient) -> None:
    response = await client.patch("/v1/blacklist/79990000001", json={"scope": "ALL"})

    assert_problem(response, 405, "INVALID_INPUT")


async def test_the_vocabulary_is_graphqls(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    document = (await client.get("/openapi.json")).json()
    schemas = document["components"]["schemas"]

    assert schemas["BlockScope"]["enum"] == await enum_values(graphql, "BlockScope")
    for schema, type_name, kind in [
        ("BlacklistEntry", "BlacklistEntry", "fields"),
        ("AddToBlacklist", "AddToBlacklistInput", "inputFields"),
    ]:
        data = await graphql(f'{{ __type(name: "{type_name}") {{ {kind} {{ name }} }} }}')
        assert set(schemas[schema]["properties"]) == {f["name"] for f in data["__type"][kind]}
