"""Mailings (jobs.php): a job, the job SMSC accepted, and every documented option of creating one.

`CreateJob.to_domain()` applies the rules of `facade.domain.job_request` (within
`facade.domain.bounds`); after it, nothing SMSC could refuse as malformed is left.
"""

import datetime as dt
import decimal
from typing import ClassVar, Self

from pydantic import Field

from facade.domain import jobs
from facade.domain.job_request import job_spec
from facade.domain.jobs import Channel, JobStatus, Repeat, Transliteration, Voice
from facade.domain.rules import one_send_time
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

    start_hour: int
    end_hour: int


class SendTime(Input):
    """When to send: exactly one of the four forms."""

    # Exactly one field is given (GraphQL's @oneOf; REST's body says so in `to_domain`).
    one_of: ClassVar[bool] = True

    at: dt.datetime | None = Field(
        default=None, description="A moment with its offset (sent as day and time)."
    )
    at_timestamp: dt.datetime | None = Field(
        default=None, description="A moment with its offset (sent as a Unix time)."
    )
    window: SendWindow | None = None
    after_minutes: int | None = Field(default=None, description="Minutes from now.")

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

    wait_seconds: int = Field(description="Wait for an answer (SMSC uses 10-35).")
    retry_interval_seconds: int = Field(description="Between attempts (10-3600).")
    attempts: int = Field(description="Dial attempts in all (1-9).")


class RecipientMessage(Input):
    """Recipients with their own text, sender and time zone."""

    phones: list[str]
    message: str
    sender: str | None = None
    time_zone: int | None = Field(default=None, description="Hours from Moscow; needs sendTime.at.")


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
        }
    )

    name: str
    phones: list[str] = Field(
        default=[],
        description="Phones (10-15 digits, optionally after +); e-mail addresses for EMAIL; "
        "also #id for TELEGRAM.",
    )
    group_numbers: list[int] = Field(
        default=[], description="Every contact of the groups with these numbers."
    )
    message: str | None = Field(default=None, description="At most 1,000 characters.")
    template_id: ID | None = None
    messages: list[RecipientMessage] = Field(default=[])
    sender: str | None = None
    fallback_message: str | None = Field(
        default=None, description="Sent by SMS when a messenger route fails."
    )
    fallback_sender: str | None = Field(default=None, description="The sender of fallbackMessage.")
    send_time: SendTime | None = None
    time_zone: int | None = Field(
        default=None, description="Hours from Moscow of sendTime.at or .window (-15 to 11)."
    )
    repeat: Repeat | None = None
    repeat_count: int | None = Field(default=None, description="Needs repeat.")
    period_hours: float | None = Field(
        default=None, description="Spread the job over 0.1-720 hours."
    )
    frequency_minutes: int | None = Field(
        default=None, description="Send the next batch every 1-1440 minutes; needs periodHours."
    )
    validity_minutes: int | None = Field(
        default=None, description="How long the operator tries to deliver: 1-1440 minutes."
    )
    transliteration: Transliteration | None = None
    shorten_links: bool = False
    channel: Channel = Channel.SMS
    subject: str | None = Field(default=None, description="MMS and EMAIL only.")
    voice: Voice | None = Field(default=None, description="CALL only.")
    voice_language: str | None = Field(
        default=None, description="With voice: a language code such as en."
    )
    call_params: CallParams | None = Field(default=None, description="CALL only.")
    telegram_bot: str | None = Field(default=None, description="@name_bot")
    confirm_after_days: int | None = Field(
        default=None, description="Ask to confirm the phone after 10-999 days."
    )
    file_url: str | None = Field(default=None, description="An http(s) file to attach.")
    with_cost: bool = Field(default=False, description="Ask SMSC for the cost.")
    multiline_messages: bool = Field(default=False, description="messages keep their line breaks.")

    def to_domain(self) -> jobs.JobSpec:
        return job_spec(self)


__all__ = [
    "CallParams",
    "CreateJob",
    "CreatedJob",
    "Job",
    "RecipientMessage",
    "SendTime",
    "SendWindow",
]
