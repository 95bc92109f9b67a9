"""Mailings (jobs.php): a job, the job SMSC accepted, and every documented option of creating one.

`CreateJob.to_domain()` is the job, validated completely: each field by its rule
(`facade.domain.rules`, within `facade.domain.bounds`), then the whole job by
`facade.domain.job_checks`; the `InputError` names the public field path (`messages[1].sender`).
After it, nothing SMSC could refuse as malformed is left.
"""

import datetime as dt
import decimal
from typing import ClassVar, Self

from pydantic import Field

from facade.domain import jobs
from facade.domain.bounds import (
    HOURS_PER_DAY,
    MAX_CALL_ATTEMPTS,
    MAX_CALL_INTERVAL,
    MAX_CALL_WAIT,
    MAX_CONFIRM_DAYS,
    MAX_FREQUENCY_MINUTES,
    MAX_GROUP_NUMBER,
    MAX_REPEAT_COUNT,
    MAX_SEND_AFTER_MINUTES,
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
from facade.domain.jobs import Channel, JobStatus, Repeat, Transliteration, Voice
from facade.domain.rules import (
    job_name,
    job_recipient,
    language_code,
    one_send_time,
    optional_line,
    optional_sender,
    require_hours,
    require_id,
    require_int,
    require_message,
    require_name,
    telegram_bot,
)
from facade.vocabulary.fields import (
    CallAttempts,
    CallInterval,
    CallWait,
    ConfirmAfterDays,
    FileUrl,
    FrequencyMinutes,
    GroupNumber,
    LanguageCode,
    MessageText,
    Name,
    PeriodHours,
    RepeatCount,
    Sender,
    SmscId,
    Subject,
    TelegramBot,
    TextMessage,
    TimeZone,
    ValidityMinutes,
    given,
    when,
)
from facade.vocabulary.job_schema import JOB_RULES, LINE_SENDER, MOMENT, YEAR
from facade.vocabulary.shapes import ID, Input, Output, example


class Job(Output):
    """A job (mailing) as SMSC reports it."""

    model_config = example(
        {
            "id": "2013",
            "name": "Tomorrow's reminder",
            "status": "WAITING",
            "statusCode": 0,
            "createdAt": "2025-06-01T21:24:00+03:00",
            "sendAt": "2025-06-03T09:00:00+03:00",
            "recipientCount": 2,
            "message": "A reminder: tomorrow at 9:00.",
        }
    )

    id: ID
    name: str
    status: JobStatus
    status_code: int = Field(description="SMSC's own status number.")
    created_at: dt.datetime | None
    send_at: dt.datetime | None
    recipient_count: int | None
    message: str

    @classmethod
    def from_domain(cls, job: jobs.Job) -> Self:
        return cls(
            id=ID(job.id),
            name=job.name,
            status=job.status,
            status_code=job.status_raw,
            created_at=job.created_at,
            send_at=job.send_at,
            recipient_count=job.recipient_count,
            message=job.message,
        )


class CreatedJob(Output):
    """A job SMSC accepted."""

    model_config = example({"id": "2014", "cost": "3.20"})

    id: ID
    cost: decimal.Decimal | None = Field(
        description="What the job costs, when withCost asked SMSC for it."
    )

    @classmethod
    def from_domain(cls, created: jobs.JobCreated) -> Self:
        return cls(id=ID(created.id), cost=created.cost)


# the input


class SendWindow(Input):
    """Hours of the day, in the job's time zone: at once inside, else at start."""

    # 0 <= startHour < endHour <= 24, refused as `sendTime` (`to_domain()` of SendTime).
    model_config = example(
        None,
        *(
            when(
                {"properties": {"startHour": {"const": start}}},
                {"properties": {"endHour": {"minimum": start + 1}}},
            )
            for start in range(1, HOURS_PER_DAY)
        ),
    )

    start_hour: int = Field(json_schema_extra={"minimum": 0, "maximum": HOURS_PER_DAY - 1})
    end_hour: int = Field(json_schema_extra={"minimum": 1, "maximum": HOURS_PER_DAY})


class SendTime(Input):
    """When to send: exactly one of the four forms."""

    # Exactly one field is given (GraphQL's @oneOf; REST's body says so in `to_domain`); what
    # each form is held to is refused as `sendTime`, so the schema alone states it.
    one_of: ClassVar[bool] = True
    model_config = example(
        None, {"oneOf": [given(form) for form in ("at", "atTimestamp", "window", "afterMinutes")]}
    )

    at: dt.datetime | None = Field(
        default=None,
        description="A moment with its offset (sent as day and time).",
        json_schema_extra={"pattern": MOMENT},
    )
    at_timestamp: dt.datetime | None = Field(
        default=None,
        description="A moment with its offset (sent as a Unix time).",
        json_schema_extra={"pattern": YEAR},
    )
    window: SendWindow | None = None
    after_minutes: int | None = Field(
        default=None,
        description="Minutes from now.",
        json_schema_extra={"minimum": 0, "maximum": MAX_SEND_AFTER_MINUTES},
    )

    def to_domain(self) -> jobs.SendTime:
        at, at_timestamp, window = self.at, self.at_timestamp, self.window
        return one_send_time(
            (
                None if at is None else jobs.SendAt(at),
                None if at_timestamp is None else jobs.SendAtTimestamp(at_timestamp),
                None if window is None else jobs.SendWindow(window.start_hour, window.end_hour),
                None if self.after_minutes is None else jobs.SendAfter(self.after_minutes),
            ),
            "sendTime",
        )


class CallParams(Input):
    """How a CALL dials: the documented ranges are 0-99, 0-3600, 0-9."""

    wait_seconds: CallWait = Field(description="Wait for an answer (SMSC uses 10-35).")
    retry_interval_seconds: CallInterval = Field(description="Between attempts (10-3600).")
    attempts: CallAttempts = Field(description="Dial attempts in all (1-9).")

    def to_domain(self) -> jobs.CallParams:
        """smsc-jobs.txt, "param": w 0-99, i 0-3600, n 0-9 (SMSC raises what is below its range)."""
        return jobs.CallParams(
            wait_seconds=require_int(self.wait_seconds, "callParams.waitSeconds", 0, MAX_CALL_WAIT),
            retry_interval_seconds=require_int(
                self.retry_interval_seconds,
                "callParams.retryIntervalSeconds",
                0,
                MAX_CALL_INTERVAL,
            ),
            attempts=require_int(self.attempts, "callParams.attempts", 0, MAX_CALL_ATTEMPTS),
        )


class RecipientMessage(Input):
    """Recipients with their own text, sender and time zone."""

    # A line's phones, sender and text must not read as another line (`check_job`: refused as
    # `messages`).
    phones: list[str] = Field(json_schema_extra={"minItems": 1})
    message: MessageText
    sender: Sender | None = Field(default=None, json_schema_extra={"pattern": LINE_SENDER})
    time_zone: TimeZone | None = Field(
        default=None, description="Hours from Moscow; needs sendTime.at."
    )


class CreateJob(Input):
    """A mailing: every option of SMSC's jobs.php?add. Recipients are phones (or groupNumbers)
    with one message or templateId, or messages, one text per recipient list."""

    model_config = example(
        {
            "name": "Appointment reminder",
            "phones": ["79161234567", "+79031112233"],
            "message": "Hello! Your appointment is tomorrow at 10:00.",
            "sender": "Clinic",
            "withCost": True,
        },
        *JOB_RULES,
    )

    name: Name = Field(json_schema_extra={"not": {"pattern": f"{jobs.MARKED_END_PATTERN}$"}})
    phones: list[str] = Field(
        default=[],
        description="Phones (10-15 digits, optionally after +); e-mail addresses for EMAIL; "
        "also #id for TELEGRAM.",
    )
    group_numbers: list[GroupNumber] = Field(
        default=[], description="Every contact of the groups with these numbers."
    )
    message: MessageText | None = Field(default=None, description="At most 1,000 characters.")
    template_id: SmscId | None = None
    messages: list[RecipientMessage] = Field(default=[])
    sender: Sender | None = None
    fallback_message: TextMessage | None = Field(
        default=None, description="Sent by SMS when a messenger route fails."
    )
    fallback_sender: Sender | None = Field(
        default=None, description="The sender of fallbackMessage."
    )
    send_time: SendTime | None = None
    time_zone: TimeZone | None = Field(
        default=None, description="Hours from Moscow of sendTime.at or .window (-15 to 11)."
    )
    repeat: Repeat | None = None
    repeat_count: RepeatCount | None = Field(default=None, description="Needs repeat.")
    period_hours: PeriodHours | None = Field(
        default=None, description="Spread the job over 0.1-720 hours."
    )
    frequency_minutes: FrequencyMinutes | None = Field(
        default=None, description="Send the next batch every 1-1440 minutes; needs periodHours."
    )
    validity_minutes: ValidityMinutes | None = Field(
        default=None, description="How long the operator tries to deliver: 1-1440 minutes."
    )
    transliteration: Transliteration | None = None
    shorten_links: bool = False
    channel: Channel = Channel.SMS
    subject: Subject | None = Field(default=None, description="MMS and EMAIL only.")
    voice: Voice | None = Field(default=None, description="CALL only.")
    voice_language: LanguageCode | None = Field(
        default=None, description="With voice: a language code such as en."
    )
    call_params: CallParams | None = Field(default=None, description="CALL only.")
    telegram_bot: TelegramBot | None = Field(default=None, description="@name_bot")
    confirm_after_days: ConfirmAfterDays | None = Field(
        default=None, description="Ask to confirm the phone after 10-999 days."
    )
    file_url: FileUrl | None = Field(default=None, description="An http(s) file to attach.")
    with_cost: bool = Field(default=False, description="Ask SMSC for the cost.")
    multiline_messages: bool = Field(default=False, description="messages keep their line breaks.")

    def to_domain(self) -> jobs.JobSpec:
        channel = self.channel
        binary = channel is Channel.BINARY
        phones = tuple(
            job_recipient(phone, channel, f"phones[{index}]")
            for index, phone in enumerate(self.phones)
        )
        groups = tuple(
            f"G{require_int(number, f'groupNumbers[{index}]', 0, MAX_GROUP_NUMBER)}"
            for index, number in enumerate(self.group_numbers)
        )
        spec = jobs.JobSpec(
            name=job_name(require_name(self.name, "name"), "name"),
            phones=phones + groups,
            message=None
            if self.message is None
            else require_message(self.message, "message", binary=binary),
            template_id=None
            if self.template_id is None
            else require_id(self.template_id, "templateId"),
            messages=tuple(
                _line(line, f"messages[{index}]", channel)
                for index, line in enumerate(self.messages)
            ),
            sender=optional_sender(self.sender, "sender"),
            fallback_sender=optional_sender(self.fallback_sender, "fallbackSender"),
            fallback_message=None
            if self.fallback_message is None
            else require_message(self.fallback_message, "fallbackMessage"),
            send_time=None if self.send_time is None else self.send_time.to_domain(),
            time_zone=_time_zone(self.time_zone, "timeZone"),
            repeat=self.repeat,
            repeat_count=None
            if self.repeat_count is None
            else require_int(self.repeat_count, "repeatCount", 1, MAX_REPEAT_COUNT),
            period_hours=None
            if self.period_hours is None
            else require_hours(self.period_hours, "periodHours"),
            frequency_minutes=None
            if self.frequency_minutes is None
            else require_int(
                self.frequency_minutes,
                "frequencyMinutes",
                MIN_FREQUENCY_MINUTES,
                MAX_FREQUENCY_MINUTES,
            ),
            validity=None
            if self.validity_minutes is None
            else _MINUTE
            * require_int(
                self.validity_minutes,
                "validityMinutes",
                MIN_VALIDITY // _MINUTE,
                MAX_VALIDITY // _MINUTE,
            ),
            transliteration=self.transliteration,
            shorten_links=self.shorten_links,
            channel=channel,
            subject=optional_line(self.subject, "subject", MAX_SUBJECT_LENGTH),
            voice=self.voice,
            voice_language=None
            if self.voice_language is None
            else language_code(self.voice_language, "voiceLanguage"),
            call_params=None if self.call_params is None else self.call_params.to_domain(),
            telegram_bot=None
            if self.telegram_bot is None
            else telegram_bot(self.telegram_bot, "telegramBot"),
            confirm_after_days=None
            if self.confirm_after_days is None
            else require_int(
                self.confirm_after_days, "confirmAfterDays", MIN_CONFIRM_DAYS, MAX_CONFIRM_DAYS
            ),
            file_url=optional_line(self.file_url, "fileUrl", MAX_URL_LENGTH),
            with_cost=self.with_cost,
            multiline_messages=self.multiline_messages,
        )
        return check_job(spec)


_MINUTE = dt.timedelta(minutes=1)


def _time_zone(value: int | None, field: str) -> int | None:
    return None if value is None else require_int(value, field, MIN_TIME_ZONE, MAX_TIME_ZONE)


def _line(line: RecipientMessage, where: str, channel: Channel) -> jobs.RecipientMessage:
    return jobs.RecipientMessage(
        phones=tuple(
            job_recipient(phone, channel, f"{where}.phones[{number}]")
            for number, phone in enumerate(line.phones)
        ),
        message=require_message(line.message, f"{where}.message", binary=channel is Channel.BINARY),
        sender=optional_sender(line.sender, f"{where}.sender"),
        time_zone=_time_zone(line.time_zone, f"{where}.timeZone"),
    )


__all__ = [
    "CallParams",
    "CreateJob",
    "CreatedJob",
    "Job",
    "RecipientMessage",
    "SendTime",
    "SendWindow",
]
