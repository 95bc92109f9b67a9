"""Message templates (templates.php)."""

import dataclasses

from facade.domain.common import OpenEnum


class MessageFormat(OpenEnum):
    """A template's message format; SMSC's `format` values (smsc-templates.txt)."""

    UNSPECIFIED = ""
    SMS = "sms"
    FLASH = "flash"
    BIN = "bin"
    PUSH = "push"
    MMS = "mms"
    CALL = "call"
    MAIL = "mail"
    VIBER = "viber"
    UNKNOWN = "\x00unknown"


# `fl[N]=1` sets bit value 2**(N-1) of a template's flag; fl[1] is auto-signature (docs/smsc-wire.md).
AUTO_SIGN_FLAG = 1


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Template:
    id: str
    name: str
    message: str
    format: MessageFormat
    format_raw: str
    sender: str | None
    flags: int

    @property
    def auto_sign(self) -> bool:
        return bool(self.flags & AUTO_SIGN_FLAG)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class TemplateDraft:
    """A template to create."""

    name: str
    message: str
    format: MessageFormat = MessageFormat.UNSPECIFIED
    sender: str | None = None
    auto_sign: bool = False


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class TemplateChanges:
    """The fields of a template to change; `None` leaves a field as it is."""

    name: str | None = None
    message: str | None = None
    format: MessageFormat | None = None
    sender: str | None = None
    auto_sign: bool | None = None
