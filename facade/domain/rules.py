"""Rules every API applies to input before anything is sent to SMSC (GraphQL and REST alike).

Each raises `InputError` naming the public, camelCase field it was given.
"""

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


def require_id(value: str, field: str) -> str:
    """An SMSC id: a non-empty string of ASCII digits."""
    if not (value.isascii() and value.isdigit()):
        raise InputError(field, "must be a non-empty string of digits")
    return value


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
