"""Response bodies: pydantic models with the GraphQL schema's field names and enum values.

Each model's `from_domain` converts a domain object; enum members carry the GraphQL value
(the domain member's name), so REST and GraphQL speak one vocabulary.
"""

import enum

from pydantic import Field

from facade.domain import segments as domain_segments
from facade.domain.groups import Group as DomainGroup
from facade.domain.templates import Template as DomainTemplate
from facade.rest.operations import Model, example


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


class SmsEncoding(enum.StrEnum):
    """GSM-7 (160 characters, 153 per part) or UCS-2 (70, 67 per part)."""

    GSM7 = "GSM7"
    UCS2 = "UCS2"


class MessageSegments(Model):
    """How a text travels as SMS: its encoding and number of parts."""

    model_config = example(
        {"encoding": "GSM7", "length": 83, "parts": 1, "perPart": 160, "remaining": 77}
    )

    encoding: SmsEncoding
    length: int = Field(description="In septets (GSM-7) or UTF-16 code units (UCS-2).")
    parts: int
    per_part: int
    remaining: int = Field(description="Left in the last part before another starts.")

    @classmethod
    def of(cls, text: str) -> "MessageSegments":
        found = domain_segments.segments(text)
        return cls(
            encoding=SmsEncoding[found.encoding.name],
            length=found.length,
            parts=found.parts,
            per_part=found.per_part,
            remaining=found.remaining,
        )


class Template(Model):
    """A message template."""

    model_config = example(
        {
            "id": "1001",
            "name": "Appointment reminder",
            "message": "Hello, {name}! Your appointment is on {date} at {time}. "
            "Reply YES to confirm.",
            "format": "SMS",
            "formatRaw": "sms",
            "sender": "Clinic",
            "autoSign": False,
            "segments": {
                "encoding": "GSM7",
                "length": 83,
                "parts": 1,
                "perPart": 160,
                "remaining": 77,
            },
        }
    )

    id: str
    name: str
    message: str
    format: MessageFormat
    format_raw: str = Field(description="SMSC's own value of the format.")
    sender: str | None
    auto_sign: bool
    segments: MessageSegments = Field(description="The message's SMS encoding and parts.")

    @classmethod
    def from_domain(cls, template: DomainTemplate) -> "Template":
        return cls(
            id=template.id,
            name=template.name,
            message=template.message,
            format=MessageFormat[template.format.name],
            format_raw=template.format_raw,
            sender=template.sender,
            auto_sign=template.auto_sign,
            segments=MessageSegments.of(template.message),
        )


class Group(Model):
    """A contact group."""

    model_config = example({"id": "41", "name": "VIP clients", "number": 100, "contactCount": 3})

    id: str
    name: str
    number: int | None
    contact_count: int | None = Field(
        description="Contacts in the group; null when SMSC does not say."
    )

    @classmethod
    def from_domain(cls, group: DomainGroup) -> "Group":
        return cls(
            id=group.id, name=group.name, number=group.number, contact_count=group.contact_count
        )


__all__ = ["Group", "MessageFormat", "MessageSegments", "SmsEncoding", "Template"]
