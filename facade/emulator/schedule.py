"""jobs.php `add`: the four `time` forms, `tz`, and the documented sending options.

reference/smsc-jobs.txt, parameter table: `time` is `DDMMYYhhmm` or `DD.MM.YY hh:mm`, `h1-h2`,
`0<ts>` or `+m`; `time=0` or a time already past sends at once. A `time` in none of these forms
is error 5 `invalid date format` (docs/smsc-wire.md); a bad option value is error 1.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Final

from facade.emulator.assumptions import INVALID_DATE, PARAMETERS_ERROR
from facade.emulator.command import CommandError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_MOSCOW_HOURS: Final = 3
_COMPACT: Final = re.compile(r"(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})", re.ASCII)
_DOTTED: Final = re.compile(r"(\d{2})\.(\d{2})\.(\d{2}) (\d{1,2}):(\d{2})", re.ASCII)
_WINDOW: Final = re.compile(r"(\d{1,2})-(\d{1,2})", re.ASCII)
_TIMESTAMP: Final = re.compile(r"0(\d{1,12})", re.ASCII)
_RELATIVE: Final = re.compile(r"\+(\d{1,7})", re.ASCII)
_TZ: Final = re.compile(r"[+-]?\d{1,2}", re.ASCII)
_TZ_LIMIT: Final = 24


def _zone(tz: int) -> timezone:
    return timezone(timedelta(hours=_MOSCOW_HOURS + tz))


def parse_tz(raw: str) -> int:
    """`tz`: hours relative to Moscow; unset means the account's zone, Moscow here [A]."""
    if not raw:
        return 0
    if not _TZ.fullmatch(raw) or abs(int(raw)) > _TZ_LIMIT:
        raise CommandError(PARAMETERS_ERROR)
    return int(raw)


def _calendar(parts: tuple[str, ...], tz: int) -> float:
    day, month, year, hour, minute = (int(part) for part in parts)
    try:
        return datetime(2000 + year, month, day, hour, minute, tzinfo=_zone(tz)).timestamp()
    except ValueError as exc:
        raise CommandError(INVALID_DATE) from exc


def _window(first: int, last: int, tz: int, now: float) -> float | None:
    """`h1-h2`: wait for h1 today, send at once inside the window, else h1 tomorrow."""
    if not 0 <= first < last <= 24:
        raise CommandError(INVALID_DATE)
    local = datetime.fromtimestamp(now, _zone(tz))
    if first <= local.hour < last:
        return None
    start = local.replace(hour=first, minute=0, second=0, microsecond=0)
    if local.hour >= last:
        start += timedelta(days=1)
    return start.timestamp()


def parse_send_time(raw: str, tz: int, now: float) -> float | None:
    """The scheduled send time (Unix seconds), or None to send at once."""
    scheduled: float | None
    if raw in ("", "0"):
        return None
    if match := _COMPACT.fullmatch(raw) or _DOTTED.fullmatch(raw):
        scheduled = _calendar(match.groups(), tz)
    elif match := _WINDOW.fullmatch(raw):
        scheduled = _window(int(match[1]), int(match[2]), tz, now)
    elif match := _TIMESTAMP.fullmatch(raw):
        scheduled = float(match[1])
    elif match := _RELATIVE.fullmatch(raw):
        scheduled = now + 60 * int(match[1])
    else:
        raise CommandError(INVALID_DATE)
    return scheduled if scheduled is not None and scheduled > now else None


def _number_in(low: float, high: float, *, integer: bool = True) -> Callable[[str], bool]:
    pattern = re.compile(r"\d{1,4}" if integer else r"\d{1,4}(\.\d{1,3})?", re.ASCII)
    return lambda raw: bool(pattern.fullmatch(raw)) and low <= float(raw) <= high


_VALID_HOURS: Final = re.compile(r"(\d{2}):(\d{2})", re.ASCII)


def _valid_period(raw: str) -> bool:
    """`valid`: 1-24 hours, or `hh:mm` from 00:01 to 24:00."""
    if match := _VALID_HOURS.fullmatch(raw):
        minutes = 60 * int(match[1]) + int(match[2])
        return 1 <= minutes <= 24 * 60 and int(match[2]) < 60
    return _number_in(1, 24)(raw)


_VOICE: Final = re.compile(r"(m|m2|m3|m4|w|w2|w3|w4)(,[a-z]{2})?", re.ASCII)
_FLAG_OPTIONS: Final = [
    "tinyurl",
    "flash",
    "push",
    "hlr",
    "ping",
    "mms",
    "mail",
    "soc",
    "viber",
    "whatsapp",
    "tg",
    "call",
    "nl",
    "cost",
    "fl[5]",
]
# Documented ranges of jobs.php `add` options (reference/smsc-jobs.txt); free-text ones are absent.
OPTION_RULES: Final[Mapping[str, Callable[[str], bool]]] = {
    **dict.fromkeys(_FLAG_OPTIONS, _number_in(0, 1)),
    "translit": _number_in(0, 2),
    "bin": _number_in(0, 2),
    "rpt": _number_in(0, 7),
    "rptn": _number_in(0, 9999),
    "period": _number_in(0.1, 720, integer=False),
    "freq": _number_in(1, 1440),
    "valid": _valid_period,
    "smsreq": _number_in(10, 999),
    "voice": lambda raw: bool(_VOICE.fullmatch(raw)),
}
FREE_OPTIONS: Final = ("sender", "sender2", "mes2", "subj", "bot", "fileurl", "param", "id")


def parse_options(params: Mapping[str, str]) -> dict[str, str]:
    """The sending options given (empty ones dropped); a value out of its range is error 1."""
    options: dict[str, str] = {}
    for name in (*OPTION_RULES, *FREE_OPTIONS, "time", "tz"):
        value = params.get(name, "")
        if not value:
            continue
        rule = OPTION_RULES.get(name)
        if rule is not None and not rule(value):
            raise CommandError(PARAMETERS_ERROR)
        options[name] = value
    return options
