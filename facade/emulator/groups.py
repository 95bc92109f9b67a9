"""`sys/phones.php` groups: add_group, chg_group, del_group, get_group.

reference/smsc-contacts-responses.txt for the layouts; the error choices are node-smsc's 2013
recordings (smsc-api-notes.md §2.3): an unknown group is 3, a missing or empty `name` or a
non-numeric `grp` is 1, a name of only spaces or a duplicate group number is 5.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from facade.emulator.assumptions import NO_RECORDS_FOUND, RECORD_NOT_FOUND, SAVE_ERROR
from facade.emulator.command import CommandError, Context, Handler, Reply, parse_number
from facade.emulator.records import Group, group_record
from facade.emulator.render import render_created, render_list, render_ok

if TYPE_CHECKING:
    from facade.emulator.records import AccountData

FIRST_ID: Final = 41
GROUP_TYPES: Final = ("0", "1")  # 0 phone numbers, 1 e-mail addresses (smsc-api-notes.md §2.2)


def _number(data: AccountData, raw: str, owner: Group | None) -> int | None:
    """A group number (`num`); empty means none; one used by another group is error 5."""
    if not raw:
        return None
    number = parse_number(raw)
    if any(g.number == number and g is not owner for g in data.groups.values()):
        raise CommandError(SAVE_ERROR)
    return number


def _name(raw: str) -> str:
    if not raw.strip():
        raise CommandError(SAVE_ERROR)
    return raw


def add_group(ctx: Context) -> Reply:
    name = ctx.required("name")
    group_type = int(ctx.choice("type", GROUP_TYPES, "0"))
    number = _number(ctx.data, ctx.text("num"), None)
    group = Group(id=0, name=_name(name), number=number, type=group_type)
    group.id = ctx.data.next_id("group", start=FIRST_ID)
    ctx.data.groups[group.id] = group
    return Reply(render_created(ctx.fmt, group.id, label="ID = ", xml_root="group"))


def change_group(ctx: Context) -> Reply:
    group_id = ctx.number("grp")
    name = ctx.required("name")
    group = ctx.data.groups.get(group_id)
    if group is None:
        raise CommandError(RECORD_NOT_FOUND)
    number = _number(ctx.data, ctx.params["num"], group) if "num" in ctx.params else group.number
    group.name = _name(name)
    group.number = number
    return Reply(render_ok(ctx.fmt, json_result=False))


def delete_group(ctx: Context) -> Reply:
    """Deleting a group takes it off its contacts; the contacts stay [A]."""
    group_id = ctx.number("grp")
    if group_id not in ctx.data.groups:
        raise CommandError(RECORD_NOT_FOUND)
    del ctx.data.groups[group_id]
    for contact in ctx.data.contacts.values():
        contact.groups.discard(group_id)
    return Reply(render_ok(ctx.fmt, json_result=False))


def get_group(ctx: Context) -> Reply:
    """`cnt` is the number of contacts in the group; no groups is error 3 `no records found`."""
    groups = [g for _, g in sorted(ctx.data.groups.items())]
    if not groups:
        raise CommandError(NO_RECORDS_FOUND)
    records = [group_record(g, ctx.data.group_size(g.id)) for g in groups]
    return Reply(render_list(ctx.fmt, records, tag="group"))


COMMANDS: Final[dict[str, Handler]] = {
    "add_group": add_group,
    "chg_group": change_group,
    "del_group": delete_group,
    "get_group": get_group,
}
