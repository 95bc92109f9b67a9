"""The phonebook (phones.php): a contact, and what creates, changes or regroups one.

A contact has no id of its own: any of its addresses finds it, a phone or, for an e-mail contact,
an e-mail address (a contact holds one kind: docs/smsc-wire.md). REST takes that address (and a
group's id) from the path; GraphQL's inputs carry them as a `phone` field, first (`...ByPhone`).
"""

import datetime as dt
from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Final, Self

from pydantic import Field

from facade.domain import contacts
from facade.domain.bounds import (
    MAX_CLIENT_ID_LENGTH,
    MAX_COMMENT_LENGTH,
    MAX_NAME_LENGTH,
    MAX_TAG_LENGTH,
)
from facade.domain.rules import (
    LINE_CHARACTER,
    VISIBLE_CHARACTER,
    changes_of_kind,
    emails,
    ids,
    lines,
    one_kind_of_address,
    optional_birthday,
    optional_line,
    optional_lines,
    phones,
    require_id,
    require_listed_address,
)
from facade.errors import InputError
from facade.vocabulary.fields import (
    Address,
    Birthday,
    ClientId,
    Comment,
    Email,
    PersonName,
    Phone,
    SmscId,
    Tag,
    any_change,
    at_least_one,
    given,
    none,
    schema_of,
    some,
    whole,
)
from facade.vocabulary.shapes import ID, Input, Output, example


class Contact(Output):
    """A contact, as SMSC lists it: phones without a +."""

    model_config = example(
        {
            "phones": ["79161234567", "79261234567"],
            "name": "Ivan Ivanov",
            "groupIds": ["41", "42"],
            "firstName": "Ivan",
            "lastName": "Ivanov",
            "middleName": "Ivanovich",
            "birthday": "1985-05-15",
            "clientId": "crm-1",
            "comment": "A regular client",
            "tags": ["vip"],
            "otherPhones": ["74951234567"],
            "emails": [],
            "otherEmails": [],
        }
    )

    phones: list[str]
    name: str | None
    group_ids: list[ID]
    first_name: str | None
    last_name: str | None
    middle_name: str | None
    birthday: dt.date | None
    client_id: str | None = Field(description="The client's own id (SMSC's `myid`).")
    comment: str | None
    tags: list[str]
    other_phones: list[str]
    emails: list[str] = Field(description="An e-mail contact's addresses (its `phones` is empty).")
    other_emails: list[str] = Field(
        description="An e-mail contact's other addresses, which get no messages."
    )

    @classmethod
    def from_domain(cls, contact: contacts.Contact) -> Self:
        return cls(
            phones=list(contact.phones),
            name=contact.name,
            group_ids=[ID(id) for id in contact.group_ids],
            first_name=contact.first_name,
            last_name=contact.last_name,
            middle_name=contact.middle_name,
            birthday=contact.birthday,
            client_id=contact.client_id,
            comment=contact.comment,
            tags=list(contact.tags),
            other_phones=list(contact.other_phones),
            emails=list(contact.emails),
            other_emails=list(contact.other_emails),
        )


_TAG_SEPARATORS = frozenset(",;")
# What each tag is besides a line (`_tags` checks it): not blank, no separator.
_TAGS: Final[dict[str, Any]] = {
    "items": {
        **schema_of(Tag),
        "pattern": whole(
            "{0}*{1}{0}*".format(
                *(
                    class_.replace("[^", "[^" + "".join(sorted(_TAG_SEPARATORS)))
                    for class_ in (LINE_CHARACTER, VISIBLE_CHARACTER)
                )
            )
        ),
    }
}


# A contact holds phones or e-mail addresses, never both (docs/smsc-wire.md): what a new one is
# given, and what a change may touch. Which kind a change is for follows from the address that
# finds the contact (`changes_of_kind`), which JSON Schema cannot tie to the body.
_ONE_KIND: Final = {
    "oneOf": [
        {"allOf": [some("phones"), none("emails"), none("otherEmails")]},
        {"allOf": [some("emails"), none("phones"), none("otherPhones")]},
    ]
}
_ONE_KIND_OF_CHANGE: Final = {
    "not": {
        "allOf": [
            {"anyOf": [given("newPhones"), given("otherPhones")]},
            {"anyOf": [given("newEmails"), given("otherEmails")]},
        ]
    }
}


class CreateContact(Input):
    """A contact to create; its phones address it afterwards."""

    model_config = example(
        {
            "phones": ["79991234567"],
            "name": "Peter Sidorov",
            "groupIds": ["41"],
            "firstName": "Peter",
            "lastName": "Sidorov",
            "birthday": "1990-04-12",
            "tags": ["new"],
        },
        _ONE_KIND,
    )

    phones: list[Phone] = Field(default=[], description="A phone contact's phones.")
    name: PersonName | None = None
    group_ids: list[SmscId] = Field(default=[])
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    middle_name: PersonName | None = None
    birthday: Birthday | None = None
    client_id: ClientId | None = Field(default=None, description="Your own id for it.")
    comment: Comment | None = None
    tags: list[Tag] = Field(default=[], json_schema_extra=_TAGS)
    other_phones: list[Phone] = Field(default=[])
    emails: list[Email] = Field(default=[], description="An e-mail contact's addresses.")
    other_emails: list[Email] = Field(default=[])

    def to_domain(self) -> contacts.ContactDraft:
        draft = contacts.ContactDraft(
            phones=phones(self.phones, "phones"),
            name=optional_line(self.name, "name", MAX_NAME_LENGTH),
            group_ids=ids(self.group_ids, "groupIds"),
            first_name=optional_line(self.first_name, "firstName", MAX_NAME_LENGTH),
            last_name=optional_line(self.last_name, "lastName", MAX_NAME_LENGTH),
            middle_name=optional_line(self.middle_name, "middleName", MAX_NAME_LENGTH),
            birthday=optional_birthday(self.birthday, "birthday"),
            client_id=optional_line(self.client_id, "clientId", MAX_CLIENT_ID_LENGTH),
            comment=optional_lines(self.comment, "comment", MAX_COMMENT_LENGTH),
            tags=_tags(lines(self.tags, "tags", MAX_TAG_LENGTH)),
            other_phones=phones(self.other_phones, "otherPhones"),
            emails=emails(self.emails, "emails"),
            other_emails=emails(self.other_emails, "otherEmails"),
        )
        one_kind_of_address(draft.phones, draft.emails, "emails")
        if not draft.phones and not draft.emails:
            raise InputError("phones", "give at least one phone or e-mail address")
        if draft.emails and draft.other_phones:
            raise InputError("otherPhones", "an e-mail contact has no phones")
        if draft.phones and draft.other_emails:
            raise InputError("otherEmails", "a phone contact has no e-mail addresses")
        return draft


class UpdateContact(Input):
    """Fields of a contact to change; null or absent keeps a field, an empty string or list
    clears it."""

    model_config = example(
        {"comment": "Call after 18:00", "tags": ["vip", "evening"]}, any_change, _ONE_KIND_OF_CHANGE
    )
    whole: ClassVar[str] = "body"

    new_phones: Annotated[list[Phone], at_least_one("phone")] | None = Field(
        default=None, description="Replaces all its phones."
    )
    name: PersonName | None = None
    group_ids: list[SmscId] | None = None
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    middle_name: PersonName | None = None
    birthday: Birthday | None = None
    client_id: ClientId | None = None
    comment: Comment | None = None
    tags: list[Tag] | None = Field(default=None, json_schema_extra=_TAGS)
    other_phones: list[Phone] | None = None
    new_emails: Annotated[list[Email], at_least_one("e-mail address")] | None = Field(
        default=None, description="Replaces all the addresses of an e-mail contact."
    )
    other_emails: list[Email] | None = None

    def to_domain(self) -> contacts.ContactChanges:
        """An empty string or list clears a field; `None` keeps it."""
        return self._changes()

    def _changes(self) -> contacts.ContactChanges:
        changes = contacts.ContactChanges(
            new_phones=None if self.new_phones is None else phones(self.new_phones, "newPhones"),
            name=optional_line(self.name, "name", MAX_NAME_LENGTH),
            group_ids=None if self.group_ids is None else ids(self.group_ids, "groupIds"),
            first_name=optional_line(self.first_name, "firstName", MAX_NAME_LENGTH),
            last_name=optional_line(self.last_name, "lastName", MAX_NAME_LENGTH),
            middle_name=optional_line(self.middle_name, "middleName", MAX_NAME_LENGTH),
            birthday=optional_birthday(self.birthday, "birthday"),
            client_id=optional_line(self.client_id, "clientId", MAX_CLIENT_ID_LENGTH),
            comment=optional_lines(self.comment, "comment", MAX_COMMENT_LENGTH),
            tags=None if self.tags is None else _tags(lines(self.tags, "tags", MAX_TAG_LENGTH)),
            other_phones=None
            if self.other_phones is None
            else phones(self.other_phones, "otherPhones"),
            new_emails=None if self.new_emails is None else emails(self.new_emails, "newEmails"),
            other_emails=None
            if self.other_emails is None
            else emails(self.other_emails, "otherEmails"),
        )
        if changes == contacts.ContactChanges():
            raise InputError(self.whole, "give at least one field to change")
        if changes.new_phones is not None and not changes.new_phones:
            raise InputError("newPhones", "give at least one phone")
        return changes

    def path_rules(self, path: Any) -> None:
        self.of(path.phone)

    def of(self, address: str) -> contacts.ContactChanges:
        """The changes to the contact `address` finds: of its kind (an e-mail contact's
        addresses, or a phone contact's phones), checked before anything is sent."""
        return changes_of_kind(address, self._changes(), self.whole)


def _tags(tags: Sequence[str]) -> tuple[str, ...]:
    """SMSC takes a contact's tags as one comma-separated value: none may be blank or hold a
    separator (a line break is refused already, as in any line)."""
    for tag in tags:
        if not tag.strip():
            raise InputError("tags", "must not be blank")
        if _TAG_SEPARATORS & set(tag):
            raise InputError("tags", f"{tag!r} contains a separator character")
    return tuple(tags)


class _ContactPhone(Input):
    phone: Address = Field(description="Any phone or e-mail address of the contact.")


class UpdateContactByPhone(UpdateContact, _ContactPhone):
    """Fields of a contact to change; null or absent keeps a field, an empty string or list
    clears it."""

    whole: ClassVar[str] = "input"

    def target(self) -> str:
        """The address that finds the contact."""
        return require_listed_address(self.phone, "phone")

    def to_domain(self) -> contacts.ContactChanges:
        return self.of(self.target())


class _ContactInGroup(_ContactPhone):
    """A contact and one group: GraphQL's inputs (REST's path)."""

    group_id: SmscId

    def to_domain(self) -> tuple[str, str]:
        return require_listed_address(self.phone, "phone"), require_id(self.group_id, "groupId")


class AddContactToGroup(_ContactInGroup):
    """Put a contact in one more group."""


class RemoveContactFromGroup(_ContactInGroup):
    """Take a contact out of one group."""


class MoveContactToGroup(_ContactInGroup):
    """Make one group the contact's only group."""


__all__ = [
    "AddContactToGroup",
    "Contact",
    "CreateContact",
    "MoveContactToGroup",
    "RemoveContactFromGroup",
    "UpdateContact",
    "UpdateContactByPhone",
]
