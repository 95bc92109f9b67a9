"""`/v1/contacts`: the phonebook (phones.php), the same calls as GraphQL's contacts and contact
mutations. A contact has no id of its own: any of its `phones` addresses it, given as SMSC
lists it (a leading + is accepted and dropped).

A contact's JSON is GraphQL's `Contact` without `groups`: `groupIds` name its groups, which
`/v1/groups` describes (embedding them would cost every contact read a second listing).
"""

from typing import Annotated

from pydantic import AfterValidator, Field

from facade.domain import contacts
from facade.domain.contacts import Contact as DomainContact
from facade.domain.contacts import ContactQuery
from facade.domain.groups import GroupMove
from facade.domain.rules import require_listed_address, search_text
from facade.errors import ErrorCode, NotFoundError, RateLimitedError, UpstreamError
from facade.rest.inputs import SmscId
from facade.rest.links import segment
from facade.rest.operations import Call, NoParams, Params, Reply, Resource
from facade.rest.pagination import Page, PageQuery, page_reply
from facade.upstream.client import SmscClient
from facade.vocabulary.contacts import Contact, CreateContact, UpdateContact
from facade.vocabulary.fields import Address, SearchText
from facade.vocabulary.paging import CONTACTS, paginate

PREFIX = "/v1/contacts"
TTL = "phones.get"

resource = Resource(
    PREFIX,
    tag="Contacts",
    description="The phonebook. A contact is addressed by any of its phones; `groupIds` name "
    "its groups (see /v1/groups).",
    examples={"phone": "79161234567", "groupId": "42"},
)


def _phone(value: str) -> str:
    return require_listed_address(value, "phone")


ListedPhone = Annotated[
    Address,
    AfterValidator(_phone),
    Field(
        description="Any phone of the contact (10-15 digits, optionally after +), or any e-mail "
        "address of an e-mail contact."
    ),
]


class PhonePath(Params):
    phone: ListedPhone


class ContactGroupPath(Params):
    phone: ListedPhone
    group_id: Annotated[SmscId, Field(description="The group's id: ASCII digits.")]


def _search(value: str | None) -> str | None:
    return search_text(value)


class _Search(Params):
    search: Annotated[SearchText | None, AfterValidator(_search)] = Field(
        default=None, description="Only contacts matching this text."
    )


class ContactsQuery(PageQuery, _Search):
    """`search`, then the page: a bad `search` is the fault named first, as in GraphQL."""


@resource.get(
    "",
    "listContacts",
    "Contacts, optionally those matching `search`, a page at a time.",
    response=Page[Contact],
    cache=TTL,
)
async def list_contacts(call: Call[NoParams, ContactsQuery, None]) -> Reply:
    request = call.query.page(CONTACTS)  # a bad cursor is refused before any request
    fetched = await call.smsc.contacts(ContactQuery(search=call.query.search))
    page = paginate(fetched.value, CONTACTS, request)
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
    location = f"{PREFIX}/{segment(contacts.addresses(listed)[0])}"
    return Reply.created(Contact.from_domain(listed), location)


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
    changes = call.body.of(call.path.phone)
    await call.smsc.update_contact(call.path.phone, changes)
    found = await _listed(call.smsc, contacts.address_after(call.path.phone, changes))
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


def _holding(found: list[DomainContact], address: str) -> DomainContact | None:
    return next((c for c in found if contacts.is_found_by(c, address)), None)


async def _listed(smsc: SmscClient, phone: str) -> DomainContact | None:
    """The contact after a change; None when the list cannot say (the change stands)."""
    try:
        fetched = await smsc.contacts()
    except (RateLimitedError, UpstreamError):
        return None
    return _holding(fetched.value, phone)
