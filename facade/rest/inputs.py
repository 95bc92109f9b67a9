"""Path parameters every resource shares. Bodies are the public vocabulary's input models
(`facade.vocabulary`), checked as they are built, exactly as GraphQL's inputs are."""

from typing import Annotated

from pydantic import AfterValidator, Field

from facade.domain.bounds import MAX_ID_DIGITS
from facade.domain.rules import require_id
from facade.rest.operations import Params


def _id(value: str) -> str:
    return require_id(value, "id")


SmscId = Annotated[
    str,
    AfterValidator(_id),
    Field(description=f"An SMSC id: 1 to {MAX_ID_DIGITS} ASCII digits."),
]


class IdPath(Params):
    id: SmscId


__all__ = ["IdPath", "SmscId"]
