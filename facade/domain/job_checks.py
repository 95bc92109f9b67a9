"""What a `JobSpec` must be as a whole before SMSC can be told it (smsc-jobs.txt).

`check_job` is the last step of `facade.vocabulary.jobs.CreateJob.to_domain`, after each field's
own rule: it holds the fields against each other (a subject only for MMS and EMAIL, a time zone only with a
moment or a window, ...) and against the way `jobs.php?add` writes them (a `list` line's sender,
phones and text must not read as another line). A spec it passes encodes (`facade.smsc`) without
fail. Each refusal is an `InputError` naming the public, camelCase field.
"""

import datetime as dt
import re
from collections.abc import Iterable
from typing import Protocol

from facade.domain.bounds import (
    HOURS_PER_DAY,
    MAX_CALL_ATTEMPTS,
    MAX_CALL_INTERVAL,
    MAX_CALL_WAIT,
    MAX_CONFIRM_DAYS,
    MAX_FREQUENCY_MINUTES,
    MAX_MESSAGE_LENGTH,
    MAX_PERIOD_HOURS,
    MAX_REPEAT_COUNT,
    MAX_SEND_AFTER_MINUTES,
    MAX_TIME_ZONE,
    MAX_VALIDITY,
    MIN_CONFIRM_DAYS,
    MIN_FREQUENCY_MINUTES,
    MIN_PERIOD_HOURS,
    MIN_TIME_ZONE,
    MIN_VALIDITY,
    MOMENT_YEARS,
)
from facade.domain.jobs import (
    CallParams,
    Channel,
    JobSpec,
    RecipientMessage,
    SendAt,
    SendAtTimestamp,
    SendTime,
    SendWindow,
    Voice,
)
from facade.domain.rules import language_code, require_id
from facade.errors import InputError

__all__ = [
    "CHANNELS_WITHOUT_MESSAGE",
    "CHANNELS_WITH_SUBJECT",
    "LIST_SEPARATORS",
    "VALUE_SEPARATORS",
    "SendOptions",
    "check_job",
    "check_message_text",
    "check_send_options",
    "check_values",
    "list_text",
]

# smsc-jobs.txt, "hlr" and "ping": "The mes parameter is not used."
CHANNELS_WITHOUT_MESSAGE = frozenset({Channel.HLR, Channel.PING})
# smsc-jobs.txt, "subj": the subject of an MMS or an e-mail.
CHANNELS_WITH_SUBJECT = frozenset({Channel.MMS, Channel.EMAIL})

# A separator inside one value would split it: "," and ";" separate phones, ":" ends a `list`
# line's phones, "|" ends its sender prefix, a new line ends the line itself.
VALUE_SEPARATORS = frozenset(",;\n\r")
LIST_SEPARATORS = frozenset(",;:|\n\r")
# A line of `list` with nl=1 that would read as the start of a new `phones:message` line.
# Phone-shaped: optional sender prefix, then digits and phone punctuation up to a colon.
_LIST_LINE_START = re.compile(r"(?:[^|:\n]*\|)?\s*[+#]?[Gg]?[0-9][0-9 ,;()+-]*:")
_MINUTE = dt.timedelta(minutes=1)


class SendOptions(Protocol):
    """The options a job (jobs.php) and a single message (send.php) share, under one name each."""

    @property
    def channel(self) -> Channel: ...
    @property
    def send_time(self) -> SendTime | None: ...
    @property
    def time_zone(self) -> int | None: ...
    @property
    def validity(self) -> dt.timedelta | None: ...
    @property
    def telegram_bot(self) -> str | None: ...
    @property
    def file_url(self) -> str | None: ...
    @property
    def subject(self) -> str | None: ...
    @property
    def voice(self) -> Voice | None: ...
    @property
    def voice_language(self) -> str | None: ...
    @property
    def call_params(self) -> CallParams | None: ...


def check_job(spec: JobSpec) -> JobSpec:
    """`spec`, if SMSC can be told it; else the `InputError` of the first fault."""
    _require_text(spec.name, "name")
    _check_recipients(spec)
    _check_senders(spec)
    _check_time(spec)
    _check_schedule(spec)
    _check_delivery(spec)
    if spec.confirm_after_days is not None:
        _require_range(
            spec.confirm_after_days, "confirmAfterDays", MIN_CONFIRM_DAYS, MAX_CONFIRM_DAYS
        )
    _check_channel(spec)
    return spec


def check_send_options(spec: SendOptions) -> None:
    """The shared options, against each other and against the channel."""
    _check_time(spec)
    _check_delivery(spec)
    _check_channel(spec)


def list_text(message: str, multiline: bool) -> str:
    """A `list` line's text: line breaks as `\\n`, or kept as new lines with `nl=1` (`multiline`)."""
    text = message.replace("\r\n", "\n").replace("\r", "\n")
    return text if multiline else text.replace("\n", "\\n")


def _require_text(value: str, field: str) -> str:
    if not value.strip():
        raise InputError(field, "must not be blank")
    return value


def _require_range(value: int, field: str, low: int, high: int) -> None:
    if not low <= value <= high:
        raise InputError(field, f"must be between {low} and {high}")


def check_values(values: Iterable[str], field: str, separators: frozenset[str]) -> None:
    """Values joined by commas: none blank, none holding a separator."""
    for value in values:
        _require_text(value, field)
        if separators & set(value):
            raise InputError(field, f"{value!r} contains a separator character")


def check_message_text(message: str, field: str) -> None:
    if len(_require_text(message, field)) > MAX_MESSAGE_LENGTH:
        raise InputError(field, f"must be at most {MAX_MESSAGE_LENGTH} characters")


def _check_recipients(spec: JobSpec) -> None:
    message = spec.message or None
    if spec.messages:
        if spec.phones:
            raise InputError("phones", "give either phones or messages, not both")
        if message is not None:
            raise InputError("message", "each of messages carries its own text")
        if spec.template_id is not None:
            raise InputError("templateId", "a template cannot be used with messages")
        _check_message_list(spec)
        return
    if spec.multiline_messages:
        raise InputError("multilineMessages", "applies only to messages")
    if not spec.phones:
        raise InputError("phones", "give phones or messages")
    check_values(spec.phones, "phones", VALUE_SEPARATORS)
    if spec.template_id is not None:
        if message is not None:
            raise InputError("templateId", "give either a template or a message, not both")
        require_id(spec.template_id, "templateId")
    elif message is not None:
        check_message_text(message, "message")
    elif spec.channel not in CHANNELS_WITHOUT_MESSAGE:
        raise InputError("message", "give a message or a templateId")


def _check_message_list(spec: JobSpec) -> None:
    """`list`: one `[sender,tz|]phones:message` line per recipient (smsc-jobs.txt, "list")."""
    if any(line.time_zone is not None for line in spec.messages) and not isinstance(
        spec.send_time, SendAt
    ):
        # smsc-jobs.txt: per-line time zones work "only for requests in which the time
        # parameter is represented as DDMMYYhhmm".
        raise InputError("messages", "a time zone per recipient needs sendTime as a moment")
    for index, line in enumerate(spec.messages):
        _check_list_line(f"line {index + 1}", line, spec.multiline_messages)


def _check_list_line(where: str, line: RecipientMessage, multiline: bool) -> None:
    if line.sender is not None and LIST_SEPARATORS & set(line.sender):
        raise InputError("messages", f"{where}: the sender contains a separator (,;:|)")
    if line.time_zone is not None:
        _require_range(line.time_zone, "messages", MIN_TIME_ZONE, MAX_TIME_ZONE)
    if not line.phones:
        raise InputError("messages", f"{where}: give at least one phone")
    check_values(line.phones, "messages", LIST_SEPARATORS)
    check_message_text(line.message, "messages")
    text = list_text(line.message, multiline=True)
    if multiline:
        for continuation in text.split("\n")[1:]:
            if _LIST_LINE_START.match(continuation):
                raise InputError(
                    "messages", f"{where}: a line of the message would read as a new recipient"
                )
    elif "\\n" in text:
        raise InputError(
            "messages", f"{where}: a literal \\n reads as a new line; use multilineMessages"
        )


def _check_senders(spec: JobSpec) -> None:
    if spec.fallback_message is not None:
        check_message_text(spec.fallback_message, "fallbackMessage")
    elif spec.fallback_sender is not None:
        raise InputError("fallbackSender", "applies only with a fallbackMessage")


def _check_time(spec: SendOptions) -> None:
    if spec.time_zone is not None:
        _require_range(spec.time_zone, "timeZone", MIN_TIME_ZONE, MAX_TIME_ZONE)
        if not isinstance(spec.send_time, SendAt | SendWindow):
            raise InputError("timeZone", "applies only to sendTime as a moment or a daily window")
    if spec.send_time is not None:
        zone = _check_send_time(spec.send_time)
        if zone is not None and spec.time_zone is not None and spec.time_zone != zone:
            raise InputError("timeZone", f"contradicts the offset of sendTime ({zone} from Moscow)")


def _check_schedule(spec: JobSpec) -> None:
    if spec.repeat_count is not None:
        if spec.repeat is None:
            raise InputError("repeatCount", "applies only with repeat")
        _require_range(spec.repeat_count, "repeatCount", 1, MAX_REPEAT_COUNT)
    if spec.period_hours is not None and not (
        spec.period_hours.is_finite() and MIN_PERIOD_HOURS <= spec.period_hours <= MAX_PERIOD_HOURS
    ):
        raise InputError(
            "periodHours", f"must be between {MIN_PERIOD_HOURS} and {MAX_PERIOD_HOURS} hours"
        )
    if spec.frequency_minutes is not None:
        if spec.period_hours is None:
            # smsc-jobs.txt: "Without the period parameter, the freq parameter is ignored."
            raise InputError("frequencyMinutes", "applies only with periodHours")
        _require_range(
            spec.frequency_minutes,
            "frequencyMinutes",
            MIN_FREQUENCY_MINUTES,
            MAX_FREQUENCY_MINUTES,
        )


def _check_send_time(send_time: SendTime) -> int | None:
    """Checks `sendTime` in each of its four forms; the zone (from Moscow) a moment implies."""
    match send_time:
        case SendAt(at=at):
            if at.utcoffset() is None:
                raise InputError("sendTime", "needs a time zone offset")
            moment, zone = send_time.as_sent()
            if moment.year not in MOMENT_YEARS:
                raise InputError("sendTime", "must fall in the years 2000-2099")
            _require_range(zone, "sendTime", MIN_TIME_ZONE, MAX_TIME_ZONE)
            return zone
        case SendAtTimestamp(at=at):
            if at.utcoffset() is None:
                raise InputError("sendTime", "needs a time zone offset")
            if int(at.timestamp()) < 0:
                raise InputError("sendTime", "must not be before 1970")
        case SendWindow(start_hour=start, end_hour=end):
            if not 0 <= start < end <= HOURS_PER_DAY:
                raise InputError("sendTime", "the window needs 0 <= start hour < end hour <= 24")
        case _:  # SendAfter, the one form left
            _require_range(send_time.minutes, "sendTime", 0, MAX_SEND_AFTER_MINUTES)
    return None


def _check_delivery(spec: SendOptions) -> None:
    if spec.validity is not None:
        if not MIN_VALIDITY <= spec.validity <= MAX_VALIDITY:
            raise InputError("validityMinutes", "must be between 1 minute and 24 hours")
        if spec.validity % _MINUTE:
            raise InputError("validityMinutes", "must be a whole number of minutes")
    if spec.telegram_bot is not None:
        _require_text(spec.telegram_bot, "telegramBot")
    if spec.file_url is not None and not spec.file_url.startswith(("http://", "https://")):
        raise InputError("fileUrl", "must be a full http or https address")


def _check_channel(spec: SendOptions) -> None:
    if spec.subject is not None:
        if spec.channel not in CHANNELS_WITH_SUBJECT:
            raise InputError("subject", "applies only to the MMS and EMAIL channels")
        _require_text(spec.subject, "subject")
    elif spec.channel is Channel.EMAIL:
        # smsc-jobs.txt, "subj": "When sending an e-mail, you must specify the subject".
        raise InputError("subject", "an e-mail needs a subject")
    if spec.voice is not None:
        _require_call(spec, "voice")
        if spec.voice_language is not None:
            language_code(spec.voice_language, "voiceLanguage")
    elif spec.voice_language is not None:
        raise InputError("voiceLanguage", "applies only with a voice")
    if spec.call_params is not None:
        _require_call(spec, "callParams")
        _check_call_params(spec.call_params)


def _require_call(spec: SendOptions, field: str) -> None:
    if spec.channel is not Channel.CALL:
        raise InputError(field, "applies only to the CALL channel")


def _check_call_params(call: CallParams) -> None:
    """smsc-jobs.txt, "param": w 0-99, i 0-3600, n 0-9."""
    _require_range(call.wait_seconds, "callParams", 0, MAX_CALL_WAIT)
    _require_range(call.retry_interval_seconds, "callParams", 0, MAX_CALL_INTERVAL)
    _require_range(call.attempts, "callParams", 0, MAX_CALL_ATTEMPTS)
