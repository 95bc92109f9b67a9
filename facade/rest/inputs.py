"""Path parameters and request bodies; `to_domain()` applies the shared input rules.

pydantic checks shapes and types (a wrong type or an unknown field is INVALID_INPUT naming
it); the rules every API applies (`facade.domain.rules`, and the SMSC command builders that
`SmscClient` runs before any I/O) check the values, exactly as GraphQL's inputs do.
"""

import enum
from typing import Annotated

from pydantic import AfterValidator, Field

from facade.domain import groups, templates
from facade.domain.rules import optional_sender, require_id, require_message, require_sender
from facade.errors import InputError
from facade.rest.operations import Body, Params
from facade.rest.serialize import MessageFormat


def _id(value: str) -> str:
    return require_id(value, "id")


SmscId = Annotated[str, AfterValidator(_id), Field(description="An SMSC id: ASCII digits.")]


class IdPath(Params):
    id: SmscId


# templates


class CreateTemplate(Body):
    """A message template to create."""

    name: str
    message: str = Field(description="At most 1,000 characters.")
    format: MessageFormat = MessageFormat.UNSPECIFIED
    sender: str | None = None
    auto_sign: bool = Field(default=False, description="Append the signature.")

    def to_domain(self) -> templates.TemplateDraft:
        return templates.TemplateDraft(
            name=self.name,
            message=require_message(self.message, "message"),
            format=templates.MessageFormat[self.format.name],
            sender=optional_sender(self.sender, "sender"),
            auto_sign=self.auto_sign,
        )


class UpdateTemplate(Body):
    """Fields of a template to change; null or absent keeps a field."""

    name: str | None = None
    message: str | None = None
    format: MessageFormat | None = None
    sender: str | None = Field(default=None, description="An empty string removes it.")
    auto_sign: bool | None = None

    def to_domain(self) -> templates.TemplateChanges:
        changes = templates.TemplateChanges(
            name=self.name,
            message=None if self.message is None else require_message(self.message, "message"),
            format=None if self.format is None else templates.MessageFormat[self.format.name],
            sender=require_sender(self.sender, "sender") if self.sender else self.sender,
            auto_sign=self.auto_sign,
        )
        if changes == templates.TemplateChanges():
            raise InputError("body", "give at least one field to change")
        return changes


# groups


class GroupKind(enum.StrEnum):
    """What a group holds."""

    PHONES = "PHONES"
    EMAILS = "EMAILS"


class CreateGroup(Body):
    """A contact group to create."""

    name: str
    number: int | None = Field(
        default=None, description="Its short number, unique in the account (G<number> in jobs)."
    )
    kind: GroupKind = GroupKind.PHONES

    def to_domain(self) -> groups.GroupDraft:
        return groups.GroupDraft(
            name=self.name, number=self.number, kind=groups.GroupKind[self.kind.name]
        )


class RenameGroup(Body):
    """A group's new name."""

    name: str


__all__ = [
    "CreateGroup",
    "CreateTemplate",
    "GroupKind",
    "IdPath",
    "RenameGroup",
    "SmscId",
    "UpdateTemplate",
]
