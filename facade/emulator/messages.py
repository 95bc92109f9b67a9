"""`sys/send.php`: sending a message (`send`) and asking its price (`cost`, `cost=1`).

docs/smsc-wire.md, "Messages": "send.php" and "send.php cost=1", is the layout of every reply; the
emulator writes the first form of each. What a request may hold and the order of its checks are
assumptions (facade.emulator.assumptions, "Messages").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from facade.emulator.assumptions import (
    CANNOT_DELIVER,
    DEFAULT_SENDER,
    FIRST_MESSAGE_ID,
    INVALID_NUMBER,
    MAX_MESSAGE_ID,
    MAX_MESSAGE_LENGTH,
    MESSAGE_DENIED,
    NO_MONEY,
    PARAMETERS_ERROR,
    REFUSED_INVALID,
    REFUSED_UNDELIVERABLE,
    SPAM_MARKER,
    TEXT_CHANNELS,
    UNDELIVERABLE_TEST_NUMBER,
)
from facade.emulator.command import CommandError, Context, Handler, Reply
from facade.emulator.deliveries import SentMessage, Step, course
from facade.emulator.pricing import channel_parts, price, render_money, truncate
from facade.emulator.render import escape_xml
from facade.emulator.schedule import OPTION_RULES, parse_send_time, parse_tz

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from facade.emulator.records import AccountData

# The channel flags (docs/smsc-wire.md, "Messages"); none is an SMS.
CHANNEL_FLAGS: Final = (
    "flash",
    "push",
    "bin",
    "hlr",
    "ping",
    "mms",
    "mail",
    "call",
    "viber",
    "soc",
    "tg",
    "whatsapp",
)
_NO_TEXT: Final = ("hlr", "ping")
MESSAGE_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,40}", re.ASCII)
_NUMERIC_ID: Final = re.compile(r"[1-9][0-9]{0,9}", re.ASCII)
_PHONE: Final = re.compile(r"\+?([0-9]{10,15})", re.ASCII)
_EMAIL: Final = re.compile(r"[^@\s,;]+@[^@\s,;]+")
_TELEGRAM: Final = re.compile(r"@[A-Za-z][A-Za-z0-9_]{4,31}|#[0-9]{1,18}", re.ASCII)
_GROUP: Final = re.compile(r"[Gg]([0-9]{1,9})", re.ASCII)
_SENDER_DIGITS: Final = re.compile(r"[0-9]{1,15}", re.ASCII)
_CALL_PARAMS: Final = re.compile(r"([0-9]{1,2}),([0-9]{1,4}),([0-9])", re.ASCII)
_SEPARATORS: Final = re.compile(r"[,;]")


def _digits_within(low: int, high: int) -> Callable[[str], bool]:
    return lambda raw: raw.isascii() and raw.isdigit() and low <= int(raw) <= high


def _call_params(raw: str) -> bool:
    """`param=w,i,n`: w 0-99, i 0-3600, n 0-9 (docs/smsc-wire.md, "Bounds of ours")."""
    match = _CALL_PARAMS.fullmatch(raw)
    return match is not None and int(match[2]) <= 3600


def _sender(raw: str) -> bool:
    """11 characters, or 15 digits (smsc-messages-notes.md §1.2, `sender`)."""
    return len(raw) <= 11 or _SENDER_DIGITS.fullmatch(raw) is not None


_RULES: Final[Mapping[str, Callable[[str], bool]]] = {
    **{name: OPTION_RULES[name] for name in CHANNEL_FLAGS},
    **{name: OPTION_RULES[name] for name in ("translit", "tinyurl", "valid", "voice")},
    **{name: OPTION_RULES[name] for name in ("period", "freq")},
    "cost": _digits_within(0, 3),
    "err": _digits_within(0, 1),
    "op": _digits_within(0, 1),
    "maxsms": _digits_within(1, 9999),
    "param": _call_params,
    "id": lambda raw: MESSAGE_ID.fullmatch(raw) is not None,
    "sender": _sender,
}

Refusal = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class _Order:
    """What a send or cost request asks, once its parameters have been checked."""

    channel: str
    text: str
    sender: str
    parts: int
    scheduled: float | None


def command_of(params: Mapping[str, str]) -> str:
    """send.php has no command flag: `cost=1` asks the price, anything else sends [A]."""
    return "cost" if params.get("cost", "") == "1" else "send"


def json_id(message_id: str) -> int | str:
    """A numeric id is a JSON number, any other a string [A]."""
    if _NUMERIC_ID.fullmatch(message_id) and int(message_id) <= MAX_MESSAGE_ID:
        return int(message_id)
    return message_id


def _order(ctx: Context) -> _Order:
    """The checks of error 1, then `time` (error 5)."""
    for name, rule in _RULES.items():
        value = ctx.text(name)
        if value and not rule(value):
            raise CommandError(PARAMETERS_ERROR)
    channels = [name for name in CHANNEL_FLAGS if ctx.text(name) not in ("", "0")]
    if len(channels) > 1 or ctx.text("list"):
        raise CommandError(PARAMETERS_ERROR)
    channel = channels[0] if channels else "sms"
    text = ctx.text("mes")
    if (not text and channel not in _NO_TEXT) or len(text) > MAX_MESSAGE_LENGTH:
        raise CommandError(PARAMETERS_ERROR)
    ctx.required("phones")
    transliterated = ctx.text("translit") not in ("", "0")
    if ctx.text("maxsms") and channel in TEXT_CHANNELS:
        text = truncate(text, int(ctx.text("maxsms")), transliterated=transliterated)
    tz = parse_tz(ctx.text("tz"))
    scheduled = parse_send_time(ctx.text("time"), tz, ctx.now)
    sender = ctx.text("sender", DEFAULT_SENDER)
    return _Order(
        channel=channel,
        text=text,
        sender="" if sender == "." else sender,
        parts=channel_parts(channel, text, transliterated=transliterated),
        scheduled=scheduled,
    )


def _valid(item: str, channel: str) -> str | None:
    """The recipient as stored, or None when it is no valid recipient for the channel."""
    if match := _PHONE.fullmatch(item):
        return match[1]
    if channel == "mail" and _EMAIL.fullmatch(item):
        return item
    if channel == "tg" and _TELEGRAM.fullmatch(item):
        return item
    return None


def _group_members(data: AccountData, number: int, channel: str) -> list[str]:
    """The first phone (or address, for e-mail) of each contact of the group [A]."""
    groups = {group.id for group in data.groups.values() if group.number == number}
    members = [c for c in data.contacts.values() if c.groups & groups]
    return [
        (c.emails if channel == "mail" else c.phones)[0]
        for c in members
        if (c.emails if channel == "mail" else c.phones)
    ]


def _recipients(ctx: Context, channel: str) -> tuple[list[str], list[Refusal]]:
    """Accepted recipients and refused ones; none accepted is error 7 (or 8) [A]."""
    accepted: list[str] = []
    refused: list[Refusal] = []
    for item in filter(None, (part.strip() for part in _SEPARATORS.split(ctx.text("phones")))):
        group = _GROUP.fullmatch(item)
        found = _group_members(ctx.data, int(group[1]), channel) if group else [item]
        for candidate in found:
            recipient = _valid(candidate, channel)
            if recipient is None:
                refused.append((candidate, *REFUSED_INVALID))
            elif recipient == UNDELIVERABLE_TEST_NUMBER:
                refused.append((recipient, *REFUSED_UNDELIVERABLE))
            elif recipient not in accepted:
                accepted.append(recipient)
    if not accepted:
        undeliverable = refused and all(
            status == REFUSED_UNDELIVERABLE[0] for _, status, _ in refused
        )
        raise CommandError(CANNOT_DELIVER if undeliverable else INVALID_NUMBER)
    return accepted, refused


def _judge(ctx: Context, order: _Order) -> tuple[list[str], list[Refusal]]:
    """Errors 6, then 7 and 8."""
    if SPAM_MARKER in order.text or SPAM_MARKER in order.sender:
        raise CommandError(MESSAGE_DENIED)
    return _recipients(ctx, order.channel)


def cost(ctx: Context) -> Reply:
    order = _order(ctx)
    accepted, _ = _judge(ctx, order)
    cnt = order.parts * len(accepted)
    total = render_money(cnt * price(order.channel))
    return Reply(_render_cost(ctx.fmt, total, cnt))


def send(ctx: Context) -> Reply:
    order = _order(ctx)
    message_id = ctx.text("id") or str(ctx.data.next_id("message", start=FIRST_MESSAGE_ID))
    try:
        accepted, refused = _judge(ctx, order)
        cnt = order.parts * len(accepted)
        total = cnt * price(order.channel)
        if ctx.data.balance + (ctx.data.credit or 0) < total:
            raise CommandError(NO_MONEY)
    except CommandError as exc:
        raise CommandError((exc.code, exc.description), message_id=json_id(message_id)) from exc
    _store(ctx, message_id, order, accepted, refused)
    ctx.data.balance -= total
    wanted = ctx.text("cost", "0")
    shown_cost = render_money(total) if wanted in ("2", "3") else None
    balance = render_money(ctx.data.balance) if wanted == "3" else None
    listed = refused if ctx.text("err") == "1" else []
    body = _render_sent(ctx.fmt, json_id(message_id), cnt, shown_cost, balance, listed)
    return Reply(body)


def _store(
    ctx: Context, message_id: str, order: _Order, accepted: list[str], refused: list[Refusal]
) -> None:
    each = order.parts * price(order.channel)
    for phone in accepted:
        steps = course(phone, ctx.now, order.scheduled)
        sent = SentMessage(
            message_id, phone, order.text, order.sender, order.parts, each, ctx.now, steps
        )
        ctx.data.messages.add(sent)
    for phone, status, err in refused:
        steps = [Step(ctx.now, status, err)]
        nothing = Decimal(0)
        ctx.data.messages.add(
            SentMessage(message_id, phone, order.text, order.sender, 0, nothing, ctx.now, steps)
        )


def _json_lines(pairs: Sequence[tuple[str, object]]) -> str:
    """One `"key": value` a line, no indentation (smsc-messages-notes.md §1.3); a list value is
    written on its line."""
    lines = [f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in pairs]
    return "{\n" + ",\n".join(lines) + "\n}"


def _xml(tag: str, *inner: str) -> str:
    return "\n".join([f"<{tag}>", *inner, f"</{tag}>"])


def _element(tag: str, value: object) -> str:
    return f"<{tag}>{escape_xml(str(value))}</{tag}>"


def _render_sent(
    fmt: int,
    message_id: int | str,
    cnt: int,
    cost: str | None,
    balance: str | None,
    refused: list[Refusal],
) -> str:
    """A send's reply: id and parts, cost and balance when asked, then the refused recipients."""
    money = [(name, value) for name, value in (("cost", cost), ("balance", balance)) if value]
    if fmt == 3:
        phones = [
            {"phone": phone, "status": status, "error": err} for phone, status, err in refused
        ]
        listed = [("phones", phones)] if phones else []
        return _json_lines([("id", message_id), ("cnt", cnt), *money, *listed])
    if fmt == 2:
        inner = [_element("id", message_id), _element("cnt", cnt)]
        inner += [_element(name, value) for name, value in money]
        if refused:
            items = [
                _xml("phone", _element("number", p), _element("status", s), _element("error", e))
                for p, s, e in refused
            ]
            inner.append(_xml("phones", *items))
        return _xml("result", *inner)
    if fmt == 1:
        head = ",".join([str(message_id), str(cnt), *(value for _, value in money)])
        return "\n".join([head, *(f"{p},{s},{e}" for p, s, e in refused)])
    head = f"OK - {cnt} SMS, ID - {message_id}"
    head += "".join(f", {name.upper()} - {value}" for name, value in money)
    return "\n".join([head, *(f"{p} - STATUS = {s}, ERR = {e}" for p, s, e in refused)])


def _render_cost(fmt: int, total: str, cnt: int) -> str:
    """A cost request's reply (docs/smsc-wire.md, "Messages", "send.php cost=1")."""
    if fmt == 3:
        return _json_lines([("cost", total), ("cnt", cnt)])
    if fmt == 2:
        return _xml("result", _element("cost", total), _element("cnt", cnt))
    if fmt == 1:
        return f"{total},{cnt}"
    return f"{total} ({cnt} SMS)"


COMMANDS: Final[dict[str, Handler]] = {"send": send, "cost": cost}
