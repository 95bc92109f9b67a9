"""The inputs of createJob (and jobPreview): every option of SMSC's jobs.php?add.

`CreateJobInput.to_domain()` validates the job completely, with the rules shared by all the
inputs (facade.graphql.inputs), and builds the command before anything is sent; an `InputError`
names a camelCase path inside the argument: `phones[2]`, `messages[0].sender`, `sendTime`.
"""

import datetime as dt
import enum

import strawberry

from facade.domain import jobs
from facade.domain.job_request import job_spec
from facade.domain.rules import one_send_time
from facade.smsc import commands


@strawberry.enum(description="How a job's messages travel.")
class Channel(enum.Enum):
    SMS = "SMS"
    FLASH = "FLASH"
    PUSH = "PUSH"
    BINARY = "BINARY"
    BINARY_HEX = "BINARY_HEX"
    HLR = "HLR"
    PING = "PING"
    MMS = "MMS"
    EMAIL = "EMAIL"
    CALL = "CALL"
    VIBER = "VIBER"
    SOCIAL = "SOCIAL"
    WHATSAPP = "WHATSAPP"
    TELEGRAM = "TELEGRAM"


@strawberry.enum(description="How often a job is sent again.")
class Repeat(enum.Enum):
    MANUAL = "MANUAL"
    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WORKDAYS = "WORKDAYS"
    WEEKENDS = "WEEKENDS"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


@strawberry.enum(description='NONE; LATIN ("translit"); LOOKALIKE ("mpaHc/Ium").')
class Transliteration(enum.Enum):
    NONE = "NONE"
    LATIN = "LATIN"
    LOOKALIKE = "LOOKALIKE"


@strawberry.enum(description="The voice of a CALL.")
class Voice(enum.Enum):
    MALE = "MALE"
    MALE_2 = "MALE_2"
    MALE_3 = "MALE_3"
    MALE_4 = "MALE_4"
    FEMALE = "FEMALE"
    FEMALE_2 = "FEMALE_2"
    FEMALE_3 = "FEMALE_3"
    FEMALE_4 = "FEMALE_4"


@strawberry.input(
    description="Hours of the day, in the job's time zone: at once inside, else at start."
)
class SendWindowInput:
    start_hour: int
    end_hour: int


@strawberry.input(one_of=True, description="When to send: exactly one of the four forms.")
class SendTimeInput:
    at: dt.datetime | None = strawberry.field(
        default=strawberry.UNSET, description="A moment with its offset (sent as day and time)."
    )
    at_timestamp: dt.datetime | None = strawberry.field(
        default=strawberry.UNSET, description="A moment with its offset (sent as a Unix time)."
    )
    window: SendWindowInput | None = strawberry.UNSET
    after_minutes: int | None = strawberry.field(
        default=strawberry.UNSET, description="Minutes from now."
    )

    def to_domain(self) -> jobs.SendTime:
        at, at_timestamp, window = self.at, self.at_timestamp, self.window
        return one_send_time(
            (
                jobs.SendAt(at) if isinstance(at, dt.datetime) else None,
                jobs.SendAtTimestamp(at_timestamp)
                if isinstance(at_timestamp, dt.datetime)
                else None,
                jobs.SendWindow(window.start_hour, window.end_hour)
                if isinstance(window, SendWindowInput)
                else None,
                jobs.SendAfter(self.after_minutes) if isinstance(self.after_minutes, int) else None,
            ),
            "sendTime",
        )


@strawberry.input(description="How a CALL dials: the documented ranges are 0-99, 0-3600, 0-9.")
class CallParamsInput:
    wait_seconds: int = strawberry.field(description="Wait for an answer (SMSC uses 10-35).")
    retry_interval_seconds: int = strawberry.field(description="Between attempts (10-3600).")
    attempts: int = strawberry.field(description="Dial attempts in all (1-9).")


@strawberry.input(description="Recipients with their own text, sender and time zone.")
class RecipientMessageInput:
    phones: list[str]
    message: str
    sender: str | None = None
    time_zone: int | None = strawberry.field(
        default=None, description="Hours from Moscow; needs sendTime.at."
    )


@strawberry.input(
    description="A mailing: every option of SMSC's jobs.php?add. Recipients are phones (or "
    "groupNumbers) with one message or templateId, or messages, one text per recipient list."
)
class CreateJobInput:
    name: str
    phones: list[str] = strawberry.field(
        default_factory=list,
        description="Phones (10-15 digits, optionally after +); e-mail addresses for EMAIL; "
        "also #id for TELEGRAM.",
    )
    group_numbers: list[int] = strawberry.field(
        default_factory=list, description="Every contact of the groups with these numbers."
    )
    message: str | None = strawberry.field(default=None, description="At most 1,000 characters.")
    template_id: strawberry.ID | None = None
    messages: list[RecipientMessageInput] = strawberry.field(default_factory=list)
    sender: str | None = None
    fallback_message: str | None = strawberry.field(
        default=None, description="Sent by SMS when a messenger route fails."
    )
    fallback_sender: str | None = strawberry.field(
        default=None, description="The sender of fallbackMessage."
    )
    send_time: SendTimeInput | None = None
    time_zone: int | None = strawberry.field(
        default=None, description="Hours from Moscow of sendTime.at or .window (-15 to 11)."
    )
    repeat: Repeat | None = None
    repeat_count: int | None = strawberry.field(default=None, description="Needs repeat.")
    period_hours: float | None = strawberry.field(
        default=None, description="Spread the job over 0.1-720 hours."
    )
    frequency_minutes: int | None = strawberry.field(
        default=None, description="Send the next batch every 1-1440 minutes; needs periodHours."
    )
    validity_minutes: int | None = strawberry.field(
        default=None, description="How long the operator tries to deliver: 1-1440 minutes."
    )
    transliteration: Transliteration | None = None
    shorten_links: bool = False
    channel: Channel = Channel.SMS
    subject: str | None = strawberry.field(default=None, description="MMS and EMAIL only.")
    voice: Voice | None = strawberry.field(default=None, description="CALL only.")
    voice_language: str | None = strawberry.field(
        default=None, description="With voice: a language code such as en."
    )
    call_params: CallParamsInput | None = strawberry.field(default=None, description="CALL only.")
    telegram_bot: str | None = strawberry.field(default=None, description="@name_bot")
    confirm_after_days: int | None = strawberry.field(
        default=None, description="Ask to confirm the phone after 10-999 days."
    )
    file_url: str | None = strawberry.field(default=None, description="An http(s) file to attach.")
    with_cost: bool = strawberry.field(default=False, description="Ask SMSC for the cost.")
    multiline_messages: bool = strawberry.field(
        default=False, description="messages keep their line breaks."
    )

    def to_domain(self) -> jobs.JobSpec:
        spec = job_spec(self)
        commands.create_job(spec)
        return spec


__all__ = [
    "CallParamsInput",
    "Channel",
    "CreateJobInput",
    "RecipientMessageInput",
    "Repeat",
    "SendTimeInput",
    "SendWindowInput",
    "Transliteration",
    "Voice",
]
