"""A job creation as the APIs receive it, turned into a `JobSpec`: one builder for GraphQL and REST.

Both APIs name the fields alike (camelCase outside, snake_case here), so each passes its own input
object; enums are matched by member name. Each field's rule comes from `facade.domain.rules`, the
rules of the whole job from `facade.domain.job_checks`, and the `InputError` names the public field
path (`messages[1].sender`).
"""

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from facade.domain import jobs
from facade.domain.bounds import (
    MAX_CALL_ATTEMPTS,
    MAX_CALL_INTERVAL,
    MAX_CALL_WAIT,
    MAX_CONFIRM_DAYS,
    MAX_FREQUENCY_MINUTES,
    MAX_GROUP_NUMBER,
    MAX_REPEAT_COUNT,
    MAX_SUBJECT_LENGTH,
    MAX_TIME_ZONE,
    MAX_URL_LENGTH,
    MAX_VALIDITY,
    MIN_CONFIRM_DAYS,
    MIN_FREQUENCY_MINUTES,
    MIN_TIME_ZONE,
    MIN_VALIDITY,
)
from facade.domain.job_checks import check_job
from facade.domain.rules import (
    job_name,
    job_recipient,
    language_code,
    optional_line,
    optional_sender,
    require_hours,
    require_id,
    require_int,
    require_message,
    require_name,
    telegram_bot,
)

_MINUTE = dt.timedelta(minutes=1)


class _Named(Protocol):
    @property
    def name(self) -> str: ...


class RecipientLine(Protocol):
    @property
    def phones(self) -> Sequence[str]: ...
    @property
    def message(self) -> str: ...
    @property
    def sender(self) -> str | None: ...
    @property
    def time_zone(self) -> int | None: ...


class CallParamsSource(Protocol):
    @property
    def wait_seconds(self) -> int: ...
    @property
    def retry_interval_seconds(self) -> int: ...
    @property
    def attempts(self) -> int: ...


class SendTimeSource(Protocol):
    def to_domain(self) -> jobs.SendTime: ...


class JobSource(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def phones(self) -> Sequence[str]: ...
    @property
    def group_numbers(self) -> Sequence[int]: ...
    @property
    def message(self) -> str | None: ...
    @property
    def template_id(self) -> str | None: ...
    @property
    def messages(self) -> Sequence[RecipientLine]: ...
    @property
    def sender(self) -> str | None: ...
    @property
    def fallback_sender(self) -> str | None: ...
    @property
    def fallback_message(self) -> str | None: ...
    @property
    def send_time(self) -> SendTimeSource | None: ...
    @property
    def time_zone(self) -> int | None: ...
    @property
    def repeat(self) -> _Named | None: ...
    @property
    def repeat_count(self) -> int | None: ...
    @property
    def period_hours(self) -> float | None: ...
    @property
    def frequency_minutes(self) -> int | None: ...
    @property
    def validity_minutes(self) -> int | None: ...
    @property
    def transliteration(self) -> _Named | None: ...
    @property
    def shorten_links(self) -> bool: ...
    @property
    def channel(self) -> _Named: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def voice(self) -> _Named | None: ...
    @property
    def voice_language(self) -> str | None: ...
    @property
    def call_params(self) -> CallParamsSource | None: ...
    @property
    def telegram_bot(self) -> str | None: ...
    @property
    def confirm_after_days(self) -> int | None: ...
    @property
    def file_url(self) -> str | None: ...
    @property
    def with_cost(self) -> bool: ...
    @property
    def multiline_messages(self) -> bool: ...


def job_spec(source: JobSource) -> jobs.JobSpec:
    """The job `source` asks for, validated completely: each field by its rule, then the whole by
    `check_job`, so that SMSC can be told it; else the `InputError` of the first fault."""
    channel = jobs.Channel[source.channel.name]
    binary = channel is jobs.Channel.BINARY
    phones = tuple(
        job_recipient(phone, channel, f"phones[{index}]")
        for index, phone in enumerate(source.phones)
    )
    groups = tuple(
        f"G{require_int(number, f'groupNumbers[{index}]', 0, MAX_GROUP_NUMBER)}"
        for index, number in enumerate(source.group_numbers)
    )
    spec = jobs.JobSpec(
        name=job_name(require_name(source.name, "name"), "name"),
        phones=phones + groups,
        message=None
        if source.message is None
        else require_message(source.message, "message", binary=binary),
        template_id=None
        if source.template_id is None
        else require_id(source.template_id, "templateId"),
        messages=tuple(_line(line, index, channel) for index, line in enumerate(source.messages)),
        sender=optional_sender(source.sender, "sender"),
        fallback_sender=optional_sender(source.fallback_sender, "fallbackSender"),
        fallback_message=None
        if source.fallback_message is None
        else require_message(source.fallback_message, "fallbackMessage"),
        send_time=None if source.send_time is None else source.send_time.to_domain(),
        time_zone=_time_zone(source.time_zone, "timeZone"),
        repeat=None if source.repeat is None else jobs.Repeat[source.repeat.name],
        repeat_count=None
        if source.repeat_count is None
        else require_int(source.repeat_count, "repeatCount", 1, MAX_REPEAT_COUNT),
        period_hours=None
        if source.period_hours is None
        else require_hours(source.period_hours, "periodHours"),
        frequency_minutes=None
        if source.frequency_minutes is None
        else require_int(
            source.frequency_minutes,
            "frequencyMinutes",
            MIN_FREQUENCY_MINUTES,
            MAX_FREQUENCY_MINUTES,
        ),
        validity=None
        if source.validity_minutes is None
        else _MINUTE
        * require_int(
            source.validity_minutes,
            "validityMinutes",
            MIN_VALIDITY // _MINUTE,
            MAX_VALIDITY // _MINUTE,
        ),
        transliteration=None
        if source.transliteration is None
        else jobs.Transliteration[source.transliteration.name],
        shorten_links=source.shorten_links,
        channel=channel,
        subject=optional_line(source.subject, "subject", MAX_SUBJECT_LENGTH),
        voice=None if source.voice is None else jobs.Voice[source.voice.name],
        voice_language=None
        if source.voice_language is None
        else language_code(source.voice_language, "voiceLanguage"),
        call_params=None if source.call_params is None else _call_params(source.call_params),
        telegram_bot=None
        if source.telegram_bot is None
        else telegram_bot(source.telegram_bot, "telegramBot"),
        confirm_after_days=None
        if source.confirm_after_days is None
        else require_int(
            source.confirm_after_days, "confirmAfterDays", MIN_CONFIRM_DAYS, MAX_CONFIRM_DAYS
        ),
        file_url=optional_line(source.file_url, "fileUrl", MAX_URL_LENGTH),
        with_cost=source.with_cost,
        multiline_messages=source.multiline_messages,
    )
    return check_job(spec)


def _time_zone(value: int | None, field: str) -> int | None:
    return None if value is None else require_int(value, field, MIN_TIME_ZONE, MAX_TIME_ZONE)


def _line(line: RecipientLine, index: int, channel: jobs.Channel) -> jobs.RecipientMessage:
    where = f"messages[{index}]"
    return jobs.RecipientMessage(
        phones=tuple(
            job_recipient(phone, channel, f"{where}.phones[{number}]")
            for number, phone in enumerate(line.phones)
        ),
        message=require_message(
            line.message, f"{where}.message", binary=channel is jobs.Channel.BINARY
        ),
        sender=optional_sender(line.sender, f"{where}.sender"),
        time_zone=_time_zone(line.time_zone, f"{where}.timeZone"),
    )


def _call_params(params: CallParamsSource) -> jobs.CallParams:
    """smsc-jobs.txt, "param": w 0-99, i 0-3600, n 0-9 (SMSC raises what is below its range)."""
    return jobs.CallParams(
        wait_seconds=require_int(params.wait_seconds, "callParams.waitSeconds", 0, MAX_CALL_WAIT),
        retry_interval_seconds=require_int(
            params.retry_interval_seconds, "callParams.retryIntervalSeconds", 0, MAX_CALL_INTERVAL
        ),
        attempts=require_int(params.attempts, "callParams.attempts", 0, MAX_CALL_ATTEMPTS),
    )
