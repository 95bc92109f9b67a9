"""phones.php's builders: contacts, groups and the blacklist (smsc-api-notes §2,
smsc-contacts-responses.txt). As in `commands`, they encode and validate nothing; the `Command`,
`build_form` and the shared encoders are `commands`'s.
"""

from facade.domain.blacklist import BlacklistDraft, BlacklistEntry, BlacklistQuery
from facade.domain.contacts import Contact, ContactChanges, ContactDraft, ContactQuery, is_email
from facade.domain.groups import Group, GroupDraft, GroupMove
from facade.smsc.commands import Command, encode_count, encode_phone, make_command, optional
from facade.smsc.enums import BLOCK_SCOPES, GROUP_KINDS, GROUP_MOVES
from facade.smsc.envelope import parse_created_id, parse_ok
from facade.smsc.job_options import encode_id, format_date, join_ids, join_values
from facade.smsc.parse.blacklist import parse_blacklist
from facade.smsc.parse.contacts import parse_contacts
from facade.smsc.parse.groups import parse_groups
from facade.smsc.wire import Endpoint

# phones.php: contacts (smsc-api-notes §2, smsc-contacts-responses.txt). An e-mail contact is
# sent `mail`, `new_mail` and `mail_other` where a phone contact is sent `phone`, `new_phone` and
# `pho`; `mail=` (one address) finds it for `chg`, `del` and `move_group`, as `phone=` finds a
# phone contact (`_address`). `mail` and `new_mail` are SMSC's (smsc-api-notes §2.2); the rest
# are assumptions (docs/smsc-wire.md, "phones.php get=1").


def add_contact(draft: ContactDraft) -> Command[str]:
    """`mail` for a draft with `emails`, else `phone`; a draft holding both sends both."""
    return make_command(
        Endpoint.PHONES,
        "add",
        parse_created_id,
        ("phone", join_values(draft.phones) if draft.phones or not draft.emails else None),
        ("mail", join_values(draft.emails) if draft.emails else None),
        ("name", draft.name),
        ("grp", join_ids(draft.group_ids) if draft.group_ids else None),
        *_contact_fields(draft, draft.tags or None),
        ("pho", optional(draft.other_phones or None, join_values)),
        ("mail_other", optional(draft.other_emails or None, join_values)),
        writes=True,
    )


def change_contact(address: str, changes: ContactChanges) -> Command[None]:
    """`chg=1` of the contact `address` finds (a phone, or an e-mail address): a tuple field
    given empty clears it; a field left `None` stays as it is."""
    return make_command(
        Endpoint.PHONES,
        "chg",
        parse_ok,
        _address(address),
        ("new_phone", optional(changes.new_phones, join_values)),
        ("new_mail", optional(changes.new_emails, join_values)),
        ("name", changes.name),
        ("grp", optional(changes.group_ids, join_ids)),
        *_contact_fields(changes, changes.tags),
        ("pho", optional(changes.other_phones, join_values)),
        ("mail_other", optional(changes.other_emails, join_values)),
        writes=True,
    )


def _contact_fields(
    contact: ContactDraft | ContactChanges, tags: tuple[str, ...] | None
) -> tuple[tuple[str, str | None], ...]:
    return (
        ("fnm", contact.first_name),
        ("lnm", contact.last_name),
        ("mnm", contact.middle_name),
        ("bd", optional(contact.birthday, format_date)),
        ("myid", contact.client_id),
        ("cmt", contact.comment),
        ("tags", optional(tags, join_values)),
    )


def delete_contact(address: str) -> Command[None]:
    return make_command(Endpoint.PHONES, "del", parse_ok, _address(address), writes=True)


def list_contacts(query: ContactQuery = ContactQuery()) -> Command[list[Contact]]:  # noqa: B008 - frozen
    return make_command(
        Endpoint.PHONES,
        "get",
        parse_contacts,
        ("search", query.search),
        ("grp", optional(query.group_id, encode_id)),
        ("after_id", optional(query.after_id, encode_id)),
        ("cnt", optional(query.count, encode_count)),
        writes=False,
    )


def _address(address: str) -> tuple[str, str]:
    """What finds a contact or a blacklist entry: `mail=` an e-mail address (`is_email`), else
    `phone=` a phone; one value either way."""
    return ("mail" if is_email(address) else "phone", encode_phone(address))


# phones.php: groups


def add_group(draft: GroupDraft) -> Command[str]:
    return make_command(
        Endpoint.PHONES,
        "add_group",
        parse_created_id,
        ("name", draft.name),
        ("num", optional(draft.number, str)),
        ("type", str(GROUP_KINDS.encode(draft.kind))),
        writes=True,
    )


def rename_group(id: str, name: str) -> Command[None]:
    return make_command(
        Endpoint.PHONES,
        "chg_group",
        parse_ok,
        ("grp", encode_id(id)),
        ("name", name),
        writes=True,
    )


def delete_group(id: str) -> Command[None]:
    return make_command(Endpoint.PHONES, "del_group", parse_ok, ("grp", encode_id(id)), writes=True)


def list_groups() -> Command[list[Group]]:
    return make_command(Endpoint.PHONES, "get_group", parse_groups, writes=False)


def move_contact(address: str, group_id: str, mode: GroupMove) -> Command[None]:
    """`move_group=1` replaces the contact's groups, `2` adds one, `3` removes one."""
    return make_command(
        Endpoint.PHONES,
        "move_group",
        parse_ok,
        _address(address),
        ("grp", encode_id(group_id)),
        value=str(GROUP_MOVES.encode(mode)),
        writes=True,
    )


# phones.php: blacklist (`get_black` is an assumption: docs/smsc-wire.md). An e-mail address
# goes on the e-mail blacklist with `mail=` in place of `phone=` (`_address`), which
# `get_black=1&mail=1` lists (assumptions too).


def add_to_blacklist(draft: BlacklistDraft) -> Command[str]:
    """`type`: `BlockScope.UNKNOWN` has no code to send, a `ValueError`."""
    return make_command(
        Endpoint.PHONES,
        "add_black",
        parse_created_id,
        _address(draft.phone),
        ("type", str(BLOCK_SCOPES.encode(draft.scope))),
        ("cmt", draft.comment),
        writes=True,
    )


def remove_from_blacklist(address: str) -> Command[None]:
    return make_command(Endpoint.PHONES, "del_black", parse_ok, _address(address), writes=True)


def list_blacklist(query: BlacklistQuery = BlacklistQuery()) -> Command[list[BlacklistEntry]]:  # noqa: B008 - frozen
    return make_command(
        Endpoint.PHONES,
        "get_black",
        parse_blacklist,
        ("mail", "1" if query.emails else None),
        writes=False,
    )
