"""What a command handler receives (`Context`) and returns (`Reply`), and how it fails.

Handlers are plain functions `Context -> Reply`; they raise `CommandError` for SMSC's error
envelopes. Parameter readers here apply the shared rules of `facade.emulator.assumptions`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, TypeAlias

from facade.emulator.assumptions import INVALID_DATE, MAX_DIGITS, PARAMETERS_ERROR
from facade.emulator.render import MOSCOW

if TYPE_CHECKING:
    from collections.abc import Mapping

    from facade.emulator.records import AccountData

_DIGITS: Final = re.compile(rf"\d{{1,{MAX_DIGITS}}}", re.ASCII)
_DATE: Final = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})", re.ASCII)
_PHONE: Final = re.compile(r"\+?(\d{5,15})", re.ASCII)
_PHONE_SEPARATORS: Final = re.compile(r"[,;\s]+")
# An e-mail address [A]: one "@" with text on both sides, no white space, no separator.
_EMAIL: Final = re.compile(r"[^@\s,;]+@[^@\s,;]+")


class CommandError(Exception):
    """An SMSC error envelope: `code` and its short English `description`; send.php adds the
    message's id to some (`message_id`, a number or a string as its JSON type)."""

    def __init__(self, error: tuple[int, str], *, message_id: int | str | None = None) -> None:
        self.code, self.description = error
        self.message_id = message_id
        super().__init__(f"{self.code} ({self.description})")


@dataclass(frozen=True, slots=True)
class Reply:
    """A success body; `media_type` and `headers` override the fmt's defaults (files)."""

    body: str
    media_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Context:
    """One authenticated command: its parameters, answer format, account data and clock."""

    command: str
    params: Mapping[str, str]
    fmt: int
    data: AccountData
    now: float

    def text(self, name: str, default: str = "") -> str:
        return self.params.get(name, default)

    def required(self, name: str) -> str:
        """A parameter that must be present and non-empty, else error 1."""
        value = self.params.get(name, "")
        if not value:
            raise CommandError(PARAMETERS_ERROR)
        return value

    def number(
        self, name: str, default: int | None = None, *, low: int = 0, high: int | None = None
    ) -> int:
        """A plain digit run within `low..high`; absent gives `default` (error 1 when None)."""
        raw = self.params.get(name, "")
        if not raw:
            if default is None:
                raise CommandError(PARAMETERS_ERROR)
            return default
        value = parse_number(raw)
        if value < low or (high is not None and value > high):
            raise CommandError(PARAMETERS_ERROR)
        return value

    def choice(self, name: str, allowed: Mapping[str, int] | tuple[str, ...], default: str) -> str:
        """A parameter whose value must be one of `allowed` (empty gives `default`)."""
        value = self.params.get(name, "") or default
        if value not in allowed:
            raise CommandError(PARAMETERS_ERROR)
        return value

    def moscow_now(self) -> datetime:
        return datetime.fromtimestamp(self.now, MOSCOW)


def parse_number(raw: str) -> int:
    """A plain ASCII digit run (no sign, no spaces, at most `MAX_DIGITS`), else error 1."""
    if not _DIGITS.fullmatch(raw):
        raise CommandError(PARAMETERS_ERROR)
    return int(raw)


def parse_day(raw: str, error: tuple[int, str] = INVALID_DATE) -> date:
    """A `dd.mm.yyyy` date (docs/smsc-wire.md, "Requests"); anything else raises `error`."""
    match = _DATE.fullmatch(raw)
    if not match:
        raise CommandError(error)
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise CommandError(error) from exc


def parse_phones(raw: str) -> list[str]:
    """A phone list with "any separator" (smsc-api-notes.md §2.2), stored without `+`."""
    phones: list[str] = []
    for item in filter(None, _PHONE_SEPARATORS.split(raw)):
        match = _PHONE.fullmatch(item)
        if not match:
            raise CommandError(PARAMETERS_ERROR)
        if match[1] not in phones:
            phones.append(match[1])
    if not phones:
        raise CommandError(PARAMETERS_ERROR)
    return phones


def parse_emails(raw: str) -> list[str]:
    """An e-mail address list with any separator, as phones take (`mail`, `new_mail`,
    `mail_other` [A]); stored as given, an address given twice kept once."""
    emails: list[str] = []
    for item in filter(None, _PHONE_SEPARATORS.split(raw)):
        if not _EMAIL.fullmatch(item):
            raise CommandError(PARAMETERS_ERROR)
        if item not in emails:
            emails.append(item)
    if not emails:
        raise CommandError(PARAMETERS_ERROR)
    return emails


def split_list(raw: str) -> list[str]:
    """A comma list (tags, other phones): items trimmed, empty ones dropped, no spaces kept at
    commas (docs/smsc-wire.md, "A multi-valued field")."""
    return [item.strip() for item in raw.split(",") if item.strip()]


Handler: TypeAlias = Callable[[Context], Reply]
