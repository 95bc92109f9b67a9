"""REST errors: every failure as `application/problem+json` (RFC 9457), mapped in one table.

`PROBLEMS` maps an exception class to an HTTP status; the first row whose class matches wins,
so subclasses come before their bases. Every problem carries `type`, `title`, `status`,
`detail` and `code` (the facade's vocabulary, `facade.errors.ErrorCode`), plus `field` for
INVALID_INPUT, `upstreamCode` when SMSC gave one, `retryAfter` (and the `Retry-After` header)
for RATE_LIMITED, `outcomeUnknown` when a write may have reached SMSC, and `messageId` when
SMSC named the message it refused. `detail` is the error's `message`, the facade's own text; the
log line gets its `diagnostic` (`facade.errors`).
Exceptions no row matches are masked as INTERNAL (500) and logged once, with their traceback.
"""

import logging
import math
from collections.abc import Mapping
from typing import Final

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from facade import errors as tree
from facade.errors import ErrorCode
from facade.vocabulary.problems import PROBLEM_JSON, ErrorDetails, Problem

logger = logging.getLogger("facade.rest")

INTERNAL_DETAIL: Final = "Internal error."

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
    (tree.SmscNoMoney, 402),  # INSUFFICIENT_FUNDS: the account must be topped up first
    (tree.SmscMessageDenied, 422),  # MESSAGE_DENIED: the text or the sender must change
    (tree.SmscRecipientRejected, 422),  # RECIPIENT_REJECTED: the recipients must change
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


def status_of(error: BaseException) -> int | None:
    """The status `PROBLEMS` gives `error`; None when no row matches (an internal error)."""
    return next((status for cls, status in PROBLEMS if isinstance(error, cls)), None)


def statuses_of(code: ErrorCode) -> frozenset[int]:
    """Every status the table can answer with `code` (for the OpenAPI document)."""
    found = {
        status for cls, status in PROBLEMS if issubclass(cls, tree.FacadeError) and cls.code is code
    }
    return frozenset(found or {500})


def render(
    status: int, details: ErrorDetails, headers: Mapping[str, str] | None = None
) -> Response:
    body = Problem.of(status, details).body()
    return Response(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def problem(
    status: int,
    code: ErrorCode,
    detail: str,
    headers: Mapping[str, str] | None = None,
    *,
    field: str | None = None,
) -> Response:
    return render(status, ErrorDetails(code=code, message=detail, field=field), headers)


def error_response(error: Exception, where: str) -> Response:
    """The problem response for anything an endpoint raised; `where` names it in the logs."""
    if isinstance(error, HTTPException):
        return http_problem(error)
    status = status_of(error)
    if status is None or not isinstance(error, tree.FacadeError):
        logger.error("unexpected error in %s", where, exc_info=error)
        return problem(500, ErrorCode.INTERNAL, INTERNAL_DETAIL)
    logger.info("REST %s in %s: %s", error.code.value, where, error.diagnostic)
    details = ErrorDetails.of(error)
    headers: dict[str, str] = {}
    if details.retry_after is not None:
        headers["Retry-After"] = str(math.ceil(details.retry_after))
    if isinstance(error, tree.AuthError):
        headers["WWW-Authenticate"] = "Bearer"
    return render(status, details, headers)


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
    "error_response",
    "http_exception_handler",
    "http_problem",
    "problem",
    "status_of",
    "statuses_of",
]
