"""The mutations' inputs; `to_domain()` validates one completely before anything is sent.

`to_domain()` checks what the SMSC command builders leave open (phone and sender shapes, the
length of each text) and then builds the command, whose encoders refuse whatever SMSC could not
be told. Either way the `InputError` names a camelCase path inside the argument: `phones[2]`,
`otherPhones[0]`, `groupIds[1]`; a rule about a whole field names the field alone.
createJob's inputs are in facade.graphql.job_inputs, which shares the checks defined here.
`CheckedArguments` runs them on a mutation's arguments before idempotency and the client.
"""

import datetime as dt
import enum
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from facade.domain import blacklist, contacts, drafts, groups, templates
from facade.domain.rules import (
    optional_sender,
    require_id,
    require_listed_phone,
    require_message,
    require_phone,
    require_sender,
)
from facade.graphql.types import BlockScope, MessageFormat
from facade.smsc import commands

__all__ = [
    "optional_sender",
    "require_listed_phone",
    "require_message",
    "require_phone",
    "require_sender",
]


# templates


@strawberry.input(description="A message template to create.")
class CreateTemplateInput:
    name: str
    message: str = strawberry.field(description="At most 1,000 characters.")
    format: MessageFormat = MessageFormat.UNSPECIFIED
    sender: str | None = None
    auto_sign: bool = strawberry.field(default=False, description="Append the signature.")

    def to_domain(self) -> templates.TemplateDraft:
        draft = drafts.template_draft(self)
        commands.add_template(draft)
        return draft


@strawberry.input(description="Fields of a template to change; null or absent keeps a field.")
class UpdateTemplateInput:
    id: strawberry.ID
    name: str | None = None
    message: str | None = None
    format: MessageFormat | None = None
    sender: str | None = strawberry.field(default=None, description="An empty string removes it.")
    auto_sign: bool | None = None

    def to_domain(self) -> templates.TemplateChanges:
        changes = drafts.template_changes(self, "input")
        commands.change_template(require_id(self.id, "id"), changes)
        return changes


# contacts


@strawberry.input(description="A contact to create; its phones address it afterwards.")
class CreateContactInput:
    phones: list[str]
    name: str | None = None
    group_ids: list[strawberry.ID] = strawberry.field(default_factory=list)
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birthday: dt.date | None = None
    client_id: str | None = strawberry.field(default=None, description="Your own id for it.")
    comment: str | None = None
    tags: list[str] = strawberry.field(default_factory=list)
    other_phones: list[str] = strawberry.field(default_factory=list)

    def to_domain(self) -> contacts.ContactDraft:
        draft = drafts.contact_draft(self)
        commands.add_contact(draft)
        return draft


@strawberry.input(
    description="Fields of a contact to change; null or absent keeps a field, an empty string "
    "or list clears it."
)
class UpdateContactInput:
    phone: str = strawberry.field(description="Any phone of the contact.")
    new_phones: list[str] | None = strawberry.field(
        default=None, description="Replaces all its phones."
    )
    name: str | None = None
    group_ids: list[strawberry.ID] | None = None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birthday: dt.date | None = None
    client_id: str | None = None
    comment: str | None = None
    tags: list[str] | None = None
    other_phones: list[str] | None = None

    def to_domain(self) -> tuple[str, contacts.ContactChanges]:
        """The phone that finds the contact, and what to change."""
        phone = require_listed_phone(self.phone, "phone")
        changes = drafts.contact_changes(self, "input")
        commands.change_contact(phone, changes)
        return phone, changes


def _contact_group(phone: str, group_id: str) -> tuple[str, str]:
    return require_listed_phone(phone, "phone"), require_id(group_id, "groupId")


@strawberry.input(description="Put a contact in one more group.")
class AddContactToGroupInput:
    phone: str = strawberry.field(description="Any phone of the contact.")
    group_id: strawberry.ID

    def to_domain(self) -> tuple[str, str]:
        return _contact_group(self.phone, self.group_id)


@strawberry.input(description="Take a contact out of one group.")
class RemoveContactFromGroupInput:
    phone: str = strawberry.field(description="Any phone of the contact.")
    group_id: strawberry.ID

    def to_domain(self) -> tuple[str, str]:
        return _contact_group(self.phone, self.group_id)


@strawberry.input(description="Make one group the contact's only group.")
class MoveContactToGroupInput:
    phone: str = strawberry.field(description="Any phone of the contact.")
    group_id: strawberry.ID

    def to_domain(self) -> tuple[str, str]:
        return _contact_group(self.phone, self.group_id)


# groups and the blacklist


@strawberry.enum(description="What a group holds.")
class GroupKind(enum.Enum):
    PHONES = "PHONES"
    EMAILS = "EMAILS"


@strawberry.input(description="A contact group to create.")
class CreateGroupInput:
    name: str
    number: int | None = strawberry.field(
        default=None, description="Its short number, unique in the account (G<number> in jobs)."
    )
    kind: GroupKind = GroupKind.PHONES

    def to_domain(self) -> groups.GroupDraft:
        draft = drafts.group_draft(self)
        commands.add_group(draft)
        return draft


@strawberry.input(description="A group's new name.")
class RenameGroupInput:
    id: strawberry.ID
    name: str

    def to_domain(self) -> tuple[str, str]:
        id, name = require_id(self.id, "id"), drafts.group_name(self.name)
        commands.rename_group(id, name)
        return id, name


@strawberry.input(description="A phone that should not get messages.")
class AddToBlacklistInput:
    phone: str
    scope: BlockScope = BlockScope.ALL
    comment: str | None = None

    def to_domain(self) -> blacklist.BlacklistDraft:
        draft = drafts.blacklist_draft(self)
        commands.add_to_blacklist(draft)
        return draft


# Mutation arguments of their own (not inside an `input`), by name: the rule each is held to.
_BARE_ARGUMENTS: Final[Mapping[str, Callable[[str, str], str]]] = {
    "id": require_id,
    "phone": require_listed_phone,
}


def check_arguments(arguments: Mapping[str, Any]) -> None:
    """Every argument of a mutation validated: an input by its `to_domain()`, an `id` or a
    `phone` by its rule; the first fault is an `InputError`."""
    for name, value in arguments.items():
        rule = _BARE_ARGUMENTS.get(name)
        to_domain = getattr(value, "to_domain", None)
        if rule is not None and isinstance(value, str):
            rule(value, name)
        elif callable(to_domain):
            to_domain()


class CheckedArguments(FieldExtension):
    """Validates a mutation's arguments before anything else runs on them (idempotency, whose
    fingerprint holds them; the client), so that a bad value is refused the same way with or
    without an idempotency key. The resolver converts them again, which costs little."""

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Any, Any],
        **kwargs: Any,
    ) -> Any:
        check_arguments(kwargs)
        return await next_(source, info, **kwargs)


__all__ = [
    "AddContactToGroupInput",
    "AddToBlacklistInput",
    "CheckedArguments",
    "CreateContactInput",
    "CreateGroupInput",
    "CreateTemplateInput",
    "GroupKind",
    "MoveContactToGroupInput",
    "RemoveContactFromGroupInput",
    "RenameGroupInput",
    "UpdateContactInput",
    "UpdateTemplateInput",
    "check_arguments",
    "optional_sender",
    "require_listed_phone",
    "require_message",
    "require_phone",
    "require_sender",
]
