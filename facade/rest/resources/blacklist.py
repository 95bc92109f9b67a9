"""`/v1/blacklist`: phones that get no messages (phones.php `*_black`), the same calls as GraphQL's
blacklist, addToBlacklist and removeFromBlacklist. An entry is addressed by its phone, as SMSC
lists it (a leading + is accepted and dropped). SMSC cannot change an entry: no PATCH; remove
it and add it again.
"""

from typing import Annotated

from pydantic import AfterValidator, Field

from facade.domain import blacklist
from facade.domain.contacts import is_email
from facade.domain.rules import require_listed_address
from facade.errors import ErrorCode, NotFoundError
from facade.rest.links import segment
from facade.rest.operations import Call, NoParams, Params, Reply, Resource
from facade.vocabulary.blacklist import AddToBlacklist, BlacklistEntry
from facade.vocabulary.fields import Address

PREFIX = "/v1/blacklist"
TTL = "phones.get_black"

resource = Resource(
    PREFIX,
    tag="Blacklist",
    description="Phones that get no messages, or no mass messages. An entry is addressed by "
    "its phone and cannot be changed (SMSC has no such command).",
    examples={"phone": "79990000001"},
)


def _phone(value: str) -> str:
    return require_listed_address(value, "phone")


class PhonePath(Params):
    phone: Annotated[
        Address,
        AfterValidator(_phone),
        Field(
            description="The blocked phone (10-15 digits, optionally after +), or e-mail "
            "address (in the e-mail blacklist)."
        ),
    ]


class BlacklistQuery(Params):
    emails: bool = Field(
        default=False, description="The e-mail blacklist (blocked e-mail addresses) instead."
    )


@resource.get("", "listBlacklist", "Every blocked phone.", response=list[BlacklistEntry], cache=TTL)
async def list_blacklist(call: Call[NoParams, BlacklistQuery, None]) -> Reply:
    fetched = await call.smsc.blacklist(blacklist.BlacklistQuery(emails=call.query.emails))
    return Reply.read([BlacklistEntry.from_domain(e) for e in fetched.value], fetched)


@resource.post(
    "",
    "addToBlacklist",
    "Stop sending to a phone.",
    response=BlacklistEntry,
    status=201,
    description="Answers the entry as SMSC lists it; `Location` is its phone. A phone already "
    "listed is refused by SMSC (422).",
)
async def add_to_blacklist(call: Call[NoParams, NoParams, AddToBlacklist]) -> Reply:
    entry = await call.smsc.add_to_blacklist(call.body.to_domain())
    return Reply.created(BlacklistEntry.from_domain(entry), f"{PREFIX}/{segment(entry.phone)}")


@resource.get(
    "/{phone}",
    "getBlacklistEntry",
    "The entry of one phone.",
    response=BlacklistEntry,
    cache=TTL,
    errors=(ErrorCode.NOT_FOUND,),
)
async def get_blacklist_entry(call: Call[PhonePath, NoParams, None]) -> Reply:
    query = blacklist.BlacklistQuery(emails=is_email(call.path.phone))
    fetched = await call.smsc.blacklist(query)
    found = next((e for e in fetched.value if e.phone.removeprefix("+") == call.path.phone), None)
    if found is None:
        raise NotFoundError(f"The phone {call.path.phone} is not blacklisted.")
    return Reply.read(BlacklistEntry.from_domain(found), fetched)


@resource.delete(
    "/{phone}",
    "removeFromBlacklist",
    "Send to a blacklisted phone again.",
    status=204,
    errors=(ErrorCode.NOT_FOUND,),
)
async def remove_from_blacklist(call: Call[PhonePath, NoParams, None]) -> Reply:
    await call.smsc.remove_from_blacklist(call.path.phone)
    return Reply.no_content()
