"""The rules of a whole job (`check_job`), which `CreateJob.to_domain` applies last: every refusal names the
public field. These were the encoder's refusals (facade/smsc/job_options.py) before validation
moved to the domain; what `check_job` passes, the encoder encodes (tests/smsc/test_commands.py).
"""

import dataclasses
import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any

import pytest

from facade.domain.common import MOSCOW
from facade.domain.job_checks import check_job, list_text
from facade.domain.jobs import (
    CallParams,
    Channel,
    JobSpec,
    RecipientMessage,
    Repeat,
    SendAfter,
    SendAt,
    SendAtTimestamp,
    SendWindow,
    Voice,
)
from facade.errors import InputError

PHONE = "79990000001"
OTHER_PHONE = "79990000002"
LONG = "x" * 1001


def job(**changes: Any) -> JobSpec:
    return dataclasses.replace(JobSpec(name="Promo", phones=(PHONE,), message="Hello"), **changes)


def listed(*lines: RecipientMessage, **changes: Any) -> JobSpec:
    return job(**({"phones": (), "message": None, "messages": lines} | changes))


def line(message: str = "Hi", **changes: Any) -> RecipientMessage:
    return dataclasses.replace(RecipientMessage(phones=(PHONE,), message=message), **changes)


def offset(hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


def at(tz: dt.tzinfo | None, *, year: int = 2025, second: int = 0) -> dt.datetime:
    return dt.datetime(year, 3, 1, 10, 0, second, tzinfo=tz)


def call(**params: int) -> CallParams:
    values = {"wait_seconds": 25, "retry_interval_seconds": 60, "attempts": 3} | params
    return CallParams(**values)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        # jobs: recipients
        pytest.param(lambda: check_job(job(name="  ")), "name", id="job-blank-name"),
        pytest.param(
            lambda: check_job(listed(line(), phones=(PHONE,))),
            "phones",
            id="job-phones-and-messages",
        ),
        pytest.param(
            lambda: check_job(listed(line(), message="Hi")),
            "message",
            id="job-message-and-messages",
        ),
        pytest.param(
            lambda: check_job(listed(line(), template_id="1")),
            "templateId",
            id="job-template-and-messages",
        ),
        pytest.param(
            lambda: check_job(job(multiline_messages=True)),
            "multilineMessages",
            id="job-multiline-without-messages",
        ),
        pytest.param(lambda: check_job(job(phones=())), "phones", id="job-no-recipients"),
        pytest.param(
            lambda: check_job(job(template_id="1")),
            "templateId",
            id="job-template-and-message",
        ),
        pytest.param(
            lambda: check_job(job(message=None, template_id="t1")),
            "templateId",
            id="job-template-bad-id",
        ),
        pytest.param(lambda: check_job(job(message=None)), "message", id="job-no-message"),
        pytest.param(lambda: check_job(job(message="")), "message", id="job-empty-message"),
        pytest.param(lambda: check_job(job(message=" \n")), "message", id="job-blank-message"),
        pytest.param(
            lambda: check_job(job(message=None, channel=Channel.EMAIL, subject="s")),
            "message",
            id="job-mail-without-message",
        ),
        pytest.param(lambda: check_job(job(message=LONG)), "message", id="job-long-message"),
        pytest.param(
            lambda: check_job(job(phones=(f"{PHONE},{OTHER_PHONE}",))),
            "phones",
            id="job-phone-with-comma",
        ),
        pytest.param(
            lambda: check_job(job(phones=(f"{PHONE};",))),
            "phones",
            id="job-phone-with-semicolon",
        ),
        pytest.param(
            lambda: check_job(job(phones=(f"{PHONE}\n",))),
            "phones",
            id="job-phone-with-new-line",
        ),
        pytest.param(lambda: check_job(job(phones=(PHONE, ""))), "phones", id="job-empty-phone"),
        # jobs: the list
        pytest.param(
            lambda: check_job(listed(line(time_zone=1))),
            "messages",
            id="job-list-time-zone-without-send-at",
        ),
        pytest.param(
            lambda: check_job(listed(line(time_zone=1), send_time=SendWindow(9, 10))),
            "messages",
            id="job-list-time-zone-with-window",
        ),
        pytest.param(
            lambda: check_job(listed(line(sender="A|B"))),
            "messages",
            id="job-list-sender-with-bar",
        ),
        pytest.param(
            lambda: check_job(listed(line(sender="A,B"))),
            "messages",
            id="job-list-sender-with-comma",
        ),
        pytest.param(
            lambda: check_job(listed(line(time_zone=12), send_time=SendAt(at(MOSCOW)))),
            "messages",
            id="job-list-time-zone-out-of-range",
        ),
        pytest.param(
            lambda: check_job(listed(line(phones=()))),
            "messages",
            id="job-list-line-without-phones",
        ),
        pytest.param(
            lambda: check_job(listed(line(phones=(f"{PHONE}:x",)))),
            "messages",
            id="job-list-phone-with-colon",
        ),
        pytest.param(
            lambda: check_job(listed(line(phones=(f"S|{PHONE}",)))),
            "messages",
            id="job-list-phone-with-bar",
        ),
        pytest.param(lambda: check_job(listed(line(" "))), "messages", id="job-list-blank-message"),
        pytest.param(lambda: check_job(listed(line(LONG))), "messages", id="job-list-long-message"),
        pytest.param(
            lambda: check_job(listed(line("C:\\new"))),
            "messages",
            id="job-list-literal-backslash-n",
        ),
        pytest.param(
            lambda: check_job(listed(line(f"Hi\n{OTHER_PHONE}:spoof"), multiline_messages=True)),
            "messages",
            id="job-list-multiline-line-reads-as-recipient",
        ),
        pytest.param(
            lambda: check_job(listed(line("Meet at\n10:00"), multiline_messages=True)),
            "messages",
            id="job-list-multiline-line-reads-as-phone",
        ),
        pytest.param(
            lambda: check_job(listed(line("Hi\nShop,2|+7999:x"), multiline_messages=True)),
            "messages",
            id="job-list-multiline-line-reads-as-prefixed",
        ),
        # jobs: senders
        pytest.param(
            lambda: check_job(job(fallback_sender="S")),
            "fallbackSender",
            id="job-fallback-sender-alone",
        ),
        pytest.param(
            lambda: check_job(job(fallback_message=" ")),
            "fallbackMessage",
            id="job-fallback-blank",
        ),
        pytest.param(
            lambda: check_job(job(fallback_message=LONG)),
            "fallbackMessage",
            id="job-fallback-long",
        ),
        # jobs: time
        pytest.param(
            lambda: check_job(job(send_time=SendAt(at(None)))),
            "sendTime",
            id="job-send-at-naive",
        ),
        pytest.param(
            lambda: check_job(job(send_time=SendAtTimestamp(at(None)))),
            "sendTime",
            id="job-timestamp-naive",
        ),
        pytest.param(
            lambda: check_job(job(send_time=SendAt(at(MOSCOW, year=2100)))),
            "sendTime",
            id="job-send-at-after-2099",
        ),
        pytest.param(
            lambda: check_job(job(send_time=SendAt(at(MOSCOW, year=1999)))),
            "sendTime",
            id="job-send-at-before-2000",
        ),
        pytest.param(
            lambda: check_job(job(send_time=SendAt(at(offset(20))))),
            "sendTime",
            id="job-send-at-impossible-offset",
        ),
        pytest.param(
            lambda: check_job(
                job(send_time=SendAtTimestamp(dt.datetime(1969, 12, 31, tzinfo=dt.UTC)))
            ),
            "sendTime",
            id="job-timestamp-before-1970",
        ),
        pytest.param(
            lambda: check_job(job(send_time=SendWindow(10, 10))),
            "sendTime",
            id="job-window-empty",
        ),
        pytest.param(
            lambda: check_job(job(send_time=SendWindow(21, 9))),
            "sendTime",
            id="job-window-reversed",
        ),
        pytest.param(
            lambda: check_job(job(send_time=SendWindow(-1, 9))),
            "sendTime",
            id="job-window-negative-hour",
        ),
        pytest.param(
            lambda: check_job(job(send_time=SendWindow(9, 25))),
            "sendTime",
            id="job-window-past-24",
        ),
        pytest.param(
            lambda: check_job(job(send_time=SendAfter(-1))),
            "sendTime",
            id="job-send-after-negative",
        ),
        pytest.param(
            lambda: check_job(job(time_zone=1)),
            "timeZone",
            id="job-time-zone-without-send-time",
        ),
        pytest.param(
            lambda: check_job(job(time_zone=1, send_time=SendAfter(5))),
            "timeZone",
            id="job-time-zone-with-send-after",
        ),
        pytest.param(
            lambda: check_job(job(time_zone=1, send_time=SendAtTimestamp(at(dt.UTC)))),
            "timeZone",
            id="job-time-zone-with-timestamp",
        ),
        pytest.param(
            lambda: check_job(job(time_zone=-16, send_time=SendWindow(9, 10))),
            "timeZone",
            id="job-time-zone-out-of-range",
        ),
        pytest.param(
            lambda: check_job(job(time_zone=1, send_time=SendAt(at(offset(5))))),
            "timeZone",
            id="job-time-zone-contradicts-send-at",
        ),
        pytest.param(
            lambda: check_job(job(time_zone=2, send_time=SendAt(at(offset(5.5))))),
            "timeZone",
            id="job-time-zone-contradicts-moscow-conversion",
        ),
        # jobs: repetition and spreading
        pytest.param(
            lambda: check_job(job(repeat_count=3)),
            "repeatCount",
            id="job-repeat-count-without-repeat",
        ),
        pytest.param(
            lambda: check_job(job(repeat=Repeat.DAILY, repeat_count=0)),
            "repeatCount",
            id="job-repeat-count-zero",
        ),
        pytest.param(
            lambda: check_job(job(period_hours=decimal.Decimal("0.09"))),
            "periodHours",
            id="job-period-too-short",
        ),
        pytest.param(
            lambda: check_job(job(period_hours=decimal.Decimal("720.01"))),
            "periodHours",
            id="job-period-too-long",
        ),
        pytest.param(
            lambda: check_job(job(period_hours=decimal.Decimal("NaN"))),
            "periodHours",
            id="job-period-nan",
        ),
        pytest.param(
            lambda: check_job(job(period_hours=decimal.Decimal("sNaN"))),
            "periodHours",
            id="job-period-signalling-nan",
        ),
        pytest.param(
            lambda: check_job(job(period_hours=decimal.Decimal("Infinity"))),
            "periodHours",
            id="job-period-infinite",
        ),
        pytest.param(
            lambda: check_job(job(frequency_minutes=5)),
            "frequencyMinutes",
            id="job-frequency-without-period",
        ),
        pytest.param(
            lambda: check_job(job(period_hours=decimal.Decimal(1), frequency_minutes=0)),
            "frequencyMinutes",
            id="job-frequency-zero",
        ),
        pytest.param(
            lambda: check_job(job(period_hours=decimal.Decimal(1), frequency_minutes=1441)),
            "frequencyMinutes",
            id="job-frequency-too-long",
        ),
        # jobs: delivery
        pytest.param(
            lambda: check_job(job(validity=dt.timedelta(seconds=59))),
            "validityMinutes",
            id="job-validity-too-short",
        ),
        pytest.param(
            lambda: check_job(job(validity=dt.timedelta(hours=24, minutes=1))),
            "validityMinutes",
            id="job-validity-too-long",
        ),
        pytest.param(
            lambda: check_job(job(validity=dt.timedelta(minutes=1, seconds=30))),
            "validityMinutes",
            id="job-validity-not-whole-minutes",
        ),
        pytest.param(
            lambda: check_job(job(validity=dt.timedelta(0))),
            "validityMinutes",
            id="job-validity-zero",
        ),
        pytest.param(lambda: check_job(job(telegram_bot="")), "telegramBot", id="job-blank-bot"),
        pytest.param(
            lambda: check_job(job(confirm_after_days=9)),
            "confirmAfterDays",
            id="job-smsreq-too-small",
        ),
        pytest.param(
            lambda: check_job(job(confirm_after_days=1000)),
            "confirmAfterDays",
            id="job-smsreq-too-large",
        ),
        pytest.param(
            lambda: check_job(job(file_url="ftp://example.com/f")),
            "fileUrl",
            id="job-file-url-not-http",
        ),
        # jobs: channels
        pytest.param(
            lambda: check_job(job(channel=Channel.EMAIL)),
            "subject",
            id="job-mail-without-subject",
        ),
        pytest.param(
            lambda: check_job(job(channel=Channel.EMAIL, subject=" ")),
            "subject",
            id="job-mail-blank-subject",
        ),
        pytest.param(lambda: check_job(job(subject="S")), "subject", id="job-subject-on-sms"),
        pytest.param(lambda: check_job(job(voice=Voice.MALE)), "voice", id="job-voice-not-call"),
        pytest.param(
            lambda: check_job(job(channel=Channel.CALL, voice_language="en")),
            "voiceLanguage",
            id="job-language-without-voice",
        ),
        pytest.param(
            lambda: check_job(job(channel=Channel.CALL, voice=Voice.MALE, voice_language="e,n")),
            "voiceLanguage",
            id="job-language-malformed",
        ),
        pytest.param(
            lambda: check_job(job(call_params=call())),
            "callParams",
            id="job-call-params-not-call",
        ),
        pytest.param(
            lambda: check_job(job(channel=Channel.CALL, call_params=call(wait_seconds=100))),
            "callParams",
            id="job-call-wait-too-long",
        ),
        pytest.param(
            lambda: check_job(job(channel=Channel.CALL, call_params=call(wait_seconds=-1))),
            "callParams",
            id="job-call-wait-negative",
        ),
        pytest.param(
            lambda: check_job(
                job(channel=Channel.CALL, call_params=call(retry_interval_seconds=-1))
            ),
            "callParams",
            id="job-call-interval-negative",
        ),
        pytest.param(
            lambda: check_job(
                job(channel=Channel.CALL, call_params=call(retry_interval_seconds=3601))
            ),
            "callParams",
            id="job-call-interval-too-long",
        ),
        pytest.param(
            lambda: check_job(job(channel=Channel.CALL, call_params=call(attempts=10))),
            "callParams",
            id="job-call-attempts-too-many",
        ),
        pytest.param(
            lambda: check_job(job(channel=Channel.CALL, call_params=call(attempts=-1))),
            "callParams",
            id="job-call-attempts-negative",
        ),
    ],
)
def test_refused(build: Callable[[], object], field: str) -> None:
    with pytest.raises(InputError) as caught:
        build()
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: ")


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(job(), id="minimal"),
        pytest.param(job(message=None, template_id="31"), id="template"),
        pytest.param(job(message=None, channel=Channel.HLR), id="hlr-without-message"),
        pytest.param(listed(line(time_zone=2), send_time=SendAt(at(MOSCOW))), id="list-zone"),
        pytest.param(listed(line("Meet\nme"), multiline_messages=True), id="list-multiline"),
        pytest.param(job(send_time=SendAt(at(offset(5.5)))), id="half-hour-offset"),
        pytest.param(job(time_zone=2, send_time=SendAt(at(offset(5)))), id="zone-agrees"),
        pytest.param(job(time_zone=2, send_time=SendWindow(9, 18)), id="zone-with-window"),
        pytest.param(
            job(send_time=SendAtTimestamp(dt.datetime(1970, 1, 1, tzinfo=dt.UTC))), id="epoch"
        ),
        pytest.param(job(send_time=SendAfter(0)), id="send-now"),
        pytest.param(
            job(repeat=Repeat.DAILY, repeat_count=3, period_hours=decimal.Decimal("0.1")),
            id="repeat",
        ),
        pytest.param(
            job(period_hours=decimal.Decimal(720), frequency_minutes=1440), id="period-bounds"
        ),
        pytest.param(job(validity=dt.timedelta(hours=24)), id="validity-24h"),
        pytest.param(job(channel=Channel.EMAIL, subject="Hi"), id="mail"),
        pytest.param(
            job(
                channel=Channel.CALL,
                voice=Voice.FEMALE,
                voice_language="en",
                call_params=call(wait_seconds=99, retry_interval_seconds=3600, attempts=9),
            ),
            id="call",
        ),
    ],
)
def test_passed(spec: JobSpec) -> None:
    assert check_job(spec) is spec


def test_an_empty_message_reads_as_none() -> None:
    with pytest.raises(InputError) as caught:
        check_job(job(message=""))
    assert (caught.value.field, caught.value.message) == (
        "message",
        "message: give a message or a templateId",
    )


@pytest.mark.parametrize(
    ("build", "field", "message"),
    [
        pytest.param(
            lambda: check_job(job(validity=dt.timedelta(seconds=59))),
            "validityMinutes",
            "validityMinutes: must be between 1 minute and 24 hours",
            id="validity-range",
        ),
        pytest.param(
            lambda: check_job(job(validity=dt.timedelta(minutes=1, seconds=30))),
            "validityMinutes",
            "validityMinutes: must be a whole number of minutes",
            id="validity-whole-minutes",
        ),
        pytest.param(
            lambda: check_job(job(subject="S")),
            "subject",
            "subject: applies only to the MMS and EMAIL channels",
            id="subject-on-sms",
        ),
        pytest.param(
            lambda: check_job(listed(line(sender="A,B"))),
            "messages",
            "messages: line 1: the sender contains a separator (,;:|)",
            id="list-sender",
        ),
        pytest.param(
            lambda: check_job(job(time_zone=1, send_time=SendAt(at(offset(5))))),
            "timeZone",
            "timeZone: contradicts the offset of sendTime (2 from Moscow)",
            id="zone-contradiction",
        ),
    ],
)
def test_refusal_messages(build: Callable[[], object], field: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        build()
    assert (caught.value.field, caught.value.message) == (field, message)


@pytest.mark.parametrize(
    ("message", "multiline", "text"),
    [
        pytest.param("a\r\nb\rc\nd", False, "a\\nb\\nc\\nd", id="escaped"),
        pytest.param("a\r\nb\rc\nd", True, "a\nb\nc\nd", id="multiline"),
        pytest.param("plain", False, "plain", id="one-line"),
    ],
)
def test_list_text(message: str, multiline: bool, text: str) -> None:
    assert list_text(message, multiline) == text


@pytest.mark.parametrize(
    ("moment", "sent", "zone"),
    [
        pytest.param(at(MOSCOW), at(MOSCOW), 0, id="moscow"),
        pytest.param(at(offset(5)), at(offset(5)), 2, id="whole-hours"),
        pytest.param(at(offset(-12)), at(offset(-12)), -15, id="utc-minus-12"),
        pytest.param(at(offset(5.5)), dt.datetime(2025, 3, 1, 7, 30, tzinfo=MOSCOW), 0, id="half"),
    ],
)
def test_send_at_as_sent(moment: dt.datetime, sent: dt.datetime, zone: int) -> None:
    as_sent = SendAt(moment).as_sent()
    assert as_sent == (sent, zone)
    assert as_sent[0].utcoffset() == sent.utcoffset()


def test_send_at_without_offset_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="needs an offset"):
        SendAt(at(None)).as_sent()
