"""Group and blacklist mutations through HTTP against the emulator."""

from typing import Any

import pytest

from facade.emulator.records import Group
from tests.graphql.conftest import GraphQLCall
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

ERRORS = """
  __typename
  ... on Error { code message }
  ... on InvalidInputError { field }
  ... on UpstreamError { upstreamCode }
"""
GROUP = "id name number contactCount"
CREATE_GROUP = (
    "mutation($input: CreateGroupInput!) { createGroup(input: $input) {"
    + ERRORS
    + "... on CreateGroupSuccess { group { "
    + GROUP
    + " } } } }"
)
RENAME_GROUP = (
    "mutation($input: RenameGroupInput!) { renameGroup(input: $input) {"
    + ERRORS
    + "... on RenameGroupSuccess { id group { "
    + GROUP
    + " } } } }"
)
DELETE_GROUP = (
    "mutation($id: ID!) { deleteGroup(id: $id) {" + ERRORS + "... on DeleteGroupSuccess { id } } }"
)
ENTRY = "id phone scope scopeCode comment"
BLOCK = (
    "mutation($input: AddToBlacklistInput!) { addToBlacklist(input: $input) {"
    + ERRORS
    + "... on AddToBlacklistSuccess { entry { "
    + ENTRY
    + " } } } }"
)
UNBLOCK = (
    "mutation($phone: String!) { removeFromBlacklist(phone: $phone) {"
    + ERRORS
    + "... on RemoveFromBlacklistSuccess { phone } } }"
)


async def result(graphql: GraphQLCall, query: str, **variables: Any) -> dict[str, Any]:
    body = await graphql(query, variables)
    assert "errors" not in body, body
    (value,) = body["data"].values()
    assert isinstance(value, dict)
    return value


async def listed(graphql: GraphQLCall, field: str, selection: str) -> list[dict[str, Any]]:
    body = await graphql("{ " + field + " { " + selection + " } }")
    assert "errors" not in body, body
    items: list[dict[str, Any]] = body["data"][field]
    return items


async def test_create_group_is_listed_afterwards(graphql: GraphQLCall, upstream: Harness) -> None:
    created = await result(graphql, CREATE_GROUP, input={"name": "Partners", "number": 500})

    group = created["group"]
    assert group == {"id": group["id"], "name": "Partners", "number": 500, "contactCount": 0}
    assert group in await listed(graphql, "groups", GROUP)
    assert upstream.emulator.account().groups[int(group["id"])].type == 0


async def test_create_group_of_emails(graphql: GraphQLCall, upstream: Harness) -> None:
    created = await result(graphql, CREATE_GROUP, input={"name": "Mailing", "kind": "EMAILS"})

    group = upstream.emulator.account().groups[int(created["group"]["id"])]
    assert (group.type, group.number) == (1, None)


async def test_rename_group_answers_the_renamed_group(graphql: GraphQLCall) -> None:
    renamed = await result(graphql, RENAME_GROUP, input={"id": "41", "name": "VIP"})

    assert renamed["__typename"] == "RenameGroupSuccess"
    assert renamed["group"] == {"id": "41", "name": "VIP", "number": 100, "contactCount": 3}
    assert renamed["group"] in await listed(graphql, "groups", GROUP)


async def test_delete_group_removes_it(graphql: GraphQLCall) -> None:
    deleted = await result(graphql, DELETE_GROUP, id="44")

    assert deleted == {"__typename": "DeleteGroupSuccess", "id": "44"}
    assert "44" not in {group["id"] for group in await listed(graphql, "groups", "id")}


async def test_a_renamed_group_the_cached_list_lacks_is_null(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    await listed(graphql, "groups", "id")  # cached now
    data = upstream.emulator.account()
    data.groups[99] = Group(id=99, name="Made elsewhere")

    renamed = await result(graphql, RENAME_GROUP, input={"id": "99", "name": "Renamed"})

    assert renamed == {"__typename": "RenameGroupSuccess", "id": "99", "group": None}
    assert data.groups[99].name == "Renamed"


async def test_add_to_blacklist_is_listed_afterwards(graphql: GraphQLCall) -> None:
    added = await result(
        graphql, BLOCK, input={"phone": "+79990001122", "scope": "MASS", "comment": "Asked"}
    )

    entry = added["entry"]
    assert entry == {
        "id": entry["id"],
        "phone": "79990001122",
        "scope": "MASS",
        "scopeCode": 1,
        "comment": "Asked",
    }
    assert entry in await listed(graphql, "blacklist", ENTRY)


async def test_add_to_blacklist_blocks_everything_by_default(graphql: GraphQLCall) -> None:
    added = await result(graphql, BLOCK, input={"phone": "79990001122"})

    assert (added["entry"]["scope"], added["entry"]["comment"]) == ("ALL", None)


async def test_remove_from_blacklist(graphql: GraphQLCall) -> None:
    removed = await result(graphql, UNBLOCK, phone="79990000001")

    assert removed == {"__typename": "RemoveFromBlacklistSuccess", "phone": "79990000001"}
    phones = {entry["phone"] for entry in await listed(graphql, "blacklist", "phone")}
    assert "79990000001" not in phones


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        pytest.param(CREATE_GROUP, {"input": {"name": ""}}, "name", id="create-blank-name"),
        pytest.param(
            CREATE_GROUP, {"input": {"name": "N", "number": -1}}, "number", id="create-number"
        ),
        pytest.param(RENAME_GROUP, {"input": {"id": "x", "name": "N"}}, "id", id="rename-id"),
        pytest.param(RENAME_GROUP, {"input": {"id": "41", "name": " "}}, "name", id="rename-name"),
        pytest.param(DELETE_GROUP, {"id": "-1"}, "id", id="delete-id"),
        pytest.param(BLOCK, {"input": {"phone": "112"}}, "phone", id="block-phone"),
        pytest.param(
            BLOCK, {"input": {"phone": "79990001122", "scope": "UNKNOWN"}}, "scope", id="scope"
        ),
        pytest.param(UNBLOCK, {"phone": "7999000000a"}, "phone", id="unblock-phone"),
    ],
)
async def test_invalid_input_is_refused_before_any_upstream_call(
    graphql: GraphQLCall, upstream: Harness, query: str, variables: dict[str, Any], field: str
) -> None:
    refused = await result(graphql, query, **variables)

    assert refused["__typename"] == "InvalidInputError"
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", field)
    assert not upstream.emulator.calls


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        pytest.param(RENAME_GROUP, {"input": {"id": "999", "name": "N"}}, id="rename"),
        pytest.param(DELETE_GROUP, {"id": "999"}, id="delete"),
        pytest.param(UNBLOCK, {"phone": "79990009999"}, id="unblock"),
    ],
)
async def test_an_unknown_group_or_phone_is_not_found(
    graphql: GraphQLCall, query: str, variables: dict[str, Any]
) -> None:
    missing = await result(graphql, query, **variables)

    assert (missing["__typename"], missing["code"]) == ("NotFoundError", "NOT_FOUND")


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        pytest.param(CREATE_GROUP, {"input": {"name": "Again", "number": 100}}, id="group-number"),
        pytest.param(BLOCK, {"input": {"phone": "79990000001"}}, id="blacklisted-phone"),
    ],
)
async def test_a_duplicate_is_rejected_by_smsc(
    graphql: GraphQLCall, query: str, variables: dict[str, Any]
) -> None:
    refused = await result(graphql, query, **variables)

    assert refused["__typename"] == "UpstreamError"
    assert (refused["code"], refused["upstreamCode"]) == ("UPSTREAM_REJECTED", 5)
