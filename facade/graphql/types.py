"""The GraphQL output types (DESIGN.md, "GraphQL"), each built from its domain object."""

import datetime as dt
import enum
from typing import Any

import strawberry
from strawberry.types import Info

from facade.domain import segments as domain_segments
from facade.domain.answers import Answer as DomainAnswer
from facade.domain.blacklist import BlacklistEntry as DomainBlacklistEntry
from facade.domain.contacts import Contact as DomainContact
from facade.domain.downloads import DownloadTask as DomainDownloadTask
from facade.domain.groups import Group as DomainGroup
from facade.domain.jobs import Job as DomainJob
from facade.domain.templates import Template as DomainTemplate


@strawberry.enum(description="A template's message format; UNKNOWN for one SMSC added later.")
class MessageFormat(enum.Enum):
    UNSPECIFIED = "UNSPECIFIED"
    SMS = "SMS"
    FLASH = "FLASH"
    BIN = "BIN"
    PUSH = "PUSH"
    MMS = "MMS"
    CALL = "CALL"
    MAIL = "MAIL"
    VIBER = "VIBER"
    UNKNOWN = "UNKNOWN"


@strawberry.enum
class JobStatus(enum.Enum):
    WAITING = "WAITING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


@strawberry.enum(description="Which messages a blacklisted phone does not get.")
class BlockScope(enum.Enum):
    ALL = "ALL"
    MASS = "MASS"
    SINGLE = "SINGLE"
    UNKNOWN = "UNKNOWN"


@strawberry.enum
class DownloadTaskStatus(enum.Enum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


@strawberry.enum(description="GSM-7 (160 characters, 153 per part) or UCS-2 (70, 67 per part).")
class SmsEncoding(enum.Enum):
    GSM7 = "GSM7"
    UCS2 = "UCS2"


@strawberry.type(description="How a text travels as SMS: its encoding and number of parts.")
class MessageSegments:
    encoding: SmsEncoding
    length: int = strawberry.field(description="In septets (GSM-7) or UTF-16 code units (UCS-2).")
    parts: int
    per_part: int
    remaining: int = strawberry.field(description="Left in the last part before another starts.")

    @classmethod
    def of(cls, text: str) -> "MessageSegments":
        found = domain_segments.segments(text)
        return cls(
            encoding=SmsEncoding[found.encoding.name],
            length=found.length,
            parts=found.parts,
            per_part=found.per_part,
            remaining=found.remaining,
        )


@strawberry.type
class Template:
    id: strawberry.ID
    name: str
    message: str
    format: MessageFormat
    format_raw: str = strawberry.field(description="SMSC's own value of the format.")
    sender: str | None
    auto_sign: bool

    @strawberry.field(description="The message's SMS encoding and number of parts.")
    def segments(self) -> MessageSegments:
        return MessageSegments.of(self.message)

    @classmethod
    def from_domain(cls, template: DomainTemplate) -> "Template":
        return cls(
            id=strawberry.ID(template.id),
            name=template.name,
            message=template.message,
            format=MessageFormat[template.format.name],
            format_raw=template.format_raw,
            sender=template.sender,
            auto_sign=template.auto_sign,
        )


@strawberry.type
class Job:
    id: strawberry.ID
    name: str
    status: JobStatus
    status_code: int = strawberry.field(description="SMSC's own status number.")
    created_at: dt.datetime | None
    send_at: dt.datetime | None
    recipient_count: int | None
    message: str

    @classmethod
    def from_domain(cls, job: DomainJob) -> "Job":
        return cls(
            id=strawberry.ID(job.id),
            name=job.name,
            status=JobStatus[job.status.name],
            status_code=job.status_raw,
            created_at=job.created_at,
            send_at=job.send_at,
            recipient_count=job.recipient_count,
            message=job.message,
        )


@strawberry.type
class Group:
    id: strawberry.ID
    name: str
    number: int | None
    contact_count: int | None = strawberry.field(
        description="Contacts in the group; null when SMSC does not say."
    )

    @classmethod
    def from_domain(cls, group: DomainGroup) -> "Group":
        return cls(
            id=strawberry.ID(group.id),
            name=group.name,
            number=group.number,
            contact_count=group.contact_count,
        )


@strawberry.type
class Contact:
    phones: list[str]
    name: str | None
    group_ids: list[strawberry.ID]
    first_name: str | None
    last_name: str | None
    middle_name: str | None
    birthday: dt.date | None
    client_id: str | None = strawberry.field(description="The client's own id (SMSC's `myid`).")
    comment: str | None
    tags: list[str]
    other_phones: list[str]

    @strawberry.field(description="The contact's groups, loaded once per request for all.")
    async def groups(self, info: Info[Any, None]) -> list[Group]:
        loaded = await info.context.groups_by_id.load_many([str(id) for id in self.group_ids])
        return [Group.from_domain(group) for group in loaded if group is not None]

    @classmethod
    def from_domain(cls, contact: DomainContact) -> "Contact":
        return cls(
            phones=list(contact.phones),
            name=contact.name,
            group_ids=[strawberry.ID(id) for id in contact.group_ids],
            first_name=contact.first_name,
            last_name=contact.last_name,
            middle_name=contact.middle_name,
            birthday=contact.birthday,
            client_id=contact.client_id,
            comment=contact.comment,
            tags=list(contact.tags),
            other_phones=list(contact.other_phones),
        )


@strawberry.type
class BlacklistEntry:
    id: strawberry.ID
    phone: str
    scope: BlockScope
    scope_code: int
    comment: str | None

    @classmethod
    def from_domain(cls, entry: DomainBlacklistEntry) -> "BlacklistEntry":
        return cls(
            id=strawberry.ID(entry.id),
            phone=entry.phone,
            scope=BlockScope[entry.scope.name],
            scope_code=entry.scope_raw,
            comment=entry.comment,
        )


@strawberry.type
class Answer:
    id: strawberry.ID
    received_at: dt.datetime
    phone: str
    message: str
    to_phone: str | None
    sent_at: dt.datetime | None

    @classmethod
    def from_domain(cls, answer: DomainAnswer) -> "Answer":
        return cls(
            id=strawberry.ID(answer.id),
            received_at=answer.received_at,
            phone=answer.phone,
            message=answer.message,
            to_phone=answer.to_phone,
            sent_at=answer.sent_at,
        )


@strawberry.type
class DownloadTask:
    id: strawberry.ID
    name: str
    status: DownloadTaskStatus
    status_code: int
    created_at: dt.datetime | None
    start_at: dt.datetime | None
    file_name: str | None

    @classmethod
    def from_domain(cls, task: DomainDownloadTask) -> "DownloadTask":
        return cls(
            id=strawberry.ID(task.id),
            name=task.name,
            status=DownloadTaskStatus[task.status.name],
            status_code=task.status_raw,
            created_at=task.created_at,
            start_at=task.start_at,
            file_name=task.file_name,
        )


__all__ = [
    "Answer",
    "BlacklistEntry",
    "BlockScope",
    "Contact",
    "DownloadTask",
    "DownloadTaskStatus",
    "Group",
    "Job",
    "JobStatus",
    "MessageFormat",
    "MessageSegments",
    "SmsEncoding",
    "Template",
]
