"""Rules every API applies to input before anything is sent to SMSC (GraphQL and REST alike).

Each raises `InputError` naming the public, camelCase field it was given.
"""

import datetime as dt
import re
from collections.abc import Sequence

from facade.domain import jobs
from facade.errors import InputError

# +?, then 10-15 digits: international format, which SMSC needs to route without guessing.
_PHONE = re.compile(r"\+?[0-9]{10,15}")
_PHONE_RULE = "must be a phone number: 10 to 15 digits, optionally after +"
# smsc-jobs.txt, "sender": "English letters, numbers, spaces, and some characters ... 11
# characters or 15 digits".
_SENDER_NAME = re.compile(r"(?=.*[A-Za-z])[A-Za-z0-9 !#&'()*+,\-./:?@_]{1,11}")
_SENDER_NUMBER = re.compile(r"\+?[0-9]{1,15}")
_EMAIL = re.compile(r"[^@\s,;]+@(?:[^@\s,;.]+\.)+[^@\s,;.]+")
# smsc-jobs.txt, "phones": telegram takes "the subscriber's nickname or ID ... in the form #ID".
_TELEGRAM_ID = re.compile(r"#[A-Za-z0-9_]{1,32}")
# smsc-jobs.txt, "bot": "@botname_bot"; Telegram usernames are 5-32 characters.
_TELEGRAM_BOT = re.compile(r"@[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]")


def require_id(value: str, field: str) -> str:
    """An SMSC id: a non-empty string of ASCII digits."""
    if not (value.isascii() and value.isdigit()):
        raise InputError(field, "must be a non-empty string of digits")
    return value


def require_range(value: int, field: str, low: int, high: int | None = None) -> str:
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InputError(field, f"must be {bound}")
    return str(value)


def require_phone(value: str, field: str) -> str:
    if not _PHONE.fullmatch(value):
        raise InputError(field, _PHONE_RULE)
    return value


def require_sender(value: str, field: str) -> str:
    if not (_SENDER_NAME.fullmatch(value) or _SENDER_NUMBER.fullmatch(value)):
        raise InputError(
            field,
            "must be up to 11 Latin letters, digits, spaces or !#&'()*+,-./:?@_, "
            "or up to 15 digits",
        )
    return value


def require_listed_phone(value: str, field: str) -> str:
    """A phone that finds a contact, a blacklist entry or answers as SMSC lists it: without +."""
    return require_phone(value, field).removeprefix("+")


def require_message(value: str, field: str) -> str:
    if not value.strip():
        raise InputError(field, "must not be blank")
    if len(value) > jobs.MAX_MESSAGE_LENGTH:
        raise InputError(field, f"must be at most {jobs.MAX_MESSAGE_LENGTH} characters")
    return value


def optional_sender(value: str | None, field: str) -> str | None:
    return None if value is None else require_sender(value, field)


def phones(values: Sequence[str], field: str) -> tuple[str, ...]:
    return tuple(require_phone(value, f"{field}[{index}]") for index, value in enumerate(values))


def ids(values: Sequence[str], field: str) -> tuple[str, ...]:
    return tuple(require_id(value, f"{field}[{index}]") for index, value in enumerate(values))


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
        if not _EMAIL.fullmatch(value):
            raise InputError(field, "must be an e-mail address")
        return value
    if channel is jobs.Channel.TELEGRAM and _TELEGRAM_ID.fullmatch(value):
        return value
    return require_phone(value, field)


def telegram_bot(value: str, field: str) -> str:
    if not _TELEGRAM_BOT.fullmatch(value):
        raise InputError(field, "must be a bot's name such as @name_bot")
    return value


def one_send_time(forms: Sequence[jobs.SendTime | None], field: str) -> jobs.SendTime:
    """The one send time given among the four forms (at, atTimestamp, window, afterMinutes)."""
    given = [form for form in forms if form is not None]
    if len(given) != 1:
        raise InputError(field, "give exactly one of at, atTimestamp, window, afterMinutes")
    return given[0]


def job_dates(since: dt.date | None, until: dt.date | None) -> jobs.JobQuery:
    """A job listing's bounds, inclusive; `until` may not come before `since`."""
    if since is not None and until is not None and since > until:
        raise InputError("until", "must not be before since")
    return jobs.JobQuery(since=since, until=until)
