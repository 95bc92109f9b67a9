"""What every mutation answers when the facade's guard, the network or SMSC's login fails."""

from typing import Any

import pytest

from facade.smsc.commands import Credentials
from facade.upstream.limits import RequestBudget
from tests.graphql.conftest import GraphQLCall
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

IVAN = "79161234567"
# field: (argument, its type, a valid value against the demo data)
MUTATIONS: dict[str, tuple[str, str, Any]] = {
    "createTemplate": ("input", "CreateTemplateInput!", {"name": "N", "message": "M"}),
    "updateTemplate": ("input", "UpdateTemplateInput!", {"id": "1001", "name": "N"}),
    "deleteTemplate": ("id", "ID!", "1001"),
    "createJob": ("input", "CreateJobInput!", {"name": "J", "phones": [IVAN], "message": "M"}),
    "cancelJob": ("id", "ID!", "2013"),
    "deleteJob": ("id", "ID!", "2001"),
    "createContact": ("input", "CreateContactInput!", {"phones": ["79990001122"]}),
    "updateContact": ("input", "UpdateContactInput!", {"phone": IVAN, "name": "N"}),
    "deleteContact": ("phone", "String!", IVAN),
    "addContactToGroup": ("input", "AddContactToGroupInput!", {"phone": IVAN, "groupId": "43"}),
    "removeContactFromGroup": (
        "input",
        "RemoveContactFromGroupInput!",
        {"phone": IVAN, "groupId": "41"},
    ),
    "moveContactToGroup": ("input", "MoveContactToGroupInput!", {"phone": IVAN, "groupId": "44"}),
    "createGroup": ("input", "CreateGroupInput!", {"name": "N"}),
    "renameGroup": ("input", "RenameGroupInput!", {"id": "41", "name": "N"}),
    "deleteGroup": ("id", "ID!", "44"),
    "addToBlacklist": ("input", "AddToBlacklistInput!", {"phone": "79990001122"}),
    "removeFromBlacklist": ("phone", "String!", "79990000001"),
    "sendMessage": ("input", "SendMessageInput!", {"phones": [IVAN], "message": "M"}),
}


async def run(graphql: GraphQLCall, field: str) -> dict[str, Any]:
    argument, type_, value = MUTATIONS[field]
    query = (
        f"mutation($value: {type_}) {{ {field}({argument}: $value) {{ __typename"
        " ... on Error { code message }"
        " ... on RateLimitedError { retryAfter }"
        " ... on UpstreamError { upstreamCode outcomeUnknown } } }"
    )
    body = await graphql(query, {"value": value})
    assert "errors" not in body, body
    answer: dict[str, Any] = body["data"][field]
    return answer


async def test_the_table_names_every_mutation(graphql: GraphQLCall) -> None:
    body = await graphql("{ __schema { mutationType { fields { name } } } }")

    fields = body["data"]["__schema"]["mutationType"]["fields"]
    # purgeCache is no SMSC call: it takes nothing and cannot fail but for its scope.
    assert {field["name"] for field in fields} == {*MUTATIONS, "purgeCache"}


@pytest.mark.parametrize("field", MUTATIONS)
async def test_each_mutation_succeeds_with_its_valid_input(
    graphql: GraphQLCall, field: str
) -> None:
    answer = await run(graphql, field)

    assert answer["__typename"] == field[0].upper() + field[1:] + "Success"


@pytest.mark.parametrize("field", MUTATIONS)
async def test_a_spent_budget_is_rate_limited_without_asking_smsc(
    graphql: GraphQLCall, upstream: Harness, monkeypatch: pytest.MonkeyPatch, field: str
) -> None:
    monkeypatch.setattr(RequestBudget, "try_spend", lambda self, key, limit: 42.0)

    answer = await run(graphql, field)

    assert answer == {
        "__typename": "RateLimitedError",
        "code": "RATE_LIMITED",
        "message": "SMSC allows few identical requests a minute; try again later",
        "retryAfter": 42.0,
    }
    assert not upstream.emulator.calls


@pytest.mark.parametrize("field", MUTATIONS)
async def test_a_gateway_failure_is_an_upstream_error_of_unknown_outcome(
    graphql: GraphQLCall, upstream: Harness, field: str
) -> None:
    upstream.emulator.add_fault("status", status=503)

    answer = await run(graphql, field)

    assert answer["__typename"] == "UpstreamError"
    assert (answer["code"], answer["upstreamCode"]) == ("UPSTREAM_UNAVAILABLE", None)
    assert answer["outcomeUnknown"] is True


class TestRejectedCredentials:
    @pytest.fixture
    def upstream(self) -> Harness:
        return harness(credentials=Credentials(login="demo", password="not-the-password"))  # noqa: S106 - a wrong one

    @pytest.mark.parametrize("field", MUTATIONS)
    async def test_rejected_credentials_are_an_upstream_auth_failure(
        self, graphql: GraphQLCall, field: str
    ) -> None:
        answer = await run(graphql, field)

        assert answer["__typename"] == "UpstreamError"
        assert (answer["code"], answer["upstreamCode"]) == ("UPSTREAM_AUTH_FAILED", 2)
        assert answer["outcomeUnknown"] is False
        assert "not-the-password" not in answer["message"]
