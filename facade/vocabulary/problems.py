"""What a client is told about a failure, once for both APIs: the details of a `FacadeError`, and
the two bodies that carry them (REST's RFC 9457 problem, GraphQL's `errors` entry).

`ErrorDetails.of` is the one reading of an error: its code, the facade's own message, the `field`
of an INVALID_INPUT, SMSC's own error number, the seconds to wait, whether a write may have
reached SMSC, and the id SMSC gave a message it refused. GraphQL puts them in a union member or `extensions`; REST in a problem document.
Code outside either API (browser safety, the app's request guards) answers with `problem_body`
or `graphql_body`, in the wire format of whatever lives at the path.
"""

import dataclasses
import json
from http import HTTPStatus
from typing import Any, Final, Self

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from facade import errors as tree
from facade.errors import ErrorCode

PROBLEM_JSON: Final = "application/problem+json"
SMSC_RETRY_AFTER: Final = tree.SmscRateLimited.RETRY_AFTER


@dataclasses.dataclass(frozen=True, slots=True)
class ErrorDetails:
    """What clients are told about a `FacadeError`, in every API alike."""

    code: ErrorCode
    message: str
    field: str | None = None
    upstream_code: int | None = None
    retry_after: float | None = None
    outcome_unknown: bool = False
    message_id: str | None = None  # send.php's refusals (errors 3, 6, 7, 8) name the message

    @classmethod
    def of(cls, error: tree.FacadeError) -> Self:
        retry_after = None
        if isinstance(error, tree.RateLimitedError | tree.InProgressError):
            retry_after = error.retry_after
        elif isinstance(error, tree.SmscRateLimited):
            retry_after = SMSC_RETRY_AFTER
        return cls(
            code=error.code,
            message=error.message,
            field=error.field if isinstance(error, tree.InputError) else None,
            upstream_code=error.upstream_code if isinstance(error, tree.SmscError) else None,
            retry_after=retry_after,
            outcome_unknown=isinstance(error, tree.UpstreamOutcomeUnknown)
            or (isinstance(error, tree.InProgressError) and error.outcome_unknown),
            message_id=error.message_id if isinstance(error, tree.SmscError) else None,
        )

    def extensions(self) -> dict[str, Any]:
        """GraphQL's `extensions` of an error: the code and whatever else applies."""
        found = {
            "code": self.code.value,
            "field": self.field,
            "upstreamCode": self.upstream_code,
            "retryAfter": self.retry_after,
            "outcomeUnknown": self.outcome_unknown or None,
            "messageId": self.message_id,
        }
        return {key: value for key, value in found.items() if value is not None}


class Problem(BaseModel):
    """An RFC 9457 problem document with the facade's extension members."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str
    code: ErrorCode
    field: str | None = Field(
        default=None, description="INVALID_INPUT: the camelCase path at fault, e.g. `phones[2]`."
    )
    upstream_code: int | None = Field(default=None, description="SMSC's own error number.")
    retry_after: float | None = Field(
        default=None, description="RATE_LIMITED: seconds to wait; also the Retry-After header."
    )
    outcome_unknown: bool | None = Field(
        default=None, description="The write may have reached SMSC: check before repeating it."
    )
    message_id: str | None = Field(
        default=None,
        description="INSUFFICIENT_FUNDS, MESSAGE_DENIED, RECIPIENT_REJECTED: the id SMSC gave the "
        "message it refused, when it gave one.",
    )

    @classmethod
    def of(cls, status: int, details: ErrorDetails) -> Self:
        return cls(
            type=problem_type(details.code),
            title=HTTPStatus(status).phrase,
            status=status,
            detail=details.message,
            code=details.code,
            field=details.field,
            upstream_code=details.upstream_code,
            retry_after=details.retry_after,
            outcome_unknown=details.outcome_unknown or None,
            message_id=details.message_id,
        )

    def body(self) -> bytes:
        return self.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8")


def problem_type(code: ErrorCode) -> str:
    return f"urn:smsc-facade:problem:{code.value.lower().replace('_', '-')}"


def problem_body(status: int, code: ErrorCode, detail: str, *, field: str | None = None) -> bytes:
    """A problem document's bytes, for code outside the REST API."""
    return Problem.of(status, ErrorDetails(code=code, message=detail, field=field)).body()


def graphql_body(code: ErrorCode, message: str) -> bytes:
    """A GraphQL response with one request error (no `data`), for code outside the GraphQL API."""
    error = {"message": message, "extensions": {"code": code.value}}
    return json.dumps({"errors": [error]}, separators=(",", ":")).encode("utf-8")


__all__ = [
    "PROBLEM_JSON",
    "SMSC_RETRY_AFTER",
    "ErrorDetails",
    "Problem",
    "graphql_body",
    "problem_body",
    "problem_type",
]
