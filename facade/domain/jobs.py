"""Mailings (jobs.php): what a job is, and every documented option of creating one."""

import base64
import dataclasses
import datetime as dt
import decimal
import enum
import hashlib
import re
import secrets

from facade.domain.bounds import MAX_MESSAGE_LENGTH as MAX_MESSAGE_LENGTH
from facade.domain.common import OpenEnum

# Every job the facade creates carries a marker at the end of its name, ` [fx:<10 base32>]`, so
# that it can be found in SMSC's job list when SMSC's answer to `add` was lost. SMSC's job name
# is free text that listings give back as it was sent (docs/smsc-wire.md, jobs.php get_all).
MARKER_LENGTH = 10
_MARKER = re.compile(r"[A-Z2-7]{10}")
_MARKED_NAME = re.compile(r"(?P<name>.*) \[fx:(?P<marker>[A-Z2-7]{10})\]", re.DOTALL)


def new_marker() -> str:
    """A random marker: 10 base32 characters (50 bits)."""
    return _marker(secrets.token_bytes(7))


def _marker(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii")[:MARKER_LENGTH]


def is_marker(value: str) -> bool:
    return _MARKER.fullmatch(value) is not None


def marked_name(name: str, marker: str | None) -> str:
    """The job name SMSC is sent: `name`, then ` [fx:<marker>]` when there is a marker."""
    if marker is None:
        return name
    if not is_marker(marker):
        raise ValueError("a marker is 10 base32 characters")
    return f"{name} [fx:{marker}]"


def split_marked_name(text: str) -> tuple[str, str | None]:
    """A listed job name without its marker, and the marker (None when it carries none)."""
    match = _MARKED_NAME.fullmatch(text)
    if match is None:
        return text, None
    return match["name"], match["marker"]


class JobStatus(OpenEnum):
    """Job statuses; SMSC's pages are silent, see docs/smsc-wire.md (an assumption)."""

    WAITING = 0
    RUNNING = 1
    DONE = 2
    CANCELLED = 3
    FAILED = 4
    UNKNOWN = -1


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    id: str
    name: str
    status: JobStatus
    status_raw: int
    created_at: dt.datetime | None
    send_at: dt.datetime | None
    recipient_count: int | None
    message: str
    marker: str | None = None  # the facade's marker, taken off the name (see `marked_name`)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class JobCreated:
    id: str
    cost: decimal.Decimal | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class JobQuery:
    """`get_all` bounds on the creation date, inclusive; SMSC defaults to the last 2 months."""

    since: dt.date | None = None
    until: dt.date | None = None


class Channel(enum.Enum):
    """How the job's messages travel; each is one flag of `jobs.php?add` (smsc-jobs.txt)."""

    SMS = "sms"
    FLASH = "flash"
    PUSH = "push"
    BINARY = "bin"
    BINARY_HEX = "bin-hex"
    HLR = "hlr"
    PING = "ping"
    MMS = "mms"
    EMAIL = "mail"
    CALL = "call"
    VIBER = "viber"
    SOCIAL = "soc"
    WHATSAPP = "whatsapp"
    TELEGRAM = "tg"


class Repeat(enum.Enum):
    """`rpt`: how often a job is sent again."""

    MANUAL = 0
    HOURLY = 1
    DAILY = 2
    WORKDAYS = 3
    WEEKENDS = 4
    WEEKLY = 5
    MONTHLY = 6
    YEARLY = 7


class Transliteration(enum.Enum):
    """`translit`: 0 none, 1 "translit", 2 "mpaHc/Ium"."""

    NONE = 0
    LATIN = 1
    LOOKALIKE = 2


class Voice(enum.Enum):
    """`voice` of a voice call."""

    MALE = "m"
    MALE_2 = "m2"
    MALE_3 = "m3"
    MALE_4 = "m4"
    FEMALE = "w"
    FEMALE_2 = "w2"
    FEMALE_3 = "w3"
    FEMALE_4 = "w4"


@dataclasses.dataclass(frozen=True, slots=True)
class SendAt:
    """Send at a moment: `DDMMYYhhmm` in the moment's own offset, with `tz` relative to Moscow."""

    at: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class SendAtTimestamp:
    """Send at a moment given as a Unix timestamp (`0<ts>`)."""

    at: dt.datetime


@dataclasses.dataclass(frozen=True, slots=True)
class SendWindow:
    """Send between two hours of the day (`h1-h2`): at once inside the window, else at h1."""

    start_hour: int
    end_hour: int


@dataclasses.dataclass(frozen=True, slots=True)
class SendAfter:
    """Send after a number of minutes from now (`+m`)."""

    minutes: int


SendTime = SendAt | SendAtTimestamp | SendWindow | SendAfter


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class CallParams:
    """`param=w,i,n` of a voice call: wait for an answer, retry interval, attempts."""

    wait_seconds: int
    retry_interval_seconds: int
    attempts: int


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class RecipientMessage:
    """One line of `list`: its own phones and text, optionally its own sender and time zone."""

    phones: tuple[str, ...]
    message: str
    sender: str | None = None
    time_zone: int | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class JobSpec:
    """Everything `jobs.php?add=1` accepts (smsc-jobs.txt), named in plain English.

    Recipients are either `phones` with one `message` (or `template_id`), or `messages`, a
    per-recipient list. `fallback_message` and `fallback_sender` are what SMSC sends by SMS when a
    messenger route fails; setting `fallback_message` turns automatic repeat (`fl[5]`) on.
    `marker` is appended to the name SMSC is sent (`marked_name`), to find the job again.
    """

    name: str
    phones: tuple[str, ...] = ()
    message: str | None = None
    template_id: str | None = None
    messages: tuple[RecipientMessage, ...] = ()
    sender: str | None = None
    fallback_sender: str | None = None
    fallback_message: str | None = None
    send_time: SendTime | None = None
    time_zone: int | None = None
    repeat: Repeat | None = None
    repeat_count: int | None = None
    period_hours: decimal.Decimal | None = None
    frequency_minutes: int | None = None
    validity: dt.timedelta | None = None
    transliteration: Transliteration | None = None
    shorten_links: bool = False
    channel: Channel = Channel.SMS
    subject: str | None = None
    voice: Voice | None = None
    voice_language: str | None = None
    call_params: CallParams | None = None
    telegram_bot: str | None = None
    confirm_after_days: int | None = None
    file_url: str | None = None
    with_cost: bool = False
    multiline_messages: bool = False
    marker: str | None = None


def content_marker(spec: JobSpec) -> str:
    """A marker made of what the job is: two equal specs get the same one, so equal requests
    stay equal and SMSC's rule of one identical job request a minute still holds for them."""
    text = repr(dataclasses.replace(spec, marker=None))
    return _marker(hashlib.sha256(text.encode("utf-8")).digest())
