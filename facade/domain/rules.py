"""Rules every API applies to input before anything is sent to SMSC (GraphQL and REST alike).

Each raises `InputError` naming the public, camelCase field it was given. Every string, number,
date and id is held to a bound of `facade.domain.bounds`, so that no value a client sends can
make the facade fail (a traceback) or reach SMSC only to be refused there.
"""

import datetime as dt
import decimal
import math
import re
from collections.abc import Sequence

from facade.domain import jobs
from facade.domain.bounds import (
    BIRTHDAY_YEARS,
    HOURS_PER_DAY,
    MAX_EMAIL_LENGTH,
    MAX_ID_DIGITS,
    MAX_JOB_LIST_DAYS,
    MAX_MESSAGE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PERIOD_HOURS,
    MAX_PHONE_DIGITS,
    MAX_SEARCH_LENGTH,
    MAX_SEND_AFTER_MINUTES,
    MAX_SENDER_DIGITS,
    MAX_SENDER_NAME_LENGTH,
    MIN_PERIOD_HOURS,
    MIN_PHONE_DIGITS,
    MOMENT_YEARS,
)
from facade.domain.common import MOSCOW
from facade.domain.contacts import ContactChanges, is_email
from facade.errors import InputError

# The shapes of values, as regular expressions that Python, pydantic (Rust's `regex`) and JSON
# Schema (ECMA 262) read alike: ASCII classes, white space spelled out, no look-around. Each is
# the whole value (`fullmatch` here, `^(?:...)$` in a schema): `facade.vocabulary.fields` declares
# the public fields with them, so that `/openapi.json` states what these rules hold a value to.

# White space as Python takes it (`str.isspace`, `str.strip`, `\s`), as the inside of a class.
SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# A character of one line: no control character (C0, DEL, C1).
LINE_CHARACTER = r"[^\x00-\x1f\x7f-\x9f]"
# A character of text of several lines: tabs and line breaks too.
TEXT_CHARACTER = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
# A character of a line or a text that is not white space: one makes either not blank.
VISIBLE_CHARACTER = r"[^\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
# Any character but white space: one makes a binary message not blank.
NOT_SPACE = f"[^{SPACE}]"
ID_PATTERN = f"[0-9]{{1,{MAX_ID_DIGITS}}}"
ID_RULE = f"must be 1 to {MAX_ID_DIGITS} ASCII digits"
# +?, then 10-15 digits: international format, which SMSC needs to route without guessing.
PHONE_PATTERN = rf"\+?[0-9]{{{MIN_PHONE_DIGITS},{MAX_PHONE_DIGITS}}}"
PHONE_RULE = (
    f"must be a phone number: {MIN_PHONE_DIGITS} to {MAX_PHONE_DIGITS} digits, optionally after +"
)
_PHONE = re.compile(PHONE_PATTERN)
# smsc-jobs.txt, "sender": "English letters, numbers, spaces, and some characters ... 11
# characters or 15 digits"; a name holds a letter.
SENDER_PUNCTUATION = " !#&'()*+,-./:?@_"
SENDER_RULE = (
    f"must be up to {MAX_SENDER_NAME_LENGTH} Latin letters, digits, spaces or "
    f"{SENDER_PUNCTUATION.strip()}, or up to {MAX_SENDER_DIGITS} digits"
)


def sender_pattern(punctuation: str = SENDER_PUNCTUATION) -> str:
    """A sender of letters, digits and `punctuation`: a name (a letter at some position among at
    most `MAX_SENDER_NAME_LENGTH`), or a number (+? and digits)."""
    other = "[0-9" + "".join("\\" + c if c in "\\]^-" else c for c in punctuation) + "]"
    any_ = "[A-Za-z" + other[1:]
    names = (
        f"{other}{{{before}}}[A-Za-z]{any_}{{0,{MAX_SENDER_NAME_LENGTH - 1 - before}}}"
        for before in range(MAX_SENDER_NAME_LENGTH)
    )
    return "|".join((*names, rf"\+?[0-9]{{1,{MAX_SENDER_DIGITS}}}"))


_SENDER = re.compile(sender_pattern())
# A practical e-mail address: one "@", no white space, control character or list separator (SMSC
# takes several comma-joined), a local part and a domain of dotted labels.
EMAIL_PATTERN = "{0}+@(?:{1}+\\.)+{1}+".format(
    VISIBLE_CHARACTER.replace("[^", "[^@,;"), VISIBLE_CHARACTER.replace("[^", "[^@,;.")
)
_EMAIL = re.compile(EMAIL_PATTERN)
_EMAIL_RULE = "must be an e-mail address such as name@example.com"
# smsc-jobs.txt, "phones": telegram takes "the subscriber's nickname or ID ... in the form #ID".
TELEGRAM_ID_PATTERN = "#[A-Za-z0-9_]{1,32}"
_TELEGRAM_ID = re.compile(TELEGRAM_ID_PATTERN)
# smsc-jobs.txt, "bot": "@botname_bot"; Telegram usernames are 5-32 characters.
TELEGRAM_BOT_PATTERN = "@[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]"
TELEGRAM_BOT_RULE = "must be a bot's name such as @name_bot"
_TELEGRAM_BOT = re.compile(TELEGRAM_BOT_PATTERN)
# smsc-jobs.txt, "voice": the language of the text as "m,en", "w,fr".
LANGUAGE_PATTERN = "[A-Za-z]{2,8}"
LANGUAGE_RULE = "must be a language code such as en"
_LANGUAGE = re.compile(LANGUAGE_PATTERN)
# Unicode's control characters (C0, DEL, C1) and lone surrogates: a line of text holds none. A
# lone surrogate is no text at all: no charset SMSC takes (UTF-8, which the facade sends,
# windows-1251, koi8-r) can encode it.
_NOT_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Text of several lines (messages, comments) may also hold tabs and line breaks.
_NOT_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# A binary message (smsc-jobs.txt, "bin": "specify a null byte at the beginning") is any
# character that can be encoded.
_NOT_ENCODABLE = re.compile(r"[\ud800-\udfff]")


def is_id(value: str) -> bool:
    """An SMSC id: 1 to `MAX_ID_DIGITS` ASCII digits."""
    return 0 < len(value) <= MAX_ID_DIGITS and value.isascii() and value.isdigit()


def require_id(value: str, field: str) -> str:
    if not is_id(value):
        raise InputError(field, ID_RULE)
    return value


def require_int(value: int, field: str, low: int, high: int) -> int:
    """An integer between `low` and `high`, inclusive."""
    if not low <= value <= high:
        raise InputError(field, f"must be between {low} and {high}")
    return value


def require_range(value: int, field: str, low: int, high: int | None = None) -> str:
    """`value` as SMSC is sent it; input from clients always has a `high`."""
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InputError(field, f"must be {bound}")
    return str(value)


def require_phone(value: str, field: str) -> str:
    if not _PHONE.fullmatch(value):
        raise InputError(field, PHONE_RULE)
    return value


def require_sender(value: str, field: str) -> str:
    if not _SENDER.fullmatch(value):
        raise InputError(field, SENDER_RULE)
    return value


def require_listed_phone(value: str, field: str) -> str:
    """A phone that finds a contact, a blacklist entry or answers as SMSC lists it: without +."""
    return require_phone(value, field).removeprefix("+")


def require_message(value: str, field: str, *, binary: bool = False) -> str:
    """A message's text: not blank, at most `MAX_MESSAGE_LENGTH` characters, of several lines;
    any encodable character in a `binary` one."""
    _text(value, field, MAX_MESSAGE_LENGTH, _NOT_ENCODABLE if binary else _NOT_IN_TEXT)
    if not value.strip():
        raise InputError(field, "must not be blank")
    return value


def require_name(value: str, field: str) -> str:
    """The name of a job, template or group: one line, not blank."""
    require_line(value, field, MAX_NAME_LENGTH)
    if not value.strip():
        raise InputError(field, "must not be blank")
    return value


def require_line(value: str, field: str, max_length: int) -> str:
    """One line of text: no control characters, no lone surrogates, at most `max_length`."""
    return _text(value, field, max_length, _NOT_IN_LINE)


def require_lines(value: str, field: str, max_length: int) -> str:
    """Text of several lines: as a line, but tabs and line breaks are kept."""
    return _text(value, field, max_length, _NOT_IN_TEXT)


def optional_line(value: str | None, field: str, max_length: int) -> str | None:
    return None if value is None else require_line(value, field, max_length)


def optional_lines(value: str | None, field: str, max_length: int) -> str | None:
    return None if value is None else require_lines(value, field, max_length)


def lines(values: Sequence[str], field: str, max_length: int) -> tuple[str, ...]:
    return tuple(
        require_line(value, f"{field}[{index}]", max_length) for index, value in enumerate(values)
    )


def _text(value: str, field: str, max_length: int, forbidden: re.Pattern[str]) -> str:
    if len(value) > max_length:
        raise InputError(field, f"must be at most {max_length} characters")
    found = forbidden.search(value)
    if found is not None:
        code = ord(found[0])
        what = "a lone surrogate, not text" if 0xD800 <= code <= 0xDFFF else "a control character"
        raise InputError(field, f"must not hold U+{code:04X} ({what})")
    return value


def search_text(value: str | None, field: str = "search") -> str | None:
    """A contact list's `search`; empty means none."""
    return optional_line(value, field, MAX_SEARCH_LENGTH) or None


def language_code(value: str, field: str) -> str:
    if not _LANGUAGE.fullmatch(value):
        raise InputError(field, LANGUAGE_RULE)
    return value


def require_hours(value: float, field: str) -> decimal.Decimal:
    """`period`: finite, between `MIN_PERIOD_HOURS` and `MAX_PERIOD_HOURS`."""
    hours = decimal.Decimal(str(value)) if math.isfinite(value) else None
    if hours is None or not MIN_PERIOD_HOURS <= hours <= MAX_PERIOD_HOURS:
        raise InputError(field, f"must be between {MIN_PERIOD_HOURS} and {MAX_PERIOD_HOURS} hours")
    return hours


def require_day(value: dt.date, field: str, years: range = MOMENT_YEARS) -> dt.date:
    if value.year not in years:
        raise InputError(field, f"must fall in the years {years[0]}-{years[-1]}")
    return value


def optional_birthday(value: dt.date | None, field: str) -> dt.date | None:
    return None if value is None else require_day(value, field, BIRTHDAY_YEARS)


def _require_moment(value: dt.datetime, field: str) -> None:
    if value.utcoffset() is None:
        raise InputError(field, "needs a time zone offset")
    require_day(value.date(), field)


def optional_sender(value: str | None, field: str) -> str | None:
    return None if value is None else require_sender(value, field)


def phones(values: Sequence[str], field: str) -> tuple[str, ...]:
    return tuple(require_phone(value, f"{field}[{index}]") for index, value in enumerate(values))


def ids(values: Sequence[str], field: str) -> tuple[str, ...]:
    return tuple(require_id(value, f"{field}[{index}]") for index, value in enumerate(values))


# e-mail addresses (contacts and the blacklist)


def require_email(value: str, field: str) -> str:
    """An e-mail address: one line of at most `MAX_EMAIL_LENGTH` characters, of `_EMAIL`'s
    shape (one "@", no spaces or separators, a domain with a dot)."""
    require_line(value, field, MAX_EMAIL_LENGTH)
    if not _EMAIL.fullmatch(value):
        raise InputError(field, _EMAIL_RULE)
    return value


def emails(values: Sequence[str], field: str) -> tuple[str, ...]:
    return tuple(require_email(value, f"{field}[{index}]") for index, value in enumerate(values))


def require_listed_address(value: str, field: str) -> str:
    """What finds a contact or a blacklist entry: an e-mail address (it holds an "@",
    `contacts.is_email`), else a phone as SMSC lists it (without +)."""
    return require_email(value, field) if is_email(value) else require_listed_phone(value, field)


def one_kind_of_address(phones: Sequence[str], emails: Sequence[str], field: str) -> None:
    """A contact holds phones or e-mail addresses, never both (docs/smsc-wire.md)."""
    if phones and emails:
        raise InputError(field, "a contact holds phones or e-mail addresses, not both")


def changes_of_kind(address: str, changes: ContactChanges, field: str) -> ContactChanges:
    """`changes` to the contact `address` finds: an e-mail contact's (`new_emails`,
    `other_emails`) for an e-mail address, a phone contact's (`new_phones`, `other_phones`) for
    a phone; `field` names the changes in the error."""
    if is_email(address):
        other_kind = changes.new_phones is not None or changes.other_phones is not None
        what = "an e-mail contact has no phones: change newEmails or otherEmails"
    else:
        other_kind = changes.new_emails is not None or changes.other_emails is not None
        what = "a phone contact has no e-mail addresses: change newPhones or otherPhones"
    if other_kind:
        raise InputError(field, what)
    return changes


# jobs


def job_name(value: str, field: str) -> str:
    """A job's name; one ending the way the facade's marker does would lose that end in listings
    (`jobs.split_marked_name`), so it is refused."""
    if jobs.split_marked_name(value)[1] is not None:
        raise InputError(field, "must not end with ' [fx:...]': the facade adds that itself")
    return value


def job_recipient(value: str, channel: jobs.Channel, field: str) -> str:
    """A phone; an e-mail address for EMAIL; also `#id` for TELEGRAM."""
    if channel is jobs.Channel.EMAIL:
        require_line(value, field, MAX_EMAIL_LENGTH)
        if not _EMAIL.fullmatch(value):
            raise InputError(field, "must be an e-mail address")
        return value
    if channel is jobs.Channel.TELEGRAM and _TELEGRAM_ID.fullmatch(value):
        return value
    return require_phone(value, field)


def telegram_bot(value: str, field: str) -> str:
    if not _TELEGRAM_BOT.fullmatch(value):
        raise InputError(field, TELEGRAM_BOT_RULE)
    return value


def one_send_time(forms: Sequence[jobs.SendTime | None], field: str) -> jobs.SendTime:
    """The one send time given among the four forms (at, atTimestamp, window, afterMinutes),
    within its bounds: a moment with an offset in `MOMENT_YEARS`, a window of one day's hours,
    0 to `MAX_SEND_AFTER_MINUTES` minutes."""
    given = [form for form in forms if form is not None]
    if len(given) != 1:
        raise InputError(field, "give exactly one of at, atTimestamp, window, afterMinutes")
    form = given[0]
    match form:
        case jobs.SendAt(at=at) | jobs.SendAtTimestamp(at=at):
            _require_moment(at, field)
        case jobs.SendWindow(start_hour=start, end_hour=end):
            if not 0 <= start < end <= HOURS_PER_DAY:
                raise InputError(
                    field, f"the window needs 0 <= start hour < end hour <= {HOURS_PER_DAY}"
                )
        case jobs.SendAfter(minutes=minutes):
            if not 0 <= minutes <= MAX_SEND_AFTER_MINUTES:
                raise InputError(
                    field, f"afterMinutes must be between 0 and {MAX_SEND_AFTER_MINUTES}"
                )
    return form


def job_dates(
    since: dt.date | None, until: dt.date | None, *, today: dt.date | None = None
) -> jobs.JobQuery:
    """A job listing's bounds, inclusive: days in `MOMENT_YEARS`, `until` not before `since`,
    and at most `MAX_JOB_LIST_DAYS` days from `since` to `until` (to `today` in Moscow when
    `until` is absent, as SMSC lists up to the current date: smsc-jobs.txt, "end")."""
    if since is not None:
        require_day(since, "since")
    if until is not None:
        require_day(until, "until")
    if since is not None and until is not None and since > until:
        raise InputError("until", "must not be before since")
    if since is not None:
        last = until or today or dt.datetime.now(MOSCOW).date()
        if (last - since).days >= MAX_JOB_LIST_DAYS:
            raise InputError(
                "since",
                f"must be at most {MAX_JOB_LIST_DAYS - 1} days before until (today when until "
                "is absent): list a longer time a year at a time",
            )
    return jobs.JobQuery(since=since, until=until)
