"""How a `JobSpec` becomes the parameters of `jobs.php?add=1` (smsc-jobs.txt), and the value
encoders every command shares: ids, lists, dates. Whatever SMSC could not be told is refused
here with an `InputError` naming the public (camelCase) field, before a request is spent on it.
"""

import datetime as dt
import decimal
import re
from collections.abc import Iterable

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
from facade.domain.common import MOSCOW
from facade.domain.jobs import (
    CallParams,
    Channel,
    JobSpec,
    RecipientMessage,
    SendAt,
    SendAtTimestamp,
    SendTime,
    SendWindow,
    marked_name,
)
from facade.domain.rules import language_code, require_id, require_range
from facade.errors import InputError

Params = list[tuple[str, str]]

# smsc-jobs.txt, "hlr" and "ping": "The mes parameter is not used."
CHANNELS_WITHOUT_MESSAGE = frozenset({Channel.HLR, Channel.PING})
# smsc-jobs.txt, "subj": the subject of an MMS or an e-mail.
CHANNELS_WITH_SUBJECT = frozenset({Channel.MMS, Channel.EMAIL})
CHANNEL_FLAGS: dict[Channel, tuple[str, str] | None] = {
    Channel.SMS: None,
    Channel.FLASH: ("flash", "1"),
    Channel.PUSH: ("push", "1"),
    Channel.BINARY: ("bin", "1"),
    Channel.BINARY_HEX: ("bin", "2"),
    Channel.HLR: ("hlr", "1"),
    Channel.PING: ("ping", "1"),
    Channel.MMS: ("mms", "1"),
    Channel.EMAIL: ("mail", "1"),
    Channel.CALL: ("call", "1"),
    Channel.VIBER: ("viber", "1"),
    Channel.SOCIAL: ("soc", "1"),
    Channel.WHATSAPP: ("whatsapp", "1"),
    Channel.TELEGRAM: ("tg", "1"),
}

MOSCOW_OFFSET_HOURS = 3

# A separator inside one value would split it: "," and ";" separate phones, ":" ends a `list`
# line's phones, "|" ends its sender prefix, a new line ends the line itself.
_VALUE_SEPARATORS = frozenset(",;\n\r")
_LIST_SEPARATORS = frozenset(",;:|\n\r")
# A line of `list` with nl=1 that would read as the start of a new `phones:message` line.
# Phone-shaped: optional sender prefix, then digits and phone punctuation up to a colon.
_LIST_LINE_START = re.compile(r"(?:[^|:\n]*\|)?\s*[+#]?[Gg]?[0-9][0-9 ,;()+-]*:")


def require_text(value: str, field: str) -> str:
    if not value.strip():
        raise InputError(field, "must not be blank")
    return value


def join_values(
    values: Iterable[str], field: str, *, separators: frozenset[str] = _VALUE_SEPARATORS
) -> str:
    """Comma-join a multi-valued field; a value that is blank or holds a separator is refused."""
    items = tuple(values)
    for item in items:
        require_text(item, field)
        if separators & set(item):
            raise InputError(field, f"{item!r} contains a separator character")
    return ",".join(items)


def join_ids(values: Iterable[str], field: str) -> str:
    return ",".join(require_id(value, field) for value in values)


def format_date(value: dt.date) -> str:
    """`dd.mm.yyyy`, SMSC's date in parameters (docs/smsc-wire.md, "Requests")."""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def encode_job(spec: JobSpec) -> Params:
    """The arguments of `jobs.php?add=1` for `spec`, the command flag excluded; the name carries
    the spec's marker, if any (`facade.domain.jobs.marked_name`)."""
    params: Params = [("name", marked_name(require_text(spec.name, "name"), spec.marker))]
    params += _recipients(spec)
    params += _senders(spec)
    params += _schedule(spec)
    params += _delivery(spec)
    params += _channel(spec)
    if spec.with_cost:
        params.append(("cost", "1"))
    return params


def _recipients(spec: JobSpec) -> Params:
    message = spec.message or None
    if spec.messages:
        if spec.phones:
            raise InputError("phones", "give either phones or messages, not both")
        if message is not None:
            raise InputError("message", "each of messages carries its own text")
        if spec.template_id is not None:
            raise InputError("templateId", "a template cannot be used with messages")
        return _message_list(spec)
    if spec.multiline_messages:
        raise InputError("multilineMessages", "applies only to messages")
    if not spec.phones:
        raise InputError("phones", "give phones or messages")
    params = [("phones", join_values(spec.phones, "phones"))]
    if spec.template_id is not None:
        if message is not None:
            raise InputError("templateId", "give either a template or a message, not both")
        params.append(("tpl", require_id(spec.template_id, "templateId")))
    elif message is not None:
        params.append(("mes", _message_text(message, "message")))
    elif spec.channel not in CHANNELS_WITHOUT_MESSAGE:
        raise InputError("message", "give a message or a templateId")
    return params


def _message_list(spec: JobSpec) -> Params:
    """`list`: one `[sender,tz|]phones:message` line per recipient (smsc-jobs.txt, "list")."""
    if any(line.time_zone is not None for line in spec.messages) and not isinstance(
        spec.send_time, SendAt
    ):
        # smsc-jobs.txt: per-line time zones work "only for requests in which the time
        # parameter is represented as DDMMYYhhmm".
        raise InputError("messages", "a time zone per recipient needs sendTime as a moment")
    lines = [
        _list_line(index, line, spec.multiline_messages) for index, line in enumerate(spec.messages)
    ]
    params = [("list", "\n".join(lines))]
    if spec.multiline_messages:
        params.append(("nl", "1"))
    return params


def _list_line(index: int, line: RecipientMessage, multiline: bool) -> str:
    where = f"line {index + 1}"
    prefix = ""
    if line.sender is not None or line.time_zone is not None:
        sender = line.sender or ""
        if _LIST_SEPARATORS & set(sender):
            raise InputError("messages", f"{where}: the sender contains a separator (,;:|)")
        prefix = sender
        if line.time_zone is not None:
            prefix += "," + _check_time_zone(line.time_zone, "messages")
        prefix += "|"
    if not line.phones:
        raise InputError("messages", f"{where}: give at least one phone")
    phones = join_values(line.phones, "messages", separators=_LIST_SEPARATORS)
    text = _message_text(line.message, "messages")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if multiline:
        for continuation in text.split("\n")[1:]:
            if _LIST_LINE_START.match(continuation):
                raise InputError(
                    "messages", f"{where}: a line of the message would read as a new recipient"
                )
    else:
        if "\\n" in text:
            raise InputError(
                "messages", f"{where}: a literal \\n reads as a new line; use multilineMessages"
            )
        text = text.replace("\n", "\\n")
    return f"{prefix}{phones}:{text}"


def _senders(spec: JobSpec) -> Params:
    params: Params = []
    if spec.sender is not None:
        params.append(("sender", spec.sender))
    if spec.fallback_message is not None:
        if spec.fallback_sender is not None:
            params.append(("sender2", spec.fallback_sender))
        params.append(("mes2", _message_text(spec.fallback_message, "fallbackMessage")))
        # smsc-jobs.txt, "mes2": automatic repeat needs fl[5]=1 as well.
        params.append(("fl[5]", "1"))
    elif spec.fallback_sender is not None:
        raise InputError("fallbackSender", "applies only with a fallbackMessage")
    return params


def _schedule(spec: JobSpec) -> Params:
    params: Params = []
    time_zone = spec.time_zone
    if time_zone is not None:
        _check_time_zone(time_zone, "timeZone")
        if not isinstance(spec.send_time, SendAt | SendWindow):
            raise InputError("timeZone", "applies only to sendTime as a moment or a daily window")
    if spec.send_time is not None:
        value, derived_zone = _send_time(spec.send_time)
        params.append(("time", value))
        if derived_zone is not None:
            if time_zone is not None and time_zone != derived_zone:
                raise InputError(
                    "timeZone", f"contradicts the offset of sendTime ({derived_zone} from Moscow)"
                )
            time_zone = derived_zone
    if time_zone is not None:
        params.append(("tz", str(time_zone)))
    if spec.repeat is not None:
        params.append(("rpt", str(spec.repeat.value)))
    if spec.repeat_count is not None:
        if spec.repeat is None:
            raise InputError("repeatCount", "applies only with repeat")
        params.append(
            ("rptn", require_range(spec.repeat_count, "repeatCount", 1, MAX_REPEAT_COUNT))
        )
    if spec.period_hours is not None:
        params.append(("period", _period(spec.period_hours)))
    if spec.frequency_minutes is not None:
        if spec.period_hours is None:
            # smsc-jobs.txt: "Without the period parameter, the freq parameter is ignored."
            raise InputError("frequencyMinutes", "applies only with periodHours")
        params.append(
            (
                "freq",
                require_range(
                    spec.frequency_minutes,
                    "frequencyMinutes",
                    MIN_FREQUENCY_MINUTES,
                    MAX_FREQUENCY_MINUTES,
                ),
            )
        )
    return params


def _send_time(send_time: SendTime) -> tuple[str, int | None]:
    """`time` in one of the four documented forms, and the `tz` a moment implies."""
    match send_time:
        case SendAt(at=at):
            offset = _offset(at)
            if offset % dt.timedelta(hours=1):
                at, offset = at.astimezone(MOSCOW), dt.timedelta(hours=MOSCOW_OFFSET_HOURS)
            if at.year not in MOMENT_YEARS:
                raise InputError("sendTime", "must fall in the years 2000-2099")
            zone = offset // dt.timedelta(hours=1) - MOSCOW_OFFSET_HOURS
            return at.strftime("%d%m%y%H%M"), int(_check_time_zone(zone, "sendTime"))
        case SendAtTimestamp(at=at):
            _offset(at)
            timestamp = int(at.timestamp())
            if timestamp < 0:
                raise InputError("sendTime", "must not be before 1970")
            return f"0{timestamp}", None
        case SendWindow(start_hour=start, end_hour=end):
            if not 0 <= start < end <= HOURS_PER_DAY:
                raise InputError("sendTime", "the window needs 0 <= start hour < end hour <= 24")
            return f"{start}-{end}", None
        case _:  # SendAfter, the one form left
            return (
                f"+{require_range(send_time.minutes, 'sendTime', 0, MAX_SEND_AFTER_MINUTES)}",
                None,
            )


def _offset(at: dt.datetime) -> dt.timedelta:
    offset = at.utcoffset()
    if offset is None:
        raise InputError("sendTime", "needs a time zone offset")
    return offset


def _check_time_zone(value: int, field: str) -> str:
    return require_range(value, field, MIN_TIME_ZONE, MAX_TIME_ZONE)


def _period(hours: decimal.Decimal) -> str:
    if not (hours.is_finite() and MIN_PERIOD_HOURS <= hours <= MAX_PERIOD_HOURS):
        raise InputError(
            "periodHours", f"must be between {MIN_PERIOD_HOURS} and {MAX_PERIOD_HOURS} hours"
        )
    return format(hours.normalize(), "f")


def _delivery(spec: JobSpec) -> Params:
    params: Params = []
    if spec.validity is not None:
        params.append(("valid", _validity(spec.validity)))
    if spec.transliteration is not None:
        params.append(("translit", str(spec.transliteration.value)))
    if spec.shorten_links:
        params.append(("tinyurl", "1"))
    if spec.telegram_bot is not None:
        params.append(("bot", require_text(spec.telegram_bot, "telegramBot")))
    if spec.confirm_after_days is not None:
        days = require_range(
            spec.confirm_after_days, "confirmAfterDays", MIN_CONFIRM_DAYS, MAX_CONFIRM_DAYS
        )
        params.append(("smsreq", days))
    if spec.file_url is not None:
        if not spec.file_url.startswith(("http://", "https://")):
            raise InputError("fileUrl", "must be a full http or https address")
        params.append(("fileurl", spec.file_url))
    return params


def _validity(validity: dt.timedelta) -> str:
    """`valid`: whole hours 1-24 as `N`, anything else as `hh:mm` (00:01-24:00)."""
    if not MIN_VALIDITY <= validity <= MAX_VALIDITY:
        raise InputError("validity", "must be between 1 minute and 24 hours")
    if validity % dt.timedelta(minutes=1):
        raise InputError("validity", "must be a whole number of minutes")
    hours, rest = divmod(validity, dt.timedelta(hours=1))
    if not rest:
        return str(hours)
    return f"{hours:02d}:{rest // dt.timedelta(minutes=1):02d}"


def _channel(spec: JobSpec) -> Params:
    params: Params = []
    flag = CHANNEL_FLAGS[spec.channel]
    if flag is not None:
        params.append(flag)
    if spec.subject is not None:
        if spec.channel not in CHANNELS_WITH_SUBJECT:
            raise InputError("subject", "applies only to the MMS and EMAIL channels")
        params.append(("subj", require_text(spec.subject, "subject")))
    elif spec.channel is Channel.EMAIL:
        # smsc-jobs.txt, "subj": "When sending an e-mail, you must specify the subject".
        raise InputError("subject", "an e-mail needs a subject")
    if spec.voice is not None:
        _require_call(spec, "voice")
        voice = spec.voice.value
        if spec.voice_language is not None:
            voice += "," + language_code(spec.voice_language, "voiceLanguage")
        params.append(("voice", voice))
    elif spec.voice_language is not None:
        raise InputError("voiceLanguage", "applies only with a voice")
    if spec.call_params is not None:
        _require_call(spec, "callParams")
        params.append(("param", _call_params(spec.call_params)))
    return params


def _require_call(spec: JobSpec, field: str) -> None:
    if spec.channel is not Channel.CALL:
        raise InputError(field, "applies only to the CALL channel")


def _call_params(call: CallParams) -> str:
    return ",".join(
        (
            require_range(call.wait_seconds, "callParams", 0, MAX_CALL_WAIT),
            require_range(call.retry_interval_seconds, "callParams", 0, MAX_CALL_INTERVAL),
            require_range(call.attempts, "callParams", 0, MAX_CALL_ATTEMPTS),
        )
    )


def _message_text(message: str, field: str) -> str:
    if len(require_text(message, field)) > MAX_MESSAGE_LENGTH:
        raise InputError(field, f"must be at most {MAX_MESSAGE_LENGTH} characters")
    return message
