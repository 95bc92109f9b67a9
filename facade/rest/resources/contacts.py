"""`/v1/contacts`: the phonebook (phones.php), the same calls as GraphQL's contacts and contact
mutations. A contact has no id of its own: any of its `phones` addresses it, given as SMSC
lists it (a leading + is accepted and dropped).

A contact's JSON is GraphQL's `Contact` without `groups`: `groupIds` name its groups, which
`/v1/groups` describes (embedding them would cost every contact read a second listing).
"""

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field

from facade.domain import contacts, drafts
from facade.domain.contacts import Contact as DomainContact
from facade.domain.contacts import ContactQuery
from facade.domain.groups import GroupMove
from facade.domain.rules import require_id, require_listed_phone, search_text
from facade.errors import ErrorCode, NotFoundError, RateLimitedError, UpstreamError
from facade.rest.operations import (
    Body,
    Call,
    Model,
    NoParams,
    Params,
    Reply,
    Resource,
    example,
)
from facade.rest.pagination import Page, PageQuery, decode_cursor, page_reply, paginate
from facade.upstream.client import SmscClient

PREFIX = "/v1/contacts"
TTL = "phones.get"
KIND = "contact"

resource = Resource(
    PREFIX,
    tag="Contacts",
    description="The phonebook. A contact is addressed by any of its phones; `groupIds` name "
    "its groups (see /v1/groups).",
    examples={"phone": "79161234567", "groupId": "42"},
)


def _phone(value: str) -> str:
    return require_listed_phone(value, "phone")


def _group_id(value: str) -> str:
    return require_id(value, "groupId")


ListedPhone = Annotated[
    str,
    AfterValidator(_phone),
    Field(description="Any phone of the contact: 10-15 digits, optionally after +."),
]


class PhonePath(Params):
    phone: ListedPhone


class ContactGroupPath(Params):
    phone: ListedPhone
    group_id: Annotated[
        str, AfterValidator(_group_id), Field(description="The group's id: ASCII digits.")
    ]


def _search(value: str | None) -> str | None:
    return search_text(value)


class ContactsQuery(PageQuery):
    search: Annotated[str | None, AfterValidator(_search)] = Field(
        default=None, description="Only contacts matching this text."
    )


class Contact(Model):
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
        }
    )

    phones: list[str]
    name: str | None
    group_ids: list[str]
    first_name: str | None
    last_name: str | None
    middle_name: str | None
    birthday: dt.date | None
    client_id: str | None = Field(description="The client's own id (SMSC's `myid`).")
    comment: str | None
    tags: list[str]
    other_phones: list[str]

    @classmethod
    def from_domain(cls, contact: DomainContact) -> "Contact":
        return cls(
            phones=list(contact.phones),
            name=contact.name,
            group_ids=list(contact.group_ids),
            first_name=contact.first_name,
            last_name=contact.last_name,
            middle_name=contact.middle_name,
            birthday=contact.birthday,
            client_id=contact.client_id,
            comment=contact.comment,
            tags=list(contact.tags),
            other_phones=list(contact.other_phones),
        )


class CreateContact(Body):
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
        }
    )

    phones: list[str]
    name: str | None = None
    group_ids: list[str] = Field(default_factory=list)
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birthday: dt.date | None = None
    client_id: str | None = Field(default=None, description="Your own id for it.")
    comment: str | None = None
    tags: list[str] = Field(default_factory=list)
    other_phones: list[str] = Field(default_factory=list)

    def to_domain(self) -> contacts.ContactDraft:
        return drafts.contact_draft(self)


class UpdateContact(Body):
    """Fields of a contact to change; null or absent keeps a field, an empty string or list
    clears it."""

    model_config = example({"comment": "Call after 18:00", "tags": ["vip", "evening"]})

    new_phones: list[str] | None = Field(default=None, description="Replaces all its phones.")
    name: str | None = None
    group_ids: list[str] | None = None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birthday: dt.date | None = None
    client_id: str | None = None
    comment: str | None = None
    tags: list[str] | None = None
    other_phones: list[str] | None = None

    def to_domain(self) -> contacts.ContactChanges:
        return drafts.contact_changes(self, "body")


@resource.get(
    "",
    "listContacts",
    "Contacts, optionally those matching `search`, a page at a time.",
    response=Page[Contact],
    cache=TTL,
)
async def list_contacts(call: Call[NoParams, ContactsQuery, None]) -> Reply:
    if call.query.cursor is not None:
        decode_cursor(call.query.cursor, KIND)  # a bad cursor is refused before any request
    fetched = await call.smsc.contacts(ContactQuery(search=call.query.search))
    page = paginate(fetched.value, call.query, kind=KIND, key=contacts.page_key)
    return page_reply(Page[Contact], call, PREFIX, page, Contact.from_domain, fetched)


@resource.post(
    "",
    "createContact",
    "Create a contact.",
    response=Contact,
    status=201,
    errors=(ErrorCode.NOT_FOUND,),
    description="Answers the contact as SMSC lists it; `Location` is its first phone. A phone "
    "another contact holds is refused by SMSC (422); an unknown group is 404.",
)
async def create_contact(call: Call[NoParams, NoParams, CreateContact]) -> Reply:
    draft = call.body.to_domain()
    await call.smsc.create_contact(draft)
    listed = contacts.listed(draft)
    return Reply.created(Contact.from_domain(listed), f"{PREFIX}/{listed.phones[0]}")


@resource.get(
    "/{phone}",
    "getContact",
    "The contact holding a phone.",
    response=Contact,
    cache=TTL,
    errors=(ErrorCode.NOT_FOUND,),
)
async def get_contact(call: Call[PhonePath, NoParams, None]) -> Reply:
    fetched = await call.smsc.contacts()
    found = _holding(fetched.value, call.path.phone)
    if found is None:
        raise NotFoundError(f"No contact holds the phone {call.path.phone}.")
    return Reply.read(Contact.from_domain(found), fetched)


@resource.patch(
    "/{phone}",
    "updateContact",
    "Change fields of the contact holding a phone.",
    response=Contact,
    empty=(204,),
    errors=(ErrorCode.NOT_FOUND,),
    description="Answers the contact as the contact list now shows it, or 204 when the change "
    "was made but the list cannot be read now. After `newPhones`, its first one addresses it.",
)
async def update_contact(call: Call[PhonePath, NoParams, UpdateContact]) -> Reply:
    changes = call.body.to_domain()
    await call.smsc.update_contact(call.path.phone, changes)
    phone = changes.new_phones[0].removeprefix("+") if changes.new_phones else call.path.phone
    found = await _listed(call.smsc, phone)
    return Reply.no_content() if found is None else Reply(Contact.from_domain(found))


@resource.delete(
    "/{phone}",
    "deleteContact",
    "Delete the contact holding a phone.",
    status=204,
    errors=(ErrorCode.NOT_FOUND,),
)
async def delete_contact(call: Call[PhonePath, NoParams, None]) -> Reply:
    await call.smsc.delete_contact(call.path.phone)
    return Reply.no_content()


@resource.put(
    "/{phone}/groups/{groupId}",
    "addContactToGroup",
    "Put a contact in one more group.",
    status=204,
    errors=(ErrorCode.NOT_FOUND,),
    description="Idempotent: a contact already in the group stays in it.",
)
async def add_contact_to_group(call: Call[ContactGroupPath, NoParams, None]) -> Reply:
    await call.smsc.move_contact(call.path.phone, call.path.group_id, GroupMove.ADD)
    return Reply.no_content()


@resource.delete(
    "/{phone}/groups/{groupId}",
    "removeContactFromGroup",
    "Take a contact out of one group.",
    status=204,
    errors=(ErrorCode.NOT_FOUND,),
)
async def remove_contact_from_group(call: Call[ContactGroupPath, NoParams, None]) -> Reply:
    await call.smsc.move_contact(call.path.phone, call.path.group_id, GroupMove.REMOVE)
    return Reply.no_content()


def _holding(found: list[DomainContact], phone: str) -> DomainContact | None:
    return next((c for c in found if phone in c.phones), None)


async def _listed(smsc: SmscClient, phone: str) -> DomainContact | None:
    """The contact after a change; None when the list cannot say (the change stands)."""
    try:
        fetched = await smsc.contacts()
    except (RateLimitedError, UpstreamError):
        return None
    return _holding(fetched.value, phone)
