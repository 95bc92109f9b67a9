"""send.php and balance.php: a sent message (`MessageSent`), the cost of one not sent (`cost=1`,
`MessageCost`) and the account's balance (`Balance`), in every form docs/smsc-wire.md
("Messages") lists.

A send (`err=1`; `cost=3` when its cost is asked), smsc-messages-notes.md §1.3 and the wire page:
- fmt 0 `OK - <cnt> SMS, ID - <id>[, COST - <cost>[, BALANCE - <balance>]]`, then each refused
  recipient on its own line, `<phone> - STATUS = <status>, ERR = <err>`;
- fmt 1 `<id>,<cnt>[,<cost>[,<balance>]]`, then `<phone>,<status>,<err>` lines;
- fmt 2 `<result>` holding `<id> <cnt> [<cost> <balance>]` and `<phones>` of `<phone>` (`<number>
  <status> <error>`); the same elements without a root are read too (the one sample there is);
- fmt 3 `{"id", "cnt"[, "cost", "balance"][, "phones": [{"phone", "status", "error"}]]}`.
A cost (`cost=1`): fmt 0 `<cost> (<cnt> SMS)`, fmt 1 `<cost>,<cnt>` (cost first, as the official
library reads it), fmt 2 `<result><cost> <cnt>`, fmt 3 `{"cost", "cnt"}`.
The balance (`cur=1`, §3): fmt 0 and 1 `<balance>[,<currency>]`, fmt 2 `<result>` of `<balance>
[<currency>] [<credit>]` or a bare `<balance>`, fmt 3 `{"balance"[, "currency"][, "credit"]}`.

Bodies are told apart by their shape (`<`, `{`, text) whatever fmt was asked, as envelopes are.
Ids, counts, codes and money are read from JSON numbers or strings alike; an empty value is
none. A send's id is echoed as sent: the facade's own (`fx…`) or SMSC's number.
"""

import decimal
import re
from typing import TYPE_CHECKING

from facade.domain.messages import (
    ANY_MESSAGE_ID_PATTERN,
    Balance,
    MessageCost,
    MessageSent,
    RecipientRejection,
)
from facade.smsc.delivery_errors import delivery_error
from facade.smsc.enums import MESSAGE_STATUSES
from facade.smsc.envelope import find_envelope, xml_child_text, xml_envelope
from facade.smsc.parse.documents import element_text, load_json, load_xml

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from facade.smsc.wire import Reply

__all__ = ["parse_balance", "parse_message_cost", "parse_message_sent"]

_ID = ANY_MESSAGE_ID_PATTERN
_COUNT = r"[0-9]{1,9}"
_STATUS = r"-?[0-9]{1,9}"
_MONEY = r"[0-9]{1,15}(?:\.[0-9]{1,15})?"
_SIGNED_MONEY = rf"-?{_MONEY}"
# A refused recipient: a phone, or an e-mail address or Telegram name for those channels.
_RECIPIENT = r"[^\s,;]{1,254}"
_CURRENCY = r"[A-Za-z]{1,16}"

_SENT_TEXT = re.compile(
    rf"OK\s*-\s*(?P<cnt>{_COUNT})\s*SMS\s*,\s*ID\s*-\s*(?P<id>{_ID})"
    rf"(?:\s*,\s*COST\s*-\s*(?P<cost>{_MONEY})(?:\s*,\s*BALANCE\s*-\s*(?P<balance>{_SIGNED_MONEY}))?)?"
)
_SENT_CSV = re.compile(
    rf"(?P<id>{_ID}),(?P<cnt>{_COUNT})(?:,(?P<cost>{_MONEY})(?:,(?P<balance>{_SIGNED_MONEY}))?)?"
)
_REFUSED_TEXT = re.compile(
    rf"(?P<phone>{_RECIPIENT})\s*-\s*STATUS\s*=\s*(?P<status>{_STATUS})\s*,\s*ERR\s*=\s*(?P<err>{_COUNT})?"
)
_REFUSED_CSV = re.compile(rf"(?P<phone>{_RECIPIENT}),(?P<status>{_STATUS}),(?P<err>{_COUNT})?")
_COST_TEXT = re.compile(rf"(?P<cost>{_MONEY})\s*\(\s*(?P<cnt>{_COUNT})\s*SMS\s*\)")
_COST_CSV = re.compile(rf"(?P<cost>{_MONEY}),(?P<cnt>{_COUNT})")
_BALANCE_TEXT = re.compile(rf"(?P<balance>{_SIGNED_MONEY})(?:\s*,\s*(?P<currency>{_CURRENCY}))?")
_RESULT_ROOT = re.compile(r"(?:<\?xml[^>]*\?>\s*)?<result[\s/>]")
_RE_ID = re.compile(_ID)
_RE_COUNT = re.compile(_COUNT)
_RE_STATUS = re.compile(_STATUS)
_RE_MONEY = re.compile(_MONEY)
_RE_SIGNED_MONEY = re.compile(_SIGNED_MONEY)
_RE_RECIPIENT = re.compile(_RECIPIENT)
_RE_CURRENCY = re.compile(_CURRENCY)


def parse_message_sent(reply: "Reply") -> MessageSent:
    """The send SMSC accepted; an error envelope raises its SmscError with the message id SMSC
    adds to errors 3, 6, 7 and 8 (`facade.smsc.envelope`)."""
    text, root = _body(reply)
    if root is not None:
        return _xml_sent(reply, root)
    if text.startswith("{"):
        return _json_sent(reply, load_json(reply, text))
    first, *rest = _lines(text)
    for head, refused in ((_SENT_TEXT, _REFUSED_TEXT), (_SENT_CSV, _REFUSED_CSV)):
        match = head.fullmatch(first)
        if match is not None:
            return MessageSent(
                id=match["id"],
                parts=int(match["cnt"]),
                cost=_money(reply, match["cost"]),
                balance=_money(reply, match["balance"], signed=True),
                rejected=tuple(_refused_line(reply, refused, line) for line in rest),
            )
    raise reply.protocol_error("expected the id and parts of the sent message")


def parse_message_cost(reply: "Reply") -> MessageCost:
    """What a message would cost, and its parts (`cost=1`: nothing is sent)."""
    text, root = _body(reply)
    if root is not None:
        cost, count = xml_child_text(reply, root, "cost"), xml_child_text(reply, root, "cnt")
    elif text.startswith("{"):
        document = load_json(reply, text)
        if not isinstance(document, dict):
            raise reply.protocol_error("expected a JSON object")
        cost, count = document.get("cost"), document.get("cnt")
    else:
        match = _COST_TEXT.fullmatch(text) or _COST_CSV.fullmatch(text)
        if match is None:
            raise reply.protocol_error("expected a cost and a number of parts")
        cost, count = match["cost"], match["cnt"]
    amount = _money(reply, cost)
    if amount is None:
        raise reply.protocol_error("the cost is missing")
    return MessageCost(cost=amount, parts=_count(reply, count))


def parse_balance(reply: "Reply") -> Balance:
    """The account's balance, with its currency (`cur=1`) and credit when SMSC gives them."""
    text = reply.text().strip()
    error = find_envelope(reply, text)
    if error is not None:
        raise error
    currency: object = None
    credit: object = None
    if text.startswith("<"):
        root = load_xml(reply, text)
        if root.tag == "balance" and len(root) == 0:
            amount: object = element_text(root)
        elif root.tag == "result":
            amount = xml_child_text(reply, root, "balance")
            currency = xml_child_text(reply, root, "currency")
            credit = xml_child_text(reply, root, "credit")
        else:
            raise reply.protocol_error("expected <result> or <balance>")
    elif text.startswith("{"):
        document = load_json(reply, text)
        if not isinstance(document, dict):
            raise reply.protocol_error("expected a JSON object")
        amount, currency, credit = (document.get(key) for key in ("balance", "currency", "credit"))
    else:
        match = _BALANCE_TEXT.fullmatch(text)
        if match is None:
            raise reply.protocol_error("expected a balance")
        amount, currency = match["balance"], match["currency"]
    balance = _money(reply, amount, signed=True)
    if balance is None:
        raise reply.protocol_error("the balance is missing")
    return Balance(
        amount=balance,
        currency=_currency(reply, currency),
        credit=_money(reply, credit, signed=True),
    )


def _body(reply: "Reply") -> tuple[str, "Element | None"]:
    """The stripped text, with its root element when it is XML (send.php's rootless elements
    wrapped in `<result>`); an error envelope is raised first."""
    text = reply.text().strip()
    if not text.startswith("<"):
        error = find_envelope(reply, text)
        if error is not None:
            raise error
        return text, None
    root = load_xml(reply, text if _RESULT_ROOT.match(text) else f"<result>{text}</result>")
    if root.tag != "result":
        raise reply.protocol_error("expected <result>")
    error = xml_envelope(reply, root)
    if error is not None:
        raise error
    return text, root


def _lines(text: str) -> list[str]:
    """The non-blank lines of a fmt 0 or 1 body, stripped (at least one: the first may be '')."""
    return [line.strip() for line in text.split("\n") if line.strip()] or [""]


def _refused_line(reply: "Reply", pattern: re.Pattern[str], line: str) -> RecipientRejection:
    match = pattern.fullmatch(line)
    if match is None:
        raise reply.protocol_error("a line after the first is not a refused recipient")
    return _rejection(reply, match["phone"], match["status"], match["err"])


def _xml_sent(reply: "Reply", root: "Element") -> MessageSent:
    id_ = xml_child_text(reply, root, "id")
    if id_ is None:
        raise reply.protocol_error("<id> of the sent message is missing")
    phones = root.findall("phones")
    if len(phones) > 1:
        raise reply.protocol_error("<phones> is repeated")
    rejected = []
    for item in phones[0] if phones else ():
        if item.tag != "phone":
            raise reply.protocol_error("<phones> holds an element other than <phone>")
        rejected.append(
            _rejection(
                reply,
                xml_child_text(reply, item, "number"),
                xml_child_text(reply, item, "status"),
                xml_child_text(reply, item, "error"),
            )
        )
    return MessageSent(
        id=_message_id(reply, id_),
        parts=_count(reply, xml_child_text(reply, root, "cnt")),
        cost=_money(reply, xml_child_text(reply, root, "cost")),
        balance=_money(reply, xml_child_text(reply, root, "balance"), signed=True),
        rejected=tuple(rejected),
    )


def _json_sent(reply: "Reply", document: object) -> MessageSent:
    if not isinstance(document, dict) or "id" not in document:
        raise reply.protocol_error("expected the id of the sent message")
    phones = document.get("phones")
    if phones is None:
        phones = []
    if not isinstance(phones, list) or not all(isinstance(item, dict) for item in phones):
        raise reply.protocol_error("phones is not a list of objects")
    return MessageSent(
        id=_message_id(reply, document["id"]),
        parts=_count(reply, document.get("cnt")),
        cost=_money(reply, document.get("cost")),
        balance=_money(reply, document.get("balance"), signed=True),
        rejected=tuple(
            _rejection(reply, item.get("phone"), item.get("status"), item.get("error"))
            for item in phones
        ),
    )


def _rejection(reply: "Reply", phone: object, status: object, error: object) -> RecipientRejection:
    recipient = _scalar(reply, phone, _RE_RECIPIENT, "a refused recipient's phone")
    code = _scalar(reply, status, _RE_STATUS, "a refused recipient's status")
    if recipient is None or code is None:
        raise reply.protocol_error("a refused recipient lacks its phone or status")
    err = _scalar(reply, error, _RE_COUNT, "a refused recipient's error")
    error_code = None if err is None else int(err)
    return RecipientRejection(
        phone=recipient,
        status=MESSAGE_STATUSES.decode(int(code)),
        status_code=int(code),
        error_code=error_code,
        error=delivery_error(error_code),
    )


def _scalar(reply: "Reply", value: object, pattern: re.Pattern[str], what: str) -> str | None:
    """A value written as a JSON number or a string of `pattern`; None when absent or empty."""
    if value is None:
        return None
    if isinstance(value, (int, decimal.Decimal)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise reply.protocol_error(f"{what} is neither a number nor a string")
    text = value.strip()
    if not text:
        return None
    if pattern.fullmatch(text) is None:
        raise reply.protocol_error(f"{what} is not of its shape")
    return text


def _message_id(reply: "Reply", value: object) -> str:
    text = _scalar(reply, value, _RE_ID, "the message id")
    if text is None:
        raise reply.protocol_error("the message id is empty")
    return text


def _count(reply: "Reply", value: object) -> int:
    text = _scalar(reply, value, _RE_COUNT, "the number of parts")
    if text is None:
        raise reply.protocol_error("the number of parts is missing")
    return int(text)


def _money(reply: "Reply", value: object, *, signed: bool = False) -> decimal.Decimal | None:
    """An amount as a string (`"1.40"`) or a JSON number; a balance may be below zero."""
    pattern = _RE_SIGNED_MONEY if signed else _RE_MONEY
    text = _scalar(reply, value, pattern, "an amount of money")
    return None if text is None else decimal.Decimal(text)


def _currency(reply: "Reply", value: object) -> str | None:
    return _scalar(reply, value, _RE_CURRENCY, "the currency")
