"""`/v1/groups` end to end: bodies, conditional reads, GraphQL agreement."""

import httpx
import pytest

from facade.upstream.client import SmscClient
from facade.upstream.exchange import Fetched, Freshness
from tests.rest.conftest import GraphQLCall, assert_problem
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

GROUP_41 = {"id": "41", "name": "Клиенты VIP", "number": 100, "contactCount": 3}
FIELDS = "id name number contactCount"


async def test_the_list_matches_graphql(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    response = await client.get("/v1/groups")

    assert response.status_code == 200
    assert response.json()[0] == GROUP_41
    assert response.headers["cache-control"] == "private, max-age=120"
    assert response.headers["x-facade-cache"] == "miss"
    assert response.json() == (await graphql(f"{{ groups {{ {FIELDS} }} }}"))["groups"]


async def test_one_group_is_conditional(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/groups/41")
    again = await client.get("/v1/groups/41", headers={"If-None-Match": response.headers["etag"]})

    assert response.json() == GROUP_41
    assert again.status_code == 304
    assert again.headers["x-facade-cache"] == "hit"


async def test_create_answers_201_with_location(
    client: httpx.AsyncClient, upstream: Harness, graphql: GraphQLCall
) -> None:
    response = await client.post(
        "/v1/groups", json={"name": "New", "number": 400, "kind": "PHONES"}
    )

    assert response.status_code == 201
    created = response.json()
    assert created == {"id": created["id"], "name": "New", "number": 400, "contactCount": 0}
    assert response.headers["location"] == f"/v1/groups/{created['id']}"
    assert (await client.get(response.headers["location"])).json() == created
    data = await graphql(f'{{ group(id: "{created["id"]}") {{ {FIELDS} }} }}')
    assert data["group"] == created


async def test_a_taken_number_is_rejected_by_smsc_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/groups", json={"name": "Dup", "number": 100})

    assert_problem(response, 422, "UPSTREAM_REJECTED", upstreamCode=5)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"name": " "}, "name", id="blank-name"),
        pytest.param({"name": "N", "number": -1}, "number", id="negative-number"),
        pytest.param({"name": "N", "number": "1"}, "number", id="number-type"),
        pytest.param({"name": "N", "kind": "SMS"}, "kind", id="kind"),
        pytest.param({}, "name", id="missing"),
    ],
)
async def test_create_refuses_invalid_input_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, body: dict[str, object], field: str
) -> None:
    response = await client.post("/v1/groups", json=body)

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


async def test_rename_answers_the_renamed_group(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    response = await client.patch("/v1/groups/41", json={"name": "VIP"})

    assert response.status_code == 200
    assert response.json() == {**GROUP_41, "name": "VIP"}
    assert (await graphql('{ group(id: "41") { name } }'))["group"]["name"] == "VIP"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"name": "  "}, "name", id="blank"),
        pytest.param({}, "name", id="missing"),
        pytest.param({"name": None}, "name", id="null"),
    ],
)
async def test_rename_refuses_invalid_input_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, body: dict[str, object], field: str
) -> None:
    response = await client.patch("/v1/groups/41", json=body)

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


async def test_rename_is_204_when_the_list_cannot_show_it(
    client: httpx.AsyncClient, upstream: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    upstream.emulator.add_fault("status", status=503, command="get_group")

    assert (await client.patch("/v1/groups/41", json={"name": "VIP"})).status_code == 204

    async def empty(self: SmscClient) -> Fetched[list[object]]:
        return Fetched([], Freshness.MISS)

    monkeypatch.setattr(SmscClient, "groups", empty)
    assert (await client.patch("/v1/groups/41", json={"name": "VIP2"})).status_code == 204


async def test_delete_and_graphql_agree(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    assert (await client.delete("/v1/groups/44")).status_code == 204

    assert_problem(await client.get("/v1/groups/44"), 404, "NOT_FOUND")
    assert (await graphql('{ group(id: "44") { id } }'))["group"] is None


async def test_a_graphql_rename_is_visible_through_rest(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    await client.get("/v1/groups")
    await graphql('mutation { renameGroup(input: {id: "42", name: "Office"}) { __typename } }')

    assert (await client.get("/v1/groups/42")).json()["name"] == "Office"
