"""SMSC's error envelopes and the bodies of changes: `OK` and a created record's id.

Errors come back with HTTP 200 in one of four envelopes (smsc-api-notes.md §1.6, docs/smsc-wire.md
"Error envelopes"):

| fmt | body |
|---|---|
| 0 | `ERROR = N (description)` (send.php may append `, ID - <id>`) |
| 1 | `0,-N` (send.php: `<id>,-N`) |
| 2 | `<result><error>description</error><error_code>N</error_code></result>` (send.php: `<id>`) |
| 3 | `{"error": "description", "error_code": N}`, N a number or a numeric string (send.php: `"id"`) |

Envelopes are recognised by their shape whatever fmt was asked: SMSC answers fmt 0 when `fmt`
itself was bad, and no success body of any command has any of these shapes. For errors 3, 6, 7
and 8 send.php adds the message's id (smsc-messages-notes.md §1.4): it is kept as the error's
`message_id` on send.php's replies (an id of 0, fmt 1's `0,-N`, is none); other scripts add none,
and an id there is not read.
"""

import re
from typing import TYPE_CHECKING

from facade.domain.messages import ANY_MESSAGE_ID_PATTERN
from facade.errors import UpstreamProtocolError
from facade.smsc.codes import error_for
from facade.smsc.parse.documents import element_text, load_json, load_xml
from facade.smsc.wire import Endpoint

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from facade.errors import SmscError
    from facade.smsc.wire import Reply

__all__ = [
    "file_envelope_error",
    "find_envelope",
    "parse_created_id",
    "parse_ok",
    "raise_for_envelope",
    "xml_envelope",
]

_CODE = r"[0-9]{1,9}"
_TEXT_ENVELOPE = re.compile(
    rf"ERROR\s*=\s*(?P<code>{_CODE})\s*(?:\((?P<description>[^\n]*)\))?"
    rf"\s*(?:,\s*ID\s*-\s*(?P<id>{ANY_MESSAGE_ID_PATTERN}))?"
)
_CSV_ENVELOPE = re.compile(rf"0,-(?P<code>{_CODE})")
# send.php's fmt 1 error: `<id>,-N`, `0,-N` without an id. Elsewhere `1,-3` may be a record.
_SEND_CSV_ENVELOPE = re.compile(rf"(?P<id>{ANY_MESSAGE_ID_PATTERN}),-(?P<code>{_CODE})")
_MESSAGE_ID = re.compile(ANY_MESSAGE_ID_PATTERN)
_NO_MESSAGE_ID = "0"
_CREATED_TEXT = re.compile(r"(?:ID\s*[-=]\s*)?(?P<id>[0-9]+)")
_DIGITS = re.compile(r"[0-9]+")
# The roots of a created record's id in fmt 2 (smsc-templates.txt, smsc-contacts-responses.txt);
# `result` as jobs.php and smsc-api-notes.md §2.3 have it.
_CREATED_ROOTS = frozenset({"template", "phone", "group", "result"})


def raise_for_envelope(reply: "Reply") -> None:
    """Raise the mapped `SmscError` if `reply` is an error envelope (any fmt's shape)."""
    error = find_envelope(reply)
    if error is not None:
        raise error


def find_envelope(reply: "Reply", text: str | None = None) -> "SmscError | None":
    """The error `reply` carries, or None; a malformed envelope is an UpstreamProtocolError.

    `text` is `reply.text()` when the caller has already decoded it (a large list's body).
    """
    return _find(reply, reply.text() if text is None else text, strict=True)


def file_envelope_error(reply: "Reply") -> "SmscError | None":
    """The error a downloaded file's body carries, if the whole body is a well-formed envelope.

    A file is arbitrary CSV (docs/smsc-wire.md, downloads `get_file`): only a body that is
    exactly one envelope counts, so a file whose first line happens to start like one, or that is
    not even text in the requested charset, is returned as it is.
    """
    try:
        return _find(reply, reply.text(), strict=False)
    except UpstreamProtocolError:
        return None


def parse_ok(reply: "Reply") -> None:
    """Accept the success body of a change or deletion: `OK`, `<result>OK</result>` or
    `{"result": "OK"}`, whitespace around them ignored, in every fmt (docs/smsc-wire.md,
    "Success bodies of changes"; fmt 3 on phones.php answers a bare `OK`, smsc-api-notes.md §1.7).
    """
    raise_for_envelope(reply)
    text = reply.text().strip()
    if text == "OK":
        return
    if text.startswith("<"):
        root = load_xml(reply, text)
        if root.tag == "result" and len(root) == 0 and element_text(root).strip() == "OK":
            return
    elif text.startswith("{"):
        document = load_json(reply, text)
        result = document.get("result") if isinstance(document, dict) else None
        if isinstance(result, str) and result.strip() == "OK":
            return
    raise reply.protocol_error("expected OK")


def parse_created_id(reply: "Reply") -> str:
    """The id of a created template, contact, group or blacklist entry, as a string of digits.

    Bodies (smsc-templates.txt, smsc-contacts-responses.txt): fmt 0 `ID - <id>` (templates) or
    `ID = <id>` (phones.php), fmt 1 `<id>`, fmt 2 `<template>`, `<phone>` or `<group>` holding
    `<id>`, fmt 3 `{"id": N}`; either separator and any of those roots are accepted everywhere,
    and the id may be a number or a string (smsc-api-notes.md §1.7).
    """
    raise_for_envelope(reply)
    text = reply.text().strip()
    if text.startswith("<"):
        root = load_xml(reply, text)
        if root.tag in _CREATED_ROOTS:
            return _xml_id(reply, root)
    elif text.startswith("{"):
        document = load_json(reply, text)
        if isinstance(document, dict) and "id" in document:
            return json_id(reply, document["id"])
    else:
        match = _CREATED_TEXT.fullmatch(text)
        if match is not None:
            return match["id"]
    raise reply.protocol_error("expected the id of the created record")


def json_id(reply: "Reply", value: object) -> str:
    """An id written as a JSON number or a string of digits, as a string."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return value
    raise reply.protocol_error("an id is neither a number nor a string of digits")


def xml_child_text(reply: "Reply", root: "Element", tag: str) -> str | None:
    """The text of `root`'s one leaf child `tag`, None when absent."""
    found = root.findall(tag)
    if not found:
        return None
    if len(found) > 1 or len(found[0]) > 0:
        raise reply.protocol_error(f"<{tag}> is not a single leaf element")
    return element_text(found[0])


def _xml_id(reply: "Reply", root: "Element") -> str:
    text = xml_child_text(reply, root, "id")
    if text is None or not _DIGITS.fullmatch(text.strip()):
        raise reply.protocol_error("<id> is missing or not a number")
    return text.strip()


def _find(reply: "Reply", text: str, *, strict: bool) -> "SmscError | None":
    body = text.strip()
    if body.startswith("ERROR"):
        return _text_envelope(reply, body, strict=strict)
    csv = (_SEND_CSV_ENVELOPE if reply.endpoint is Endpoint.SEND else _CSV_ENVELOPE).fullmatch(body)
    if csv is not None:
        message_id = _message_id(reply, csv.groupdict().get("id"))
        return _error(reply, int(csv["code"]), "", message_id)
    if body.startswith("<"):
        return xml_envelope(reply, load_xml(reply, body))
    if body.startswith("{"):
        return _json_envelope(reply, load_json(reply, body))
    return None


def _error(reply: "Reply", code: int, description: str, message_id: str | None) -> "SmscError":
    return error_for(reply.endpoint, reply.command, code, description, message_id=message_id)


def _message_id(reply: "Reply", value: object) -> str | None:
    """The message id send.php adds to an error (a number, or the client's id as sent); None
    when there is none, it is 0, or the reply is not send.php's."""
    if reply.endpoint is not Endpoint.SEND or value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        value = str(value)
    if not isinstance(value, str) or not _MESSAGE_ID.fullmatch(value.strip()):
        raise reply.protocol_error("error envelope whose id is not a message id")
    text = value.strip()
    return None if text == _NO_MESSAGE_ID else text


def _text_envelope(reply: "Reply", body: str, *, strict: bool) -> "SmscError | None":
    match = _TEXT_ENVELOPE.fullmatch(body)
    if match is None:
        if strict:
            raise reply.protocol_error("malformed fmt 0 error envelope")
        return None
    description = (match["description"] or "").strip()
    return _error(reply, int(match["code"]), description, _message_id(reply, match["id"]))


def xml_envelope(reply: "Reply", root: "Element") -> "SmscError | None":
    """The error a fmt 2 body's root element carries, or None (a `<result>` without `<error>`
    or `<error_code>` is no error)."""
    if root.tag != "result":
        return None
    code = xml_child_text(reply, root, "error_code")
    description = xml_child_text(reply, root, "error")
    if code is None and description is None:
        return None
    if code is None or not re.fullmatch(_CODE, code.strip()):
        raise reply.protocol_error("error envelope without a numeric <error_code>")
    message_id = _message_id(reply, xml_child_text(reply, root, "id"))
    return _error(reply, int(code), (description or "").strip(), message_id)


def _json_envelope(reply: "Reply", document: object) -> "SmscError | None":
    if not isinstance(document, dict) or not ("error_code" in document or "error" in document):
        return None
    code = document.get("error_code")
    description = document.get("error", "")
    if isinstance(code, str) and re.fullmatch(_CODE, code.strip()):
        code = int(code)
    if not isinstance(code, int) or isinstance(code, bool) or not 0 <= code < 10**9:
        raise reply.protocol_error("error envelope without a numeric error_code")
    if not isinstance(description, str):
        raise reply.protocol_error("error envelope whose error is not a string")
    message_id = _message_id(reply, document.get("id"))
    return _error(reply, code, description.strip(), message_id)
