"""The emulator's in-memory records, one SMSC account's data, and how each record is rendered.

Field order and JSON types of each `*_record` follow docs/smsc-wire.md, "Lists" (the section is
named in each docstring). Times are Unix seconds, rendered in Moscow time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from facade.emulator.assumptions import DEFAULT_BALANCE
from facade.emulator.deliveries import MessageBook
from facade.emulator.render import Record, render_date_time


@dataclass(slots=True)
class Template:
    id: int
    name: str
    message: str
    format: str = ""
    sender: str = ""
    flag: int = 0


@dataclass(slots=True)
class Job:
    id: int
    name: str
    status: int
    created: float
    message: str
    cnt: int
    time: float | None = None
    options: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Contact:
    """A phone contact has `phones`, an e-mail contact `emails` instead, never both [A]."""

    id: int
    phones: list[str]
    name: str = ""
    groups: set[int] = field(default_factory=set)
    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    birthday: str = ""
    client_id: str = ""
    comment: str = ""
    tags: list[str] = field(default_factory=list)
    other_phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    other_emails: list[str] = field(default_factory=list)

    def searchable(self) -> str:
        """The text `phones.php?get=1&search=` looks in (docs/smsc-wire.md, "phones.php get")."""
        parts = [*self.phones, *self.emails, self.name, self.first_name, self.last_name]
        parts.append(self.middle_name)
        return "\n".join([*parts, self.comment, *self.tags]).casefold()


@dataclass(slots=True)
class Group:
    id: int
    name: str
    number: int | None = None
    type: int = 0


@dataclass(slots=True)
class BlacklistEntry:
    id: int
    phone: str
    type: int = 0
    comment: str = ""


@dataclass(slots=True)
class Answer:
    id: int
    received: float
    phone: str
    message: str
    to_phone: str = ""
    sent: float | None = None


@dataclass(slots=True)
class DownloadTask:
    id: int
    name: str
    status: int
    created: float
    time: float | None = None
    file: str = ""
    content: str = ""


@dataclass(slots=True)
class AccountData:
    """Everything one SMSC login owns; ids are allocated per account and never reused."""

    templates: dict[int, Template] = field(default_factory=dict)
    jobs: dict[int, Job] = field(default_factory=dict)
    contacts: dict[int, Contact] = field(default_factory=dict)
    groups: dict[int, Group] = field(default_factory=dict)
    blacklist: dict[int, BlacklistEntry] = field(default_factory=dict)
    # The e-mail blacklist: `phone` holds the address; ids are the blacklist's.
    email_blacklist: dict[int, BlacklistEntry] = field(default_factory=dict)
    answers: dict[int, Answer] = field(default_factory=dict)
    downloads: dict[int, DownloadTask] = field(default_factory=dict)
    messages: MessageBook = field(default_factory=MessageBook)
    # Every account starts with the same money, whatever its seed [A].
    balance: Decimal = Decimal(DEFAULT_BALANCE)
    credit: Decimal | None = None
    _ids: dict[str, itertools.count[int]] = field(default_factory=dict)

    def next_id(self, kind: str, *, start: int = 1) -> int:
        """A fresh id for `kind`; `start` only matters for the first id of that kind."""
        return next(self._ids.setdefault(kind, itertools.count(start)))

    def contact_by_phone(self, phone: str) -> Contact | None:
        return next((c for c in self.contacts.values() if phone in c.phones), None)

    def contact_by_email(self, email: str) -> Contact | None:
        return next((c for c in self.contacts.values() if email in c.emails), None)

    def group_size(self, group_id: int) -> int:
        return sum(group_id in contact.groups for contact in self.contacts.values())


def template_record(template: Template) -> Record:
    """`id, name, format, sender, flag, message`; id and flag numbers ("templates.php get")."""
    return (
        ("id", template.id),
        ("name", template.name),
        ("format", template.format),
        ("sender", template.sender),
        ("flag", template.flag),
        ("message", template.message),
    )


def job_record(job: Job) -> Record:
    """`id, name, status, created, time, cnt, message`; id, status, cnt numbers ("jobs.php")."""
    return (
        ("id", job.id),
        ("name", job.name),
        ("status", job.status),
        ("created", render_date_time(job.created)),
        ("time", render_date_time(job.time)),
        ("cnt", job.cnt),
        ("message", job.message),
    )


def contact_record(contact: Contact) -> Record:
    """Eleven fields, every value a string, lists comma-joined ("phones.php get=1"); an e-mail
    contact has `mail` and `mail_other` in the places of `phone` and `phone_other` [A]."""
    if contact.emails:
        addresses = (("mail", ",".join(contact.emails)),)
        others = (("mail_other", ",".join(contact.other_emails)),)
    else:
        addresses = (("phone", ",".join(contact.phones)),)
        others = (("phone_other", ",".join(contact.other_phones)),)
    return (
        *addresses,
        ("name", contact.name),
        ("group", ",".join(map(str, sorted(contact.groups))) if contact.groups else ""),
        ("first_name", contact.first_name),
        ("last_name", contact.last_name),
        ("middle_name", contact.middle_name),
        ("birthday", contact.birthday),
        ("id", contact.client_id),
        ("comments", contact.comment),
        ("tags", ",".join(contact.tags)),
        *others,
    )


def group_record(group: Group, size: int) -> Record:
    """`id, name, number, cnt`; `number` omitted in fmt 3 without one, `cnt` a string."""
    return (("id", group.id), ("name", group.name), ("number", group.number), ("cnt", str(size)))


def blacklist_record(entry: BlacklistEntry, *, email: bool = False) -> Record:
    """`id, phone, type, comment`; id and type numbers ("phones.php get_black=1"); an entry of
    the `email` blacklist has `email` in the place of `phone` [A]."""
    return (
        ("id", entry.id),
        ("email" if email else "phone", entry.phone),
        ("type", entry.type),
        ("comment", entry.comment),
    )


def answer_record(answer: Answer, *, message_last: bool) -> Record:
    """`id, received, phone, message, to_phone, sent`; fmt 1 moves the message last ("get.php")."""
    head: Record = (
        ("id", answer.id),
        ("received", render_date_time(answer.received)),
        ("phone", answer.phone),
    )
    tail: Record = (("to_phone", answer.to_phone), ("sent", render_date_time(answer.sent)))
    message: Record = (("message", answer.message),)
    return head + tail + message if message_last else head + message + tail


def download_record(task: DownloadTask) -> Record:
    """`id, name, status, created, time, file`; id and status numbers ("downloads.php")."""
    return (
        ("id", task.id),
        ("name", task.name),
        ("status", task.status),
        ("created", render_date_time(task.created)),
        ("time", render_date_time(task.time)),
        ("file", task.file),
    )
