"""Templates (templates.php): a template, its SMS segments, and what creates or changes one."""

from typing import ClassVar, Final, Self

from pydantic import Field

from facade.domain import segments, templates
from facade.domain.rules import (
    optional_sender,
    require_id,
    require_message,
    require_name,
    require_sender,
)
from facade.domain.segments import SmsEncoding
from facade.domain.templates import MessageFormat
from facade.errors import InputError
from facade.vocabulary.fields import (
    AS_TEXT,
    MessageText,
    Name,
    Sender,
    SenderOrEmpty,
    SmscId,
    any_change,
    known,
    one_of_values,
    when,
)
from facade.vocabulary.shapes import ID, Input, Output, example


class MessageSegments(Output):
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
    def of(cls, text: str) -> Self:
        found = segments.segments(text)
        return cls(
            encoding=found.encoding,
            length=found.length,
            parts=found.parts,
            per_part=found.per_part,
            remaining=found.remaining,
        )


class Template(Output):
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

    id: ID
    name: str
    message: str
    format: MessageFormat
    format_raw: str = Field(description="SMSC's own value of the format.")
    sender: str | None
    auto_sign: bool
    segments: MessageSegments = Field(description="The message's SMS encoding and number of parts.")

    @classmethod
    def from_domain(cls, template: templates.Template) -> Self:
        return cls(
            id=ID(template.id),
            name=template.name,
            message=template.message,
            format=template.format,
            format_raw=template.format_raw,
            sender=template.sender,
            auto_sign=template.auto_sign,
            segments=MessageSegments.of(template.message),
        )


# A message is text, but in the BIN format (`to_domain()` checks it).
_TEXT_UNLESS_BINARY: Final = when(
    {"not": one_of_values("format", [MessageFormat.BIN])}, {"properties": {"message": AS_TEXT}}
)


class CreateTemplate(Input):
    """A message template to create."""

    model_config = example(
        {
            "name": "Confirmation code",
            "message": "Your code: {code}. Do not share it.",
            "format": "SMS",
            "sender": "Bank",
        },
        _TEXT_UNLESS_BINARY,
    )

    name: Name
    message: MessageText = Field(description="At most 1,000 characters.")
    format: MessageFormat = Field(
        default=MessageFormat.UNSPECIFIED, json_schema_extra=known(MessageFormat)
    )
    sender: Sender | None = None
    auto_sign: bool = Field(default=False, description="Append the signature.")

    def to_domain(self) -> templates.TemplateDraft:
        format_ = _known(self.format)
        return templates.TemplateDraft(
            name=require_name(self.name, "name"),
            message=require_message(self.message, "message", binary=format_ is MessageFormat.BIN),
            format=format_,
            sender=optional_sender(self.sender, "sender"),
            auto_sign=self.auto_sign,
        )


class UpdateTemplate(Input):
    """Fields of a template to change; null or absent keeps a field."""

    model_config = example(
        {"message": "Hello, {name}! See you on {date} at {time}.", "autoSign": True},
        _TEXT_UNLESS_BINARY,
        any_change,
    )

    # What a rule about the whole change names: the protocol's word for it.
    whole: ClassVar[str] = "body"

    name: Name | None = None
    message: MessageText | None = None
    format: MessageFormat | None = Field(default=None, json_schema_extra=known(MessageFormat))
    sender: SenderOrEmpty | None = Field(default=None, description="An empty string removes it.")
    auto_sign: bool | None = None

    def to_domain(self) -> templates.TemplateChanges:
        """An empty `sender` removes the sender."""
        format_ = None if self.format is None else _known(self.format)
        changes = templates.TemplateChanges(
            name=None if self.name is None else require_name(self.name, "name"),
            message=None
            if self.message is None
            else require_message(self.message, "message", binary=format_ is MessageFormat.BIN),
            format=format_,
            sender=require_sender(self.sender, "sender") if self.sender else self.sender,
            auto_sign=self.auto_sign,
        )
        if changes == templates.TemplateChanges():
            raise InputError(self.whole, "give at least one field to change")
        return changes


def _known(format_: MessageFormat) -> MessageFormat:
    if format_ is MessageFormat.UNKNOWN:
        raise InputError("format", "must be a known message format")
    return format_


class _TemplateId(Input):
    id: SmscId


class UpdateTemplateById(UpdateTemplate, _TemplateId):
    """Fields of a template to change; null or absent keeps a field."""

    # GraphQL's UpdateTemplateInput: REST's body, with the id REST takes from the path first.
    whole: ClassVar[str] = "input"

    def to_domain(self) -> templates.TemplateChanges:
        require_id(self.id, "id")
        return super().to_domain()


__all__ = ["CreateTemplate", "MessageSegments", "Template", "UpdateTemplate", "UpdateTemplateById"]
