"""`sys/phones.php` blacklist: add_black, del_black, get_black.

The command names `add_black`/`del_black` are SDK-panda's (smsc-api-notes.md §2.1); `get_black`
and its layout are docs/smsc-wire.md, "phones.php get_black=1" [A]. `type`: 0 all messages,
1 mass mailings, 2 single messages.
"""

from __future__ import annotations

from typing import Final

from facade.emulator.assumptions import (
    NO_RECORDS_FOUND,
    PARAMETERS_ERROR,
    RECORD_NOT_FOUND,
    SAVE_ERROR,
)
from facade.emulator.command import CommandError, Context, Handler, Reply, parse_phones
from facade.emulator.records import BlacklistEntry, blacklist_record
from facade.emulator.render import render_created, render_list, render_ok

FIRST_ID: Final = 501
BLOCK_TYPES: Final = ("0", "1", "2")


def _phone(ctx: Context) -> str:
    phones = parse_phones(ctx.required("phone"))
    if len(phones) != 1:
        raise CommandError(PARAMETERS_ERROR)
    return phones[0]


def add_black(ctx: Context) -> Reply:
    """A phone already listed is error 5 `save error` [A]."""
    phone = _phone(ctx)
    block_type = int(ctx.choice("type", BLOCK_TYPES, "0"))
    if any(entry.phone == phone for entry in ctx.data.blacklist.values()):
        raise CommandError(SAVE_ERROR)
    entry = BlacklistEntry(
        id=ctx.data.next_id("black", start=FIRST_ID),
        phone=phone,
        type=block_type,
        comment=ctx.text("cmt"),
    )
    ctx.data.blacklist[entry.id] = entry
    return Reply(render_created(ctx.fmt, entry.id, label="ID = ", xml_root="phone"))


def del_black(ctx: Context) -> Reply:
    phone = _phone(ctx)
    entry = next((e for e in ctx.data.blacklist.values() if e.phone == phone), None)
    if entry is None:
        raise CommandError(RECORD_NOT_FOUND)
    del ctx.data.blacklist[entry.id]
    return Reply(render_ok(ctx.fmt, json_result=False))


def get_black(ctx: Context) -> Reply:
    entries = [blacklist_record(e) for _, e in sorted(ctx.data.blacklist.items())]
    if not entries:
        raise CommandError(NO_RECORDS_FOUND)
    return Reply(render_list(ctx.fmt, entries, tag="record"))


COMMANDS: Final[dict[str, Handler]] = {
    "add_black": add_black,
    "del_black": del_black,
    "get_black": get_black,
}
