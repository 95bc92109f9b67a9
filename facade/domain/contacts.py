"""Contacts (phones.php `add`, `chg`, `del`, `get`).

A contact holds phones or e-mail addresses, never both (docs/smsc-wire.md, "phones.php get=1",
an assumption); any one of them is its address, what finds it for a change, a deletion or a move.
"""

import collections
import dataclasses
import datetime as dt
import itertools
import operator
from collections.abc import Iterable, Sequence
from typing import Final


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    """One contact as SMSC lists it; `client_id` is the client's own id (`myid`). An e-mail
    contact has `emails` (and `other_emails`) where a phone contact has `phones`."""

    phones: tuple[str, ...]
    name: str | None
    group_ids: tuple[str, ...]
    first_name: str | None
    last_name: str | None
    middle_name: str | None
    birthday: dt.date | None
    client_id: str | None
    comment: str | None
    tags: tuple[str, ...]
    other_phones: tuple[str, ...]
    emails: tuple[str, ...] = ()
    other_emails: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ContactDraft:
    """A contact to create: with `phones`, or with `emails` (an e-mail contact), not both."""

    phones: tuple[str, ...] = ()
    name: str | None = None
    group_ids: tuple[str, ...] = ()
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birthday: dt.date | None = None
    client_id: str | None = None
    comment: str | None = None
    tags: tuple[str, ...] = ()
    other_phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    other_emails: tuple[str, ...] = ()


def address_after(address: str, changes: "ContactChanges") -> str:
    """The address that finds the contact `address` found once `changes` are made: its first
    new phone (without +) or e-mail address, or `address` itself."""
    if changes.new_phones:
        return changes.new_phones[0].removeprefix("+")
    if changes.new_emails:
        return changes.new_emails[0]
    return address


def is_email(address: str) -> bool:
    """Whether an address (of a contact or a blacklist entry) is an e-mail address rather than
    a phone: it holds an "@", which no phone does."""
    return "@" in address


# Contact's slot setters in field order: what its frozen dataclass `__init__` calls, through
# `object.__setattr__`, and all it does (no `__post_init__`, no defaults).
_SLOT_SETTERS: Final = tuple(
    getattr(Contact, field.name).__set__ for field in dataclasses.fields(Contact)
)


def contacts_from_rows(rows: Iterable[Sequence[object]]) -> list[Contact]:
    """`Contact(...)` of each row of field values in field order, for a whole phonebook.

    The same contacts as keyword calls make (tests/domain checks that), at about half the cost:
    a list of 100,000 contacts is parsed in one go, and the calls were a fifth of the parse.
    """
    made = []
    for row in rows:
        if len(row) != len(_SLOT_SETTERS):
            raise ValueError(f"a contact has {len(_SLOT_SETTERS)} fields, not {len(row)}")
        contact = object.__new__(Contact)
        setting = map(operator.call, _SLOT_SETTERS, itertools.repeat(contact), row)
        collections.deque(setting, maxlen=0)
        made.append(contact)
    return made


def addresses(contact: Contact) -> tuple[str, ...]:
    """What finds `contact`: each of its phones and e-mail addresses (its other ones do not)."""
    return contact.phones + contact.emails


def is_found_by(contact: Contact, address: str) -> bool:
    """Whether `address` finds `contact`: one of its phones, with or without a leading +, or
    one of its e-mail addresses as listed."""
    if is_email(address):
        return address in contact.emails
    return address.removeprefix("+") in contact.phones


def page_key(contact: Contact) -> str:
    """What names a contact in a page cursor: its first address (phone, else e-mail address),
    which no other contact holds; "-" keeps a malformed record pageable."""
    found = addresses(contact)
    return found[0] if found else "-"


def listed(draft: ContactDraft) -> Contact:
    """The contact as SMSC lists it after creating `draft` (phones without a leading +,
    e-mail addresses as given)."""
    return Contact(
        phones=tuple(phone.removeprefix("+") for phone in draft.phones),
        name=draft.name or None,
        group_ids=draft.group_ids,
        first_name=draft.first_name or None,
        last_name=draft.last_name or None,
        middle_name=draft.middle_name or None,
        birthday=draft.birthday,
        client_id=draft.client_id or None,
        comment=draft.comment or None,
        tags=draft.tags,
        other_phones=tuple(phone.removeprefix("+") for phone in draft.other_phones),
        emails=draft.emails,
        other_emails=draft.other_emails,
    )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ContactChanges:
    """The fields of a contact to change; `None` leaves a field as it is. `new_emails` and
    `other_emails` change an e-mail contact, `new_phones` and `other_phones` a phone contact."""

    new_phones: tuple[str, ...] | None = None
    name: str | None = None
    group_ids: tuple[str, ...] | None = None
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birthday: dt.date | None = None
    client_id: str | None = None
    comment: str | None = None
    tags: tuple[str, ...] | None = None
    other_phones: tuple[str, ...] | None = None
    new_emails: tuple[str, ...] | None = None
    other_emails: tuple[str, ...] | None = None


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ContactQuery:
    """Filters of a contact listing; all optional."""

    search: str | None = None
    group_id: str | None = None
    after_id: str | None = None
    count: int | None = None
