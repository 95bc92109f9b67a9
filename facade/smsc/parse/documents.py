"""Loading fmt 2 (XML) and fmt 3 (JSON) bodies safely: every failure is an UpstreamProtocolError.

XML goes through defusedxml with DTDs forbidden, so entity expansion (billion laughs) and external
entities are refused before anything is expanded. JSON floats are read as `Decimal` (SMSC's money
is decimal) and `NaN`/`Infinity` are refused; nesting too deep to read is refused too.
"""

import decimal
import json
from typing import TYPE_CHECKING, NoReturn
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from facade.smsc.wire import Reply


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
    except (ValueError, RecursionError) as exc:
        raise reply.protocol_error(f"not valid JSON ({type(exc).__name__})") from exc


def element_text(element: "Element") -> str:
    """The text of a leaf element (`""` when empty)."""
    return element.text or ""


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"JSON constant {name} is not a value SMSC sends")
