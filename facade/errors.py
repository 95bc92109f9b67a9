"""The facade's one exception tree, and the error-code vocabulary shared by GraphQL, REST and logs.

```
FacadeError                      code
├── ConfigError                  INTERNAL            bad settings, reported all at once
├── AuthError                    UNAUTHENTICATED     unknown, revoked or expired client token
├── ForbiddenError               FORBIDDEN           the token lacks the scope
├── InputError                   INVALID_INPUT       facade-side validation, names the field
│   ├── IdempotencyKeyReused                        the key was used with another payload (REST 422)
│   └── IdempotencyKeySpent                         the key's job was settled as never created (422)
├── InProgressError              CONFLICT            the same idempotency key is still running or
│                                                    its outcome is being settled (retry_after,
│                                                    outcome_unknown)
├── NotFoundError                NOT_FOUND           the facade knows the thing is absent
├── RateLimitedError             RATE_LIMITED        the facade's own guard refused (retry_after)
└── UpstreamError
    ├── UpstreamUnavailable      UPSTREAM_UNAVAILABLE   timeouts, connect errors, 5xx: the only retried class
    │   └── UpstreamOutcomeUnknown                      a write that may have reached SMSC: never retried
    ├── UpstreamProtocolError    UPSTREAM_PROTOCOL_ERROR a body did not parse (endpoint, fmt, BodySummary)
    └── SmscError                (per class)         SMSC's error envelope (code, description, endpoint)
        ├── SmscBadRequest       UPSTREAM_REJECTED   1, and 5 "invalid date format" on jobs.php
        ├── SmscAuthError        UPSTREAM_AUTH_FAILED 2
        ├── SmscNotFound         NOT_FOUND           3 where it means "record not found"
        ├── SmscRejected         UPSTREAM_REJECTED   3 "save error" on jobs.php, 5, 6, 7, 8, unknown codes
        ├── SmscBlocked          UPSTREAM_IP_BLOCKED 4
        ├── SmscRateLimited      RATE_LIMITED        9, never retried automatically
        ├── SmscNoMoney          INSUFFICIENT_FUNDS  3 on send.php: the account cannot pay
        ├── SmscMessageDenied    MESSAGE_DENIED      6 on send.php: the text or the sender is denied
        └── SmscRecipientRejected RECIPIENT_REJECTED 7 and 8 on send.php: invalid or unreachable
                                                     number(s)
A send's error may carry the message's id (`SmscError.message_id`): SMSC adds it for 3, 6, 7, 8.
```
What clients are told, an error's `message` (and its `str`), is the facade's own text: never a
byte SMSC or a proxy in front of it sent (an echo of the request can hold the credentials in any
encoding, which no mask can list), nor a host, path or URL, nor a Python exception's text. An
error's `diagnostic` is for the logs: it may add what the facade knows (host, path, attempt), a
`BodySummary` of an unreadable body, and SMSC's description only when it is one SMSC is known to
send; still never a byte of a body.
"""

import codecs
import dataclasses
import enum
import hashlib
import re
import secrets
from collections.abc import Mapping
from typing import ClassVar, Final

__all__ = [
    "AuthError",
    "BodySummary",
    "ConfigError",
    "ErrorCode",
    "FacadeError",
    "ForbiddenError",
    "IdempotencyKeyReused",
    "IdempotencyKeySpent",
    "InProgressError",
    "InputError",
    "NotFoundError",
    "RateLimitedError",
    "SmscAuthError",
    "SmscBadRequest",
    "SmscBlocked",
    "SmscError",
    "SmscMessageDenied",
    "SmscNoMoney",
    "SmscNotFound",
    "SmscRateLimited",
    "SmscRecipientRejected",
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
    INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
    MESSAGE_DENIED = "MESSAGE_DENIED"
    RECIPIENT_REJECTED = "RECIPIENT_REJECTED"
    INTERNAL = "INTERNAL"


class FacadeError(Exception):
    """Base of every error the facade raises on purpose.

    `message` is for clients, `diagnostic` (the message unless given) for the logs; neither
    holds a byte from SMSC (module docstring).
    """

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, *, diagnostic: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostic = message if diagnostic is None else diagnostic


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


class IdempotencyKeySpent(InputError):  # noqa: N818 - says what happened, as SmscRejected does
    """The key's write was settled as never made: the key cannot carry it again; nothing is
    executed, and the same request under a new key is safe (REST 422, never a retryable 5xx)."""


class InProgressError(FacadeError):
    """The request under this idempotency key is still running, or the outcome of an attempt
    that may have reached SMSC is still being settled (`outcome_unknown`): retry after
    `retry_after` seconds with the same key."""

    code = ErrorCode.CONFLICT

    def __init__(self, message: str, *, retry_after: float, outcome_unknown: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


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

    def __init__(
        self, message: str, *, path: str, host: str, diagnostic: str | None = None
    ) -> None:
        super().__init__(message, diagnostic=diagnostic)
        self.path = path
        self.host = host


# Keys the digests of `BodySummary`; made anew by every process, never logged or stored.
_DIGEST_KEY: Final = secrets.token_bytes(32)
_LEADING_SPACE: Final = re.compile(rb"[ \t\r\n]*")
_HEAD: Final = 64
# "/sys/jobs.php?add", as `facade.smsc.wire.Reply` names a command: named `jobs.add` to clients.
_COMMAND: Final = re.compile(r"/sys/([a-z_]{1,20})\.php\?([a-z_]{1,40})")


@dataclasses.dataclass(frozen=True, slots=True)
class BodySummary:
    """What the logs learn of a body the facade could not read, in place of any byte of it.

    The body may echo the request, credentials and all, in encodings no mask can foresee (base64
    of the whole form, upper case, an MD5 in base64), so no excerpt is kept: its length, its shape
    (one of `SHAPES`, from its first bytes) and a digest tell whether failures got the same body.
    The digest is keyed by a secret of the process: an echo of the request is predictable but for
    the password, so a plain SHA-256 in the logs would let their readers test guesses offline.
    """

    SHAPES: ClassVar = ("empty", "JSON object", "JSON array", "HTML", "XML", "text", "not UTF-8")

    length: int
    shape: str
    digest: str

    @classmethod
    def of(cls, body: bytes | str) -> "BodySummary":
        data = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
        digest = hashlib.blake2b(data, key=_DIGEST_KEY, digest_size=8).hexdigest()
        return cls(length=len(data), shape=_shape(data), digest=digest)

    def __str__(self) -> str:
        return f"{self.length} bytes, {self.shape}, keyed digest {self.digest}"


def _shape(data: bytes) -> str:
    start = _LEADING_SPACE.match(data)
    begin = start.end() if start else 0
    head = data[begin : begin + _HEAD]
    if not head:
        return "empty"
    if head.startswith(b"{"):
        return "JSON object"
    if head.startswith(b"["):
        return "JSON array"
    if head.startswith(b"<"):
        return "HTML" if head.lower().startswith((b"<!doctype html", b"<html")) else "XML"
    try:  # a head cut from a longer body may end inside a character
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _HEAD)
    except UnicodeDecodeError:
        return "not UTF-8"
    return "not UTF-8" if b"\0" in head else "text"


def _command(endpoint: str) -> str:
    """How a client message names the command of `endpoint`: `jobs.add`, never a path."""
    found = _COMMAND.fullmatch(endpoint)
    return f"`{found[1]}.{found[2]}`" if found else "a command"


class UpstreamProtocolError(UpstreamError):
    """A body SMSC sent could not be read as the response of the command that was asked.

    `reason` is the parser's own words, for the logs; `body` is a `BodySummary`, never bytes.
    """

    code = ErrorCode.UPSTREAM_PROTOCOL_ERROR

    def __init__(
        self, reason: str, *, endpoint: str, fmt: int, body: bytes | str | BodySummary
    ) -> None:
        summary = body if isinstance(body, BodySummary) else BodySummary.of(body)
        super().__init__(
            f"SMSC's answer to {_command(endpoint)} could not be read (fmt {int(fmt)}).",
            diagnostic=f"unreadable {endpoint} response (fmt={fmt}): {reason}; body: {summary}",
        )
        self.reason = reason
        self.endpoint = endpoint
        self.fmt = fmt
        self.body = summary


# The descriptions SMSC is known to send (smsc-api-notes.md §1.6, docs/smsc-wire.md "Error
# envelopes"). The logs show these as they are; any other text is as likely an echo of the
# request as a new wording, so the logs get its `BodySummary`.
SMSC_DESCRIPTIONS: Final = frozenset(
    {
        "",
        "authorise error",
        "balance is zero",
        "can't to deliver",
        "duplicate request, wait a minute",
        "error saving a record",
        "invalid date format",
        "invalid number",
        "ip is blocked",
        "ip is temporarily blocked",
        "message is denied",
        "no money",
        "no records found",
        "parameters error",
        "record not found",
        "save error",
        "too many concurrent requests",
        "unknown error",
    }
)


class SmscError(UpstreamError):
    """SMSC answered with its error envelope (always HTTP 200 upstream).

    Clients are told what the code means (`MEANINGS`, else `MEANING`, of the class the code maps
    to) and the code. SMSC's description is upstream text: it is kept (`description`, and in the
    `diagnostic`) only when it is one of `SMSC_DESCRIPTIONS`; any other is dropped, and the
    diagnostic gets its `BodySummary`. `diagnostic` is given when an error is made anew.
    """

    code = ErrorCode.UPSTREAM_REJECTED
    MEANING: ClassVar[str] = "SMSC rejected the request"
    MEANINGS: ClassVar[Mapping[int, str]] = {}

    def __init__(
        self,
        upstream_code: int,
        description: str,
        *,
        endpoint: str,
        diagnostic: str | None = None,
        message_id: str | None = None,
    ) -> None:
        meaning = self.MEANINGS.get(upstream_code, self.MEANING)
        known = description.strip().lower()
        said = f": {known}" if known else ""
        if known not in SMSC_DESCRIPTIONS:
            said = f"; an unknown description ({BodySummary.of(description)})"
            known = ""
        super().__init__(
            f"{meaning} (SMSC error {upstream_code}).",
            diagnostic=diagnostic or f"SMSC {endpoint} error {upstream_code}{said}",
        )
        self.upstream_code = upstream_code
        self.description = known
        self.endpoint = endpoint
        self.message_id = message_id  # send.php adds the message's id to errors 3, 6, 7 and 8


class SmscBadRequest(SmscError):  # noqa: N818 - named after SMSC's own wording
    MEANING = "SMSC refused the request as malformed"
    MEANINGS: ClassVar[Mapping[int, str]] = {
        1: "SMSC found an error in the request's parameters",
        5: "SMSC refused a date or time of the request as badly formatted",
    }


class SmscAuthError(SmscError):
    code = ErrorCode.UPSTREAM_AUTH_FAILED
    MEANING = "SMSC refused the account's login or password, or the facade's address is not allowed"


class SmscNotFound(SmscError):  # noqa: N818 - named after SMSC's own wording
    code = ErrorCode.NOT_FOUND
    MEANING = "SMSC has no such record"


class SmscRejected(SmscError):  # noqa: N818 - named after SMSC's own wording
    MEANINGS: ClassVar[Mapping[int, str]] = {
        3: "SMSC could not save the record",
        5: "SMSC could not save or delete the record",
        6: "SMSC denied the message",
        7: "SMSC refused a phone number as invalid",
        8: "SMSC cannot deliver the message",
    }


class SmscBlocked(SmscError):  # noqa: N818 - named after SMSC's own wording
    code = ErrorCode.UPSTREAM_IP_BLOCKED
    MEANING = "SMSC blocks the facade's address for a while after repeated errors"


class SmscRateLimited(SmscError):  # noqa: N818 - named after SMSC's own wording
    code = ErrorCode.RATE_LIMITED
    MEANING = "SMSC refused too many identical or simultaneous requests; wait a minute"
    # SMSC counts its limit per minute (smsc-api-notes.md §1.6, error 9) and names no wait.
    RETRY_AFTER = 60.0


class SmscNoMoney(SmscError):  # noqa: N818 - named after SMSC's own wording ("no money")
    code = ErrorCode.INSUFFICIENT_FUNDS
    MEANING = "The SMSC account has not enough money for this message"


class SmscMessageDenied(SmscError):  # noqa: N818 - named after SMSC's own wording
    code = ErrorCode.MESSAGE_DENIED
    MEANING = "SMSC denied the message for its text or its sender"


class SmscRecipientRejected(SmscError):  # noqa: N818 - named after SMSC's own wording
    code = ErrorCode.RECIPIENT_REJECTED
    MEANING = "SMSC refused the recipients"
    MEANINGS: ClassVar[Mapping[int, str]] = {
        7: "SMSC refused a phone number as invalid",
        8: "SMSC cannot deliver the message to the number",
    }
