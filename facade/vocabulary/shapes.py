"""The bases of every public shape, and the one way an input is checked.

A shape is a pydantic model with camelCase names: REST reads and writes it as JSON and
`/openapi.json` describes it from its JSON Schema; `facade.graphql.derive` makes the strawberry type
of the same name from it (inputs get GraphQL's `Input` suffix). A field's description and
constraints are written once, on the model.

An input is checked once, as it is built: the model's constraints, then its `to_domain()`, which
applies the rules of `facade.domain`. REST builds a body with `validated_json`; strawberry builds
a GraphQL argument the same way (`facade.graphql.derive`); both before idempotency and before
`SmscClient`, so the same bad value gets the same `code` and `field` from either
(`input_error`).
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Self, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic.alias_generators import to_camel

# GraphQL's ID scalar: a `NewType` of str, a plain string to pydantic and in JSON. The one name
# the vocabulary takes from strawberry, so that a shape's ids are `ID` in the GraphQL schema.
from strawberry import ID

from facade.errors import InputError


class Output(BaseModel):
    """Base of output shapes: camelCase names, like the GraphQL schema."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class Input(BaseModel):
    """Base of input shapes: strict types, unknown fields refused, and the shape's rules
    (its `to_domain()`, when it has one) run as it is built: a model that exists is valid."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", strict=True
    )

    @model_validator(mode="after")
    def _rules(self) -> Self:
        checked(self)
        return self

    def path_rules(self, path: Any) -> None:
        """The rules that need what a REST path names (GraphQL's inputs carry it as a field);
        REST checks them with the body, before idempotency. None by default."""


# What a shape's JSON Schema says of the whole shape (`facade.vocabulary.fields.when`, ...): a
# subschema, or one made from the shape's own schema (its properties).
SchemaRule = Mapping[str, Any] | Callable[[Mapping[str, Any]], Mapping[str, Any]]


def example(value: Mapping[str, Any] | None, *rules: SchemaRule) -> ConfigDict:
    """The config of a shape with its documented example, in JSON (camelCase), and the `rules`
    its JSON Schema states besides its fields' (`allOf`): REST's `/openapi.json` shows both."""

    def extra(schema: dict[str, Any]) -> None:
        if value is not None:
            schema["examples"] = [dict(value)]
        if rules:
            schema["allOf"] = [dict(rule(schema) if callable(rule) else rule) for rule in rules]

    return ConfigDict(json_schema_extra=extra)


M = TypeVar("M", bound=BaseModel)

# pydantic error types whose `msg` carries the text of an exception a validator raised.
_EXCEPTION_TYPES: Final = frozenset({"value_error", "assertion_error"})


def invalid_input(exc: ValidationError) -> InputError:
    """The first pydantic error as an `InputError` (`input_error`)."""
    first = exc.errors(include_url=False)[0]
    if first["type"] == "json_invalid":
        return InputError("body", "malformed JSON: " + str(first["ctx"]["error"]))
    return input_error(first["loc"], first["type"], first["msg"])


def input_error(loc: Sequence[int | str], type: str, message: str) -> InputError:
    """A pydantic error of type `type` at `loc` (public names and list indexes; strawberry gives
    indexes as digits) as an `InputError` on its camelCase path (`phones[2]`), in pydantic's
    words, never in those of an exception a validator raised. GraphQL and REST both say it so."""
    if type in _EXCEPTION_TYPES:
        message = "is not a valid value"
    return InputError(field_path(loc) or "body", message)


def field_path(loc: Sequence[int | str]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int) or part.isdigit():
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path


def validated(model: type[M], data: Any) -> M:
    """`data` (python values keyed by the public names) as `model`, or the `InputError`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_input(exc) from exc


def validated_json(model: type[M], data: bytes) -> M:
    """A JSON body as `model`, or the `InputError`."""
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        raise invalid_input(exc) from exc


def checked(value: BaseModel) -> None:
    """The rules over a whole input (its `to_domain()`, when it has one); the first fault is an
    `InputError` naming the public field."""
    to_domain = getattr(value, "to_domain", None)
    if callable(to_domain):
        to_domain()


__all__ = [
    "ID",
    "Input",
    "Output",
    "SchemaRule",
    "checked",
    "example",
    "field_path",
    "input_error",
    "invalid_input",
    "validated",
    "validated_json",
]
