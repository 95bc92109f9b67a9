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
from facade.domain.common import MOSCOW

# Every job the facade creates carries a marker at the end of its name, ` [fx:<10 base32>]`, so
# that it can be found in SMSC's job list when SMSC's answer to `add` was lost. SMSC's job name
# is free text that listings give back as it was sent (docs/smsc-wire.md, jobs.php get_all).
MARKER_LENGTH = 10
MARKER_PATTERN = f"[A-Z2-7]{{{MARKER_LENGTH}}}"
# The end of a marked name (what a job's own name must not end with).
MARKED_END_PATTERN = rf" \[fx:{MARKER_PATTERN}\]"
_MARKER = re.compile(MARKER_PATTERN)
_MARKED_NAME = re.compile(rf"(?P<name>.*) \[fx:(?P<marker>{MARKER_PATTERN})\]", re.DOTALL)
_HOUR = dt.timedelta(hours=1)
_MOSCOW_OFFSET = MOSCOW.utcoffset(None)


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


# Job statuses; SMSC's pages are silent, see docs/smsc-wire.md (an assumption). `UNKNOWN` is a
# status SMSC added later (`Job.status_raw` keeps its code). The enums' docstrings are their
# public descriptions (GraphQL's and REST's), so they say nothing of SMSC's codes.
class JobStatus(enum.StrEnum):
    WAITING = "WAITING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


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


class Channel(enum.StrEnum):
    """How a job's messages travel."""

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


class Repeat(enum.StrEnum):
    """How often a job is sent again."""

    MANUAL = "MANUAL"
    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WORKDAYS = "WORKDAYS"
    WEEKENDS = "WEEKENDS"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


class Transliteration(enum.StrEnum):
    """NONE; LATIN ("translit"); LOOKALIKE ("mpaHc/Ium")."""

    NONE = "NONE"
    LATIN = "LATIN"
    LOOKALIKE = "LOOKALIKE"


class Voice(enum.StrEnum):
    """The voice of a CALL."""

    MALE = "MALE"
    MALE_2 = "MALE_2"
    MALE_3 = "MALE_3"
    MALE_4 = "MALE_4"
    FEMALE = "FEMALE"
    FEMALE_2 = "FEMALE_2"
    FEMALE_3 = "FEMALE_3"
    FEMALE_4 = "FEMALE_4"


@dataclasses.dataclass(frozen=True, slots=True)
class SendAt:
    """Send at a moment: `DDMMYYhhmm` in the moment's own offset, with `tz` relative to Moscow."""

    at: dt.datetime

    def as_sent(self) -> tuple[dt.datetime, int]:
        """The moment as SMSC is told it, and its zone in hours from Moscow: in its own offset
        when that is whole hours, else in Moscow time (zone 0). Without an offset: `ValueError`."""
        at, offset = self.at, self.at.utcoffset()
        if offset is None:
            raise ValueError("a moment to send at needs an offset")
        if offset % _HOUR:
            at, offset = at.astimezone(MOSCOW), _MOSCOW_OFFSET
        return at, (offset - _MOSCOW_OFFSET) // _HOUR


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
