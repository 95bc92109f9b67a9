"""status.php in its multiple form with `all=2`: one `MessageState` per message asked, in the
order asked (docs/smsc-wire.md, "Messages"; smsc-messages-notes.md §2.2).

- fmt 3: an array of objects `id, phone, status, last_date, last_timestamp, err, send_date,
  send_timestamp, cost, sender_id, status_name, message, sms_cnt, country, operator, region`,
  numbers or strings alike; fmt 2: `<list>` of `<sms>` holding the same elements.
- fmt 1: `<id>,<phone>,<status>,<last_timestamp>,<err>,<send_timestamp>,<cost>,<country>,
  <operator>,<region>,<sender_id>,<status_name>,<sms_cnt>,<message>`.
- fmt 0: `id = <id>, phone = <phone>, Status = <status>, check_time = <last_date>, err = <err>,
  send_date = …, cost = …, country = …, operator = …, region = …, sender_id = …,
  status_name = …, sms_cnt = …, message = <message>`.

A record may end after its time (`<id>,<phone>,<status>,<last_timestamp>`, `id = …, phone = …,
Status = …, check_time = …`), as fmt 3 writes a message that does not exist (only `id, phone,
status, last_date, last_timestamp`). In fmt 0 and 1 the message is last and unescaped: a record starts at the line that begins with
the next message asked (`<id>,<phone>,`, or `id = <id>, phone = <phone>, `), any other line
continues the record before; so a message keeps its commas and new lines unless one of its lines
begins that way. A phone is matched with or without its leading `+`, and each state carries the
id and phone as they were asked (`state.ref` is the ref asked).

Times are the `*_timestamp` (Unix) fields when given, else the Moscow `*_date` ones; 0 or empty
is none. `err` absent or empty is 0. An unknown status reads as UNKNOWN with its code kept. A
per-item error (fmt 3 `{"id", "phone", "error", "error_code"}`, fmt 2 an `<sms>` holding
`<error_code>`) reads as NOT_FOUND when its code is 3 ("record not found", as on every sibling
script); any other code makes the whole reply an UpstreamProtocolError, naming the item.
"""

import datetime as dt
import decimal
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from facade.domain.messages import (
    ANY_MESSAGE_ID_PATTERN,
    MessageRef,
    MessageState,
    MessageStatus,
)
from facade.smsc.delivery_errors import delivery_error
from facade.smsc.enums import MESSAGE_STATUSES
from facade.smsc.envelope import find_envelope, xml_child_text
from facade.smsc.parse.documents import load_json, load_xml
from facade.smsc.parse.fields import (
    CODE,
    INT,
    MOMENT,
    TEXT,
    TOKEN,
    Field,
    Record,
    RecordError,
    Shape,
    Values,
    unix_moment,
)
from facade.smsc.parse.keyed import json_records, xml_values
from facade.smsc.parse.records import RecordSpec, protocol_errors, record_values

if TYPE_CHECKING:
    from facade.smsc.wire import Reply

__all__ = ["parse_message_states"]

_MESSAGE_ID = Shape.of("message id", ANY_MESSAGE_ID_PATTERN, json_number=True)
# A phone, or an e-mail address for e-mail messages (smsc-messages-notes.md §2.1).
_ADDRESS = Shape.of("address", r"[^\s,;]{1,254}", json_number=True)
_MONEY = Shape.of("money", r"[0-9]{1,15}(?:\.[0-9]{1,15})?")
# status.php's per-item "record not found" (error 3 on every script that names it).
_NOT_FOUND_ERROR = 3
_ERROR_CODE = re.compile(r"[0-9]{1,9}")


def _optional(name: str, shape: Shape) -> Field:
    return Field(name, shape, optional=True, omissible=True)


_HEAD = (Field("id", _MESSAGE_ID), Field("phone", _ADDRESS))
KEYED = RecordSpec(
    fields=(
        *_HEAD,
        Field("status", CODE),
        _optional("last_date", MOMENT),
        _optional("last_timestamp", INT),
        _optional("err", INT),
        _optional("send_date", MOMENT),
        _optional("send_timestamp", INT),
        _optional("cost", _MONEY),
        _optional("sender_id", TEXT),
        _optional("status_name", TEXT),
        _optional("message", TEXT),
        _optional("sms_cnt", INT),
        _optional("country", TEXT),
        _optional("operator", TEXT),
        _optional("region", TEXT),
    ),
    xml_item="sms",
)
_FREE = ("country", "operator", "region", "sender_id", "status_name")
_TAIL = (_optional("sms_cnt", INT), _optional("message", TEXT))
_TEXT_FIELDS = (
    *_HEAD,
    Field("Status", CODE),
    _optional("check_time", MOMENT),
    _optional("err", INT),
    _optional("send_date", MOMENT),
    _optional("cost", _MONEY),
    *(_optional(name, TEXT) for name in _FREE),
    *_TAIL,
)
_CSV_FIELDS = (
    *_HEAD,
    Field("status", CODE),
    _optional("last_timestamp", INT),
    _optional("err", INT),
    _optional("send_timestamp", INT),
    _optional("cost", _MONEY),
    *(_optional(name, TOKEN) for name in _FREE),
    *_TAIL,
)
LINES = RecordSpec(fields=_TEXT_FIELDS, xml_item="sms", csv_layouts=(_CSV_FIELDS,))
# A record that ends after its time, as fmt 3 writes a message that does not exist.
SHORT_LINES = RecordSpec(fields=_TEXT_FIELDS[:4], xml_item="sms", csv_layouts=(_CSV_FIELDS[:4],))
# fmt 0's labels for what the other fmts call `status` and `last_date`.
_TEXT_NAMES = {"Status": "status", "check_time": "last_date"}


def parse_message_states(reply: "Reply", refs: Sequence[MessageRef]) -> list[MessageState]:
    """The state of each of `refs`, in their order; a reply with another number of records, or
    whose records are not of the messages asked in that order, is an UpstreamProtocolError."""
    text = reply.text()
    error = find_envelope(reply, text)
    if error is not None:
        raise error
    body = text.strip()
    with protocol_errors(reply):
        if body.startswith("["):
            return _json_states(reply, body, refs)
        if body.startswith("<"):
            return _xml_states(reply, body, refs)
        return _line_states(text, refs)


def _json_states(reply: "Reply", body: str, refs: Sequence[MessageRef]) -> list[MessageState]:
    document = load_json(reply, body)
    if not isinstance(document, list):
        raise RecordError("expected a JSON array of records")
    _check_count(refs, document)
    states = []
    for index, (item, ref) in enumerate(zip(document, refs, strict=True)):
        if isinstance(item, dict) and ("error_code" in item or "error" in item):
            code = item.get("error_code")
            states.append(_item_error(index, ref, item.get("id"), item.get("phone"), code))
            continue
        row = json_records(KEYED, [_strings(item)]).rows[0]
        states.append(_checked_state(index, ref, row))
    return states


def _xml_states(reply: "Reply", body: str, refs: Sequence[MessageRef]) -> list[MessageState]:
    root = load_xml(reply, body)
    if root.tag != KEYED.xml_list:
        raise RecordError(f"the root element is not <{KEYED.xml_list}>")
    items = list(root)
    _check_count(refs, items)
    states = []
    for index, (item, ref) in enumerate(zip(items, refs, strict=True)):
        if item.tag != KEYED.xml_item:
            raise RecordError(f"<{KEYED.xml_list}> holds an element other than <sms>")
        if item.find("error_code") is not None or item.find("error") is not None:
            code = xml_child_text(reply, item, "error_code")
            id_, phone = (xml_child_text(reply, item, name) for name in ("id", "phone"))
            states.append(_item_error(index, ref, id_, phone, code))
            continue
        states.append(_checked_state(index, ref, xml_values(KEYED, item)))
    return states


def _line_states(text: str, refs: Sequence[MessageRef]) -> list[MessageState]:
    """fmt 0 (records start `id = `) or fmt 1: records cut where the next message asked begins."""
    csv = not text.lstrip().startswith("id = ")
    records = _line_records(text, refs, csv=csv)
    _check_count(refs, records)
    states = []
    for ref, record in zip(refs, records, strict=True):
        values = _line_values(record, csv=csv)
        if not csv:
            values = {_TEXT_NAMES.get(name, name): value for name, value in values.items()}
        states.append(_state(ref, Record(KEYED.by_name, values)))
    return states


def _line_values(record: str, *, csv: bool) -> Values:
    """A whole record, or one that ends after its time (`SHORT_LINES`)."""
    try:
        return record_values(LINES, record, csv=csv)
    except RecordError:
        return record_values(SHORT_LINES, record, csv=csv)


def _check_count(refs: Sequence[MessageRef], records: Sequence[object]) -> None:
    if len(records) != len(refs):
        raise RecordError(f"{len(refs)} messages asked, {len(records)} answered")


def _line_records(text: str, refs: Sequence[MessageRef], *, csv: bool) -> list[str]:
    """The records of a fmt 0 or 1 body: each starts at the first line, after the record
    before, that begins with the next message asked. Trailing new lines end the last one."""
    body = text.rstrip("\n")
    if not body.strip():
        return []
    starts = [_start(ref, csv=csv) for ref in refs]
    records: list[list[str]] = []
    for line in body.split("\n"):
        if len(records) < len(starts) and starts[len(records)].match(line):
            records.append([line])
        elif records:
            records[-1].append(line)
        else:
            raise RecordError("the body does not start with the first message asked")
    return ["\n".join(lines) for lines in records]


def _start(ref: MessageRef, *, csv: bool) -> re.Pattern[str]:
    id_, phone = re.escape(ref.id), r"\+?" + re.escape(ref.phone.removeprefix("+"))
    if csv:
        return re.compile(f"{id_},{phone},")
    return re.compile(f"id = {id_}, phone = {phone}, ")


def _strings(item: object) -> object:
    """A fmt 3 record with its numbers as strings (`cost` may be written as a JSON number)."""
    if not isinstance(item, dict):
        return item
    return {
        key: str(value)
        if isinstance(value, (int, decimal.Decimal)) and not isinstance(value, bool)
        else value
        for key, value in item.items()
    }


def _checked_state(index: int, ref: MessageRef, values: Mapping[str, str | None]) -> MessageState:
    _check_ref(index, ref, values.get("id"), values.get("phone"))
    return _state(ref, Record(KEYED.by_name, values))


def _check_ref(index: int, ref: MessageRef, id_: object, phone: object) -> None:
    if isinstance(id_, int) and not isinstance(id_, bool):
        id_ = str(id_)
    if isinstance(phone, int) and not isinstance(phone, bool):
        phone = str(phone)
    same_phone = isinstance(phone, str) and _bare(phone) == _bare(ref.phone)
    if id_ != ref.id or not same_phone:
        raise RecordError(f"record {index + 1} is not of the message asked in its place")


def _bare(phone: str) -> str:
    return phone.strip().removeprefix("+")


def _item_error(
    index: int, ref: MessageRef, id_: object, phone: object, code: object
) -> MessageState:
    """A per-item error: 3 is a message SMSC does not know; any other code is not read."""
    _check_ref(index, ref, id_, phone)
    if isinstance(code, int) and not isinstance(code, bool):
        code = str(code)
    if not isinstance(code, str) or not _ERROR_CODE.fullmatch(code.strip()):
        raise RecordError(f"record {index + 1} is an error without a numeric error_code")
    if int(code) != _NOT_FOUND_ERROR:
        raise RecordError(f"record {index + 1} is SMSC error {int(code)}")
    return MessageState(
        id=ref.id,
        phone=ref.phone,
        status=MessageStatus.NOT_FOUND,
        status_code=MESSAGE_STATUSES.encode(MessageStatus.NOT_FOUND),
        error_code=0,
        error=delivery_error(0),
    )


def _state(ref: MessageRef, record: Record) -> MessageState:
    code = record.integer("status")
    err = record.optional_integer("err")
    error_code = 0 if err is None else err
    cost = record.optional_text("cost")
    return MessageState(
        id=ref.id,
        phone=ref.phone,
        status=MESSAGE_STATUSES.decode(code),
        status_code=code,
        changed_at=_moment(record, "last_timestamp", "last_date"),
        error_code=error_code,
        error=delivery_error(error_code),
        sent_at=_moment(record, "send_timestamp", "send_date"),
        cost=None if cost is None else decimal.Decimal(cost),
        sender=record.optional_text("sender_id"),
        status_name=record.optional_text("status_name"),
        message=record.optional_text("message"),
        parts=record.optional_integer("sms_cnt"),
        country=record.optional_text("country"),
        operator=record.optional_text("operator"),
        region=record.optional_text("region"),
    )


def _moment(record: Record, timestamp: str, date: str) -> dt.datetime | None:
    """The Unix `timestamp` field as a Moscow time when given and not 0, else the `date` one."""
    try:
        moment = unix_moment(record.optional_integer(timestamp) or 0)
    except ValueError as exc:
        raise RecordError(f"{timestamp} is not a real moment") from exc
    return moment or record.moment(date)
