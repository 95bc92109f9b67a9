"""`/v1/cache`: the facade's cache of the caller's SMSC account (admin tokens only)."""

from facade.credentials.scopes import Scope
from facade.rest.operations import Call, NoParams, Reply, Resource
from facade.vocabulary.admin import CachePurged

resource = Resource(
    "/v1/cache",
    tag="Cache",
    description="The facade's cached SMSC reads for the token's account.",
)


@resource.delete(
    "",
    "purgeCache",
    "Drop every cached read of the account; the next reads ask SMSC again.",
    response=CachePurged,
    scope=Scope.ADMIN,
    idempotent=False,  # asks nothing of SMSC, and repeating it does no harm
    description="Reads after a purge spend SMSC's identical-request budget (2 a minute, 1 on "
    "jobs): purge when the account was changed outside the facade, not as a habit.",
)
async def purge_cache(call: Call[NoParams, NoParams, None]) -> Reply:
    return Reply(body=CachePurged(entries=call.smsc.purge()))
