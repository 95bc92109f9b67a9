"""Message templates (templates.php)."""

import dataclasses
import enum


# `Template.format_raw` keeps the text of a format SMSC added later (smsc-templates.txt).
class MessageFormat(enum.StrEnum):
    """A template's message format; UNKNOWN for one SMSC added later."""

    UNSPECIFIED = "UNSPECIFIED"
    SMS = "SMS"
    FLASH = "FLASH"
    BIN = "BIN"
    PUSH = "PUSH"
    MMS = "MMS"
    CALL = "CALL"
    MAIL = "MAIL"
    VIBER = "VIBER"
    UNKNOWN = "UNKNOWN"


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
