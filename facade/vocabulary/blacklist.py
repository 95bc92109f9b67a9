"""The blacklist (blacklist.php): an entry, and what adds one."""

from typing import Self

from pydantic import Field

from facade.domain import blacklist
from facade.domain.blacklist import BlockScope
from facade.domain.bounds import MAX_COMMENT_LENGTH
from facade.domain.contacts import is_email
from facade.domain.rules import optional_lines, require_email, require_phone
from facade.errors import InputError
from facade.vocabulary.fields import Address, Comment, known
from facade.vocabulary.shapes import ID, Input, Output, example


class BlacklistEntry(Output):
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

    id: ID
    phone: str = Field(
        description="The blocked phone, or, in the e-mail blacklist, the blocked e-mail address."
    )
    scope: BlockScope
    scope_code: int = Field(description="SMSC's own value of the scope.")
    comment: str | None

    @classmethod
    def from_domain(cls, entry: blacklist.BlacklistEntry) -> Self:
        return cls(
            id=ID(entry.id),
            phone=entry.phone,
            scope=entry.scope,
            scope_code=entry.scope_raw,
            comment=entry.comment,
        )


class AddToBlacklist(Input):
    """A phone that should not get messages."""

    model_config = example({"phone": "+79991234567", "scope": "MASS", "comment": "No mailings"})

    phone: Address = Field(
        description="A phone (10-15 digits, optionally after +), or an e-mail address for the "
        "e-mail blacklist."
    )
    scope: BlockScope = Field(default=BlockScope.ALL, json_schema_extra=known(BlockScope))
    comment: Comment | None = None

    def to_domain(self) -> blacklist.BlacklistDraft:
        if self.scope is BlockScope.UNKNOWN:
            raise InputError("scope", "must be a known block scope")
        return blacklist.BlacklistDraft(
            phone=require_email(self.phone, "phone")
            if is_email(self.phone)
            else require_phone(self.phone, "phone"),
            scope=self.scope,
            comment=optional_lines(self.comment, "comment", MAX_COMMENT_LENGTH),
        )


__all__ = ["AddToBlacklist", "BlacklistEntry"]
