"""Path parameters every resource shares. Bodies are the public vocabulary's input models
(`facade.vocabulary`), checked as they are built, exactly as GraphQL's inputs are."""

from typing import Annotated

from pydantic import Field

from facade.domain.bounds import MAX_ID_DIGITS
from facade.rest.operations import Params
from facade.vocabulary import fields

SmscId = Annotated[
    fields.SmscId, Field(description=f"An SMSC id: 1 to {MAX_ID_DIGITS} ASCII digits.")
]


class IdPath(Params):
    id: SmscId


__all__ = ["IdPath", "SmscId"]
