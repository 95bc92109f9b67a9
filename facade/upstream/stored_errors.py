"""Errors as idempotency records keep them: a write's outcome, answered again on a repeat.

`encode_error` writes JSON that `decode_error` turns into an equal error (same class, same client
message); nothing SMSC sent is stored (`facade.errors`).
"""

import dataclasses
import json
from typing import Any, Final

from facade import errors as tree

INTERRUPTED: Final = (
    "The facade stopped while this request was under way: it may or may not have reached SMSC. "
    "Check before sending it again under a new idempotency key."
)


def interrupted() -> tree.UpstreamOutcomeUnknown:
    """The outcome of a run cut short after its claim: unknown."""
    return tree.UpstreamOutcomeUnknown(INTERRUPTED, path="", host="")


# Stored errors: SMSC's envelopes by class name (every class of facade.errors' tree).
_SMSC_CLASSES: Final[list[type[tree.SmscError]]] = [
    tree.SmscError,
    *tree.SmscError.__subclasses__(),
]
_SMSC_ERRORS: Final = {cls.__name__: cls for cls in _SMSC_CLASSES}


def encode_error(error: tree.FacadeError) -> bytes:
    """JSON that `decode_error` turns into an equal error (same class, same message).

    No upstream text is stored: an unreadable body as its `BodySummary`, SMSC's description only
    when it is a known one (`facade.errors`).
    """
    data: dict[str, Any]
    if isinstance(error, tree.SmscError):
        data = {
            "type": type(error).__name__,
            "code": error.upstream_code,
            "description": error.description,
            "endpoint": error.endpoint,
            "diagnostic": error.diagnostic,
            "message_id": error.message_id,
        }
    elif isinstance(error, tree.UpstreamOutcomeUnknown):
        data = {"type": "outcome_unknown", "message": error.message}
        data.update(diagnostic=error.diagnostic, path=error.path, host=error.host)
    elif isinstance(error, tree.UpstreamProtocolError):
        data = {"type": "protocol", "reason": error.reason, "fmt": error.fmt}
        data.update(endpoint=error.endpoint, body=dataclasses.asdict(error.body))
    elif isinstance(error, tree.UpstreamUnavailable):
        data = {"type": "unavailable", "message": error.message, "diagnostic": error.diagnostic}
    else:
        return encode_error(interrupted())
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def decode_error(data: bytes) -> tree.FacadeError:
    """The error `encode_error` stored; also from records stored before errors had a
    `diagnostic`: their messages named SMSC's host and path, and are told clients in general
    words, a protocol error's `excerpt` becomes its `BodySummary`, and an unknown description
    is dropped."""
    found = json.loads(data)
    kind = found["type"]
    if kind in _SMSC_ERRORS:
        smsc = _SMSC_ERRORS[kind]
        return smsc(
            found["code"],
            found["description"],
            endpoint=found["endpoint"],
            diagnostic=found.get("diagnostic"),
            message_id=found.get("message_id"),
        )
    message, diagnostic = found.get("message", ""), found.get("diagnostic")
    named_host = diagnostic is None and (bool(found.get("host")) or message.startswith("SMSC /"))
    if named_host:
        message, diagnostic = "SMSC could not be reached", message
    if kind == "outcome_unknown":
        if named_host:
            message += "; the write may have been applied"
        return tree.UpstreamOutcomeUnknown(
            message, path=found["path"], host=found["host"], diagnostic=diagnostic
        )
    if kind == "protocol":
        body = found.get("body")
        return tree.UpstreamProtocolError(
            found["reason"],
            endpoint=found["endpoint"],
            fmt=found["fmt"],
            body=tree.BodySummary(**body) if body else tree.BodySummary.of(found["excerpt"]),
        )
    return tree.UpstreamUnavailable(message, diagnostic=diagnostic)
