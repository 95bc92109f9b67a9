"""jobPreview: a CreateJobInput validated and its SMS parts counted, without asking SMSC."""

from typing import Any

import pytest
import strawberry

from facade.graphql.errors import ErrorExtension, FacadeSchema
from facade.graphql.preview import PreviewQuery

pytestmark = pytest.mark.anyio

PREVIEW = """
query($input: CreateJobInput!) {
  jobPreview(input: $input) {
    __typename
    ... on JobPreview { smsCount messages { recipients message segments { encoding parts } } }
    ... on InvalidInputError { code field }
  }
}
"""
SPEC = {"name": "Preview", "phones": ["79161234567", "79261234567"], "message": "Hello"}


def schema() -> strawberry.Schema:
    return FacadeSchema(query=PreviewQuery, extensions=[ErrorExtension])


async def preview(spec: dict[str, Any]) -> Any:
    result = await schema().execute(PREVIEW, {"input": spec})
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["jobPreview"]


async def test_one_message_to_all_phones() -> None:
    answer = await preview({**SPEC, "message": "Привет! " * 10})

    assert answer == {
        "__typename": "JobPreview",
        "smsCount": 4,
        "messages": [
            {
                "recipients": ["79161234567", "79261234567"],
                "message": "Привет! " * 10,
                "segments": {"encoding": "UCS2", "parts": 2},
            }
        ],
    }


async def test_a_message_per_recipient_list() -> None:
    messages = [
        {"phones": ["79161234567"], "message": "x" * 161},
        {"phones": ["79031112233", "79261234567"], "message": "Short"},
    ]

    answer = await preview({"name": "Lines", "messages": messages})

    assert answer["smsCount"] == 2 + 2
    assert [m["segments"] for m in answer["messages"]] == [
        {"encoding": "GSM7", "parts": 2},
        {"encoding": "GSM7", "parts": 1},
    ]


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"message": None, "templateId": "1001"}, id="template"),
        pytest.param({"groupNumbers": [100]}, id="group"),
        pytest.param({"channel": "VIBER"}, id="not-sms"),
        pytest.param({"channel": "HLR", "message": None}, id="no-text"),
    ],
)
async def test_the_sms_count_is_unknown_when_text_or_recipients_are(extra: dict[str, Any]) -> None:
    answer = await preview({**SPEC, **extra})

    assert answer["smsCount"] is None


async def test_a_flash_message_counts_as_sms() -> None:
    answer = await preview({**SPEC, "channel": "FLASH"})

    assert answer["smsCount"] == 2


async def test_group_numbers_are_listed_as_smsc_codes() -> None:
    answer = await preview({**SPEC, "phones": [], "groupNumbers": [100]})

    assert answer["messages"][0]["recipients"] == ["G100"]


async def test_invalid_input_is_the_invalid_input_member() -> None:
    answer = await preview({**SPEC, "phones": ["79161234567", "8-800"]})

    assert answer == {
        "__typename": "InvalidInputError",
        "code": "INVALID_INPUT",
        "field": "phones[1]",
    }


@pytest.mark.parametrize(
    ("send_time", "message"),
    [
        pytest.param(
            {"afterMinutes": 1, "atTimestamp": "2030-01-01T00:00:00Z"},
            "exactly one key",
            id="two-forms",
        ),
        pytest.param(
            {"at": "tomorrow"}, "invalid value at .sendTime.at: Value cannot represent", id="date"
        ),
    ],
)
async def test_an_input_graphql_cannot_read_is_a_request_error(
    send_time: dict[str, Any], message: str
) -> None:
    result = await schema().execute(PREVIEW, {"input": {**SPEC, "sendTime": send_time}})

    assert result.data is None
    (error,) = result.errors or []
    assert message in error.message
    assert error.extensions == {"code": "INVALID_INPUT"}
