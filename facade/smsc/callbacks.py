"""What SMSC posts to the facade's callback URL (`POST /smsc/callback/{key}`): a message's new
status, or an incoming message, and the checksum that proves SMSC sent it (docs/smsc-wire.md,
"Callbacks"; smsc-messages-notes.md §5).

The form is `application/x-www-form-urlencoded`, UTF-8 (the handler URL set in SMSC ends with
`?charset=utf-8`). A form with a `status` field is a status change (`id`, `phone`, `status`,
`err`, `ts`, `cnt`, `cost`, `sender`); one without is an incoming message (`id`, `phone`, `mes`,
`to`, `sent`). Fields it does not name are left alone (HLR's, `md5`, `sha1`, ...).
"""

import datetime as dt
import decimal
import hashlib
import hmac
import re
from collections.abc import Callable, Mapping

from facade.domain.answers import Answer
from facade.domain.messages import ANY_MESSAGE_ID_PATTERN, MessageState
from facade.domain.rules import ID_PATTERN
from facade.smsc.delivery_errors import delivery_error
from facade.smsc.enums import MESSAGE_STATUSES
from facade.smsc.parse.fields import unix_moment

__all__ = ["CHECKSUM_FIELDS", "Callback", "CallbackError", "parse_callback", "verify_checksum"]

Callback = MessageState | Answer

# The checksums the facade checks, by form field (smsc-messages-notes.md §5.2, P-fine's recipe);
# SMSC's `crc32` is not one: anyone can forge it.
CHECKSUM_FIELDS: Mapping[str, Callable[[bytes], str]] = {
    "md5": lambda data: hashlib.md5(data).hexdigest(),  # noqa: S324 - SMSC's choice; keyed by the secret
    "sha1": lambda data: hashlib.sha1(data).hexdigest(),  # noqa: S324 - SMSC's choice; keyed by the secret
}

_MESSAGE_ID = re.compile(ANY_MESSAGE_ID_PATTERN)
_ANSWER_ID = re.compile(ID_PATTERN)
# A phone, or an e-mail address for e-mail messages.
_ADDRESS = re.compile(r"[^\s,;]{1,254}")
_STATUS = re.compile(r"-?[0-9]{1,9}")
_NUMBER = re.compile(r"[0-9]{1,18}")
_MONEY = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")


class CallbackError(Exception):
    """A callback form that does not read. `field` names the faulty field (None: the form as a
    whole); the message names it and says what is wrong, never with a byte of the form."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(f"callback field {field!r}: {reason}" if field else f"callback: {reason}")
        self.field = field
        self.reason = reason


def parse_callback(form: Mapping[str, str], *, received_at: dt.datetime) -> Callback:
    """A status change (`MessageState`) or an incoming message (`Answer`).

    SMSC posts no time of its own receipt, so an incoming message's `received_at` is the
    caller's (when the facade got the callback; aware, else a `ValueError`); its `sent_at` is
    SMSC's `sent`. A status change ignores `received_at`.
    """
    if received_at.utcoffset() is None:
        raise ValueError("received_at must be an aware datetime")
    if "status" in form:
        return _status_change(form)
    return _incoming(form, received_at)


def verify_checksum(form: Mapping[str, str], secret: str) -> bool:
    """Whether every checksum the form carries (`md5`, `sha1`: hex, any case) is that of
    `<id>:<phone>:<status>:<secret>` in UTF-8, `<status>` empty for an incoming message; a form
    with none, or without `id` or `phone`, is not verified. `secret` is the account's configured
    callback secret (an empty one is a `ValueError`: it would verify forgeries)."""
    if not secret:
        raise ValueError("a checksum is verified with a secret")
    given = {name: form[name] for name in CHECKSUM_FIELDS if name in form}
    id_, phone = form.get("id"), form.get("phone")
    if not given or not id_ or not phone:
        return False
    data = f"{id_}:{phone}:{form.get('status', '')}:{secret}".encode()
    matches = [
        hmac.compare_digest(CHECKSUM_FIELDS[name](data).encode("ascii"), value.lower().encode())
        for name, value in given.items()
    ]
    return all(matches)


def _status_change(form: Mapping[str, str]) -> MessageState:
    code = int(_required(form, "status", _STATUS))
    err = _optional(form, "err", _NUMBER)
    error_code = 0 if err is None else int(err)
    cost = _optional(form, "cost", _MONEY)
    parts = _optional(form, "cnt", _NUMBER)
    return MessageState(
        id=_required(form, "id", _MESSAGE_ID),
        phone=_required(form, "phone", _ADDRESS),
        status=MESSAGE_STATUSES.decode(code),
        status_code=code,
        changed_at=_moment(form, "ts"),
        error_code=error_code,
        error=delivery_error(error_code),
        cost=None if cost is None else decimal.Decimal(cost),
        sender=form.get("sender") or None,
        parts=None if parts is None else int(parts),
    )


def _incoming(form: Mapping[str, str], received_at: dt.datetime) -> Answer:
    message = form.get("mes")
    if message is None:
        raise CallbackError("mes", "is missing")
    return Answer(
        id=_required(form, "id", _ANSWER_ID),
        received_at=received_at,
        phone=_required(form, "phone", _ADDRESS),
        message=message,
        to_phone=_optional(form, "to", _ADDRESS),
        sent_at=_moment(form, "sent"),
    )


def _required(form: Mapping[str, str], name: str, shape: re.Pattern[str]) -> str:
    value = _optional(form, name, shape)
    if value is None:
        raise CallbackError(name, "is missing or empty")
    return value


def _optional(form: Mapping[str, str], name: str, shape: re.Pattern[str]) -> str | None:
    """The field's value, surrounding white space dropped; None when absent or empty."""
    value = form.get(name, "").strip()
    if not value:
        return None
    if shape.fullmatch(value) is None:
        raise CallbackError(name, "is not of its shape")
    return value


def _moment(form: Mapping[str, str], name: str) -> dt.datetime | None:
    """A Unix time field as a Moscow time; absent, empty or 0 is none."""
    value = _optional(form, name, _NUMBER)
    try:
        return None if value is None else unix_moment(int(value))
    except ValueError as exc:
        raise CallbackError(name, "is not a real moment") from exc
