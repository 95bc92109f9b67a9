"""`/v1/templates`: message templates (templates.php), the same calls as GraphQL's."""

from facade.domain.templates import Template as DomainTemplate
from facade.errors import ErrorCode, NotFoundError, RateLimitedError, UpstreamError
from facade.rest.inputs import IdPath
from facade.rest.operations import Call, NoParams, Reply, Resource
from facade.upstream.client import SmscClient
from facade.vocabulary.templates import CreateTemplate, Template, UpdateTemplate

PREFIX = "/v1/templates"
TTL = "templates.get"

resource = Resource(
    PREFIX,
    tag="Templates",
    description="Message templates of the account.",
    examples={"id": "1001"},
)


@resource.get("", "listTemplates", "Every message template.", response=list[Template], cache=TTL)
async def list_templates(call: Call[NoParams, NoParams, None]) -> Reply:
    fetched = await call.smsc.templates()
    return Reply.read([Template.from_domain(t) for t in fetched.value], fetched)


@resource.post("", "createTemplate", "Create a message template.", response=Template, status=201)
async def create_template(call: Call[NoParams, NoParams, CreateTemplate]) -> Reply:
    template = await call.smsc.create_template(call.body.to_domain())
    return Reply.created(Template.from_domain(template), f"{PREFIX}/{template.id}")


@resource.get(
    "/{id}",
    "getTemplate",
    "One template.",
    response=Template,
    cache=TTL,
    errors=(ErrorCode.NOT_FOUND,),
)
async def get_template(call: Call[IdPath, NoParams, None]) -> Reply:
    fetched = await call.smsc.templates()
    found = next((t for t in fetched.value if t.id == call.path.id), None)
    if found is None:
        raise NotFoundError(f"There is no template {call.path.id}.")
    return Reply.read(Template.from_domain(found), fetched)


@resource.patch(
    "/{id}",
    "updateTemplate",
    "Change fields of a template.",
    response=Template,
    empty=(204,),
    errors=(ErrorCode.NOT_FOUND,),
    description="Answers the template as the template list now shows it, or 204 when the "
    "change was made but the list cannot be read now.",
)
async def update_template(call: Call[IdPath, NoParams, UpdateTemplate]) -> Reply:
    await call.smsc.update_template(call.path.id, call.body.to_domain())
    found = await _listed(call.smsc, call.path.id)
    return Reply.no_content() if found is None else Reply(Template.from_domain(found))


@resource.delete(
    "/{id}", "deleteTemplate", "Delete a template.", status=204, errors=(ErrorCode.NOT_FOUND,)
)
async def delete_template(call: Call[IdPath, NoParams, None]) -> Reply:
    await call.smsc.delete_template(call.path.id)
    return Reply.no_content()


async def _listed(smsc: SmscClient, id: str) -> DomainTemplate | None:
    """The template after a change; None when the list cannot say (the change stands)."""
    try:
        fetched = await smsc.templates()
    except (RateLimitedError, UpstreamError):
        return None
    return next((t for t in fetched.value if t.id == id), None)
