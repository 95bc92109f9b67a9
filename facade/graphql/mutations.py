"""The Mutation type (DESIGN.md, "GraphQL"), thin over `SmscClient`.

Each mutation takes one `input` (or the `id`, or a contact's `phone`) and returns its
`<Verb><Noun>Result` union: a success payload, or one of the `Error` members it can produce
(the schema's exception handlers map the exception; see facade.graphql.errors). An `input` is
validated completely as strawberry builds it (facade.graphql.inputs), before the client is
called. Every mutation but purgeCache also takes an `idempotencyKey` (facade.graphql.idempotent).
schema.py merges sendMessage (facade.graphql.messages) into this type.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types import Info

from facade.credentials.scopes import Scope
from facade.domain import contacts
from facade.domain.groups import GroupMove
from facade.domain.jobs import JobCreated
from facade.domain.rules import require_listed_address
from facade.graphql.context import Context
from facade.graphql.errors import (
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
    UpstreamError,
)
from facade.graphql.idempotent import Idempotent, SettlingOf
from facade.graphql.inputs import (
    AddContactToGroup,
    AddToBlacklist,
    CheckedArguments,
    CreateContact,
    CreateGroup,
    CreateJob,
    CreateTemplate,
    MoveContactToGroup,
    RemoveContactFromGroup,
    RenameGroupById,
    UpdateContactByPhone,
    UpdateTemplateById,
)
from facade.graphql.types import (
    BlacklistEntry,
    CachePurged,
    Contact,
    CreatedJob,
    Group,
    Job,
    Template,
)
from facade.upstream.settling import JobSettling

ContextInfo = Info[Context, None]


class RequireScope(FieldExtension):
    """`ForbiddenError` (a top-level error, code FORBIDDEN) unless the token allows `scope`.

    The HTTP view already refuses mutations to tokens without `write` before executing; this is
    the same rule at the field, whatever transport runs the operation.
    """

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: ContextInfo,
        **kwargs: Any,
    ) -> Any:
        info.context.require(self.scope)
        return await next_(source, info, **kwargs)


def mutation(description: str, *, settling: SettlingOf | None = None) -> Any:
    """A mutation that needs the `write` scope, checks its bare arguments and takes an
    `idempotencyKey`; `settling` declares a write SMSC can be asked about (`Idempotent`)."""
    # The last extension is the outermost: the scope, then the bare arguments are checked before
    # an idempotency record is made (an `input` was validated as it was built, before them).
    # The schema's exception handlers map what they raise; ForbiddenError is no union member and
    # reaches `errors`.
    return strawberry.mutation(
        description=description,
        extensions=[
            Idempotent(settling),
            CheckedArguments(),
            RequireScope(Scope.WRITE),
        ],
    )


# templates


@strawberry.type
class CreateTemplateSuccess:
    template: Template


@strawberry.type
class UpdateTemplateSuccess:
    id: strawberry.ID

    @strawberry.field(
        description="The template as the template list now shows it; null if it lacks it."
    )
    async def template(self, info: ContextInfo) -> Template | None:
        found = info.context.unwrap(info, await info.context.smsc.templates())
        return next((Template.from_domain(t) for t in found if t.id == self.id), None)


@strawberry.type
class DeleteTemplateSuccess:
    id: strawberry.ID


CreateTemplateResult = Annotated[
    CreateTemplateSuccess | InvalidInputError | RateLimitedError | UpstreamError,
    strawberry.union("CreateTemplateResult"),
]
UpdateTemplateResult = Annotated[
    UpdateTemplateSuccess | InvalidInputError | NotFoundError | RateLimitedError | UpstreamError,
    strawberry.union("UpdateTemplateResult"),
]
DeleteTemplateResult = Annotated[
    DeleteTemplateSuccess | InvalidInputError | NotFoundError | RateLimitedError | UpstreamError,
    strawberry.union("DeleteTemplateResult"),
]

# jobs


@strawberry.type
class CreateJobSuccess:
    job: CreatedJob

    @classmethod
    def of(cls, created: JobCreated) -> "CreateJobSuccess":
        return cls(job=CreatedJob.from_domain(created))


@strawberry.type
class CancelJobSuccess:
    id: strawberry.ID

    @strawberry.field(description="The job as SMSC now reports it.")
    async def job(self, info: ContextInfo) -> Job | None:
        return Job.from_domain(info.context.unwrap(info, await info.context.smsc.job(self.id)))


@strawberry.type
class DeleteJobSuccess:
    id: strawberry.ID


CreateJobResult = Annotated[
    CreateJobSuccess | InvalidInputError | RateLimitedError | UpstreamError,
    strawberry.union("CreateJobResult"),
]
CancelJobResult = Annotated[
    CancelJobSuccess | InvalidInputError | NotFoundError | RateLimitedError | UpstreamError,
    strawberry.union("CancelJobResult"),
]
DeleteJobResult = Annotated[
    DeleteJobSuccess | InvalidInputError | NotFoundError | RateLimitedError | UpstreamError,
    strawberry.union("DeleteJobResult"),
]

# contacts


@strawberry.type
class CreateContactSuccess:
    contact: Contact = strawberry.field(description="As SMSC lists it: phones without a +.")


@strawberry.type
class UpdateContactSuccess:
    phone: str = strawberry.field(
        description="A phone that finds the contact now, as SMSC lists it (without a +)."
    )


@strawberry.type
class DeleteContactSuccess:
    phone: str


@strawberry.type
class AddContactToGroupSuccess:
    phone: str
    group_id: strawberry.ID


@strawberry.type
class RemoveContactFromGroupSuccess:
    phone: str
    group_id: strawberry.ID


@strawberry.type
class MoveContactToGroupSuccess:
    phone: str
    group_id: strawberry.ID


CreateContactResult = Annotated[
    CreateContactSuccess | InvalidInputError | NotFoundError | RateLimitedError | UpstreamError,
    strawberry.union("CreateContactResult"),
]
UpdateContactResult = Annotated[
    UpdateContactSuccess | InvalidInputError | NotFoundError | RateLimitedError | UpstreamError,
    strawberry.union("UpdateContactResult"),
]
DeleteContactResult = Annotated[
    DeleteContactSuccess | InvalidInputError | NotFoundError | RateLimitedError | UpstreamError,
    strawberry.union("DeleteContactResult"),
]
AddContactToGroupResult = Annotated[
    AddContactToGroupSuccess | InvalidInputError | NotFoundError | RateLimitedError | UpstreamError,
    strawberry.union("AddContactToGroupResult"),
]
RemoveContactFromGroupResult = Annotated[
    RemoveContactFromGroupSuccess
    | InvalidInputError
    | NotFoundError
    | RateLimitedError
    | UpstreamError,
    strawberry.union("RemoveContactFromGroupResult"),
]
MoveContactToGroupResult = Annotated[
    MoveContactToGroupSuccess
    | InvalidInputError
    | NotFoundError
    | RateLimitedError
    | UpstreamError,
    strawberry.union("MoveContactToGroupResult"),
]

# groups


@strawberry.type
class CreateGroupSuccess:
    group: Group


@strawberry.type
class RenameGroupSuccess:
    id: strawberry.ID

    @strawberry.field(description="The group as the group list now shows it; null if it lacks it.")
    async def group(self, info: ContextInfo) -> Group | None:
        found = info.context.unwrap(info, await info.context.smsc.groups())
        return next((Group.from_domain(g) for g in found if g.id == self.id), None)


@strawberry.type
class DeleteGroupSuccess:
    id: strawberry.ID


CreateGroupResult = Annotated[
    CreateGroupSuccess | InvalidInputError | RateLimitedError | UpstreamError,
    strawberry.union("CreateGroupResult"),
]
RenameGroupResult = Annotated[
    RenameGroupSuccess | InvalidInputError | NotFoundError | RateLimitedError | UpstreamError,
    strawberry.union("RenameGroupResult"),
]
DeleteGroupResult = Annotated[
    DeleteGroupSuccess | InvalidInputError | NotFoundError | RateLimitedError | UpstreamError,
    strawberry.union("DeleteGroupResult"),
]

# the blacklist


@strawberry.type
class AddToBlacklistSuccess:
    entry: BlacklistEntry


@strawberry.type
class RemoveFromBlacklistSuccess:
    phone: str


AddToBlacklistResult = Annotated[
    AddToBlacklistSuccess | InvalidInputError | RateLimitedError | UpstreamError,
    strawberry.union("AddToBlacklistResult"),
]
RemoveFromBlacklistResult = Annotated[
    RemoveFromBlacklistSuccess
    | InvalidInputError
    | NotFoundError
    | RateLimitedError
    | UpstreamError,
    strawberry.union("RemoveFromBlacklistResult"),
]


@strawberry.type
class Mutation:
    @mutation("Create a message template.")
    async def create_template(
        self, info: ContextInfo, input: CreateTemplate
    ) -> CreateTemplateResult:
        template = await info.context.smsc.create_template(input.to_domain())
        return CreateTemplateSuccess(template=Template.from_domain(template))

    @mutation("Change fields of a template.")
    async def update_template(
        self, info: ContextInfo, input: UpdateTemplateById
    ) -> UpdateTemplateResult:
        await info.context.smsc.update_template(input.id, input.to_domain())
        return UpdateTemplateSuccess(id=input.id)

    @mutation("Delete a template.")
    async def delete_template(self, info: ContextInfo, id: strawberry.ID) -> DeleteTemplateResult:
        await info.context.smsc.delete_template(id)
        return DeleteTemplateSuccess(id=id)

    @mutation(
        "Create a mailing (SMSC's job): send now, later, or again and again. Under an "
        "idempotencyKey, a creation whose answer from SMSC was lost is settled when repeated: "
        "the job found in SMSC's list (its cost then null), or an UpstreamError saying it was "
        "not created.",
        settling=lambda context, _: JobSettling(context.smsc, CreateJobSuccess.of),
    )
    async def create_job(self, info: ContextInfo, input: CreateJob) -> CreateJobResult:
        return CreateJobSuccess.of(await info.context.smsc.create_job(input.to_domain()))

    @mutation("Cancel a job that is waiting to be sent.")
    async def cancel_job(self, info: ContextInfo, id: strawberry.ID) -> CancelJobResult:
        await info.context.smsc.cancel_job(id)
        return CancelJobSuccess(id=id)

    @mutation("Delete a job, whatever its status.")
    async def delete_job(self, info: ContextInfo, id: strawberry.ID) -> DeleteJobResult:
        await info.context.smsc.delete_job(id)
        return DeleteJobSuccess(id=id)

    @mutation("Create a contact.")
    async def create_contact(self, info: ContextInfo, input: CreateContact) -> CreateContactResult:
        draft = input.to_domain()
        await info.context.smsc.create_contact(draft)
        return CreateContactSuccess(contact=Contact.from_domain(contacts.listed(draft)))

    @mutation("Change fields of a contact, found by any of its phones.")
    async def update_contact(
        self, info: ContextInfo, input: UpdateContactByPhone
    ) -> UpdateContactResult:
        address, changes = input.target(), input.to_domain()
        await info.context.smsc.update_contact(address, changes)
        return UpdateContactSuccess(phone=contacts.address_after(address, changes))

    @mutation("Delete a contact, found by any of its phones.")
    async def delete_contact(self, info: ContextInfo, phone: str) -> DeleteContactResult:
        listed = require_listed_address(phone, "phone")
        await info.context.smsc.delete_contact(listed)
        return DeleteContactSuccess(phone=listed)

    @mutation("Put a contact in one more group.")
    async def add_contact_to_group(
        self, info: ContextInfo, input: AddContactToGroup
    ) -> AddContactToGroupResult:
        phone, group_id = input.to_domain()
        await info.context.smsc.move_contact(phone, group_id, GroupMove.ADD)
        return AddContactToGroupSuccess(phone=phone, group_id=strawberry.ID(group_id))

    @mutation("Take a contact out of one group.")
    async def remove_contact_from_group(
        self, info: ContextInfo, input: RemoveContactFromGroup
    ) -> RemoveContactFromGroupResult:
        phone, group_id = input.to_domain()
        await info.context.smsc.move_contact(phone, group_id, GroupMove.REMOVE)
        return RemoveContactFromGroupSuccess(phone=phone, group_id=strawberry.ID(group_id))

    @mutation("Make one group the contact's only group.")
    async def move_contact_to_group(
        self, info: ContextInfo, input: MoveContactToGroup
    ) -> MoveContactToGroupResult:
        phone, group_id = input.to_domain()
        await info.context.smsc.move_contact(phone, group_id, GroupMove.REPLACE)
        return MoveContactToGroupSuccess(phone=phone, group_id=strawberry.ID(group_id))

    @mutation("Create a contact group.")
    async def create_group(self, info: ContextInfo, input: CreateGroup) -> CreateGroupResult:
        group = await info.context.smsc.create_group(input.to_domain())
        return CreateGroupSuccess(group=Group.from_domain(group))

    @mutation("Rename a contact group.")
    async def rename_group(self, info: ContextInfo, input: RenameGroupById) -> RenameGroupResult:
        id, name = input.id, input.to_domain()
        await info.context.smsc.rename_group(id, name)
        return RenameGroupSuccess(id=strawberry.ID(id))

    @mutation("Delete a contact group; its contacts stay.")
    async def delete_group(self, info: ContextInfo, id: strawberry.ID) -> DeleteGroupResult:
        await info.context.smsc.delete_group(id)
        return DeleteGroupSuccess(id=id)

    @mutation("Stop sending to a phone.")
    async def add_to_blacklist(
        self, info: ContextInfo, input: AddToBlacklist
    ) -> AddToBlacklistResult:
        entry = await info.context.smsc.add_to_blacklist(input.to_domain())
        return AddToBlacklistSuccess(entry=BlacklistEntry.from_domain(entry))

    @mutation("Send to a blacklisted phone again.")
    async def remove_from_blacklist(
        self, info: ContextInfo, phone: str
    ) -> RemoveFromBlacklistResult:
        listed = require_listed_address(phone, "phone")
        await info.context.smsc.remove_from_blacklist(listed)
        return RemoveFromBlacklistSuccess(phone=listed)

    @strawberry.mutation(
        description="Admin: drop every cached SMSC read of the token's account; the next reads "
        "ask SMSC again and spend its identical-request budget. Needs the `admin` scope.",
        extensions=[RequireScope(Scope.ADMIN)],
    )
    async def purge_cache(self, info: ContextInfo) -> CachePurged:
        return CachePurged(entries=info.context.smsc.purge())


__all__ = ["ContextInfo", "Mutation", "RequireScope", "mutation"]
