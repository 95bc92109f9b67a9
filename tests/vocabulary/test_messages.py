"""`SendMessage`, the input of sendMessage and messageCost (POST /v1/messages, /v1/messages/cost):
what it builds (`MessageSpec`), and every refusal with its public field, before anything is sent.
The options it shares with a job are refused by the job's rules, with the job's field names."""

import datetime as dt
import decimal
import json
from typing import Any

import pytest

from facade.domain.bounds import MAX_MESSAGE_PARTS, MAX_MESSAGE_RECIPIENTS
from facade.domain.jobs import CallParams, Channel, SendAfter, SendAt, Transliteration, Voice
from facade.domain.messages import (
    Balance,
    MessageSent,
    MessageSpec,
    MessageState,
    MessageStatus,
    RecipientRejection,
    is_message_id,
    new_message_id,
)
from facade.errors import InputError
from facade.vocabulary import messages
from facade.vocabulary.shapes import validated_json

PHONE = "79990000001"
MSK = dt.timezone(dt.timedelta(hours=3))


def build(**fields: Any) -> MessageSpec:
    """A body as REST reads it (JSON), built into the message."""
    return read({"phones": [PHONE], **fields}).to_domain()


def read(body: dict[str, Any]) -> messages.SendMessage:
    return validated_json(messages.SendMessage, json.dumps(body).encode())


def test_a_message_with_every_shared_option_is_built_as_the_job_would_be() -> None:
    spec = build(
        message="Your code: 4321",
        sender="Clinic",
        sendTime={"at": "2030-01-02T10:30:00+03:00"},
        timeZone=0,
        validityMinutes=90,
        transliteration="LATIN",
        shortenLinks=True,
        maxParts=2,
        withCost=True,
    )
    assert spec == MessageSpec(
        phones=(PHONE,),
        message="Your code: 4321",
        sender="Clinic",
        send_time=SendAt(dt.datetime(2030, 1, 2, 10, 30, tzinfo=MSK)),
        time_zone=0,
        validity=dt.timedelta(minutes=90),
        transliteration=Transliteration.LATIN,
        shorten_links=True,
        max_parts=2,
        with_cost=True,
    )


def test_channel_options() -> None:
    call = build(
        channel="CALL",
        message="Code 4321",
        voice="FEMALE",
        voiceLanguage="en",
        callParams={"waitSeconds": 20, "retryIntervalSeconds": 60, "attempts": 3},
    )
    assert (call.channel, call.voice, call.voice_language) == (Channel.CALL, Voice.FEMALE, "en")
    assert call.call_params == CallParams(wait_seconds=20, retry_interval_seconds=60, attempts=3)
    mail = build(channel="EMAIL", phones=["a@example.com"], message="Hi", subject="Hello")
    assert (mail.phones, mail.subject) == (("a@example.com",), "Hello")
    assert build(channel="HLR").message is None  # HLR and PING need no text
    assert build(message="Hi", sendTime={"afterMinutes": 5}).send_time == SendAfter(5)


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("no-recipient", {"phones": [], "message": "Hi"}, "phones"),
    ("bad-phone", {"phones": ["123"], "message": "Hi"}, "phones[0]"),
    ("twice", {"phones": [PHONE, PHONE], "message": "Hi"}, "phones"),
    (
        "too-many",
        {"phones": [f"7999{n:07d}" for n in range(MAX_MESSAGE_RECIPIENTS + 1)], "message": "Hi"},
        "phones",
    ),
    ("no-text", {}, "message"),
    ("blank-text", {"message": "  "}, "message"),
    ("long-text", {"message": "m" * 1001}, "message"),
    ("sender", {"message": "Hi", "sender": "Shop$"}, "sender"),
    ("parts-0", {"message": "Hi", "maxParts": 0}, "maxParts"),
    ("parts-over", {"message": "Hi", "maxParts": MAX_MESSAGE_PARTS + 1}, "maxParts"),
    ("validity-0", {"message": "Hi", "validityMinutes": 0}, "validityMinutes"),
    ("validity-over", {"message": "Hi", "validityMinutes": 1441}, "validityMinutes"),
    ("subject-for-sms", {"message": "Hi", "subject": "S"}, "subject"),
    (
        "email-without-subject",
        {"channel": "EMAIL", "phones": ["a@b.cd"], "message": "Hi"},
        "subject",
    ),
    ("email-to-a-phone", {"channel": "EMAIL", "message": "Hi", "subject": "S"}, "phones[0]"),
    ("voice-for-sms", {"message": "Hi", "voice": "MALE"}, "voice"),
    ("zone-without-time", {"message": "Hi", "timeZone": 2}, "timeZone"),
    (
        "two-send-times",
        {
            "message": "Hi",
            "sendTime": {"afterMinutes": 1, "window": {"startHour": 1, "endHour": 2}},
        },
        "sendTime",
    ),
    ("file-url", {"message": "Hi", "fileUrl": "ftp://example.com/a"}, "fileUrl"),
    ("bot", {"message": "Hi", "telegramBot": "nobot"}, "telegramBot"),
    ("channel", {"message": "Hi", "channel": "PIGEON"}, "channel"),
]


@pytest.mark.parametrize(("fields", "field"), [pytest.param(f, n, id=i) for i, f, n in BAD])
def test_a_bad_message_is_refused_with_its_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        read({"phones": [PHONE], **fields}).to_domain()
    assert caught.value.field == field


def test_message_ids_are_the_facades_own_and_fit_smsc() -> None:
    ids = {new_message_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(is_message_id(id) and len(id) <= 40 for id in ids)
    assert not is_message_id("12345")


def test_outputs_say_what_the_domain_holds() -> None:
    sent = MessageSent(
        id="fxaaaaaaaaaaaaaaaaaaaa",
        parts=2,
        cost=decimal.Decimal("5.00"),
        balance=decimal.Decimal("1495.00"),
        rejected=(
            RecipientRejection(
                phone="123", status=MessageStatus.INVALID_NUMBER, status_code=22, error_code=249
            ),
        ),
    )
    body = messages.SentMessage.from_domain(sent).model_dump(mode="json", by_alias=True)
    assert body["rejected"] == [
        {
            "phone": "123",
            "status": "INVALID_NUMBER",
            "statusCode": 22,
            "errorCode": 249,
            "error": None,
        }
    ]
    assert (body["cost"], body["balance"]) == ("5.00", "1495.00")
    state = MessageState(
        id="1", phone=PHONE, status=MessageStatus.DELIVERED, status_code=1, error_code=0
    )
    shown = messages.Message.from_domain(state).model_dump(mode="json", by_alias=True)
    assert (shown["status"], shown["final"], shown["errorCode"]) == ("DELIVERED", True, 0)
    waiting = MessageState(id="1", phone=PHONE, status=MessageStatus.UNKNOWN, status_code=77)
    assert messages.Message.from_domain(waiting).final is False
    balance = messages.Balance.from_domain(Balance(amount=decimal.Decimal("-3.50")))
    assert balance.model_dump(mode="json") == {"amount": "-3.50", "currency": None, "credit": None}
