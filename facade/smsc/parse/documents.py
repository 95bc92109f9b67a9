"""Loading fmt 2 (XML) and fmt 3 (JSON) bodies safely: every failure is an UpstreamProtocolError.

XML goes through defusedxml with DTDs forbidden, so entity expansion (billion laughs) and external
entities are refused before anything is expanded. JSON floats are read as `Decimal` (SMSC's money
is decimal) and `NaN`/`Infinity` are refused; nesting too deep to read is refused too. A JSON
array can also be read a batch of items at a time, decoding its body a piece at a time, so that a
large list (100,000 contacts) never holds its whole text and every item at once.
"""

import codecs
import decimal
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final, NoReturn
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from facade.errors import UpstreamProtocolError
    from facade.smsc.wire import Reply

_PIECE: Final = 1 << 20  # bytes of the body decoded at a time, at least
_ASCII_COMPATIBLE: Final = frozenset({"utf-8", "cp1251", "koi8-r"})  # smsc.wire.CHARSETS
_ARRAY_START: Final = re.compile(rb"[ \t\n\r]*\[")
_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")  # JSON's, as json.decoder has it
# What json.loads raises on a body that is not JSON SMSC sends: syntax, refused constants, huge
# integers (ValueError); nesting too deep; a float whose exponent Decimal refuses (1e99999...).
_NOT_JSON: Final = (ValueError, RecursionError, ArithmeticError)


def load_xml(reply: "Reply", text: str) -> "Element":
    """The root element of `text`, parsed by defusedxml (no DTD, no entity, no external)."""
    try:
        return defusedxml.ElementTree.fromstring(text, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError, RecursionError) as exc:
        raise reply.protocol_error(f"not well-formed XML ({type(exc).__name__})") from exc


def load_json(reply: "Reply", text: str) -> object:
    """The JSON value of `text`, floats as `Decimal`; `NaN`, `Infinity` and huge ints refused."""
    try:
        return json.loads(text, parse_float=decimal.Decimal, parse_constant=_refuse_constant)
    except _NOT_JSON as exc:
        raise _not_json(reply, exc) from exc


def is_json_array(reply: "Reply") -> bool:
    """Whether the body starts like a JSON array (`[` after JSON whitespace), in a charset that
    writes both as ASCII does, so the bytes tell without decoding."""
    try:
        ascii_compatible = codecs.lookup(reply.charset).name in _ASCII_COMPATIBLE
    except LookupError:
        return False
    return ascii_compatible and _ARRAY_START.match(reply.body) is not None


def load_json_array(reply: "Reply") -> Iterator[list[object]]:
    """The items of a body that `is_json_array`, a batch at a time, read as `load_json` reads.

    The body is decoded a piece at a time, and each piece is parsed up to its last `,` before
    a new line and a `{`, as SMSC writes records. A raw new line is never inside a JSON string
    (a control character there is not JSON), so such a cut either ends a whole number of items,
    or is inside an item and then `[` + the piece + `]` is unbalanced and does not read: the
    piece is then read again with more of the body, at the end with all of it. So whatever the
    body, the items and the errors are those of `load_json` on the whole text.
    """
    window = _Window(reply)
    index = window.skip(0) + 1  # past the "["
    while not window.complete:
        cut = window.text.rfind(",\n{", index)
        items = None if cut < 0 else _load_piece(window.text[index:cut])
        if items:
            yield items
            index = cut + 2
        else:
            index = window.extend(index)
    try:
        yield _load_array("[" + window.text[index:])
    except _NOT_JSON as exc:
        raise _not_json(reply, exc) from exc


def element_text(element: "Element") -> str:
    """The text of a leaf element (`""` when empty)."""
    return element.text or ""


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"JSON constant {name} is not a value SMSC sends")


def _not_json(reply: "Reply", exc: BaseException) -> "UpstreamProtocolError":
    return reply.protocol_error(f"not valid JSON ({type(exc).__name__})")


def _past_whitespace(text: str, index: int) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


class _Window:
    """A body's text a piece at a time: `text` is the part decoded and not yet dropped."""

    def __init__(self, reply: "Reply") -> None:
        self.reply = reply
        self._decoder = codecs.getincrementaldecoder(reply.charset)("strict")
        self._offset = 0
        self.text = ""
        self.complete = False

    def extend(self, keep: int) -> int:
        """Drop the text before `keep`, decode at least as much again as is kept; `keep`'s new
        index (0). Doubling keeps re-reading an item that spans many pieces linear."""
        body = self.reply.body
        end = min(len(body), self._offset + max(_PIECE, 2 * (len(self.text) - keep)))
        try:
            piece = self._decoder.decode(body[self._offset : end], final=end == len(body))
        except UnicodeDecodeError as exc:
            raise self.reply.protocol_error(f"not valid {self.reply.charset}") from exc
        self._offset = end
        self.complete = end == len(body)
        self.text = self.text[keep:] + piece
        return 0

    def skip(self, index: int) -> int:
        """The index of the first non-whitespace character from `index` on, decoding more as
        needed (the end of the text when there is none)."""
        while True:
            index = _past_whitespace(self.text, index)
            if index < len(self.text) or self.complete:
                return index
            index = self.extend(index)


def _load_array(text: str) -> list[object]:
    items: list[object] = json.loads(
        text, parse_float=decimal.Decimal, parse_constant=_refuse_constant
    )
    return items


def _load_piece(text: str) -> list[object] | None:
    """The items of `[text]`; None when it does not read (more of the body may tell why)."""
    try:
        return _load_array(f"[{text}]")
    except _NOT_JSON:
        return None
