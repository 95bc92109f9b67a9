"""The facade's one exception tree, and the error-code vocabulary shared by GraphQL, REST and logs.

```
FacadeError                      code
├── ConfigError                  INTERNAL            bad settings, reported all at once
├── AuthError                    UNAUTHENTICATED     unknown, revoked or expired client token
├── ForbiddenError               FORBIDDEN           the token lacks the scope
├── InputError                   INVALID_INPUT       facade-side validation, names the field
│   └── IdempotencyKeyReused                        the key was used with another payload (REST 422)
├── InProgressError              CONFLICT            the same idempotency key is still running or
│                                                    its outcome is being settled (retry_after)
├── NotFoundError                NOT_FOUND           the facade knows the thing is absent
├── RateLimitedError             RATE_LIMITED        the facade's own guard refused (retry_after)
└── UpstreamError
    ├── UpstreamUnavailable      UPSTREAM_UNAVAILABLE   timeouts, connect errors, 5xx: the only retried class
    │   └── UpstreamOutcomeUnknown                      a write that may have reached SMSC: never retried
    ├── UpstreamProtocolError    UPSTREAM_PROTOCOL_ERROR a body did not parse (endpoint, fmt, excerpt)
    └── SmscError                (per class)         SMSC's error envelope (code, description, endpoint)
        ├── SmscBadRequest       UPSTREAM_REJECTED   1, and 5 "invalid date format" on jobs.php
        ├── SmscAuthError        UPSTREAM_AUTH_FAILED 2
        ├── SmscNotFound         NOT_FOUND           3 where it means "record not found"
        ├── SmscRejected         UPSTREAM_REJECTED   3 "save error" on jobs.php, 5, 6, 7, 8, unknown codes
        ├── SmscBlocked          UPSTREAM_IP_BLOCKED 4
        └── SmscRateLimited      RATE_LIMITED        9, never retried automatically
```
Messages never carry credentials: errors are built from parameters with credentials removed.
"""

import enum

__all__ = [
    "AuthError",
    "ConfigError",
    "ErrorCode",
    "FacadeError",
    "ForbiddenError",
    "IdempotencyKeyReused",
    "InProgressError",
    "InputError",
    "NotFoundError",
    "RateLimitedError",
    "SmscAuthError",
    "SmscBadRequest",
    "SmscBlocked",
    "SmscError",
    "SmscNotFound",
    "SmscRateLimited",
    "SmscRejected",
    "UpstreamError",
    "UpstreamOutcomeUnknown",
    "UpstreamProtocolError",
    "UpstreamUnavailable",
]


class ErrorCode(enum.StrEnum):
    """The stable codes clients see (DESIGN.md, "Error codes")."""

    INVALID_INPUT = "INVALID_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    RATE_LIMITED = "RATE_LIMITED"
    CONFLICT = "CONFLICT"
    UPSTREAM_AUTH_FAILED = "UPSTREAM_AUTH_FAILED"
    UPSTREAM_IP_BLOCKED = "UPSTREAM_IP_BLOCKED"
    UPSTREAM_REJECTED = "UPSTREAM_REJECTED"
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    UPSTREAM_PROTOCOL_ERROR = "UPSTREAM_PROTOCOL_ERROR"
    INTERNAL = "INTERNAL"


class FacadeError(Exception):
    """Base of every error the facade raises on purpose."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(FacadeError):
    """Settings are invalid; `problems` lists every one of them, naming variables, never values."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid configuration: " + "; ".join(problems))
        self.problems = problems


class AuthError(FacadeError):
    code = ErrorCode.UNAUTHENTICATED


class ForbiddenError(FacadeError):
    code = ErrorCode.FORBIDDEN


class InputError(FacadeError):
    """Facade-side validation failed for `field` (a public, camelCase field name)."""

    code = ErrorCode.INVALID_INPUT

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class IdempotencyKeyReused(InputError):  # noqa: N818 - says what happened, as SmscRejected does
    """An idempotency key came back with a different payload: refused, nothing is executed."""

    def __init__(self, field: str = "idempotencyKey") -> None:
        super().__init__(
            field,
            "This idempotency key was used with a different request; use a new key for a new "
            "request.",
        )


class InProgressError(FacadeError):
    """The request under this idempotency key is still running, or the outcome of an attempt
    that may have reached SMSC is still being settled: retry after `retry_after` seconds."""

    code = ErrorCode.CONFLICT

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotFoundError(FacadeError):
    code = ErrorCode.NOT_FOUND


class RateLimitedError(FacadeError):
    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamError(FacadeError):
    """Anything that went wrong talking to SMSC."""

    code = ErrorCode.UPSTREAM_UNAVAILABLE


class UpstreamUnavailable(UpstreamError):  # noqa: N818 - the name DESIGN.md and STYLE.md fix
    """SMSC could not be reached or answered with a transport-level failure (timeout, 5xx)."""


class UpstreamOutcomeUnknown(UpstreamUnavailable):
    """A write failed after its request may have reached SMSC: it may or may not have happened.

    Never retry it blindly: check SMSC's state first. It is an `UpstreamUnavailable`, so code
    that retries that class must test for this one before it does.
    """

    def __init__(self, message: str, *, path: str, host: str) -> None:
        super().__init__(message)
        self.path = path
        self.host = host


class UpstreamProtocolError(UpstreamError):
    """A body SMSC sent could not be read as the response of the command that was asked."""

    code = ErrorCode.UPSTREAM_PROTOCOL_ERROR
    EXCERPT_LENGTH = 120

    def __init__(self, reason: str, *, endpoint: str, fmt: int, body: bytes | str) -> None:
        text = body if isinstance(body, str) else body.decode("utf-8", "replace")
        excerpt = text[: self.EXCERPT_LENGTH]
        super().__init__(f"unreadable {endpoint} response (fmt={fmt}): {reason}: {excerpt!r}")
        self.reason = reason
        self.endpoint = endpoint
        self.fmt = fmt
        self.excerpt = excerpt


class SmscError(UpstreamError):
    """SMSC answered with its error envelope (always HTTP 200 upstream)."""

    code = ErrorCode.UPSTREAM_REJECTED

    def __init__(self, upstream_code: int, description: str, *, endpoint: str) -> None:
        super().__init__(f"SMSC {endpoint} error {upstream_code}: {description}")
        self.upstream_code = upstream_code
        self.description = description
        self.endpoint = endpoint


class SmscBadRequest(SmscError):  # noqa: N818 - named after SMSC's own wording
    pass


class SmscAuthError(SmscError):
    code = ErrorCode.UPSTREAM_AUTH_FAILED


class SmscNotFound(SmscError):  # noqa: N818 - named after SMSC's own wording
    code = ErrorCode.NOT_FOUND


class SmscRejected(SmscError):  # noqa: N818 - named after SMSC's own wording
    pass


class SmscBlocked(SmscError):  # noqa: N818 - named after SMSC's own wording
    code = ErrorCode.UPSTREAM_IP_BLOCKED


class SmscRateLimited(SmscError):  # noqa: N818 - named after SMSC's own wording
    code = ErrorCode.RATE_LIMITED
    # SMSC counts its limit per minute (smsc-api-notes.md §1.6, error 9) and names no wait.
    RETRY_AFTER = 60.0
