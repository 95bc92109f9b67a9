"""How a `JobSpec` becomes the parameters of `jobs.php?add=1` (smsc-jobs.txt), and the value
encoders every command shares: ids, lists, dates, and the options a job and a single message
(send.php, `facade.smsc.messages`) share: `time`/`tz`, `valid`, the channel with its `subj`,
`voice` and `param`.

Nothing is validated here: a spec reaches `encode_job` through `facade.domain.job_request.job_spec`,
whose `check_job` refuses whatever SMSC could not be told. A value that would still change what a
request means (a separator inside one of several joined values, an id that is none) is a
`ValueError`, a programming error, never sent.
"""

import datetime as dt
from collections.abc import Iterable

from facade.domain.job_checks import LIST_SEPARATORS, VALUE_SEPARATORS, SendOptions, list_text
from facade.domain.jobs import (
    CallParams,
    JobSpec,
    RecipientMessage,
    SendAt,
    SendAtTimestamp,
    SendTime,
    SendWindow,
    marked_name,
)
from facade.domain.rules import is_id
from facade.smsc.enums import CHANNELS, REPEATS, TRANSLITERATIONS, VOICES

Params = list[tuple[str, str]]

_HOUR = dt.timedelta(hours=1)
_MINUTE = dt.timedelta(minutes=1)


def join_values(values: Iterable[str], *, separators: frozenset[str] = VALUE_SEPARATORS) -> str:
    """Comma-join a multi-valued parameter; a blank value or one holding a separator is a
    `ValueError` (it would read as none, or as several)."""
    items = tuple(values)
    for item in items:
        if not item.strip() or separators & set(item):
            raise ValueError(f"{item!r} is not one value")
    return ",".join(items)


def encode_id(value: str) -> str:
    """An SMSC id as sent; anything but 1-18 ASCII digits is a `ValueError`."""
    if not is_id(value):
        raise ValueError(f"{value!r} is not an SMSC id")
    return value


def join_ids(values: Iterable[str]) -> str:
    return ",".join(encode_id(value) for value in values)


def format_date(value: dt.date) -> str:
    """`dd.mm.yyyy`, SMSC's date in parameters (docs/smsc-wire.md, "Requests")."""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def encode_job(spec: JobSpec) -> Params:
    """The arguments of `jobs.php?add=1` for `spec` (checked by `check_job`), the command flag
    excluded; the name carries the spec's marker, if any (`facade.domain.jobs.marked_name`)."""
    params: Params = [("name", marked_name(spec.name, spec.marker))]
    params += _recipients(spec)
    params += _senders(spec)
    params += _schedule(spec)
    params += _delivery(spec)
    params += encode_channel(spec)
    if spec.with_cost:
        params.append(("cost", "1"))
    return params


def _recipients(spec: JobSpec) -> Params:
    if spec.messages:
        return _message_list(spec)
    params = [("phones", join_values(spec.phones))]
    if spec.template_id is not None:
        params.append(("tpl", encode_id(spec.template_id)))
    elif spec.message:
        params.append(("mes", spec.message))
    return params


def _message_list(spec: JobSpec) -> Params:
    """`list`: one `[sender,tz|]phones:message` line per recipient (smsc-jobs.txt, "list")."""
    multiline = spec.multiline_messages
    params = [("list", "\n".join(_list_line(line, multiline) for line in spec.messages))]
    if multiline:
        params.append(("nl", "1"))
    return params


def _list_line(line: RecipientMessage, multiline: bool) -> str:
    prefix = ""
    if line.sender is not None or line.time_zone is not None:
        prefix = line.sender or ""
        if LIST_SEPARATORS & set(prefix):
            raise ValueError(f"{prefix!r} is not one sender")
        if line.time_zone is not None:
            prefix += f",{line.time_zone}"
        prefix += "|"
    phones = join_values(line.phones, separators=LIST_SEPARATORS)
    return f"{prefix}{phones}:{list_text(line.message, multiline)}"


def _senders(spec: JobSpec) -> Params:
    params: Params = []
    if spec.sender is not None:
        params.append(("sender", spec.sender))
    if spec.fallback_message is not None:
        if spec.fallback_sender is not None:
            params.append(("sender2", spec.fallback_sender))
        params.append(("mes2", spec.fallback_message))
        # smsc-jobs.txt, "mes2": automatic repeat needs fl[5]=1 as well.
        params.append(("fl[5]", "1"))
    return params


def encode_send_time(options: SendOptions) -> Params:
    """`time` in one of the four documented forms (smsc-jobs.txt, "time"), and `tz`: the
    options' time zone, else the one a moment to send at implies (`SendAt.as_sent`)."""
    params: Params = []
    time_zone = options.time_zone
    if options.send_time is not None:
        value, implied_zone = _send_time(options.send_time)
        params.append(("time", value))
        if time_zone is None:
            time_zone = implied_zone
    if time_zone is not None:
        params.append(("tz", str(time_zone)))
    return params


def _schedule(spec: JobSpec) -> Params:
    params = encode_send_time(spec)
    if spec.repeat is not None:
        params.append(("rpt", str(REPEATS.encode(spec.repeat))))
    if spec.repeat_count is not None:
        params.append(("rptn", str(spec.repeat_count)))
    if spec.period_hours is not None:
        params.append(("period", format(spec.period_hours.normalize(), "f")))
    if spec.frequency_minutes is not None:
        params.append(("freq", str(spec.frequency_minutes)))
    return params


def _send_time(send_time: SendTime) -> tuple[str, int | None]:
    """`time` in one of the four documented forms, and the `tz` a moment implies."""
    match send_time:
        case SendAt():
            at, zone = send_time.as_sent()
            return at.strftime("%d%m%y%H%M"), zone
        case SendAtTimestamp(at=at):
            return f"0{int(at.timestamp())}", None
        case SendWindow(start_hour=start, end_hour=end):
            return f"{start}-{end}", None
        case _:  # SendAfter, the one form left
            return f"+{send_time.minutes}", None


def _delivery(spec: JobSpec) -> Params:
    params: Params = []
    if spec.validity is not None:
        params.append(("valid", _validity(spec.validity)))
    if spec.transliteration is not None:
        params.append(("translit", str(TRANSLITERATIONS.encode(spec.transliteration))))
    if spec.shorten_links:
        params.append(("tinyurl", "1"))
    if spec.telegram_bot is not None:
        params.append(("bot", spec.telegram_bot))
    if spec.confirm_after_days is not None:
        params.append(("smsreq", str(spec.confirm_after_days)))
    if spec.file_url is not None:
        params.append(("fileurl", spec.file_url))
    return params


def _validity(validity: dt.timedelta) -> str:
    """jobs.php's `valid`: whole hours 1-24 as `N`, anything else as `hh:mm` (00:01-24:00)."""
    if validity % _HOUR:
        return format_clock(validity)
    return str(validity // _HOUR)


def format_clock(validity: dt.timedelta) -> str:
    """`valid` as `hh:mm` (00:01-24:00), the form both scripts take; seconds are dropped."""
    hours, rest = divmod(validity, _HOUR)
    return f"{hours:02d}:{rest // _MINUTE:02d}"


def encode_channel(options: SendOptions) -> Params:
    """The channel's flag (none for SMS), then `subj`, `voice` (`<voice>[,<language>]`) and
    `param` (`w,i,n`)."""
    params: Params = []
    flag = CHANNELS.encode(options.channel)
    if flag is not None:
        params.append(flag)
    if options.subject is not None:
        params.append(("subj", options.subject))
    if options.voice is not None:
        voice = VOICES.encode(options.voice)
        if options.voice_language is not None:
            voice += f",{options.voice_language}"
        params.append(("voice", voice))
    if options.call_params is not None:
        params.append(("param", _call_params(options.call_params)))
    return params


def _call_params(call: CallParams) -> str:
    return f"{call.wait_seconds},{call.retry_interval_seconds},{call.attempts}"
