"""Every option of CreateJobInput reaches SMSC (the emulator's job), and every bad one is refused
with the path of its field before any request."""

import datetime as dt
from typing import Any

import pytest

from facade.domain.jobs import is_marker, split_marked_name
from facade.errors import InputError
from facade.vocabulary.jobs import SendTime
from tests.graphql.conftest import GraphQLCall
from tests.upstream.harness import Harness

pytestmark = pytest.mark.anyio

CREATE = """
mutation($input: CreateJobInput!) {
  createJob(input: $input) {
    __typename
    ... on CreateJobSuccess { job { id } }
    ... on InvalidInputError { code field message }
  }
}
"""
SPEC = {"name": "Options", "phones": ["79161234567"], "message": "Hello"}
UTC = dt.UTC
AT = dt.datetime(2030, 1, 2, 3, 4, tzinfo=UTC)


async def create(graphql: GraphQLCall, upstream: Harness, spec: dict[str, Any]) -> Any:
    body = await graphql(CREATE, {"input": spec})
    assert "errors" not in body, body
    created = body["data"]["createJob"]
    assert created["__typename"] == "CreateJobSuccess", created
    return upstream.emulator.account().jobs[int(created["job"]["id"])]


async def test_a_plain_job_carries_no_options(graphql: GraphQLCall, upstream: Harness) -> None:
    job = await create(graphql, upstream, SPEC)

    # SMSC gets the name with the facade's marker, which the APIs take off again.
    name, marker = split_marked_name(job.name)
    assert (name, job.message, job.cnt, job.options) == ("Options", "Hello", 1, {})
    assert marker is not None
    assert is_marker(marker)


@pytest.mark.parametrize(
    ("extra", "options"),
    [
        pytest.param({"sender": "Shop"}, {"sender": "Shop"}, id="sender"),
        pytest.param(
            {"channel": "VIBER", "fallbackMessage": "By SMS", "fallbackSender": "Shop 2"},
            {"viber": "1", "mes2": "By SMS", "sender2": "Shop 2", "fl[5]": "1"},
            id="fallback",
        ),
        pytest.param(
            {"sendTime": {"at": AT.isoformat()}}, {"time": "0201300304", "tz": "-3"}, id="at"
        ),
        pytest.param(
            {"sendTime": {"at": "2030-01-02T03:04:00+03:00"}, "timeZone": 0},
            {"time": "0201300304", "tz": "0"},
            id="at-moscow",
        ),
        pytest.param(
            {"sendTime": {"atTimestamp": AT.isoformat()}},
            {"time": f"0{int(AT.timestamp())}"},
            id="at-timestamp",
        ),
        pytest.param(
            {"sendTime": {"window": {"startHour": 9, "endHour": 18}}, "timeZone": 2},
            {"time": "9-18", "tz": "2"},
            id="window",
        ),
        pytest.param({"sendTime": {"afterMinutes": 30}}, {"time": "+30"}, id="after-minutes"),
        pytest.param({"repeat": "DAILY", "repeatCount": 5}, {"rpt": "2", "rptn": "5"}, id="repeat"),
        pytest.param(
            {"periodHours": 1.5, "frequencyMinutes": 10},
            {"period": "1.5", "freq": "10"},
            id="period",
        ),
        pytest.param({"validityMinutes": 90}, {"valid": "01:30"}, id="validity-minutes"),
        pytest.param({"validityMinutes": 120}, {"valid": "2"}, id="validity-hours"),
        pytest.param({"transliteration": "LATIN"}, {"translit": "1"}, id="translit"),
        pytest.param({"transliteration": "LOOKALIKE"}, {"translit": "2"}, id="lookalike"),
        pytest.param({"shortenLinks": True}, {"tinyurl": "1"}, id="shorten-links"),
        pytest.param({"channel": "FLASH"}, {"flash": "1"}, id="flash"),
        pytest.param({"channel": "PUSH"}, {"push": "1"}, id="push"),
        pytest.param({"channel": "BINARY"}, {"bin": "1"}, id="binary"),
        pytest.param({"channel": "BINARY_HEX", "message": "0048656C6C6F"}, {"bin": "2"}, id="hex"),
        pytest.param({"channel": "HLR", "message": None}, {"hlr": "1"}, id="hlr"),
        pytest.param({"channel": "PING", "message": None}, {"ping": "1"}, id="ping"),
        pytest.param(
            {"channel": "MMS", "subject": "Photo"}, {"mms": "1", "subj": "Photo"}, id="mms"
        ),
        pytest.param(
            {"channel": "EMAIL", "subject": "News", "phones": ["ivan@example.com"]},
            {"mail": "1", "subj": "News"},
            id="email",
        ),
        pytest.param(
            {
                "channel": "CALL",
                "voice": "FEMALE_2",
                "voiceLanguage": "en",
                "callParams": {"waitSeconds": 25, "retryIntervalSeconds": 60, "attempts": 3},
            },
            {"call": "1", "voice": "w2,en", "param": "25,60,3"},
            id="call",
        ),
        pytest.param({"channel": "CALL", "voice": "MALE"}, {"call": "1", "voice": "m"}, id="voice"),
        pytest.param({"channel": "VIBER"}, {"viber": "1"}, id="viber"),
        pytest.param({"channel": "SOCIAL"}, {"soc": "1"}, id="social"),
        pytest.param({"channel": "WHATSAPP"}, {"whatsapp": "1"}, id="whatsapp"),
        pytest.param(
            {
                "channel": "TELEGRAM",
                "telegramBot": "@shop_bot",
                "phones": ["#12345", "79161234567"],
            },
            {"tg": "1", "bot": "@shop_bot"},
            id="telegram",
        ),
        pytest.param({"confirmAfterDays": 30}, {"smsreq": "30"}, id="confirm-after-days"),
        pytest.param(
            {"fileUrl": "https://example.com/a.pdf"},
            {"fileurl": "https://example.com/a.pdf"},
            id="file-url",
        ),
        pytest.param({"withCost": True}, {"cost": "1"}, id="with-cost"),
        pytest.param(
            {
                "phones": [],
                "message": None,
                "multilineMessages": True,
                # One line only: the emulator splits `list` at every new line, nl=1 or not.
                "messages": [{"phones": ["79161234567"], "message": "One line"}],
            },
            {"nl": "1"},
            id="multiline-messages",
        ),
    ],
)
async def test_every_option_reaches_smsc(
    graphql: GraphQLCall, upstream: Harness, extra: dict[str, Any], options: dict[str, str]
) -> None:
    job = await create(graphql, upstream, {**SPEC, **extra})

    assert job.options == options


async def test_a_moment_is_the_job_send_time(graphql: GraphQLCall, upstream: Harness) -> None:
    job = await create(graphql, upstream, {**SPEC, "sendTime": {"at": AT.isoformat()}})

    assert (job.time, job.status) == (AT.timestamp(), 0)


async def test_group_numbers_send_to_the_group_contacts(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    job = await create(graphql, upstream, {**SPEC, "phones": [], "groupNumbers": [100, 200]})

    assert job.cnt == 6


async def test_messages_with_their_own_sender_and_time_zone(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    messages = [
        {"phones": ["79161234567"], "message": "First", "sender": "Clinic", "timeZone": 1},
        {"phones": ["79031112233", "79261234567"], "message": "Second"},
    ]
    spec = {"name": "Lines", "messages": messages, "sendTime": {"at": AT.isoformat()}}

    job = await create(graphql, upstream, spec)

    assert (job.cnt, job.message) == (3, "First")


BAD_MOMENT = "2030-01-02T03:04:00"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        pytest.param({"name": " "}, "name", id="blank-name"),
        pytest.param({"phones": ["79161234567", "12345"]}, "phones[1]", id="short-phone"),
        pytest.param({"phones": ["+7 916 123 45 67"]}, "phones[0]", id="phone-with-spaces"),
        pytest.param({"phones": ["#12345"]}, "phones[0]", id="telegram-id-outside-telegram"),
        pytest.param(
            {"channel": "EMAIL", "subject": "S", "phones": ["not-an-address"]},
            "phones[0]",
            id="email-address",
        ),
        pytest.param({"phones": [], "message": "Hi"}, "phones", id="no-recipients"),
        pytest.param({"groupNumbers": [-1]}, "groupNumbers[0]", id="negative-group-number"),
        pytest.param({"message": "x" * 1001}, "message", id="message-too-long"),
        pytest.param({"message": "  "}, "message", id="blank-message"),
        pytest.param({"message": None}, "message", id="no-message"),
        pytest.param({"templateId": "1001"}, "templateId", id="template-and-message"),
        pytest.param({"message": None, "templateId": "tpl"}, "templateId", id="template-id"),
        pytest.param({"sender": "Shop & Sons Ltd"}, "sender", id="sender-too-long"),
        pytest.param({"sender": "1234567890123456"}, "sender", id="sender-too-many-digits"),
        pytest.param({"sender": "Магазин"}, "sender", id="sender-not-latin"),
        pytest.param({"fallbackMessage": "x" * 1001}, "fallbackMessage", id="fallback-too-long"),
        pytest.param({"fallbackSender": "Shop"}, "fallbackSender", id="fallback-sender-alone"),
        pytest.param(
            {"fallbackMessage": "m", "fallbackSender": "Shop | Co"},
            "fallbackSender",
            id="fallback-sender",
        ),
        pytest.param(
            {"messages": [{"phones": ["79161234567"], "message": "m"}]},
            "phones",
            id="phones-and-messages",
        ),
        pytest.param(
            {"phones": [], "message": None, "messages": [{"phones": ["1"], "message": "m"}]},
            "messages[0].phones[0]",
            id="line-phone",
        ),
        pytest.param(
            {
                "phones": [],
                "message": None,
                "messages": [
                    {"phones": ["79161234567"], "message": "m"},
                    {"phones": ["79161234568"], "message": ""},
                ],
            },
            "messages[1].message",
            id="line-message",
        ),
        pytest.param(
            {
                "phones": [],
                "message": None,
                "messages": [{"phones": ["79161234567"], "message": "m", "sender": "Ш"}],
            },
            "messages[0].sender",
            id="line-sender",
        ),
        pytest.param(
            {
                "phones": [],
                "message": None,
                "messages": [{"phones": ["79161234567"], "message": "m", "timeZone": 1}],
            },
            "messages",
            id="line-time-zone-without-moment",
        ),
        pytest.param({"multilineMessages": True}, "multilineMessages", id="multiline-alone"),
        pytest.param(
            {"sendTime": {"window": {"startHour": 18, "endHour": 9}}}, "sendTime", id="window"
        ),
        pytest.param({"sendTime": {"at": BAD_MOMENT}}, "sendTime", id="moment-without-offset"),
        pytest.param(
            {"sendTime": {"at": "2130-01-02T03:04:00+00:00"}}, "sendTime", id="moment-after-2099"
        ),
        pytest.param({"sendTime": {"afterMinutes": -5}}, "sendTime", id="negative-minutes"),
        pytest.param({"timeZone": 2}, "timeZone", id="time-zone-without-send-time"),
        pytest.param(
            {"sendTime": {"window": {"startHour": 9, "endHour": 18}}, "timeZone": 12},
            "timeZone",
            id="time-zone-out-of-range",
        ),
        pytest.param({"repeatCount": 3}, "repeatCount", id="repeat-count-alone"),
        pytest.param({"repeat": "WEEKLY", "repeatCount": 0}, "repeatCount", id="repeat-count-0"),
        pytest.param({"periodHours": 721}, "periodHours", id="period-too-long"),
        pytest.param({"frequencyMinutes": 5}, "frequencyMinutes", id="frequency-alone"),
        pytest.param({"validityMinutes": 0}, "validityMinutes", id="validity-0"),
        pytest.param({"validityMinutes": 1441}, "validityMinutes", id="validity-over-a-day"),
        pytest.param({"subject": "S"}, "subject", id="subject-on-sms"),
        pytest.param({"channel": "EMAIL", "phones": ["a@example.com"]}, "subject", id="no-subj"),
        pytest.param({"voice": "MALE"}, "voice", id="voice-on-sms"),
        pytest.param({"channel": "CALL", "voiceLanguage": "en"}, "voiceLanguage", id="lang-alone"),
        pytest.param(
            {"channel": "CALL", "voice": "MALE", "voiceLanguage": "e n"},
            "voiceLanguage",
            id="language",
        ),
        pytest.param(
            {
                "channel": "CALL",
                "callParams": {"waitSeconds": 25, "retryIntervalSeconds": 60, "attempts": 10},
            },
            "callParams.attempts",
            id="call-attempts",
        ),
        pytest.param({"telegramBot": "shop_bot"}, "telegramBot", id="telegram-bot"),
        pytest.param({"confirmAfterDays": 5}, "confirmAfterDays", id="confirm-after-days"),
        pytest.param({"fileUrl": "ftp://example.com/a"}, "fileUrl", id="file-url"),
    ],
)
async def test_a_bad_option_is_refused_before_any_request(
    graphql: GraphQLCall, upstream: Harness, extra: dict[str, Any], field: str
) -> None:
    body = await graphql(CREATE, {"input": {**SPEC, **extra}})

    refused = body["data"]["createJob"]
    assert refused["__typename"] == "InvalidInputError", refused
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", field)
    assert not upstream.emulator.calls


async def test_two_send_times_at_once_are_a_graphql_error(
    graphql: GraphQLCall, upstream: Harness
) -> None:
    send_time = {"afterMinutes": 5, "window": {"startHour": 9, "endHour": 18}}

    body = await graphql(CREATE, {"input": {**SPEC, "sendTime": send_time}})

    assert "data" not in body, "a request error: not executed (GraphQL over HTTP)"
    assert "exactly one key" in body["errors"][0]["message"]
    assert not upstream.emulator.calls


@pytest.mark.parametrize(
    "send_time",
    [
        pytest.param({}, id="none"),
        pytest.param({"at": AT, "after_minutes": 5}, id="two"),
    ],
)
def test_send_time_built_in_python_needs_exactly_one_form(send_time: dict[str, Any]) -> None:
    with pytest.raises(InputError) as caught:
        SendTime(**send_time)

    assert caught.value.field == "sendTime"
