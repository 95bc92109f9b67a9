"""`/v1/answers` end to end: GraphQL's names, filters, pages resumed by id, conditional reads."""

from typing import Any

import httpx
import pytest

from facade.vocabulary.paging import encode_cursor
from tests.rest.conftest import GraphQLCall, assert_problem
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

GRAPHQL_FIELDS = "id receivedAt phone message toPhone sentAt"


async def walk(client: httpx.AsyncClient, url: str) -> list[dict[str, Any]]:
    """Every page from `url` on, following `next`."""
    pages = []
    next_url: str | None = url
    while next_url is not None:
        response = await client.get(next_url)
        assert response.status_code == 200, response.text
        pages.append(response.json())
        next_url = response.json()["next"]
        if next_url is None:
            assert "link" not in response.headers
        else:
            assert response.headers["link"] == f'<{next_url}>; rel="next"'
    return pages


async def test_the_list_has_graphqls_names_and_values(
    client: httpx.AsyncClient, graphql: GraphQLCall
) -> None:
    response = await client.get("/v1/answers?sinceHours=168&limit=100")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    data = await graphql(
        f"{{ answers(sinceHours: 168, first: 100) {{ edges {{ node {{ {GRAPHQL_FIELDS} }} }} }} }}"
    )
    assert body["items"] == [edge["node"] for edge in data["answers"]["edges"]]
    assert body["totalCount"] == 6
    assert body["nextCursor"] is None
    assert body["next"] is None
    assert body["items"][0] == {
        "id": "6001",
        "receivedAt": body["items"][0]["receivedAt"],
        "phone": "79161234567",
        "message": "Да",
        "toPhone": "79370000001",
        "sentAt": body["items"][0]["sentAt"],
    }


async def test_the_default_window_is_smscs_day(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    response = await client.get("/v1/answers")

    assert [a["message"] for a in response.json()["items"]][-1] == "Спасибо, до встречи!"
    assert response.json()["totalCount"] == 3


async def test_to_phone_filters(client: httpx.AsyncClient, upstream: Harness) -> None:
    response = await client.get(
        "/v1/answers", params={"sinceHours": 168, "toPhone": "+79370000002"}
    )

    assert [a["message"] for a in response.json()["items"]] == [
        'Нет, спасибо. "Отпишите" меня',
        "STOP",
    ]


async def test_a_walk_with_limit_2_visits_every_answer_once_on_one_smsc_call(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    pages = await walk(client, "/v1/answers?sinceHours=168&limit=2")

    assert [len(page["items"]) for page in pages] == [2, 2, 2]
    ids = [a["id"] for page in pages for a in page["items"]]
    assert ids == [str(id) for id in sorted(upstream.emulator.account().answers)]
    assert {page["totalCount"] for page in pages} == {6}
    assert len(upstream.calls("get_answers")) == 1


async def test_new_answers_do_not_shift_pages(client: httpx.AsyncClient, upstream: Harness) -> None:
    first = (await client.get("/v1/answers?sinceHours=168&limit=2")).json()
    new_id = upstream.emulator.inject_answer(phone="79161234567", message="Ещё одно")
    upstream.clock.advance(31)  # past the answer list's TTL

    rest = await walk(client, first["next"])

    assert rest[0]["totalCount"] == 7
    ids = [a["id"] for page in [first, *rest] for a in page["items"]]
    assert ids == [str(id) for id in sorted(upstream.emulator.account().answers)]
    assert ids[-1] == str(new_id)


async def test_answers_leaving_the_window_do_not_shift_pages(
    client: httpx.AsyncClient, upstream: Harness
) -> None:
    first = (await client.get("/v1/answers?sinceHours=24&limit=1")).json()
    upstream.clock.advance(5 * 3600)  # the oldest of the day is now older than a day

    rest = (await client.get(first["next"])).json()

    assert rest["totalCount"] == 2
    assert [a["message"] for a in rest["items"]] == ["STOP"], "none skipped"


async def test_a_cursor_from_either_api_resumes_in_the_other(
    client: httpx.AsyncClient, graphql: GraphQLCall, upstream: Harness
) -> None:
    ids = [str(id) for id in sorted(upstream.emulator.account().answers)]
    rest = (await client.get("/v1/answers?sinceHours=168&limit=2")).json()

    data = await graphql(
        "query($after: String) { answers(sinceHours: 168, first: 2, after: $after) "
        "{ edges { cursor node { id } } pageInfo { endCursor } } }",
        {"after": rest["nextCursor"]},
    )
    end = data["answers"]["pageInfo"]["endCursor"]
    params = {"sinceHours": 168, "limit": 2, "cursor": end}
    back = (await client.get("/v1/answers", params=params)).json()

    assert [a["id"] for a in rest["items"]] == ids[0:2]
    assert [edge["node"]["id"] for edge in data["answers"]["edges"]] == ids[2:4]
    assert [a["id"] for a in back["items"]] == ids[4:6]
    assert len(upstream.calls("get_answers")) == 1


async def test_a_cursor_past_the_end_is_an_empty_last_page(client: httpx.AsyncClient) -> None:
    cursor = encode_cursor("answer", 9, "999999")

    body = (await client.get("/v1/answers", params={"cursor": cursor})).json()

    assert body["items"] == []
    assert body["next"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        pytest.param({"sinceHours": "0"}, "sinceHours", id="hours-low"),
        pytest.param({"sinceHours": "169"}, "sinceHours", id="hours-high"),
        pytest.param({"sinceHours": "day"}, "sinceHours", id="hours-type"),
        pytest.param({"toPhone": "12"}, "toPhone", id="phone"),
        pytest.param({"limit": "0"}, "limit", id="limit-low"),
        pytest.param({"limit": "101"}, "limit", id="limit-high"),
        pytest.param({"cursor": "!!"}, "cursor", id="cursor-garbage"),
        pytest.param({"cursor": encode_cursor("contact", 1, "6001")}, "cursor", id="other-kind"),
        pytest.param({"cursor": encode_cursor("answer", 1, "x1")}, "cursor", id="not-an-id"),
    ],
)
async def test_invalid_input_is_400_without_asking_smsc(
    client: httpx.AsyncClient, upstream: Harness, params: dict[str, str], field: str
) -> None:
    response = await client.get("/v1/answers", params=params)

    assert_problem(response, 400, "INVALID_INPUT", field=field)
    assert not upstream.emulator.calls


async def test_if_none_match_is_304_per_page(client: httpx.AsyncClient) -> None:
    first = await client.get("/v1/answers?sinceHours=168&limit=2")
    second = await client.get(first.json()["next"])

    again = await client.get(
        "/v1/answers?sinceHours=168&limit=2", headers={"If-None-Match": first.headers["etag"]}
    )

    assert first.headers["etag"] != second.headers["etag"]
    assert first.headers["cache-control"] == "private, max-age=30"
    assert again.status_code == 304
    assert again.headers["x-facade-cache"] == "hit"


async def test_a_stale_list_says_so(client: httpx.AsyncClient, upstream: Harness) -> None:
    await client.get("/v1/answers")
    upstream.clock.advance(31)
    upstream.emulator.add_fault("status", status=503)

    response = await client.get("/v1/answers")

    assert response.status_code == 200
    assert response.headers["x-facade-cache"] == "stale"
    assert response.headers["cache-control"] == "private, no-cache"


async def test_the_document_lists_the_route(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()

    operation = document["paths"]["/v1/answers"]["get"]
    assert operation["operationId"] == "listAnswers"
    assert {p["name"] for p in operation["parameters"]} == {
        "limit",
        "cursor",
        "sinceHours",
        "toPhone",
        "If-None-Match",
    }
    assert set(document["components"]["schemas"]["Answer"]["properties"]) == set(
        GRAPHQL_FIELDS.split()
    )
