"""`/v1/groups`: contact groups (phones.php `*_group`), the same calls as GraphQL's."""

from facade.domain.groups import Group as DomainGroup
from facade.errors import ErrorCode, NotFoundError, RateLimitedError, UpstreamError
from facade.rest.inputs import IdPath
from facade.rest.operations import Call, NoParams, Reply, Resource
from facade.upstream.client import SmscClient
from facade.vocabulary.groups import CreateGroup, Group, RenameGroup

PREFIX = "/v1/groups"
TTL = "phones.get_group"

resource = Resource(
    PREFIX, tag="Groups", description="Contact groups of the account.", examples={"id": "41"}
)


@resource.get("", "listGroups", "Every contact group.", response=list[Group], cache=TTL)
async def list_groups(call: Call[NoParams, NoParams, None]) -> Reply:
    fetched = await call.smsc.groups()
    return Reply.read([Group.from_domain(g) for g in fetched.value], fetched)


@resource.post("", "createGroup", "Create a contact group.", response=Group, status=201)
async def create_group(call: Call[NoParams, NoParams, CreateGroup]) -> Reply:
    group = await call.smsc.create_group(call.body.to_domain())
    return Reply.created(Group.from_domain(group), f"{PREFIX}/{group.id}")


@resource.get(
    "/{id}",
    "getGroup",
    "One contact group.",
    response=Group,
    cache=TTL,
    errors=(ErrorCode.NOT_FOUND,),
)
async def get_group(call: Call[IdPath, NoParams, None]) -> Reply:
    fetched = await call.smsc.groups()
    found = next((g for g in fetched.value if g.id == call.path.id), None)
    if found is None:
        raise NotFoundError(f"There is no group {call.path.id}.")
    return Reply.read(Group.from_domain(found), fetched)


@resource.patch(
    "/{id}",
    "renameGroup",
    "Rename a contact group.",
    response=Group,
    empty=(204,),
    errors=(ErrorCode.NOT_FOUND,),
    description="Answers the group as the group list now shows it, or 204 when the change "
    "was made but the list cannot be read now.",
)
async def rename_group(call: Call[IdPath, NoParams, RenameGroup]) -> Reply:
    await call.smsc.rename_group(call.path.id, call.body.to_domain())
    found = await _listed(call.smsc, call.path.id)
    return Reply.no_content() if found is None else Reply(Group.from_domain(found))


@resource.delete(
    "/{id}",
    "deleteGroup",
    "Delete a contact group; its contacts stay.",
    status=204,
    errors=(ErrorCode.NOT_FOUND,),
)
async def delete_group(call: Call[IdPath, NoParams, None]) -> Reply:
    await call.smsc.delete_group(call.path.id)
    return Reply.no_content()


async def _listed(smsc: SmscClient, id: str) -> DomainGroup | None:
    """The group after a change; None when the list cannot say (the change stands)."""
    try:
        fetched = await smsc.groups()
    except (RateLimitedError, UpstreamError):
        return None
    return next((g for g in fetched.value if g.id == id), None)
