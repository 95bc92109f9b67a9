"""The GraphQL output types (DESIGN.md, "GraphQL"): the public vocabulary's shapes, exposed.

Each type is the `facade.vocabulary` model itself, made a strawberry type by strawberry's pydantic
integration (`strawberry.pydantic.type`): its fields, types and descriptions are the model's, so
REST's JSON and GraphQL's types cannot drift. Resolvers return the models (`Template.from_domain`).
The enums are the domain's (`facade.graphql.enums` exposes them before any type is made).
`Contact` adds the one field only GraphQL has: its groups, loaded once per request.
"""

from typing import Any

import strawberry.pydantic
from strawberry.types import Info

from facade.graphql.derive import output
from facade.vocabulary import contacts
from facade.vocabulary.admin import CachePurged
from facade.vocabulary.answers import Answer
from facade.vocabulary.blacklist import BlacklistEntry
from facade.vocabulary.downloads import DownloadTask
from facade.vocabulary.groups import Group
from facade.vocabulary.jobs import CreatedJob, Job
from facade.vocabulary.messages import (
    Balance,
    Message,
    MessageCost,
    RecipientRejection,
    SentMessage,
)
from facade.vocabulary.templates import MessageSegments, Template

for _shape in (
    Answer,
    Balance,
    BlacklistEntry,
    CachePurged,
    CreatedJob,
    DownloadTask,
    Group,
    Job,
    Message,
    MessageCost,
    MessageSegments,
    RecipientRejection,
    Template,
):
    output(_shape)
# sendMessage's success is the sent message itself, its fields flat (DESIGN.md, "Messages").
output(SentMessage, name="SendMessageSuccess")


class Contact(contacts.Contact):
    """A contact, as SMSC lists it: phones without a +."""

    @strawberry.pydantic.field(description="The contact's groups, loaded once per request for all.")
    async def groups(self, info: Info[Any, None]) -> list[Group]:
        loaded = await info.context.groups_by_id.load_many([str(id) for id in self.group_ids])
        return [Group.from_domain(group) for group in loaded if group is not None]


output(Contact)

__all__ = [
    "Answer",
    "Balance",
    "BlacklistEntry",
    "CachePurged",
    "Contact",
    "CreatedJob",
    "DownloadTask",
    "Group",
    "Job",
    "Message",
    "MessageCost",
    "MessageSegments",
    "RecipientRejection",
    "SentMessage",
    "Template",
]
