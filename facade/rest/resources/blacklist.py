"""`/v1/blacklist`: phones that get no messages (phones.php `*_black`), the same calls as GraphQL's
blacklist, addToBlacklist and removeFromBlacklist. An entry is addressed by its phone, as SMSC
lists it (a leading + is accepted and dropped). SMSC cannot change an entry: no PATCH; remove
it and add it again.
"""

import enum
from typing import Annotated

from pydantic import AfterValidator, Field

from facade.domain import blacklist, drafts
from facade.domain.rules import require_listed_phone
from facade.errors import ErrorCode, NotFoundError
from facade.rest.operations import (
    Body,
    Call,
    Model,
    NoParams,
    Params,
    Reply,
    Resource,
    example,
)

PREFIX = "/v1/blacklist"
TTL = "phones.get_black"

resource = Resource(
    PREFIX,
    tag="Blacklist",
    description="Phones that get no messages, or no mass messages. An entry is addressed by "
    "its phone and cannot be changed (SMSC has no such command).",
    examples={"phone": "79990000001"},
)


class BlockScope(enum.StrEnum):
    """Which messages a blacklisted phone does not get."""

    ALL = "ALL"
    MASS = "MASS"
    SINGLE = "SINGLE"
    UNKNOWN = "UNKNOWN"


def _phone(value: str) -> str:
    return require_listed_phone(value, "phone")


class PhonePath(Params):
    phone: Annotated[
        str,
        AfterValidator(_phone),
        Field(description="The blocked phone: 10-15 digits, optionally after +."),
    ]


class BlacklistEntry(Model):
    """A blocked phone, as SMSC lists it (without a +)."""

    model_config = example(
        {
            "id": "501",
            "phone": "79990000001",
            "scope": "ALL",
            "scopeCode": 0,
            "comment": "Asked not to be sent anything",
        }
    )

    id: str
    phone: str
    scope: BlockScope
    scope_code: int = Field(description="SMSC's own value of the scope.")
    comment: str | None

    @classmethod
    def from_domain(cls, entry: blacklist.BlacklistEntry) -> "BlacklistEntry":
        return cls(
            id=entry.id,
            phone=entry.phone,
            scope=BlockScope[entry.scope.name],
            scope_code=entry.scope_raw,
            comment=entry.comment,
        )


class AddToBlacklist(Body):
    """A phone that should not get messages."""

    model_config = example({"phone": "+79991234567", "scope": "MASS", "comment": "No mailings"})

    phone: str = Field(description="10-15 digits, optionally after +.")
    scope: BlockScope = BlockScope.ALL
    comment: str | None = None

    def to_domain(self) -> blacklist.BlacklistDraft:
        return drafts.blacklist_draft(self)


@resource.get("", "listBlacklist", "Every blocked phone.", response=list[BlacklistEntry], cache=TTL)
async def list_blacklist(call: Call[NoParams, NoParams, None]) -> Reply:
    fetched = await call.smsc.blacklist()
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
    draft = call.body.to_domain()
    entry = blacklist.listed(await call.smsc.add_to_blacklist(draft), draft)
    return Reply.created(BlacklistEntry.from_domain(entry), f"{PREFIX}/{entry.phone}")


@resource.get(
    "/{phone}",
    "getBlacklistEntry",
    "The entry of one phone.",
    response=BlacklistEntry,
    cache=TTL,
    errors=(ErrorCode.NOT_FOUND,),
)
async def get_blacklist_entry(call: Call[PhonePath, NoParams, None]) -> Reply:
    fetched = await call.smsc.blacklist()
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
