"""`sys/status.php`: the status of sent messages, one record per (id, phone) asked.

The multiple form (`id=a,b,&phone=x,y,`, a comma in either) answers a list in the request's
order, laid out as docs/smsc-wire.md ("Messages", "status.php") writes it for `all=2`; `all=0` and
`all=1` keep the fields their level has (smsc-messages-notes.md §2.1-2.2). Without a comma the
single form answers one record, not a list: fmt 1 `<status>,<last_timestamp>,<err>` and the
fields of smsc-messages-notes.md §2.2 after it, fmt 0 the same as `name = value` pairs starting
`Status = …, check_time = …`, fmt 2 `<result>`, fmt 3 one object (`err` left out when 0, as
recorded).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from facade.emulator.assumptions import MAX_STATUS_PAIRS, PARAMETERS_ERROR
from facade.emulator.command import CommandError, Context, Handler, Reply
from facade.emulator.deliveries import NOT_FOUND, STATUS_NAMES, Step, number_info
from facade.emulator.messages import MESSAGE_ID, json_id
from facade.emulator.pricing import render_money
from facade.emulator.render import Record, Value, render_date_time, render_list, render_record

if TYPE_CHECKING:
    from facade.emulator.deliveries import SentMessage

# Fields by `all` level, as fmt 1 orders them; fmt 0 labels the same fields (`_LABELS`).
_LINE_HEAD: Final = "status last_timestamp err"
_MULTIPLE_LINE: Final = {
    0: f"id phone {_LINE_HEAD}".split(),
    1: f"id phone {_LINE_HEAD} send_timestamp cost sender_id status_name sms_cnt message".split(),
    2: f"id phone {_LINE_HEAD} send_timestamp cost country operator region sender_id status_name "
    "sms_cnt message".split(),
}
_SINGLE_LINE: Final = {
    0: _LINE_HEAD.split(),
    1: f"{_LINE_HEAD} send_timestamp phone cost sender_id status_name message".split(),
    2: f"{_LINE_HEAD} send_timestamp phone cost country operator region sender_id status_name "
    "message".split(),
}
# fmt 2 and fmt 3 carry both the date and the timestamp of each moment.
_DOCUMENT_HEAD: Final = "status last_date last_timestamp err"
_DETAIL: Final = "send_date send_timestamp cost sender_id status_name message sms_cnt"
_PLACE: Final = "country operator region"
_MULTIPLE_DOCUMENT: Final = {
    0: f"id phone {_DOCUMENT_HEAD}".split(),
    1: f"id phone {_DOCUMENT_HEAD} {_DETAIL}".split(),
    2: f"id phone {_DOCUMENT_HEAD} {_DETAIL} {_PLACE}".split(),
}
_SINGLE_DOCUMENT: Final = {
    0: _DOCUMENT_HEAD.split(),
    1: f"{_DOCUMENT_HEAD} send_date send_timestamp phone cost sender_id status_name message "
    "sms_cnt".split(),
    2: f"{_DOCUMENT_HEAD} send_date send_timestamp phone cost sender_id status_name message "
    f"sms_cnt {_PLACE}".split(),
}
# fmt 0 writes a moment as its date, under these labels.
_LABELS: Final = {
    "status": ("Status", "status"),
    "last_timestamp": ("check_time", "last_date"),
    "send_timestamp": ("send_date", "send_date"),
}
# An unknown pair: the moment of the check, and in the multiple form which pair it is [A].
_NOT_FOUND_FIELDS: Final = ("status", "last_date", "last_timestamp")


def _layout(fmt: int, level: int, *, multiple: bool) -> tuple[tuple[str, str], ...]:
    """`(label, field)` pairs of a record."""
    if fmt in (2, 3):
        names = (_MULTIPLE_DOCUMENT if multiple else _SINGLE_DOCUMENT)[level]
        return tuple((name, name) for name in names)
    names = (_MULTIPLE_LINE if multiple else _SINGLE_LINE)[level]
    if fmt == 1:
        return tuple((name, name) for name in names)
    return tuple(_LABELS.get(name, (name, name)) for name in names)


def _values(
    message_id: str, phone: str, step: Step, message: SentMessage | None
) -> dict[str, Value]:
    values: dict[str, Value] = {
        "id": json_id(message_id),
        "phone": phone,
        "status": step.status,
        "last_date": render_date_time(step.at),
        "last_timestamp": int(step.at),
        "err": step.err,
    }
    if message is not None:
        country, operator, region = number_info(message.phone)
        values |= {
            "send_date": render_date_time(message.sent),
            "send_timestamp": int(message.sent),
            "cost": render_money(message.cost),
            "sender_id": message.sender,
            "status_name": STATUS_NAMES.get(step.status, ""),
            "message": message.text,
            "sms_cnt": message.parts,
            "country": country,
            "operator": operator,
            "region": region,
        }
    return values


def _record(ctx: Context, message_id: str, phone: str, level: int, *, multiple: bool) -> Record:
    message = ctx.data.messages.get(message_id, phone)
    step = Step(ctx.now, NOT_FOUND) if message is None else message.step_at(ctx.now)
    values = _values(message_id, phone, step, message)
    if not multiple and ctx.fmt == 3 and step.err == 0:
        values["err"] = None  # the recorded single answer has no `err` when it is 0
    layout = _layout(ctx.fmt, level, multiple=multiple)
    if message is None:
        kept = ("id", "phone", *_NOT_FOUND_FIELDS) if multiple else _NOT_FOUND_FIELDS
        layout = tuple(pair for pair in layout if pair[1] in kept)
    return tuple((label, values[name]) for label, name in layout)


def _pairs(ctx: Context) -> tuple[list[tuple[str, str]], bool]:
    """The (id, phone) pairs asked, and whether in the multiple form."""
    raw_ids, raw_phones = ctx.required("id"), ctx.required("phone")
    multiple = "," in raw_ids or "," in raw_phones
    ids = [item.strip() for item in raw_ids.split(",")]
    phones = [item.strip() for item in raw_phones.split(",")]
    if multiple:
        ids = ids[:-1] if ids[-1] == "" else ids
        phones = phones[:-1] if phones[-1] == "" else phones
    if len(ids) != len(phones) or len(ids) > MAX_STATUS_PAIRS:
        raise CommandError(PARAMETERS_ERROR)
    if not all(MESSAGE_ID.fullmatch(item) for item in ids) or not all(phones):
        raise CommandError(PARAMETERS_ERROR)
    return list(zip(ids, phones, strict=True)), multiple


def status(ctx: Context) -> Reply:
    if ctx.text("del") not in ("", "0"):
        raise CommandError(PARAMETERS_ERROR)  # deleting a message is not supported [A]
    level = ctx.number("all", 0, high=2)
    pairs, multiple = _pairs(ctx)
    records = [_record(ctx, *pair, level, multiple=multiple) for pair in pairs]
    if multiple:
        return Reply(render_list(ctx.fmt, records, tag="sms"))
    return Reply(render_record(ctx.fmt, records[0], tag="result"))


COMMANDS: Final[dict[str, Handler]] = {"status": status}
