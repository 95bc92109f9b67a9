"""The GraphQL error surface: `interface Error`, its union members, and codes on every error.

- Expected errors are union members (STYLE.md B4): the schema's exception handlers (`HANDLERS`,
  strawberry's `exception_handlers`) turn a `FacadeError` raised by a field whose result union
  lists members of `Error` into the member `MEMBERS` (the one table) names for its class, if the
  union lists that member; an input model refused while strawberry builds the argument is an
  `InputError` there too.
- Every other error reaches the response's `errors`; `ErrorExtension` gives it
  `extensions.code` from the same vocabulary (plus `field`, `upstreamCode`, `retryAfter` where
  they apply). A `FacadeError`'s message is its `message`, the facade's own text; the log line
  gets its `diagnostic` (`facade.errors`). Errors without a path are graphql-core's own (syntax,
  validation, variable coercion, `@oneOf`): they keep their message and get `INVALID_INPUT`,
  since the request is at fault; but where graphql-core quotes the text of a Python exception a
  scalar raised (Python's limit on an integer's digits, for one), the facade says it in its own
  words. Anything else raised while executing is masked as `INTERNAL` and logged once, with its
  traceback, on the "facade.graphql" logger; so is a `FacadeError` whose code is `INTERNAL`
  (`ConfigError`: its text is for operators).
- `FacadeSchema` turns off strawberry's own error log, which would log every error a second
  time, expected ones included, with a traceback.
"""

import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any, Self

import strawberry
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.pydantic import InputValidationError
from strawberry.types import ExecutionContext, Info
from strawberry.types.execution import ExecutionResult
from strawberry.types.field import StrawberryField

from facade import errors as tree
from facade.errors import ErrorCode
from facade.vocabulary.problems import SMSC_RETRY_AFTER, ErrorDetails
from facade.vocabulary.shapes import input_error

logger = logging.getLogger("facade.graphql")

INTERNAL_MESSAGE = "Internal error."
# graphql-core's words for a value a scalar refused by raising: "Expected value of type 'Int',
# but encountered error '<the exception's text>'; found: ...". The type is the schema's own.
_EXPECTED_TYPE = re.compile(r"Expected value of type '([A-Za-z0-9_!\[\]]{1,200})'")

# The GraphQL enum is the facade's own: one vocabulary, nothing to keep in step.
strawberry.enum(
    ErrorCode, description="Why a request failed; the same codes as REST problems and the logs."
)


@strawberry.interface(description="Every expected error: a code and a message for people.")
class Error:
    code: ErrorCode
    message: str


@strawberry.type(description="The input was refused; nothing was sent to SMSC.")
class InvalidInputError(Error):
    field: str = strawberry.field(
        description="The field at fault, as a camelCase path inside the argument: `phones[2]`, "
        "`messages[0].sender`, `sendTime`; an argument of its own by its name (`id`, `phone`)."
    )

    @classmethod
    def from_details(cls, details: ErrorDetails) -> Self:
        return cls(code=details.code, message=details.message, field=details.field or "")


@strawberry.type(description="The thing named does not exist (SMSC said so, or the facade knows).")
class NotFoundError(Error):
    @classmethod
    def from_details(cls, details: ErrorDetails) -> Self:
        return cls(code=details.code, message=details.message)


@strawberry.type(description="Too many identical requests: the facade or SMSC refused this one.")
class RateLimitedError(Error):
    retry_after: float = strawberry.field(description="Seconds to wait before trying again.")

    @classmethod
    def from_details(cls, details: ErrorDetails) -> Self:
        retry_after = details.retry_after if details.retry_after is not None else SMSC_RETRY_AFTER
        return cls(code=details.code, message=details.message, retry_after=retry_after)


@strawberry.type(description="SMSC refused the request, failed, or could not be reached.")
class UpstreamError(Error):
    upstream_code: int | None = strawberry.field(
        description="SMSC's own error number, when SMSC answered with one."
    )
    outcome_unknown: bool = strawberry.field(
        description="The request may have reached SMSC: check before repeating it."
    )
    message_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="INSUFFICIENT_FUNDS, MESSAGE_DENIED, RECIPIENT_REJECTED: the id SMSC gave the "
        "message it refused, when it gave one.",
    )

    @classmethod
    def from_details(cls, details: ErrorDetails) -> Self:
        message_id = None if details.message_id is None else strawberry.ID(details.message_id)
        return cls(
            code=details.code,
            message=details.message,
            upstream_code=details.upstream_code,
            outcome_unknown=details.outcome_unknown,
            message_id=message_id,
        )


Member = InvalidInputError | NotFoundError | RateLimitedError | UpstreamError
MemberType = type[InvalidInputError | NotFoundError | RateLimitedError | UpstreamError]

# The one table: the first row whose class matches names the union member. Errors no row
# matches (AuthError, ForbiddenError, ConfigError) are never union members.
MEMBERS: tuple[tuple[type[tree.FacadeError], MemberType], ...] = (
    (tree.InputError, InvalidInputError),
    (tree.NotFoundError, NotFoundError),
    (tree.SmscNotFound, NotFoundError),
    (tree.RateLimitedError, RateLimitedError),
    (tree.SmscRateLimited, RateLimitedError),
    (tree.UpstreamError, UpstreamError),
)


def member_type(error: tree.FacadeError) -> MemberType | None:
    return next((member for cls, member in MEMBERS if isinstance(error, cls)), None)


def facade_error(error: Exception) -> tree.FacadeError | None:
    """`error` as the facade's: strawberry's refusal of an input model is an `InputError` on the
    path inside the argument, in the words REST uses for the same fault."""
    if isinstance(error, tree.FacadeError):
        return error
    if isinstance(error, InputValidationError) and error.errors:
        first = error.errors[0]
        return input_error(first.location[1:], first.type, first.message)
    return None


class MemberHandler:
    """Resolves a field to one union member for the `FacadeError`s `MEMBERS` gives it, where the
    field's union lists that member (strawberry applies a handler only there).

    Handlers run around the whole field: its arguments' conversion (where an input model is
    validated), its extensions and its resolver. An error whose member the union does not list
    is declined and propagates unchanged, for `ErrorExtension` to give it a code.
    """

    def __init__(self, member: MemberType) -> None:
        self.error_type = member
        self.exception_type = tuple(
            {cls for cls, found in MEMBERS if found is member}
            | ({InputValidationError} if member is InvalidInputError else set())
        )

    def handle(
        self, exception: Exception, *, field: StrawberryField, info: Info[Any, Any]
    ) -> Member | None:
        error = facade_error(exception)
        if error is None or member_type(error) is not self.error_type:
            return None
        return self.error_type.from_details(ErrorDetails.of(error))


# One handler per member, in the order of `MEMBERS`: the schema's `exception_handlers`.
HANDLERS: tuple[MemberHandler, ...] = tuple(
    MemberHandler(member) for member in dict.fromkeys(member for _, member in MEMBERS)
)


class ErrorExtension(SchemaExtension):
    """Codes on every error of a response; unexpected ones masked and logged once."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult | ExecutionResult) and result.errors:
            result.errors = [coded(error) for error in result.errors]


def coded(error: GraphQLError) -> GraphQLError:
    """`error` with `extensions.code`, or its masked stand-in (see the module docstring)."""
    original = error.original_error
    if isinstance(original, Exception):
        original = facade_error(original) or original
    if isinstance(original, tree.FacadeError) and original.code is not ErrorCode.INTERNAL:
        details = ErrorDetails.of(original)
        logger.info("GraphQL %s at %s: %s", details.code.value, _where(error), original.diagnostic)
        error.message = details.message
        error.extensions = {**(error.extensions or {}), **details.extensions()}
        return error
    if error.path is None and not isinstance(original, tree.FacadeError):
        if original is not None and not isinstance(original, GraphQLError):
            error.message = _in_own_words(error.message)
        error.extensions = {**(error.extensions or {}), "code": ErrorCode.INVALID_INPUT.value}
        return error
    logger.error("unexpected error at %s", _where(error), exc_info=original or error)
    return GraphQLError(
        INTERNAL_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": ErrorCode.INTERNAL.value},
    )


def _in_own_words(message: str) -> str:
    """A graphql-core message that quotes a Python exception, without it."""
    found = _EXPECTED_TYPE.match(message)
    if found is None:
        return "A value in the request cannot be read."
    return f"Expected value of type '{found[1]}'; the value given cannot be read as one."


def _where(error: GraphQLError) -> str:
    return ".".join(str(key) for key in error.path) if error.path else "(request)"


class FacadeSchema(strawberry.Schema):
    """A schema whose expected errors resolve to union members (`HANDLERS`), and whose errors
    only `ErrorExtension` logs.

    strawberry's `Schema.process_errors` logs every error on "strawberry.execution" with its
    traceback, expected ones included, before any extension sees it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("exception_handlers", HANDLERS)
        super().__init__(*args, **kwargs)

    def process_errors(
        self, errors: Iterable[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


__all__ = [
    "HANDLERS",
    "MEMBERS",
    "Error",
    "ErrorCode",
    "ErrorExtension",
    "FacadeSchema",
    "InvalidInputError",
    "NotFoundError",
    "RateLimitedError",
    "UpstreamError",
    "coded",
    "member_type",
]
