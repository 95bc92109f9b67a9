"""A job creation as the APIs receive it, turned into a `JobSpec`: one builder for GraphQL and REST.

Both APIs name the fields alike (camelCase outside, snake_case here), so each passes its own input
object; enums are matched by member name. Every rule comes from `facade.domain.rules`, and the
`InputError` names the public field path (`messages[1].sender`).
"""

import datetime as dt
import decimal
from collections.abc import Sequence
from typing import Protocol

from facade.domain import jobs
from facade.domain.rules import (
    job_name,
    job_recipient,
    optional_sender,
    require_message,
    require_range,
    telegram_bot,
)


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
    channel = jobs.Channel[source.channel.name]
    phones = tuple(
        job_recipient(phone, channel, f"phones[{index}]")
        for index, phone in enumerate(source.phones)
    )
    groups = tuple(
        "G" + require_range(number, f"groupNumbers[{index}]", 0)
        for index, number in enumerate(source.group_numbers)
    )
    return jobs.JobSpec(
        name=job_name(source.name, "name"),
        phones=phones + groups,
        message=None if source.message is None else require_message(source.message, "message"),
        template_id=source.template_id,
        messages=tuple(_line(line, index, channel) for index, line in enumerate(source.messages)),
        sender=optional_sender(source.sender, "sender"),
        fallback_sender=optional_sender(source.fallback_sender, "fallbackSender"),
        fallback_message=None
        if source.fallback_message is None
        else require_message(source.fallback_message, "fallbackMessage"),
        send_time=None if source.send_time is None else source.send_time.to_domain(),
        time_zone=source.time_zone,
        repeat=None if source.repeat is None else jobs.Repeat[source.repeat.name],
        repeat_count=source.repeat_count,
        period_hours=None
        if source.period_hours is None
        else decimal.Decimal(str(source.period_hours)),
        frequency_minutes=source.frequency_minutes,
        validity=None
        if source.validity_minutes is None
        else dt.timedelta(minutes=source.validity_minutes),
        transliteration=None
        if source.transliteration is None
        else jobs.Transliteration[source.transliteration.name],
        shorten_links=source.shorten_links,
        channel=channel,
        subject=source.subject,
        voice=None if source.voice is None else jobs.Voice[source.voice.name],
        voice_language=source.voice_language,
        call_params=None if source.call_params is None else _call_params(source.call_params),
        telegram_bot=None
        if source.telegram_bot is None
        else telegram_bot(source.telegram_bot, "telegramBot"),
        confirm_after_days=source.confirm_after_days,
        file_url=source.file_url,
        with_cost=source.with_cost,
        multiline_messages=source.multiline_messages,
    )


def _line(line: RecipientLine, index: int, channel: jobs.Channel) -> jobs.RecipientMessage:
    where = f"messages[{index}]"
    return jobs.RecipientMessage(
        phones=tuple(
            job_recipient(phone, channel, f"{where}.phones[{number}]")
            for number, phone in enumerate(line.phones)
        ),
        message=require_message(line.message, f"{where}.message"),
        sender=optional_sender(line.sender, f"{where}.sender"),
        time_zone=line.time_zone,
    )


def _call_params(params: CallParamsSource) -> jobs.CallParams:
    return jobs.CallParams(
        wait_seconds=params.wait_seconds,
        retry_interval_seconds=params.retry_interval_seconds,
        attempts=params.attempts,
    )
