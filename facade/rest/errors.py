"""REST errors: every failure as `application/problem+json` (RFC 9457), mapped in one table.

`PROBLEMS` maps an exception class to an HTTP status; the first row whose class matches wins,
so subclasses come before their bases. Every problem carries `type`, `title`, `status`,
`detail` and `code` (the facade's vocabulary, `facade.errors.ErrorCode`), plus `field` for
INVALID_INPUT, `upstreamCode` when SMSC gave one, `retryAfter` (and the `Retry-After` header)
for RATE_LIMITED and `outcomeUnknown` when a write may have reached SMSC. `detail` is the
error's `message`, the facade's own text; the log line gets its `diagnostic` (`facade.errors`).
Exceptions no row matches are masked as INTERNAL (500) and logged once, with their traceback.
"""

import logging
import math
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from facade import errors as tree
from facade.errors import ErrorCode

logger = logging.getLogger("facade.rest")

PROBLEM_JSON: Final = "application/problem+json"
INTERNAL_DETAIL: Final = "Internal error."
SMSC_RETRY_AFTER: Final = tree.SmscRateLimited.RETRY_AFTER

# The one table: exception class → status. Order matters: subclasses first.
PROBLEMS: Final[tuple[tuple[type[Exception], int], ...]] = (
    (tree.IdempotencyKeyReused, 422),
    (tree.IdempotencyKeySpent, 422),
    (tree.InputError, 400),
    (tree.InProgressError, 409),
    (tree.AuthError, 401),
    (tree.ForbiddenError, 403),
    (tree.NotFoundError, 404),
    (tree.SmscNotFound, 404),
    (tree.RateLimitedError, 429),
    (tree.SmscRateLimited, 429),
    (tree.SmscAuthError, 502),  # the facade's own SMSC login is refused: a bad gateway
    (tree.SmscBlocked, 503),
    (tree.SmscError, 422),  # SmscBadRequest, SmscRejected: SMSC refused what it was asked
    (tree.UpstreamOutcomeUnknown, 502),  # a write may have happened: not "try later" (503)
    (tree.UpstreamUnavailable, 503),
    (tree.UpstreamProtocolError, 502),
    (tree.UpstreamError, 502),
)

# Codes of the HTTP-level refusals (routing, content type, body size).
_HTTP_CODES: Final[Mapping[int, ErrorCode]] = {
    401: ErrorCode.UNAUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    429: ErrorCode.RATE_LIMITED,
}


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


def status_of(error: BaseException) -> int | None:
    """The status `PROBLEMS` gives `error`; None when no row matches (an internal error)."""
    return next((status for cls, status in PROBLEMS if isinstance(error, cls)), None)


def statuses_of(code: ErrorCode) -> frozenset[int]:
    """Every status the table can answer with `code` (for the OpenAPI document)."""
    found = {
        status for cls, status in PROBLEMS if issubclass(cls, tree.FacadeError) and cls.code is code
    }
    return frozenset(found or {500})


def problem_type(code: ErrorCode) -> str:
    return f"urn:smsc-facade:problem:{code.value.lower().replace('_', '-')}"


def render(problem: Problem, headers: Mapping[str, str] | None = None) -> Response:
    body = problem.model_dump_json(by_alias=True, exclude_none=True)
    return Response(body, status_code=problem.status, headers=headers, media_type=PROBLEM_JSON)


def problem(
    status: int,
    code: ErrorCode,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    found = Problem(
        type=problem_type(code),
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
        **extra,
    )
    return render(found, headers)


def error_response(error: Exception, where: str) -> Response:
    """The problem response for anything an endpoint raised; `where` names it in the logs."""
    if isinstance(error, HTTPException):
        return http_problem(error)
    status = status_of(error)
    if status is None or not isinstance(error, tree.FacadeError):
        logger.error("unexpected error in %s", where, exc_info=error)
        return problem(500, ErrorCode.INTERNAL, INTERNAL_DETAIL)
    logger.info("REST %s in %s: %s", error.code.value, where, error.diagnostic)
    headers: dict[str, str] = {}
    extra: dict[str, Any] = {}
    if isinstance(error, tree.InputError):
        extra["field"] = error.field
    if isinstance(error, tree.SmscError):
        extra["upstream_code"] = error.upstream_code
    if isinstance(error, tree.UpstreamOutcomeUnknown) or (
        isinstance(error, tree.InProgressError) and error.outcome_unknown
    ):
        extra["outcome_unknown"] = True
    if status in (409, 429):
        retry_after = (
            error.retry_after
            if isinstance(error, tree.RateLimitedError | tree.InProgressError)
            else SMSC_RETRY_AFTER
        )
        extra["retry_after"] = retry_after
        headers["Retry-After"] = str(math.ceil(retry_after))
    if isinstance(error, tree.AuthError):
        headers["WWW-Authenticate"] = "Bearer"
    return problem(status, error.code, error.message, headers, **extra)


def http_problem(error: HTTPException) -> Response:
    """Starlette's own refusals (unknown route 404, 405 with Allow, ...) as problems."""
    status = error.status_code
    code = _HTTP_CODES.get(status, ErrorCode.INVALID_INPUT if status < 500 else ErrorCode.INTERNAL)
    return problem(status, code, error.detail, error.headers)


async def http_exception_handler(_: Request, exc: Exception) -> Response:
    """The app-wide handler for `HTTPException`: routing errors are problems too."""
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    return http_problem(exc)


EXCEPTION_HANDLERS: Final = {HTTPException: http_exception_handler}

__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEMS",
    "PROBLEM_JSON",
    "Problem",
    "error_response",
    "http_exception_handler",
    "http_problem",
    "problem",
    "status_of",
    "statuses_of",
]
