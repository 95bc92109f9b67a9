"""Path parameters and request bodies; `to_domain()` applies the shared input rules.

pydantic checks shapes and types (a wrong type or an unknown field is INVALID_INPUT naming
it); the rules every API applies (`facade.domain.rules`, and the SMSC command builders that
`SmscClient` runs before any I/O) check the values, exactly as GraphQL's inputs do.
"""

import enum
from typing import Annotated

from pydantic import AfterValidator, Field

from facade.domain import drafts, groups, templates
from facade.domain.bounds import MAX_ID_DIGITS
from facade.domain.rules import require_id
from facade.rest.operations import Body, Params, example
from facade.rest.serialize import MessageFormat


def _id(value: str) -> str:
    return require_id(value, "id")


SmscId = Annotated[
    str,
    AfterValidator(_id),
    Field(description=f"An SMSC id: 1 to {MAX_ID_DIGITS} ASCII digits."),
]


class IdPath(Params):
    id: SmscId


# templates


class CreateTemplate(Body):
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


class UpdateTemplate(Body):
    """Fields of a template to change; null or absent keeps a field."""

    model_config = example(
        {"message": "Hello, {name}! See you on {date} at {time}.", "autoSign": True}
    )

    name: str | None = None
    message: str | None = None
    format: MessageFormat | None = None
    sender: str | None = Field(default=None, description="An empty string removes it.")
    auto_sign: bool | None = None

    def to_domain(self) -> templates.TemplateChanges:
        return drafts.template_changes(self, "body")


# groups


class GroupKind(enum.StrEnum):
    """What a group holds."""

    PHONES = "PHONES"
    EMAILS = "EMAILS"


class CreateGroup(Body):
    """A contact group to create."""

    model_config = example({"name": "New clients", "number": 400})

    name: str
    number: int | None = Field(
        default=None, description="Its short number, unique in the account (G<number> in jobs)."
    )
    kind: GroupKind = GroupKind.PHONES

    def to_domain(self) -> groups.GroupDraft:
        return drafts.group_draft(self)


class RenameGroup(Body):
    """A group's new name."""

    model_config = example({"name": "VIP clients, 2025"})

    name: str

    def to_domain(self) -> str:
        return drafts.group_name(self.name)


__all__ = [
    "CreateGroup",
    "CreateTemplate",
    "GroupKind",
    "IdPath",
    "RenameGroup",
    "SmscId",
    "UpdateTemplate",
]
