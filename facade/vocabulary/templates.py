"""Templates (templates.php): a template, its SMS segments, and what creates or changes one."""

from typing import ClassVar, Self

from pydantic import Field

from facade.domain import drafts, segments, templates
from facade.domain.rules import require_id
from facade.domain.segments import SmsEncoding
from facade.domain.templates import MessageFormat
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


class CreateTemplate(Input):
    """A message template to create."""

    model_config = example(
        {
            "name": "Confirmation code",
            "message": "Your code: {code}. Do not share it.",
            "format": "SMS",
            "sender": "Bank",
        }
    )

    name: str
    message: str = Field(description="At most 1,000 characters.")
    format: MessageFormat = MessageFormat.UNSPECIFIED
    sender: str | None = None
    auto_sign: bool = Field(default=False, description="Append the signature.")

    def to_domain(self) -> templates.TemplateDraft:
        return drafts.template_draft(self)


class UpdateTemplate(Input):
    """Fields of a template to change; null or absent keeps a field."""

    model_config = example(
        {"message": "Hello, {name}! See you on {date} at {time}.", "autoSign": True}
    )

    # What a rule about the whole change names: the protocol's word for it.
    whole: ClassVar[str] = "body"

    name: str | None = None
    message: str | None = None
    format: MessageFormat | None = None
    sender: str | None = Field(default=None, description="An empty string removes it.")
    auto_sign: bool | None = None

    def to_domain(self) -> templates.TemplateChanges:
        return drafts.template_changes(self, self.whole)


class _TemplateId(Input):
    id: ID


class UpdateTemplateById(UpdateTemplate, _TemplateId):
    """Fields of a template to change; null or absent keeps a field."""

    # GraphQL's UpdateTemplateInput: REST's body, with the id REST takes from the path first.
    whole: ClassVar[str] = "input"

    def to_domain(self) -> templates.TemplateChanges:
        require_id(self.id, "id")
        return super().to_domain()


__all__ = ["CreateTemplate", "MessageSegments", "Template", "UpdateTemplate", "UpdateTemplateById"]
