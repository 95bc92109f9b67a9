"""`/v1/templates` end to end: bodies, conditional reads, cache headers, GraphQL agreement."""

import httpx
import pytest

from facade.upstream.client import SmscClient
from facade.upstream.exchange import Fetched, Freshness
from tests.rest.conftest import GraphQLCall, assert_problem
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

TEMPLATE_1001 = {
    "id": "1001",
    "name": "Напоминание о записи",  # noqa: RUF001 - the demo data is Russian
    "message": "Здравствуйте, {name}! Напоминаем о записи на {date} в {time}.\n"  # noqa: RUF001
    "Ответьте «Да», чтобы подтвердить.",
    "format": "SMS",
    "formatRaw": "sms",
    "sender": "Clinic",
    "autoSign": False,
    "segments": {"encoding": "UCS2", "length": 95, "parts": 2, "perPart": 67, "remaining": 39},
}
GRAPHQL_FIELDS = "id name message format formatRaw sender autoSign segments { encoding length parts perPart remaining }"


async def test_the_list_has_graphqls_names_and_values(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    response = await client.get("/v1/templates")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()[0] == TEMPLATE_1001
    data = await graphql(f"{{ templates {{ {GRAPHQL_FIELDS} }} }}")
    assert response.json() == data["templates"]


async def test_one_template(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    response = await client.get("/v1/templates/1001")

    assert response.json() == TEMPLATE_1001
    data = await graphql(f'{{ template(id: "1001") {{ {GRAPHQL_FIELDS} }} }}')
    assert response.json() == data["template"]


async def test_a_fresh_read_says_how_long_it_stays_fresh(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    first = await client.get("/v1/templates")
    upstream.clock.advance(100)
    second = await client.get("/v1/templates")

    assert first.headers["x-facade-cache"] == "miss"
    assert first.headers["cache-control"] == "private, max-age=300"
    assert first.headers["age"] == "0"
    assert second.headers["x-facade-cache"] == "hit"
    assert second.headers["cache-control"] == "private, max-age=200"
    assert second.headers["age"] == "100"
    assert first.headers["etag"] == second.headers["etag"]
    assert len(upstream.calls("get")) == 1


async def test_a_stale_value_says_so(client: httpx.AsyncClient, upstream: Harness) -> None:
    await client.get("/v1/templates")
    upstream.clock.advance(301)
    upstream.emulator.add_fault("status", status=503)

    response = await client.get("/v1/templates/1001")

    assert response.status_code == 200
    assert response.json() == TEMPLATE_1001
    assert response.headers["x-facade-cache"] == "stale"
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["age"] == "301"


@pytest.mark.parametrize("url", ["/v1/templates", "/v1/templates/1001"])
@pytest.mark.parametrize(
    ("if_none_match", "status"),
    [
        pytest.param("{etag}", 304, id="same"),
        pytest.param('"other", W/{etag}', 304, id="weak-in-a-list"),
        pytest.param("*", 304, id="star"),
        pytest.param('"other"', 200, id="other"),
    ],
)
async def test_if_none_match(
    client: httpx.AsyncClient, url: str, if_none_match: str, status: int
) -> None:
    etag = (await client.get(url)).headers["etag"]

    response = await client.get(url, headers={"If-None-Match": if_none_match.format(etag=etag)})

    assert response.status_code == status
    assert response.headers["etag"] == etag
    assert response.headers["cache-control"].startswith("private, max-age=")
    assert response.headers["x-facade-cache"] == "hit"
    if status == 304:
        assert response.content == b""


async def test_a_change_changes_the_etag(client: httpx.AsyncClient) -> None:
    before = (await client.get("/v1/templates/1001")).headers["etag"]
    await client.patch("/v1/templates/1001", json={"name": "Renamed"})

    response = await client.get("/v1/templates/1001", headers={"If-None-Match": before})

    assert response.status_code == 200
    assert response.headers["etag"] != before
    assert response.json()["name"] == "Renamed"


async def test_head_answers_like_get(client: httpx.AsyncClient) -> None:
    response = await client.head("/v1/templates")

    assert response.status_code == 200
    assert response.headers["etag"]


async def test_create_answers_201_with_location_and_the_list_shows_it(
    client: httpx.AsyncClient, upstream: Harness, graphql: GraphQLCall
) -> None:
    await client.get("/v1/templates")
    response = await client.post(
        "/v1/templates",
        json={
            "name": "Hi",
            "message": "Hello!",
            "format": "FLASH",
            "sender": "Shop",
            "autoSign": True,
        },
    )

    assert response.status_code == 201
    created = response.json()
    assert response.headers["location"] == f"/v1/templates/{created['id']}"
    assert created == {
        "id": created["id"],
        "name": "Hi",
        "message": "Hello!",
        "format": "FLASH",
        "formatRaw": "flash",
        "sender": "Shop",
        "autoSign": True,
        "segments": {"encoding": "GSM7", "length": 6, "parts": 1, "perPart": 160, "remaining": 154},
    }
    assert (await client.get(response.headers["location"])).json() == created
    data = await graphql(f'{{ template(id: "{created["id"]}") {{ {GRAPHQL_FIELDS} }} }}')
    assert data["template"] == created
    assert len(upstream.calls("get")) == 1, "the write updated the cached list in place"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"name": "N", "message": "  "}, "message", id="blank-message"),
        pytest.param({"name": "N", "message": "x" * 1001}, "message", id="long-message"),
        pytest.param({"name": " ", "message": "M"}, "name", id="blank-name"),
        pytest.param(
            {"name": "N", "message": "M", "sender": "Too long sender"}, "sender", id="sender"
        ),
        pytest.param({"name": "N", "message": "M", "format": "sms"}, "format", id="format-value"),
        pytest.param({"name": "N", "message": "M", "autoSign": "yes"}, "autoSign", id="flag-type"),
        pytest.param({"name": "N"}, "message", id="missing"),
    ],
)
async def test_create_refuses_invalid_input_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, body: dict[str, object], field: str
) -> None:
    response = await client.post("/v1/templates", json=body)

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


async def test_update_answers_the_changed_template(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    response = await client.patch(
        "/v1/templates/1001",
        json={"message": "Hi", "sender": "", "format": "VIBER", "autoSign": True},
    )

    assert response.status_code == 200
    changed = {
        **TEMPLATE_1001,
        "message": "Hi",
        "sender": None,
        "format": "VIBER",
        "formatRaw": "viber",
        "autoSign": True,
        "segments": {"encoding": "GSM7", "length": 2, "parts": 1, "perPart": 160, "remaining": 158},
    }
    assert response.json() == changed
    data = await graphql(f'{{ template(id: "1001") {{ {GRAPHQL_FIELDS} }} }}')
    assert data["template"] == changed


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "body", id="nothing-to-change"),
        pytest.param({"name": None}, "body", id="only-nulls"),
        pytest.param({"message": ""}, "message", id="blank-message"),
        pytest.param({"sender": "!!!"}, "sender", id="sender"),
        pytest.param({"id": "1002"}, "id", id="id-is-not-a-field"),
    ],
)
async def test_update_refuses_invalid_input_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, body: dict[str, object], field: str
) -> None:
    response = await client.patch("/v1/templates/1001", json=body)

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


async def test_update_is_204_when_the_list_cannot_be_read_after_it(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    upstream.emulator.add_fault("status", status=503, command="get")

    response = await client.patch("/v1/templates/1001", json={"name": "N"})

    assert response.status_code == 204
    assert response.content == b""
    assert upstream.emulator.calls[0].command == "chg"


async def test_update_is_204_when_the_list_lacks_the_template(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def empty(self: SmscClient) -> Fetched[list[object]]:
        return Fetched([], Freshness.MISS)

    monkeypatch.setattr(SmscClient, "templates", empty)

    response = await client.patch("/v1/templates/1001", json={"name": "N"})

    assert response.status_code == 204


async def test_delete_and_graphql_agree(client: httpx.AsyncClient, graphql: GraphQLCall) -> None:
    response = await client.delete("/v1/templates/1001")

    assert response.status_code == 204
    assert_problem(await client.get("/v1/templates/1001"), 404, "NOT_FOUND")
    assert (await graphql('{ template(id: "1001") { id } }'))["template"] is None


async def test_a_graphql_change_is_visible_through_rest(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    await client.get("/v1/templates")
    data = await graphql(
        'mutation { createTemplate(input: {name: "G", message: "From GraphQL"}) '
        "{ ... on CreateTemplateSuccess { template { id } } } }"
    )
    id = data["createTemplate"]["template"]["id"]
    await graphql(
        f'mutation {{ updateTemplate(input: {{id: "{id}", name: "G2"}}) {{ __typename }} }}'
    )

    response = await client.get(f"/v1/templates/{id}")

    assert response.json()["name"] == "G2"
    assert response.json()["message"] == "From GraphQL"
