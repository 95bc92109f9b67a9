"""The mutations' inputs; `to_domain()` validates one completely before anything is sent.

`to_domain()` checks what the SMSC command builders leave open (phone and sender shapes, the
length of each text) and then builds the command, whose encoders refuse whatever SMSC could not
be told. Either way the `InputError` names a camelCase path inside the argument: `phones[2]`,
`otherPhones[0]`, `groupIds[1]`; a rule about a whole field names the field alone.
createJob's inputs are in facade.graphql.job_inputs, which shares the checks defined here.
"""

import datetime as dt
import enum

import strawberry

from facade.domain import blacklist, contacts, groups, templates
from facade.domain.rules import ids as _ids
from facade.domain.rules import (
    optional_sender,
    require_id,
    require_listed_phone,
    require_message,
    require_phone,
    require_sender,
)
from facade.domain.rules import phones as _phones
from facade.errors import InputError
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
        draft = templates.TemplateDraft(
            name=self.name,
            message=require_message(self.message, "message"),
            format=templates.MessageFormat[self.format.name],
            sender=optional_sender(self.sender, "sender"),
            auto_sign=self.auto_sign,
        )
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
        changes = templates.TemplateChanges(
            name=self.name,
            message=None if self.message is None else require_message(self.message, "message"),
            format=None if self.format is None else templates.MessageFormat[self.format.name],
            sender=require_sender(self.sender, "sender") if self.sender else self.sender,
            auto_sign=self.auto_sign,
        )
        if changes == templates.TemplateChanges():
            raise InputError("input", "give at least one field to change")
        commands.change_template(self.id, changes)
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
        draft = contacts.ContactDraft(
            phones=_phones(self.phones, "phones"),
            name=self.name,
            group_ids=_ids(self.group_ids, "groupIds"),
            first_name=self.first_name,
            last_name=self.last_name,
            middle_name=self.middle_name,
            birthday=self.birthday,
            client_id=self.client_id,
            comment=self.comment,
            tags=tuple(self.tags),
            other_phones=_phones(self.other_phones, "otherPhones"),
        )
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
        changes = contacts.ContactChanges(
            new_phones=None if self.new_phones is None else _phones(self.new_phones, "newPhones"),
            name=self.name,
            group_ids=None if self.group_ids is None else _ids(self.group_ids, "groupIds"),
            first_name=self.first_name,
            last_name=self.last_name,
            middle_name=self.middle_name,
            birthday=self.birthday,
            client_id=self.client_id,
            comment=self.comment,
            tags=None if self.tags is None else tuple(self.tags),
            other_phones=None
            if self.other_phones is None
            else _phones(self.other_phones, "otherPhones"),
        )
        if changes == contacts.ContactChanges():
            raise InputError("input", "give at least one field to change")
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
        draft = groups.GroupDraft(
            name=self.name, number=self.number, kind=groups.GroupKind[self.kind.name]
        )
        commands.add_group(draft)
        return draft


@strawberry.input(description="A group's new name.")
class RenameGroupInput:
    id: strawberry.ID
    name: str

    def to_domain(self) -> tuple[str, str]:
        commands.rename_group(self.id, self.name)
        return self.id, self.name


@strawberry.input(description="A phone that should not get messages.")
class AddToBlacklistInput:
    phone: str
    scope: BlockScope = BlockScope.ALL
    comment: str | None = None

    def to_domain(self) -> blacklist.BlacklistDraft:
        draft = blacklist.BlacklistDraft(
            phone=require_phone(self.phone, "phone"),
            scope=blacklist.BlockScope[self.scope.name],
            comment=self.comment,
        )
        commands.add_to_blacklist(draft)
        return draft


__all__ = [
    "AddContactToGroupInput",
    "AddToBlacklistInput",
    "CreateContactInput",
    "CreateGroupInput",
    "CreateTemplateInput",
    "GroupKind",
    "MoveContactToGroupInput",
    "RemoveContactFromGroupInput",
    "RenameGroupInput",
    "UpdateContactInput",
    "UpdateTemplateInput",
    "optional_sender",
    "require_listed_phone",
    "require_message",
    "require_phone",
    "require_sender",
]
