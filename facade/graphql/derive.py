"""Strawberry types from the public vocabulary (`facade.vocabulary`), never written again.

`output(Model)` and `input(Model)` make the model itself a strawberry type with strawberry's
pydantic integration (`strawberry.pydantic`): the fields, their types, defaults and descriptions
are the model's; the type's name is the model's (an input's gets `Input` after it) unless one is
given, and its description the model's docstring. A model with `one_of` becomes a `@oneOf` input.
The enums its fields use are the domain's, exposed by `facade.graphql.enums` first.

strawberry builds an input argument as the model, so its constraints and rules run before the
resolver and its extensions, as they run on a REST body: a fault is a
`strawberry.pydantic.InputValidationError` (constraints) or the rules' `InputError`, which
`facade.graphql.errors` resolves to `InvalidInputError`.
"""

from typing import TypeVar

import strawberry
import strawberry.pydantic
from pydantic import BaseModel
from strawberry.schema_directives import OneOf

from facade.graphql.enums import description

M = TypeVar("M", bound=BaseModel)


def output(model: type[M], *, name: str | None = None) -> type[M]:
    """`name`: the GraphQL name, where the schema's convention names the shape otherwise (a
    mutation's `<Verb><Noun>Success`)."""
    return strawberry.pydantic.type(
        model, name=name or model.__name__, description=description(model)
    )


def input(model: type[M], *, name: str | None = None) -> type[M]:
    one_of = bool(getattr(model, "one_of", False))
    made = strawberry.pydantic.input(
        model,
        name=name or f"{model.__name__}Input",
        description=description(model),
        directives=[OneOf()] if one_of else (),
    )
    if one_of:  # a @oneOf input's fields have no default: each is given or absent
        for field in made.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            field.default = field.default_value = strawberry.UNSET
    return made


__all__ = ["input", "output"]
