"""Contacts (phones.php `add`, `chg`, `del`, `get`)."""

import dataclasses
import datetime as dt


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    """One contact as SMSC lists it; `client_id` is the client's own id (`myid`)."""

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


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ContactDraft:
    """A contact to create."""

    phones: tuple[str, ...]
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


def page_key(contact: Contact) -> str:
    """What names a contact in a page cursor: its first phone, which no other contact holds
    (SMSC addresses contacts by phone); "-" keeps a malformed record pageable."""
    return contact.phones[0] if contact.phones else "-"


def listed(draft: ContactDraft) -> Contact:
    """The contact as SMSC lists it after creating `draft` (phones without a leading +)."""
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
    )


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ContactChanges:
    """The fields of a contact to change; `None` leaves a field as it is."""

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


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ContactQuery:
    """Filters of a contact listing; all optional."""

    search: str | None = None
    group_id: str | None = None
    after_id: str | None = None
    count: int | None = None
