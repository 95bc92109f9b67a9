"""`sys/phones.php` contacts: add, chg, del, get, move_group (reference/smsc-contacts-responses.txt).

A contact is identified by any of its phones; `get` lists `myid` as `id` (smsc-api-notes.md §2.3)
and answers error 3 `no records found` when nothing matches. Changes answer a bare `OK` in fmt 3
(recorded, smsc-api-notes.md §1.7). An e-mail contact holds e-mail addresses instead of phones
(`mail`, `new_mail`: smsc-api-notes.md §2.2), found by any of them; its other addresses are
`mail_other`, and a contact never holds both kinds (docs/smsc-wire.md [A]).
"""

from __future__ import annotations

from dataclasses import replace
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
    parse_day,
    parse_emails,
    parse_number,
    parse_phones,
    split_list,
)
from facade.emulator.records import Contact, contact_record
from facade.emulator.render import DATE_FORMAT, render_created, render_list, render_ok

if TYPE_CHECKING:
    from facade.emulator.records import AccountData

FIRST_ID: Final = 3001
# Request parameter → Contact attribute (smsc-api-notes.md §2.2); lists are handled apart.
_TEXT_FIELDS: Final = {
    "name": "name",
    "fnm": "first_name",
    "lnm": "last_name",
    "mnm": "middle_name",
    "myid": "client_id",
    "cmt": "comment",
}


def parse_groups(data: AccountData, raw: str) -> set[int]:
    """A comma list of group ids; an unknown group is error 3 [A]."""
    groups = {parse_number(item) for item in split_list(raw)}
    if not groups <= data.groups.keys():
        raise CommandError(RECORD_NOT_FOUND)
    return groups


def _ensure_free(data: AccountData, contact: Contact, owner: Contact | None) -> None:
    """A phone or an e-mail address belongs to one contact only: a duplicate is error 5 `save
    error` [A]."""
    holders = [data.contact_by_phone(phone) for phone in contact.phones]
    holders += [data.contact_by_email(email) for email in contact.emails]
    if any(holder is not None and holder is not owner for holder in holders):
        raise CommandError(SAVE_ERROR)


def _addresses(ctx: Context) -> tuple[bool, list[str]]:
    """Whether the request names e-mail addresses (`mail`) or phones (`phone`), and which: one
    of the two, not both [A]."""
    phone, mail = ctx.text("phone"), ctx.text("mail")
    if bool(phone) == bool(mail):
        raise CommandError(PARAMETERS_ERROR)
    return (True, parse_emails(mail)) if mail else (False, parse_phones(phone))


def _apply(ctx: Context, contact: Contact) -> None:
    """Set every field the request names; an empty value clears it. A contact's other addresses
    are of its own kind: `pho` for a phone contact, `mail_other` for an e-mail one, else error 1
    [A]."""
    params = ctx.params
    if ("mail_other" if contact.phones else "pho") in params:
        raise CommandError(PARAMETERS_ERROR)
    for name, attribute in _TEXT_FIELDS.items():
        if name in params:
            setattr(contact, attribute, params[name])
    if "bd" in params:
        bd = params["bd"]
        contact.birthday = parse_day(bd, PARAMETERS_ERROR).strftime(DATE_FORMAT) if bd else ""
    if "tags" in params:
        contact.tags = split_list(params["tags"])
    if "pho" in params:
        contact.other_phones = split_list(params["pho"])
    if "mail_other" in params:
        contact.other_emails = split_list(params["mail_other"])
    if "grp" in params:
        contact.groups = parse_groups(ctx.data, params["grp"])


def _matching(ctx: Context) -> list[Contact]:
    """The contacts holding any of the request's phones (`phone`) or e-mail addresses (`mail`)."""
    emails, addresses = _addresses(ctx)
    found = [
        c
        for c in ctx.data.contacts.values()
        if any(a in (c.emails if emails else c.phones) for a in addresses)
    ]
    if not found:
        raise CommandError(RECORD_NOT_FOUND)
    return found


def add(ctx: Context) -> Reply:
    emails, addresses = _addresses(ctx)
    contact = (
        Contact(id=0, phones=[], emails=addresses) if emails else Contact(id=0, phones=addresses)
    )
    _ensure_free(ctx.data, contact, None)
    _apply(ctx, contact)
    contact.id = ctx.data.next_id("contact", start=FIRST_ID)
    ctx.data.contacts[contact.id] = contact
    return Reply(render_created(ctx.fmt, contact.id, label="ID = ", xml_root="phone"))


def change(ctx: Context) -> Reply:
    """`phone` finds the contact, `new_phone` replaces all its phones (smsc-api-notes.md §2.3);
    `mail` and `new_mail` do the same for an e-mail contact, and the other kind is error 1 [A]."""
    contact = _matching(ctx)[0]
    updated = replace(contact)  # applied as a whole or not at all
    if ("new_mail" if contact.phones else "new_phone") in ctx.params:
        raise CommandError(PARAMETERS_ERROR)
    if "new_phone" in ctx.params:
        updated.phones = parse_phones(ctx.params["new_phone"])
    if "new_mail" in ctx.params:
        updated.emails = parse_emails(ctx.params["new_mail"])
    _ensure_free(ctx.data, updated, contact)
    _apply(ctx, updated)
    ctx.data.contacts[contact.id] = updated
    return Reply(render_ok(ctx.fmt, json_result=False))


def delete(ctx: Context) -> Reply:
    for contact in _matching(ctx):
        del ctx.data.contacts[contact.id]
    return Reply(render_ok(ctx.fmt, json_result=False))


def get(ctx: Context) -> Reply:
    """Filters `search`, `grp`, `after_id` (internal id), `cnt` (docs/smsc-wire.md [A])."""
    search = ctx.text("search").casefold()
    group = ctx.number("grp") if ctx.text("grp") else None
    after = ctx.number("after_id", 0)
    limit = ctx.number("cnt", low=1) if ctx.text("cnt") else None
    contacts = [
        contact
        for contact_id, contact in sorted(ctx.data.contacts.items())
        if contact_id > after
        and (group is None or group in contact.groups)
        and (not search or search in contact.searchable())
    ][:limit]
    if not contacts:
        raise CommandError(NO_RECORDS_FOUND)
    return Reply(render_list(ctx.fmt, [contact_record(c) for c in contacts], tag="contact"))


def move_group(ctx: Context) -> Reply:
    """`move_group=1` replaces the groups, `=2` adds, `=3` removes (smsc-api-notes.md §2.1)."""
    mode = ctx.choice("move_group", ("1", "2", "3"), "")
    groups = parse_groups(ctx.data, ctx.required("grp"))
    if not groups:
        raise CommandError(PARAMETERS_ERROR)
    for contact in _matching(ctx):
        if mode == "1":
            contact.groups = set(groups)
        elif mode == "2":
            contact.groups |= groups
        else:
            contact.groups -= groups
    return Reply(render_ok(ctx.fmt, json_result=False))


COMMANDS: Final[dict[str, Handler]] = {
    "add": add,
    "chg": change,
    "del": delete,
    "get": get,
    "move_group": move_group,
}
