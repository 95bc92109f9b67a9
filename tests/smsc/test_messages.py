"""send.php, status.php and balance.php's builders: every parameter exactly as
docs/smsc-wire.md ("Messages") has it, the options shared with jobs.php encoded by the same
encoders, and the arguments that are programming errors."""

import dataclasses
import datetime as dt
from typing import Any

import pytest

from facade.domain.common import MOSCOW
from facade.domain.jobs import (
    CallParams,
    Channel,
    JobSpec,
    SendAfter,
    SendAt,
    SendAtTimestamp,
    SendWindow,
    Transliteration,
    Voice,
)
from facade.domain.messages import MessageRef, MessageSpec, new_message_id
from facade.errors import FacadeError
from facade.smsc import commands, messages
from facade.smsc.commands import Command, Credentials, build_form, reply_for
from facade.smsc.messages import (
    MAX_STATUS_BATCH,
    get_balance,
    get_message_cost,
    get_message_statuses,
    send_message,
)
from facade.smsc.parse.messages import parse_balance, parse_message_cost, parse_message_sent
from facade.smsc.wire import Endpoint, Fmt

FX = "fxk7m2q4r5s6t7u2v3w4x5"
PHONE = "79990001122"
OTHER_PHONE = "+79990003344"
SEND_HEAD = (("phones", PHONE), ("mes", "Hello"), ("id", FX))
COST_HEAD = (("cost", "1"), ("phones", PHONE), ("mes", "Hello"))
PASSWORD = "p"  # noqa: S105 - a test value, not a secret


def spec(**changes: Any) -> MessageSpec:
    return dataclasses.replace(MessageSpec(phones=(PHONE,), message="Hello", id=FX), **changes)


def offset(hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


# ---------------------------------------------------------------------------- the commands


@pytest.mark.parametrize(
    ("command", "endpoint", "name", "params", "writes"),
    [
        pytest.param(
            send_message(spec()),
            Endpoint.SEND,
            "send",
            (*SEND_HEAD, ("err", "1")),
            True,
            id="send-minimal",
        ),
        pytest.param(
            send_message(spec(with_cost=True)),
            Endpoint.SEND,
            "send",
            (*SEND_HEAD, ("cost", "3"), ("err", "1")),
            True,
            id="send-with-cost-asks-cost-and-balance",
        ),
        pytest.param(
            send_message(spec(phones=(PHONE, OTHER_PHONE, "ann@example.com"))),
            Endpoint.SEND,
            "send",
            (
                ("phones", f"{PHONE},{OTHER_PHONE},ann@example.com"),
                ("mes", "Hello"),
                ("id", FX),
                ("err", "1"),
            ),
            True,
            id="send-phones-comma-joined",
        ),
        pytest.param(
            send_message(spec(channel=Channel.HLR, message=None)),
            Endpoint.SEND,
            "send",
            (("phones", PHONE), ("id", FX), ("hlr", "1"), ("err", "1")),
            True,
            id="send-hlr-without-text",
        ),
        pytest.param(
            get_message_cost(spec()),
            Endpoint.SEND,
            "cost",
            COST_HEAD,
            False,
            id="cost-sends-no-id",
        ),
        pytest.param(
            get_message_cost(spec(with_cost=True, id=None, sender="Shop")),
            Endpoint.SEND,
            "cost",
            (*COST_HEAD, ("sender", "Shop")),
            False,
            id="cost-ignores-with-cost",
        ),
        pytest.param(
            get_message_statuses([MessageRef(FX, PHONE), MessageRef("33", OTHER_PHONE)]),
            Endpoint.STATUS,
            "get",
            (("id", f"{FX},33,"), ("phone", f"{PHONE},{OTHER_PHONE},"), ("all", "2")),
            False,
            id="statuses-multiple-form",
        ),
        pytest.param(
            get_message_statuses([MessageRef(FX, PHONE)]),
            Endpoint.STATUS,
            "get",
            (("id", f"{FX},"), ("phone", f"{PHONE},"), ("all", "2")),
            False,
            id="statuses-one-message-trailing-commas",
        ),
        pytest.param(
            get_balance(), Endpoint.BALANCE, "get", (("cur", "1"),), False, id="balance-cur"
        ),
    ],
)
def test_builder(
    command: Command[Any],
    endpoint: Endpoint,
    name: str,
    params: tuple[tuple[str, str], ...],
    writes: bool,
) -> None:
    assert (command.endpoint, command.name, command.params, command.writes) == (
        endpoint,
        name,
        params,
        writes,
    )


# ---------------------------------------------------------------------------- the options


@pytest.mark.parametrize(
    ("changes", "extra"),
    [
        pytest.param({"sender": "Shop"}, (("sender", "Shop"),), id="sender"),
        pytest.param({"sender": ""}, (("sender", ""),), id="sender-empty-suppresses-default"),
        pytest.param(
            {"send_time": SendAt(dt.datetime(2025, 3, 1, 10, 0, tzinfo=MOSCOW))},
            (("time", "0103251000"), ("tz", "0")),
            id="time-moment-moscow",
        ),
        pytest.param(
            {"send_time": SendAt(dt.datetime(2025, 3, 1, 10, 0, tzinfo=offset(5)))},
            (("time", "0103251000"), ("tz", "2")),
            id="time-moment-own-offset",
        ),
        pytest.param(
            {"send_time": SendAt(dt.datetime(2025, 3, 1, 10, 0, tzinfo=offset(5.5)))},
            (("time", "0103250730"), ("tz", "0")),
            id="time-moment-half-hour-offset-in-moscow-time",
        ),
        pytest.param(
            {"send_time": SendAtTimestamp(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))},
            (("time", "01735689600"),),
            id="time-timestamp",
        ),
        pytest.param({"send_time": SendWindow(9, 21)}, (("time", "9-21"),), id="time-window"),
        pytest.param(
            {"send_time": SendWindow(9, 21), "time_zone": -1},
            (("time", "9-21"), ("tz", "-1")),
            id="time-window-time-zone",
        ),
        pytest.param({"send_time": SendAfter(90)}, (("time", "+90"),), id="time-after"),
        pytest.param({"time_zone": 2}, (("tz", "2"),), id="time-zone-alone"),
        pytest.param({"validity": dt.timedelta(hours=6)}, (("valid", "06:00"),), id="valid-hours"),
        pytest.param(
            {"validity": dt.timedelta(hours=24)}, (("valid", "24:00"),), id="valid-maximum"
        ),
        pytest.param(
            {"validity": dt.timedelta(minutes=1)}, (("valid", "00:01"),), id="valid-minimum"
        ),
        pytest.param(
            {"validity": dt.timedelta(hours=1, minutes=30, seconds=59)},
            (("valid", "01:30"),),
            id="valid-hours-minutes-seconds-dropped",
        ),
        pytest.param(
            {"transliteration": Transliteration.LATIN}, (("translit", "1"),), id="translit-latin"
        ),
        pytest.param(
            {"transliteration": Transliteration.LOOKALIKE},
            (("translit", "2"),),
            id="translit-lookalike",
        ),
        pytest.param({"transliteration": Transliteration.NONE}, (), id="translit-none-absent"),
        pytest.param({"shorten_links": True}, (("tinyurl", "1"),), id="tinyurl"),
        pytest.param({"telegram_bot": "@shop_bot"}, (("bot", "@shop_bot"),), id="bot"),
        pytest.param(
            {"file_url": "https://example.com/a.pdf"},
            (("fileurl", "https://example.com/a.pdf"),),
            id="fileurl",
        ),
        pytest.param({"max_parts": 3}, (("maxsms", "3"),), id="maxsms"),
        pytest.param({"channel": Channel.SMS}, (), id="channel-sms-no-flag"),
        *(
            pytest.param({"channel": channel}, (flag,), id=f"channel-{channel.name.lower()}")
            for channel, flag in [
                (Channel.FLASH, ("flash", "1")),
                (Channel.PUSH, ("push", "1")),
                (Channel.BINARY, ("bin", "1")),
                (Channel.BINARY_HEX, ("bin", "2")),
                (Channel.HLR, ("hlr", "1")),
                (Channel.PING, ("ping", "1")),
                (Channel.MMS, ("mms", "1")),
                (Channel.EMAIL, ("mail", "1")),
                (Channel.CALL, ("call", "1")),
                (Channel.VIBER, ("viber", "1")),
                (Channel.SOCIAL, ("soc", "1")),
                (Channel.TELEGRAM, ("tg", "1")),
                (Channel.WHATSAPP, ("whatsapp", "1")),
            ]
        ),
        pytest.param(
            {"channel": Channel.EMAIL, "subject": "News"},
            (("mail", "1"), ("subj", "News")),
            id="subject",
        ),
        pytest.param(
            {"channel": Channel.CALL, "voice": Voice.FEMALE_2, "voice_language": "en"},
            (("call", "1"), ("voice", "w2,en")),
            id="voice-language",
        ),
        pytest.param(
            {
                "channel": Channel.CALL,
                "call_params": CallParams(wait_seconds=25, retry_interval_seconds=60, attempts=3),
            },
            (("call", "1"), ("param", "25,60,3")),
            id="call-params",
        ),
        pytest.param(
            {
                "sender": "Shop",
                "send_time": SendAt(dt.datetime(2025, 3, 1, 10, 0, tzinfo=offset(4))),
                "validity": dt.timedelta(hours=2),
                "transliteration": Transliteration.LATIN,
                "shorten_links": True,
                "telegram_bot": "@b_bot",
                "file_url": "http://example.com/f",
                "max_parts": 2,
                "channel": Channel.CALL,
                "voice": Voice.MALE_3,
                "call_params": CallParams(wait_seconds=10, retry_interval_seconds=10, attempts=1),
            },
            (
                ("sender", "Shop"),
                ("time", "0103251000"),
                ("tz", "1"),
                ("valid", "02:00"),
                ("translit", "1"),
                ("tinyurl", "1"),
                ("bot", "@b_bot"),
                ("fileurl", "http://example.com/f"),
                ("maxsms", "2"),
                ("call", "1"),
                ("voice", "m3"),
                ("param", "10,10,1"),
            ),
            id="everything-in-order",
        ),
    ],
)
def test_option(changes: dict[str, Any], extra: tuple[tuple[str, str], ...]) -> None:
    assert send_message(spec(**changes)).params == (*SEND_HEAD, *extra, ("err", "1"))
    assert get_message_cost(spec(**changes)).params == (*COST_HEAD, *extra)


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param(
            {"send_time": SendAt(dt.datetime(2025, 3, 1, 10, 0, tzinfo=offset(-5)))},
            id="time-moment",
        ),
        pytest.param({"send_time": SendWindow(8, 20), "time_zone": 3}, id="time-window-zone"),
        pytest.param(
            {"channel": Channel.CALL, "voice": Voice.MALE, "voice_language": "de"}, id="voice"
        ),
        pytest.param(
            {
                "channel": Channel.CALL,
                "call_params": CallParams(wait_seconds=0, retry_interval_seconds=0, attempts=0),
            },
            id="call-params",
        ),
        pytest.param({"channel": Channel.MMS, "subject": "Pics"}, id="mms-subject"),
    ],
)
def test_shared_options_are_encoded_as_a_jobs(changes: dict[str, Any]) -> None:
    """The same encoders: what a message shares with a job reaches both scripts alike."""
    job = commands.create_job(JobSpec(name="n", phones=(PHONE,), message="m", **changes)).params
    sent = send_message(spec(**changes)).params
    shared = {"time", "tz", "voice", "param", "subj", "call", "mms"}
    assert [pair for pair in sent if pair[0] in shared] == [
        pair for pair in job if pair[0] in shared
    ]


# ---------------------------------------------------------------------------- status batches


def test_status_batch_bound() -> None:
    assert MAX_STATUS_BATCH == 100
    refs = [MessageRef(str(number), PHONE) for number in range(1, MAX_STATUS_BATCH + 1)]
    ids = dict(get_message_statuses(refs).params)["id"]
    assert ids == "".join(f"{number}," for number in range(1, 101))
    with pytest.raises(ValueError, match="ask for 1 to 100 at a time"):
        get_message_statuses([*refs, MessageRef("101", PHONE)])


def test_status_command_reads_its_refs_in_order() -> None:
    refs = (MessageRef(FX, PHONE), MessageRef("33", OTHER_PHONE))
    command = get_message_statuses(iter(refs))
    body = (
        f'[{{"id": "{FX}", "phone": "{PHONE}", "status": 1}},\n'
        '{"id": 33, "phone": "79990003344", "status": -3}]'
    ).encode()
    states = command.parse(reply_for(command, body, fmt=Fmt.JSON, charset="utf-8"))
    assert [state.ref for state in states] == list(refs)


@pytest.mark.parametrize(
    ("command", "reader"),
    [
        pytest.param(send_message(spec()), parse_message_sent, id="send"),
        pytest.param(get_message_cost(spec()), parse_message_cost, id="cost"),
        pytest.param(get_balance(), parse_balance, id="balance"),
    ],
)
def test_reader(command: Command[Any], reader: object) -> None:
    assert command.reader is reader


# ---------------------------------------------------------------------------- impossible arguments

PROGRAMMING_ERRORS = (
    "is sent under its id|is not a message id|is not one value|is no count|at a time"
)


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: send_message(spec(id=None)), id="send-without-id"),
        pytest.param(lambda: send_message(spec(id="fx,1")), id="send-id-with-comma"),
        pytest.param(lambda: send_message(spec(id="x" * 41)), id="send-id-too-long"),
        pytest.param(lambda: send_message(spec(id="")), id="send-id-empty"),
        pytest.param(
            lambda: send_message(spec(phones=(f"{PHONE},{OTHER_PHONE}",))),
            id="send-phone-with-comma",
        ),
        pytest.param(lambda: send_message(spec(phones=(PHONE, " "))), id="send-blank-phone"),
        pytest.param(lambda: send_message(spec(max_parts=0)), id="send-zero-parts"),
        pytest.param(lambda: get_message_cost(spec(phones=("1;2",))), id="cost-phone-with-semi"),
        pytest.param(lambda: get_message_statuses([]), id="statuses-none"),
        pytest.param(
            lambda: get_message_statuses([MessageRef("1,2", PHONE)]), id="statuses-id-with-comma"
        ),
        pytest.param(
            lambda: get_message_statuses([MessageRef("1", f"{PHONE},")]),
            id="statuses-phone-with-comma",
        ),
        pytest.param(lambda: get_message_statuses([MessageRef("1", "")]), id="statuses-no-phone"),
    ],
)
def test_impossible_arguments_are_programming_errors(build: Any) -> None:
    with pytest.raises(ValueError, match=PROGRAMMING_ERRORS) as caught:
        build()
    assert not isinstance(caught.value, FacadeError)


def test_any_new_message_id_is_sent() -> None:
    id_ = new_message_id()
    assert dict(send_message(spec(id=id_)).params)["id"] == id_
    assert messages.encode_message_id("12345") == "12345"


# ---------------------------------------------------------------------------- the form and key


def test_form_and_key() -> None:
    command = send_message(spec())
    credentials = Credentials(login="l", password=PASSWORD, hash_password=False)
    form = build_form(command, credentials=credentials, fmt=Fmt.JSON, charset="utf-8")
    assert form == [
        *command.params,
        ("login", "l"),
        ("psw", PASSWORD),
        ("fmt", "3"),
        ("charset", "utf-8"),
    ]
    assert command.key == f"/sys/send.php?err=1&id={FX}&mes=Hello&phones={PHONE}"
    assert get_balance().key == "/sys/balance.php?cur=1"
