"""`sys/phones.php` blacklist: add_black, del_black, get_black.

The command names `add_black`/`del_black` are SDK-panda's (smsc-api-notes.md §2.1); `get_black`
and its layout are docs/smsc-wire.md, "phones.php get_black=1" [A]. `type`: 0 all messages,
1 mass mailings, 2 single messages. The e-mail blacklist is a list of its own: `mail=<address>`
in place of `phone=` adds to it and removes from it, `get_black=1&mail=1` lists it, its records
have `email` in place of `phone` (the page: "when requesting an e-mail blacklist") [A].
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from facade.emulator.assumptions import (
    NO_RECORDS_FOUND,
    PARAMETERS_ERROR,
    RECORD_NOT_FOUND,
    SAVE_ERROR,
)
from facade.emulator.command import (
    CommandError,
    Context,
    Handler,
    Reply,
    parse_emails,
    parse_phones,
)
from facade.emulator.records import BlacklistEntry, blacklist_record
from facade.emulator.render import render_created, render_list, render_ok

if TYPE_CHECKING:
    from facade.emulator.records import AccountData

FIRST_ID: Final = 501
BLOCK_TYPES: Final = ("0", "1", "2")


def _address(ctx: Context) -> tuple[dict[int, BlacklistEntry], str]:
    """The list and the one address the request names: `phone` (the phones' list) or `mail`
    (the e-mail list), not both [A]."""
    phone, mail = ctx.text("phone"), ctx.text("mail")
    if bool(phone) == bool(mail):
        raise CommandError(PARAMETERS_ERROR)
    addresses = parse_emails(mail) if mail else parse_phones(phone)
    if len(addresses) != 1:
        raise CommandError(PARAMETERS_ERROR)
    return _list(ctx.data, emails=bool(mail)), addresses[0]


def _list(data: AccountData, *, emails: bool) -> dict[int, BlacklistEntry]:
    return data.email_blacklist if emails else data.blacklist


def add_black(ctx: Context) -> Reply:
    """An address already on its list is error 5 `save error` [A]."""
    entries, address = _address(ctx)
    block_type = int(ctx.choice("type", BLOCK_TYPES, "0"))
    if any(entry.phone == address for entry in entries.values()):
        raise CommandError(SAVE_ERROR)
    entry = BlacklistEntry(
        id=ctx.data.next_id("black", start=FIRST_ID),
        phone=address,
        type=block_type,
        comment=ctx.text("cmt"),
    )
    entries[entry.id] = entry
    return Reply(render_created(ctx.fmt, entry.id, label="ID = ", xml_root="phone"))


def del_black(ctx: Context) -> Reply:
    entries, address = _address(ctx)
    entry = next((e for e in entries.values() if e.phone == address), None)
    if entry is None:
        raise CommandError(RECORD_NOT_FOUND)
    del entries[entry.id]
    return Reply(render_ok(ctx.fmt, json_result=False))


def get_black(ctx: Context) -> Reply:
    """The phones' list, or the e-mail list when `mail` is set (not empty nor `0`) [A]."""
    emails = ctx.text("mail") not in ("", "0")
    listed = sorted(_list(ctx.data, emails=emails).items())
    entries = [blacklist_record(entry, email=emails) for _, entry in listed]
    if not entries:
        raise CommandError(NO_RECORDS_FOUND)
    return Reply(render_list(ctx.fmt, entries, tag="record"))


COMMANDS: Final[dict[str, Handler]] = {
    "add_black": add_black,
    "del_black": del_black,
    "get_black": get_black,
}
