"""`idempotencyKey` on every mutation that reaches SMSC: the `Idempotent` field extension.

The key is scoped to the caller's account and client; the fingerprint is the field's name and its
other arguments. What is stored is the resolver's result, in a small type-tagged JSON over the
result types (strawberry's own types are dataclasses, the vocabulary's pydantic models), so a
repeat resolves to an equal object and the same selection gives the same response. Errors are
stored as errors and mapped again by the schema's exception handlers. `facade.upstream.idempotency` has the rules.
"""

import dataclasses
import datetime as dt
import decimal
import enum
import json
import typing
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import strawberry
from pydantic import BaseModel
from strawberry.extensions import FieldExtension
from strawberry.types import Info
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import StrawberryOptional
from strawberry.types.field import StrawberryField
from strawberry.types.union import StrawberryUnion

from facade.errors import InputError
from facade.graphql.errors import Error
from facade.upstream.idempotency import IdempotencyKey, check_key, fingerprint
from facade.upstream.settling import Settling

ARGUMENT: Final = "idempotencyKey"
_DESCRIPTION: Final = (
    "A new unique string (a UUID) per change: repeated with the same arguments, the mutation "
    "answers its first result again and SMSC is not asked twice."
)


# A write's settling, from the operation's context and its arguments (by Python name).
SettlingOf = Callable[[Any, Mapping[str, Any]], Settling[Any]]


class Idempotent(FieldExtension):
    """Adds `idempotencyKey: String` to a mutation and runs it under the key when one is given.

    `settling` declares a write SMSC can be asked about when its answer was lost (a job
    creation, a send: `facade.upstream.settling`), made from the context and the arguments.
    """

    def __init__(self, settling: SettlingOf | None = None) -> None:
        self.settling = settling
        self.codec = ResultCodec(())

    def apply(self, field: StrawberryField) -> None:
        field.arguments = [
            *field.arguments,
            StrawberryArgument(
                python_name="idempotency_key",
                graphql_name=ARGUMENT,
                type_annotation=strawberry.annotation.StrawberryAnnotation(str | None),
                description=_DESCRIPTION,
                default=None,
            ),
        ]
        union = field.type
        if not isinstance(union, StrawberryUnion):
            raise TypeError(f"{field.python_name}: Idempotent needs a field returning a union")
        self.codec = ResultCodec(
            member
            for member in union.types
            if isinstance(member, type) and not issubclass(member, Error)
        )

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Any, Any],
        **kwargs: Any,
    ) -> Any:
        key = kwargs.pop("idempotency_key", None)
        if key is None:
            return await next_(source, info, **kwargs)
        context = info.context
        if context.idempotency is None:
            raise InputError(ARGUMENT, "idempotency keys are not taken by this server")
        principal = context.principal
        scoped = IdempotencyKey(
            principal.account, principal.name, check_key(key, ARGUMENT), ARGUMENT
        )
        signature = fingerprint(info.field_name, {name: plain(v) for name, v in kwargs.items()})
        settling = None if self.settling is None else self.settling(context, kwargs)
        outcome = await context.idempotency.run(
            scoped, signature, lambda: next_(source, info, **kwargs), self.codec, settling=settling
        )
        return outcome.unwrap()


def plain(value: Any) -> Any:
    """An argument as JSON: inputs as objects (unset fields left out), enums by name."""
    if value is strawberry.UNSET:
        return None
    if isinstance(value, BaseModel):
        return {name: plain(getattr(value, name)) for name in type(value).model_fields}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: plain(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if getattr(value, field.name) is not strawberry.UNSET
        }
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, decimal.Decimal | dt.date | dt.datetime | dt.time):
        return str(value) if isinstance(value, decimal.Decimal) else value.isoformat()
    return value


class ResultCodec:
    """Result objects as type-tagged JSON; only the types reachable from `roots` are read back.

    Objects are `{"$type": name, "$fields": {...}}`, enums `{"$enum": name, "$name": member}`,
    and decimals, dates and times `{"$decimal" | "$date" | "$datetime": text}`.
    """

    def __init__(self, roots: typing.Iterable[type]) -> None:
        self.types: dict[str, type] = {}
        for root in roots:
            self._register(root)

    def _register(self, annotation: Any) -> None:
        if isinstance(annotation, StrawberryOptional):
            annotation = annotation.of_type
        for argument in typing.get_args(annotation):
            self._register(argument)
        if not isinstance(annotation, type) or annotation.__name__ in self.types:
            return
        if issubclass(annotation, enum.Enum):
            self.types[annotation.__name__] = annotation
        elif issubclass(annotation, BaseModel):
            self.types[annotation.__name__] = annotation
            for field in annotation.model_fields.values():
                self._register(field.annotation)
        elif dataclasses.is_dataclass(annotation):
            self.types[annotation.__name__] = annotation
            for hint in typing.get_type_hints(annotation).values():
                self._register(hint)

    def encode(self, value: Any) -> bytes:
        return json.dumps(self._tag(value), ensure_ascii=False).encode("utf-8")

    def decode(self, data: bytes) -> Any:
        return self._untag(json.loads(data))

    def _tag(self, value: Any) -> Any:
        if isinstance(value, enum.Enum):
            return {"$enum": type(value).__name__, "$name": value.name}
        if isinstance(value, BaseModel):
            fields = {name: self._tag(getattr(value, name)) for name in type(value).model_fields}
            return {"$type": type(value).__name__, "$fields": fields}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            # Fields with a resolver of their own (init=False) are resolved again on a repeat.
            fields = {
                f.name: self._tag(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if f.init
            }
            return {"$type": type(value).__name__, "$fields": fields}
        if isinstance(value, list):
            return [self._tag(item) for item in value]
        if isinstance(value, decimal.Decimal):
            return {"$decimal": str(value)}
        if isinstance(value, dt.datetime):
            return {"$datetime": value.isoformat()}
        if isinstance(value, dt.date):
            return {"$date": value.isoformat()}
        if value is None or isinstance(value, str | int | float | bool):
            return value
        raise TypeError(f"cannot store a {type(value).__name__}")

    def _untag(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self._untag(item) for item in value]
        if not isinstance(value, dict):
            return value
        if "$type" in value:
            cls = self._known(value["$type"])
            return cls(**{name: self._untag(item) for name, item in value["$fields"].items()})
        if "$enum" in value:
            members = typing.cast("type[enum.Enum]", self._known(value["$enum"]))
            return members[value["$name"]]
        if "$decimal" in value:
            return decimal.Decimal(value["$decimal"])
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        return dt.date.fromisoformat(value["$date"])

    def _known(self, name: str) -> type:
        found = self.types.get(name)
        if found is None:
            raise ValueError(f"{name} is not a result type of this field")
        return found


__all__ = ["ARGUMENT", "Idempotent", "ResultCodec", "plain"]
