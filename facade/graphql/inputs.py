"""The mutations' inputs: the public vocabulary's input models, exposed (`derive.input`).

strawberry builds each `input` argument as its model, so the model's constraints and rules
(`facade.vocabulary`) run before the resolver, its idempotency and the client, exactly as they
run on a REST body. A fault names a camelCase path inside the argument: `phones[2]`,
`messages[0].sender`, `sendTime`. Arguments of their own (a bare `id` or `phone`) are held to
their rule by `CheckedArguments`, also before idempotency.
"""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from strawberry.extensions import FieldExtension
from strawberry.types import Info

from facade.domain.rules import require_id, require_listed_address
from facade.graphql.derive import input
from facade.vocabulary.blacklist import AddToBlacklist
from facade.vocabulary.contacts import (
    AddContactToGroup,
    CreateContact,
    MoveContactToGroup,
    RemoveContactFromGroup,
    UpdateContactByPhone,
)
from facade.vocabulary.groups import CreateGroup, RenameGroupById
from facade.vocabulary.jobs import CallParams, CreateJob, RecipientMessage, SendTime, SendWindow
from facade.vocabulary.messages import SendMessage
from facade.vocabulary.templates import CreateTemplate, UpdateTemplateById

for _model in (
    AddContactToGroup,
    AddToBlacklist,
    CallParams,
    CreateContact,
    CreateGroup,
    CreateJob,
    CreateTemplate,
    MoveContactToGroup,
    RecipientMessage,
    RemoveContactFromGroup,
    SendMessage,
    SendTime,
    SendWindow,
):
    input(_model)
# GraphQL's inputs of a change carry what REST takes from the path (the `id`, the `phone`).
input(UpdateTemplateById, name="UpdateTemplateInput")
input(UpdateContactByPhone, name="UpdateContactInput")
input(RenameGroupById, name="RenameGroupInput")

# Mutation arguments of their own (not inside an `input`), by name: the rule each is held to.
_BARE_ARGUMENTS: Final[Mapping[str, Callable[[str, str], str]]] = {
    "id": require_id,
    "phone": require_listed_address,
}


def check_arguments(arguments: Mapping[str, Any]) -> None:
    """A mutation's bare `id` or `phone` held to its rule; the first fault is an `InputError`."""
    for name, value in arguments.items():
        rule = _BARE_ARGUMENTS.get(name)
        if rule is not None and isinstance(value, str):
            rule(value, name)


class CheckedArguments(FieldExtension):
    """Checks a mutation's bare arguments before anything else runs on them (idempotency, whose
    fingerprint holds them; the client), so that a bad value is refused the same way with or
    without an idempotency key."""

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info[Any, Any],
        **kwargs: Any,
    ) -> Any:
        check_arguments(kwargs)
        return await next_(source, info, **kwargs)


__all__ = [
    "AddContactToGroup",
    "AddToBlacklist",
    "CheckedArguments",
    "CreateContact",
    "CreateGroup",
    "CreateJob",
    "CreateTemplate",
    "MoveContactToGroup",
    "RemoveContactFromGroup",
    "RenameGroupById",
    "SendMessage",
    "UpdateContactByPhone",
    "UpdateTemplateById",
    "check_arguments",
]
