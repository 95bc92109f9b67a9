"""Contact mutations through HTTP against the emulator: create, update, delete, and groups."""

from typing import Any

import pytest

from tests.graphql.conftest import GraphQLCall
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

ERRORS = """
  __typename
  ... on Error { code message }
  ... on InvalidInputError { field }
  ... on UpstreamError { upstreamCode }
"""
CONTACT = """
  phones name groupIds firstName lastName middleName birthday clientId comment tags otherPhones
  groups { id name }
"""
CREATE = (
    "mutation($input: CreateContactInput!) { createContact(input: $input) {"
    + ERRORS
    + "... on CreateContactSuccess { contact {"
    + CONTACT
    + "} } } }"
)
UPDATE = (
    "mutation($input: UpdateContactInput!) { updateContact(input: $input) {"
    + ERRORS
    + "... on UpdateContactSuccess { phone } } }"
)
DELETE = (
    "mutation($phone: String!) { deleteContact(phone: $phone) {"
    + ERRORS
    + "... on DeleteContactSuccess { phone } } }"
)
ADD = (
    "mutation($input: AddContactToGroupInput!) { addContactToGroup(input: $input) {"
    + ERRORS
    + "... on AddContactToGroupSuccess { phone groupId } } }"
)
REMOVE = (
    "mutation($input: RemoveContactFromGroupInput!) { removeContactFromGroup(input: $input) {"
    + ERRORS
    + "... on RemoveContactFromGroupSuccess { phone groupId } } }"
)
MOVE = (
    "mutation($input: MoveContactToGroupInput!) { moveContactToGroup(input: $input) {"
    + ERRORS
    + "... on MoveContactToGroupSuccess { phone groupId } } }"
)
SEARCH = "query($search: String) { contacts(search: $search) { edges { node {" + CONTACT + "} } } }"
IVAN = "79161234567"  # in groups 41 and 42 of the demo data
DRAFT = {
    "phones": ["+79990001122", "79990001123"],
    "name": "Pavel Petrov",
    "groupIds": ["41"],
    "firstName": "Pavel",
    "lastName": "Petrov",
    "middleName": "Ivanovich",
    "birthday": "1990-05-17",
    "clientId": "crm-77",
    "comment": "New customer",
    "tags": ["new", "vip"],
    "otherPhones": ["74951112233"],
}


async def result(graphql: GraphQLCall, query: str, **variables: Any) -> dict[str, Any]:
    body = await graphql(query, variables)
    assert "errors" not in body, body
    (value,) = body["data"].values()
    assert isinstance(value, dict)
    return value


async def found(graphql: GraphQLCall, search: str) -> list[dict[str, Any]]:
    body = await graphql(SEARCH, {"search": search})
    assert "errors" not in body, body
    return [edge["node"] for edge in body["data"]["contacts"]["edges"]]


def groups_of(upstream: Harness, phone: str) -> set[int]:
    contact = upstream.emulator.account().contact_by_phone(phone)
    assert contact is not None
    return contact.groups


async def test_create_contact_is_listed_as_the_payload_says(graphql: GraphQLCall) -> None:
    created = await result(graphql, CREATE, input=DRAFT)

    assert created["__typename"] == "CreateContactSuccess"
    contact = created["contact"]
    assert contact["phones"] == ["79990001122", "79990001123"]
    assert contact["groups"] == [{"id": "41", "name": "Клиенты VIP"}]
    assert contact["birthday"] == "1990-05-17"
    assert await found(graphql, "79990001122") == [contact]


async def test_create_contact_with_phones_only(graphql: GraphQLCall, upstream: Harness) -> None:
    created = await result(graphql, CREATE, input={"phones": ["79990001122"]})

    assert created["contact"]["name"] is None
    assert created["contact"]["groups"] == []
    assert upstream.emulator.account().contact_by_phone("79990001122") is not None


async def test_update_contact_changes_the_fields_given(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    changes = {"phone": "+" + IVAN, "comment": "", "tags": ["gold"], "birthday": "1985-05-16"}

    updated = await result(graphql, UPDATE, input=changes)

    assert updated == {"__typename": "UpdateContactSuccess", "phone": IVAN}
    contact = upstream.emulator.account().contact_by_phone(IVAN)
    assert contact is not None
    assert (contact.comment, contact.tags, contact.birthday) == ("", ["gold"], "16.05.1985")
    assert contact.name == "Иванов Иван"


async def test_update_contact_to_new_phones_addresses_it_by_the_first(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    updated = await result(
        graphql, UPDATE, input={"phone": IVAN, "newPhones": ["+79990001122", "79990001123"]}
    )

    assert updated["phone"] == "79990001122"
    assert upstream.emulator.account().contact_by_phone(IVAN) is None
    assert [c["name"] for c in await found(graphql, "79990001123")] == ["Иванов Иван"]


async def test_delete_contact_removes_it(graphql: GraphQLCall, upstream: Harness) -> None:
    deleted = await result(graphql, DELETE, phone="+" + IVAN)

    assert deleted == {"__typename": "DeleteContactSuccess", "phone": IVAN}
    assert upstream.emulator.account().contact_by_phone(IVAN) is None


async def test_add_contact_to_group_keeps_its_other_groups(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    added = await result(graphql, ADD, input={"phone": IVAN, "groupId": "43"})

    assert added == {"__typename": "AddContactToGroupSuccess", "phone": IVAN, "groupId": "43"}
    assert groups_of(upstream, IVAN) == {41, 42, 43}
    (contact,) = await found(graphql, IVAN)
    assert sorted(group["id"] for group in contact["groups"]) == ["41", "42", "43"]


async def test_remove_contact_from_group(graphql: GraphQLCall, upstream: Harness) -> None:
    removed = await result(graphql, REMOVE, input={"phone": IVAN, "groupId": "41"})

    assert removed["__typename"] == "RemoveContactFromGroupSuccess"
    assert groups_of(upstream, IVAN) == {42}


async def test_move_contact_to_group_makes_it_the_only_group(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    moved = await result(graphql, MOVE, input={"phone": IVAN, "groupId": "44"})

    assert moved["__typename"] == "MoveContactToGroupSuccess"
    assert groups_of(upstream, IVAN) == {44}


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        pytest.param(CREATE, {"input": {"phones": []}}, "phones", id="create-no-phone"),
        pytest.param(
            CREATE, {"input": {"phones": [IVAN, "7916"]}}, "phones[1]", id="create-short-phone"
        ),
        pytest.param(
            CREATE,
            {"input": {"phones": ["79990001122"], "groupIds": ["41", "x"]}},
            "groupIds[1]",
            id="create-group-id",
        ),
        pytest.param(
            CREATE,
            {"input": {"phones": ["79990001122"], "otherPhones": ["phone"]}},
            "otherPhones[0]",
            id="create-other-phone",
        ),
        pytest.param(
            CREATE,
            {"input": {"phones": ["79990001122"], "tags": ["a,b"]}},
            "tags",
            id="create-tag-separator",
        ),
        pytest.param(UPDATE, {"input": {"phone": IVAN}}, "input", id="update-nothing"),
        pytest.param(UPDATE, {"input": {"phone": "ivan", "name": "I"}}, "phone", id="update-phone"),
        pytest.param(
            UPDATE, {"input": {"phone": IVAN, "newPhones": []}}, "newPhones", id="update-no-phones"
        ),
        pytest.param(
            UPDATE,
            {"input": {"phone": IVAN, "newPhones": [IVAN, "+7"]}},
            "newPhones[1]",
            id="update-new-phone",
        ),
        pytest.param(
            UPDATE, {"input": {"phone": IVAN, "groupIds": ["g"]}}, "groupIds[0]", id="update-group"
        ),
        pytest.param(
            UPDATE,
            {"input": {"phone": IVAN, "otherPhones": ["1"]}},
            "otherPhones[0]",
            id="update-other-phone",
        ),
        pytest.param(DELETE, {"phone": "79161234567,79031112233"}, "phone", id="delete-two"),
        pytest.param(ADD, {"input": {"phone": "123", "groupId": "41"}}, "phone", id="add-phone"),
        pytest.param(ADD, {"input": {"phone": IVAN, "groupId": "G1"}}, "groupId", id="add-group"),
        pytest.param(
            REMOVE, {"input": {"phone": IVAN, "groupId": ""}}, "groupId", id="remove-group"
        ),
        pytest.param(MOVE, {"input": {"phone": "", "groupId": "41"}}, "phone", id="move-phone"),
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
        pytest.param(
            CREATE, {"input": {"phones": ["79990001122"], "groupIds": ["999"]}}, id="create-group"
        ),
        pytest.param(UPDATE, {"input": {"phone": "79990009999", "name": "N"}}, id="update"),
        pytest.param(DELETE, {"phone": "79990009999"}, id="delete"),
        pytest.param(ADD, {"input": {"phone": "79990009999", "groupId": "41"}}, id="add-phone"),
        pytest.param(ADD, {"input": {"phone": IVAN, "groupId": "999"}}, id="add-group"),
        pytest.param(REMOVE, {"input": {"phone": IVAN, "groupId": "999"}}, id="remove-group"),
        pytest.param(MOVE, {"input": {"phone": "79990009999", "groupId": "41"}}, id="move"),
    ],
)
async def test_an_unknown_contact_or_group_is_not_found(
    graphql: GraphQLCall, query: str, variables: dict[str, Any]
) -> None:
    missing = await result(graphql, query, **variables)

    assert (missing["__typename"], missing["code"]) == ("NotFoundError", "NOT_FOUND")


async def test_a_phone_of_another_contact_is_rejected_by_smsc(graphql: GraphQLCall) -> None:
    refused = await result(graphql, CREATE, input={"phones": [IVAN]})

    assert refused["__typename"] == "UpstreamError"
    assert (refused["code"], refused["upstreamCode"]) == ("UPSTREAM_REJECTED", 5)
