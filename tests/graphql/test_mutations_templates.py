"""createTemplate, updateTemplate, deleteTemplate through HTTP against the emulator."""

from typing import Any

import pytest

from facade.smsc.commands import Credentials
from tests.graphql.conftest import GraphQLCall
from tests.upstream.harness import Harness, harness

pytestmark = pytest.mark.anyio

ERRORS = """
  __typename
  ... on Error { code message }
  ... on InvalidInputError { field }
  ... on RateLimitedError { retryAfter }
  ... on UpstreamError { upstreamCode outcomeUnknown }
"""
TEMPLATE = "id name message format sender autoSign"
CREATE = (
    "mutation($input: CreateTemplateInput!) { createTemplate(input: $input) {"
    + ERRORS
    + "... on CreateTemplateSuccess { template { "
    + TEMPLATE
    + " } } } }"
)
UPDATE = (
    "mutation($input: UpdateTemplateInput!) { updateTemplate(input: $input) {"
    + ERRORS
    + "... on UpdateTemplateSuccess { id template { "
    + TEMPLATE
    + " } } } }"
)
DELETE = (
    "mutation($id: ID!) { deleteTemplate(id: $id) {"
    + ERRORS
    + "... on DeleteTemplateSuccess { id } } }"
)
DRAFT = {"name": "Welcome", "message": "Hello, {name}!", "format": "SMS", "sender": "Shop"}


async def result(graphql: GraphQLCall, query: str, **variables: Any) -> dict[str, Any]:
    body = await graphql(query, variables)
    assert "errors" not in body, body
    (value,) = body["data"].values()
    assert isinstance(value, dict)
    return value


async def listed(graphql: GraphQLCall) -> dict[str, dict[str, Any]]:
    body = await graphql("{ templates { " + TEMPLATE + " } }")
    return {template["id"]: template for template in body["data"]["templates"]}


async def test_create_template_is_listed_afterwards(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    created = await result(graphql, CREATE, input={**DRAFT, "autoSign": True})

    template = created["template"]
    assert created["__typename"] == "CreateTemplateSuccess"
    assert template == {
        "id": template["id"],
        "name": "Welcome",
        "message": "Hello, {name}!",
        "format": "SMS",
        "sender": "Shop",
        "autoSign": True,
    }
    assert (await listed(graphql))[template["id"]] == template
    stored = upstream.emulator.account().templates[int(template["id"])]
    assert (stored.format, stored.sender, stored.flag) == ("sms", "Shop", 1)


async def test_update_template_changes_only_the_fields_given(graphql: GraphQLCall) -> None:
    before = await listed(graphql)
    template_id = next(iter(before))

    updated = await result(graphql, UPDATE, input={"id": template_id, "message": "New text"})

    assert updated["__typename"] == "UpdateTemplateSuccess"
    assert updated["template"] == {**before[template_id], "message": "New text"}
    assert (await listed(graphql))[template_id]["message"] == "New text"


async def test_update_template_clears_the_sender_with_an_empty_string(graphql: GraphQLCall) -> None:
    created = await result(graphql, CREATE, input=DRAFT)
    template_id = created["template"]["id"]

    updated = await result(
        graphql, UPDATE, input={"id": template_id, "sender": "", "format": "VIBER"}
    )

    assert updated["template"]["sender"] is None
    assert updated["template"]["format"] == "VIBER"


async def test_delete_template_removes_it_from_the_list(graphql: GraphQLCall) -> None:
    template_id = next(iter(await listed(graphql)))

    deleted = await result(graphql, DELETE, id=template_id)

    assert deleted == {"__typename": "DeleteTemplateSuccess", "id": template_id}
    assert template_id not in await listed(graphql)


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        pytest.param(CREATE, {"input": {**DRAFT, "name": " "}}, "name", id="create-blank-name"),
        pytest.param(
            CREATE, {"input": {**DRAFT, "message": "x" * 1001}}, "message", id="create-too-long"
        ),
        pytest.param(
            CREATE, {"input": {**DRAFT, "sender": "Twelve chars"}}, "sender", id="create-sender"
        ),
        pytest.param(
            CREATE, {"input": {**DRAFT, "format": "UNKNOWN"}}, "format", id="create-unknown-format"
        ),
        pytest.param(UPDATE, {"input": {"id": "1001"}}, "input", id="update-nothing"),
        pytest.param(
            UPDATE, {"input": {"id": "x1", "name": "New"}}, "id", id="update-id-not-digits"
        ),
        pytest.param(
            UPDATE, {"input": {"id": "1001", "sender": "Кириллица"}}, "sender", id="update-sender"
        ),
        pytest.param(
            UPDATE, {"input": {"id": "1001", "message": ""}}, "message", id="update-blank-message"
        ),
        pytest.param(DELETE, {"id": "12a"}, "id", id="delete-id-not-digits"),
    ],
)
async def test_invalid_input_is_refused_before_any_upstream_call(
    graphql: GraphQLCall, upstream: Harness, query: str, variables: dict[str, Any], field: str
) -> None:
    refused = await result(graphql, query, **variables)

    assert refused["__typename"] == "InvalidInputError"
    assert refused["code"] == "INVALID_INPUT"
    assert refused["field"] == field
    assert refused["message"].startswith(f"{field}: ")
    assert not upstream.emulator.calls


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        pytest.param(UPDATE, {"input": {"id": "999", "name": "New"}}, id="update"),
        pytest.param(DELETE, {"id": "999"}, id="delete"),
    ],
)
async def test_an_unknown_template_is_not_found(
    graphql: GraphQLCall, query: str, variables: dict[str, Any]
) -> None:
    missing = await result(graphql, query, **variables)

    assert missing["__typename"] == "NotFoundError"
    assert missing["code"] == "NOT_FOUND"


async def test_the_facade_refuses_a_third_identical_request_within_a_minute(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    for _ in range(2):
        assert (await result(graphql, CREATE, input=DRAFT))["__typename"] == "CreateTemplateSuccess"

    refused = await result(graphql, CREATE, input=DRAFT)

    assert refused["__typename"] == "RateLimitedError"
    assert refused["code"] == "RATE_LIMITED"
    assert 0 < refused["retryAfter"] <= 60
    assert len(upstream.calls("add")) == 2
    upstream.clock.advance(refused["retryAfter"])
    assert (await result(graphql, CREATE, input=DRAFT))["__typename"] == "CreateTemplateSuccess"


class TestSmscRefusals:
    @pytest.fixture
    def upstream(self) -> Harness:
        # A budget above SMSC's own 3 a minute, so that SMSC answers error 9 itself.
        return harness(read_budget=10)

    async def test_smsc_error_9_is_rate_limited_for_a_minute(
        self, graphql: GraphQLCall, upstream: Harness
    ) -> None:
        for _ in range(3):
            await result(graphql, DELETE, id="1001")

        refused = await result(graphql, DELETE, id="1001")

        assert refused["__typename"] == "RateLimitedError"
        assert refused["retryAfter"] == 60
        assert upstream.calls("del")[-1].error == 9


async def test_an_unreachable_smsc_is_an_upstream_error_of_unknown_outcome(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    upstream.emulator.add_fault("status", status=503)

    failed = await result(graphql, CREATE, input=DRAFT)

    assert failed == {
        "__typename": "UpstreamError",
        "code": "UPSTREAM_UNAVAILABLE",
        "message": failed["message"],
        "upstreamCode": None,
        "outcomeUnknown": True,
    }
    assert "503" in failed["message"]
    assert upstream.emulator.account().templates.keys() == {1001, 1002, 1003, 1004}


class TestRejectedCredentials:
    @pytest.fixture
    def upstream(self) -> Harness:
        return harness(credentials=Credentials(login="demo", password="wrong"))  # noqa: S106 - a wrong one

    async def test_rejected_credentials_are_an_upstream_auth_failure(
        self, graphql: GraphQLCall
    ) -> None:
        failed = await result(graphql, DELETE, id="1001")

        assert failed["__typename"] == "UpstreamError"
        assert failed["code"] == "UPSTREAM_AUTH_FAILED"
        assert failed["upstreamCode"] == 2
        assert failed["outcomeUnknown"] is False
        assert "wrong" not in failed["message"]
